/* The simulator's phone: calls through /simulator/voice/* (which plays Twilio against the real voice
   webhooks), shows and speaks each Say, sends keypad digits or typed speech to a Gather, follows Redirects,
   waits in the queue for Enqueue, follows a REST redirect the platform asks Twilio for (an agent accepted this
   caller) into a Dial'd Conference and shows who it is connected to, and sends the status callback on hang-up.
   Plain JavaScript, no framework. */
(function () {
  "use strict";
  var form = document.getElementById("voice-phone");
  if (!form) { return; }
  var fromInput = document.getElementById("voice-from");
  var toSelect = document.getElementById("voice-to");
  var callButton = document.getElementById("voice-call");
  var hangupButton = document.getElementById("voice-hangup");
  var stateLine = document.getElementById("voice-state");
  var keys = Array.prototype.slice.call(form.querySelectorAll(".voice-key"));
  var keypad = form.querySelector(".voice-keypad");
  var speechInput = document.getElementById("voice-speech");
  var sayButton = document.getElementById("voice-say");
  var stopButton = document.getElementById("voice-stop");
  var errorBox = document.getElementById("voice-error");
  var log = document.getElementById("voice-log");
  var call = null;  // {sid, from, to, started, gather, digits, timer, enqueue, queued, poll, recording, watch, conference}

  function line(text, kind) {
    var li = document.createElement("li");
    if (kind) { li.className = "voice-" + kind; }
    li.textContent = text;
    log.appendChild(li);
  }

  function state(text) { stateLine.textContent = text; }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function speak(text, lang) {
    if (!("speechSynthesis" in window)) { return; }
    var utterance = new SpeechSynthesisUtterance(text);
    if (lang) { utterance.lang = lang; }
    window.speechSynthesis.speak(utterance);
  }

  function controls() {
    var inCall = call !== null;
    callButton.disabled = inCall;
    hangupButton.disabled = !inCall;
    fromInput.disabled = inCall;
    toSelect.disabled = inCall;
    keys.forEach(function (k) { k.disabled = !inCall; });
    var listening = inCall && call.gather !== null;
    speechInput.disabled = !listening;
    sayButton.disabled = !listening;
    stopButton.hidden = !(inCall && call.recording);
  }

  function post(path, body) {
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { throw new Error(data.detail || ("HTTP " + r.status)); }
        return data;
      });
    });
  }

  function seconds() { return call ? Math.max(0, Math.round((Date.now() - call.started) / 1000)) : 0; }

  function step(url, extra, waiting) {
    if (!call) { return Promise.resolve(); }
    var body = { from: call.from, to: call.to, url: url, waiting: !!waiting };
    Object.keys(extra || {}).forEach(function (k) { body[k] = extra[k]; });
    var sid = call.sid;
    return post("/simulator/voice/calls/" + sid + "/steps", body).then(function (data) {
      // A wait-music answer that arrives after the call left the queue (a redirect) is no longer played.
      if (call && call.sid === sid && !(waiting && !call.enqueue)) { run(data.verbs, waiting); }
    }).catch(fail);
  }

  function fail(err) {
    showError("The call failed: " + err.message);
    finish(false);
  }

  function afterSpeech(fn, extraMs) {
    var tick = function () {
      if ("speechSynthesis" in window && window.speechSynthesis.speaking) { return setTimeout(tick, 250); }
      return setTimeout(fn, extraMs);
    };
    return setTimeout(tick, 250);
  }

  function run(verbs, waiting) {
    for (var i = 0; i < verbs.length; i++) {
      if (!call) { return; }
      var v = verbs[i];
      var a = v.attrs || {};
      if (v.verb === "Say") {
        line(v.text, "say");
        speak(v.text, a.language);
      } else if (v.verb === "Gather") {
        v.children.forEach(function (c) { if (c.verb === "Say") { line(c.text, "say"); speak(c.text, c.attrs.language); } });
        listen(a, verbs.slice(i + 1), waiting);
        return;
      } else if (v.verb === "Redirect") {
        step(v.text, {}, waiting);
        return;
      } else if (v.verb === "Record") {
        call.recording = { action: a.action, started: Date.now(), max: parseInt(a.maxLength || "120", 10) };
        state("Recording your message… press # or Stop recording when you are done.");
        line("(beep — recording)", "note");
        call.timer = setTimeout(stopRecording, call.recording.max * 1000);
        controls();
        return;
      } else if (v.verb === "Enqueue") {
        call.enqueue = { action: a.action, waitUrl: a.waitUrl, since: Date.now() };
        state("Waiting for an agent in queue " + v.text + "…");
        line("(waiting for an agent)", "note");
        step(a.waitUrl, { queue_seconds: 0 }, true);
        return;
      } else if (v.verb === "Dial" && v.children.length && v.children[0].verb === "Conference") {
        joinConference(a, v.children[0]);
        return;
      } else if (v.verb === "Dial") {
        line("(transferring to " + v.text + " — the simulator cannot ring it)", "note");
      } else if (v.verb === "Leave") {
        var q = call.enqueue;
        call.enqueue = null;
        if (q) { step(q.action, { queue_result: "leave", queue_seconds: Math.round((Date.now() - q.since) / 1000) }); }
        return;
      } else if (v.verb === "Hangup") {
        line("(the city hung up)", "note");
        finish(true);
        return;
      }
    }
    if (!call) { return; }
    if (waiting && call.enqueue) {
      call.poll = afterSpeech(function () {
        if (call && call.enqueue) {
          step(call.enqueue.waitUrl, { queue_seconds: Math.round((Date.now() - call.enqueue.since) / 1000) }, true);
        }
      }, 5000);
    } else if (!waiting) {
      line("(the call ended)", "note");
      finish(true);
    }
  }

  function get(path) {
    return fetch(path, { headers: { "Accept": "application/json" } }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { throw new Error(data.detail || ("HTTP " + r.status)); }
        return data;
      });
    });
  }

  // Twilio runs new TwiML for a call the platform redirected by its sid (an agent accepted this caller): what the
  // call was doing (waiting in the queue, a menu) stops there.
  function checkRedirect() {
    if (!call || !call.sid || call.conference) { return; }
    var sid = call.sid;
    get("/simulator/voice/calls/" + sid + "/redirect").then(function (data) {
      if (!call || call.sid !== sid || !data.verbs) { return; }
      clearTimeout(call.timer);
      clearTimeout(call.poll);
      call.gather = null;
      call.enqueue = null;
      call.recording = null;
      controls();
      line("(the city put the call through)", "note");
      run(data.verbs, false);
    }).catch(function () { /* the next look will tell */ });
  }

  function joinConference(dial, conference) {
    call.conference = { action: dial.action, name: conference.text, since: Date.now(), poll: null };
    state("Waiting for the person to pick up… (music)");
    line("(joining the call with the person who accepted it)", "note");
    post("/simulator/voice/calls/" + call.sid + "/conference", { name: conference.text, attrs: conference.attrs })
      .then(showConference).catch(fail);
  }

  function showConference(view) {
    if (!call || !call.conference) { return; }
    var conf = call.conference;
    if (view.ended) {
      call.conference = null;
      line("(the person hung up)", "note");
      if (conf.action) { step(conf.action, { dial_status: "completed" }); } else { finish(true); }
      return;
    }
    if (view["with"].length) {
      state((view.on_hold ? "On hold (music) — connected to " : "Connected to ") + view["with"].join(", "));
    } else {
      state("Waiting for the person to pick up… (music)");
    }
    conf.poll = setTimeout(function () {
      if (!call || call.conference !== conf) { return; }
      get("/simulator/voice/calls/" + call.sid + "/conference").then(showConference).catch(fail);
    }, 1500);
  }

  function listen(attrs, rest, waiting) {
    call.gather = { action: attrs.action, numDigits: parseInt(attrs.numDigits || "0", 10),
                    finishOnKey: attrs.finishOnKey === undefined ? "#" : attrs.finishOnKey, rest: rest, waiting: waiting };
    call.digits = "";
    state(waiting ? "Waiting for an agent — the keypad is listening." : "The menu is listening: press keys or say something.");
    var timeout = parseInt(attrs.timeout || "5", 10) * 1000 + 4000;
    call.timer = afterSpeech(function () {
      if (!call || !call.gather) { return; }
      var g = call.gather;
      call.gather = null;
      controls();
      run(g.rest, g.waiting);
    }, timeout);
    controls();
  }

  function answer(extra) {
    var g = call.gather;
    call.gather = null;
    clearTimeout(call.timer);
    controls();
    step(g.action, extra, g.waiting);
  }

  function press(key) {
    if (!call) { return; }
    line("You pressed " + key, "you");
    if (call.recording) {
      if (key === "#") { stopRecording(); }
      return;
    }
    if (!call.gather) { return; }
    if (key === call.gather.finishOnKey) { answer({ digits: call.digits }); return; }
    call.digits += key;
    if (call.gather.numDigits && call.digits.length >= call.gather.numDigits) { answer({ digits: call.digits }); }
  }

  function stopRecording() {
    if (!call || !call.recording) { return; }
    clearTimeout(call.timer);
    var r = call.recording;
    call.recording = null;
    controls();
    var length = Math.max(1, Math.round((Date.now() - r.started) / 1000));
    line("(message recorded, " + length + " s)", "note");
    step(r.action, { record_seconds: length });
  }

  function finish(sendStatus) {
    if (!call) { return; }
    var ending = call;
    call = null;
    clearTimeout(ending.timer);
    clearTimeout(ending.poll);
    clearInterval(ending.watch);
    if (ending.conference) { clearTimeout(ending.conference.poll); }
    if ("speechSynthesis" in window && !sendStatus) { window.speechSynthesis.cancel(); }
    controls();
    state("Not in a call.");
    if (!sendStatus) { return; }
    var duration = Math.max(0, Math.round((Date.now() - ending.started) / 1000));
    var queued = ending.enqueue ? post("/simulator/voice/calls/" + ending.sid + "/steps", {
      from: ending.from, to: ending.to, url: ending.enqueue.action, queue_result: "hangup",
      queue_seconds: Math.round((Date.now() - ending.enqueue.since) / 1000)
    }) : Promise.resolve();
    queued.then(function () {
      return post("/simulator/voice/calls/" + ending.sid + "/hangup", { from: ending.from, to: ending.to, duration: duration });
    }).then(function (data) {
      line("(call ended after " + data.duration + " s)", "note");
    }).catch(function (err) { showError("The hang-up was not recorded: " + err.message); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    showError("");
    var from = fromInput.value.trim();
    if (!from || !toSelect.value) { showError("Type the number you are calling from, and choose a city number."); return; }
    log.textContent = "";
    call = { sid: null, from: from, to: toSelect.value, started: Date.now(), gather: null, digits: "",
             timer: null, enqueue: null, poll: null, recording: null, watch: null, conference: null };
    controls();
    state("Calling " + toSelect.value + "…");
    post("/simulator/voice/calls", { from: from, to: toSelect.value }).then(function (data) {
      if (!call) { return; }
      call.sid = data.call_sid;
      call.watch = setInterval(checkRedirect, 1500);
      state("Connected.");
      run(data.verbs, false);
    }).catch(fail);
  });

  hangupButton.addEventListener("click", function () {
    if (call && call.sid) { line("You hung up", "you"); finish(true); } else { finish(false); }
  });
  keys.forEach(function (k) { k.addEventListener("click", function () { press(k.getAttribute("data-key")); }); });
  keypad.addEventListener("keydown", function (event) {
    if (/^[0-9*#]$/.test(event.key)) { event.preventDefault(); press(event.key); }
  });
  sayButton.addEventListener("click", function () {
    var text = speechInput.value.trim();
    if (!call || !call.gather || !text) { return; }
    line("You said: " + text, "you");
    speechInput.value = "";
    answer({ speech: text });
  });
  speechInput.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); sayButton.click(); }
  });
  stopButton.addEventListener("click", stopRecording);

  fetch("/simulator/voice/numbers", { headers: { "Accept": "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      (data.numbers || []).forEach(function (n) {
        var option = document.createElement("option");
        option.value = n;
        option.textContent = n;
        toSelect.appendChild(option);
      });
      if (!toSelect.options.length) { showError("No agency has a voice number yet: seed the demo city first."); }
    });
  controls();
})();
