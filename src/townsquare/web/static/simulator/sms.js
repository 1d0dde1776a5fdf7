/* The simulator's SMS phone: sends texts through /simulator/sms/send (which plays Twilio) and polls the
   inbox for what the platform texted back. Plain JavaScript, no framework. */
(function () {
  "use strict";
  var form = document.getElementById("sms-phone");
  if (!form) { return; }
  var fromInput = document.getElementById("sms-from");
  var toSelect = document.getElementById("sms-to");
  var bodyInput = document.getElementById("sms-body");
  var counter = document.getElementById("sms-count");
  var errorBox = document.getElementById("sms-error");
  var thread = document.getElementById("sms-thread");
  var residents = document.getElementById("sms-residents");
  var shown = {};          // inbox id -> status element
  var twimlShown = [];     // answers already shown from a send, not yet matched in the inbox
  var polling = null;

  function time(iso) {
    var d = iso ? new Date(iso) : new Date();
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function bubble(text, direction, meta) {
    var li = document.createElement("li");
    li.className = direction === "out" ? "sms-out" : "sms-in";
    var who = document.createElement("span");
    who.className = "visually-hidden";
    who.textContent = direction === "out" ? "You sent: " : "The city sent: ";
    li.appendChild(who);
    window.TownsquareSimLinks.append(li, text);
    var info = document.createElement("span");
    info.className = "sms-meta";
    info.textContent = meta;
    li.appendChild(info);
    thread.appendChild(li);
    return info;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = !message;
  }

  function twimlMessages(xml) {
    var doc = new DOMParser().parseFromString(xml, "application/xml");
    return Array.prototype.map.call(doc.getElementsByTagName("Message"), function (m) { return m.textContent; });
  }

  function poll() {
    var number = fromInput.value.trim();
    if (!number) { return; }
    fetch("/simulator/sms/inbox?number=" + encodeURIComponent(number), { headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        data.messages.slice().reverse().forEach(function (m) {
          var label = (m.when || time(m.at)) + " · " + (m.via === "twiml" ? "automatic answer" : m.status);
          if (shown[m.id]) { shown[m.id].textContent = label; return; }
          var pending = m.via === "twiml" ? twimlShown.indexOf(m.body) : -1;
          if (pending >= 0) { twimlShown.splice(pending, 1); shown[m.id] = { textContent: "" }; return; }
          shown[m.id] = bubble(m.body, "in", label);
        });
      })
      .catch(function () { /* the next poll tries again */ });
  }

  function restartPolling() {
    shown = {};
    twimlShown = [];
    thread.textContent = "";
    poll();
    if (polling) { clearInterval(polling); }
    polling = setInterval(poll, 3000);
  }

  fetch("/simulator/sms/numbers", { headers: { Accept: "application/json" } })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      data.city.forEach(function (c) {
        var option = document.createElement("option");
        option.value = c.number;
        option.textContent = c.name + " (" + c.number + ")";
        toSelect.appendChild(option);
      });
      data.residents.forEach(function (p) {
        var option = document.createElement("option");
        option.value = p.number;
        option.label = p.name;
        residents.appendChild(option);
      });
      if (!fromInput.value && data.residents.length) { fromInput.value = data.residents[0].number; }
      restartPolling();
    })
    .catch(function () { showError("The simulator could not load the city's numbers."); });

  fromInput.addEventListener("change", restartPolling);
  bodyInput.addEventListener("input", function () {
    counter.textContent = bodyInput.value.length + " characters";
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    showError("");
    var text = bodyInput.value;
    if (!fromInput.value.trim() || !toSelect.value) {
      showError("Choose the number you are texting from and the city number to text.");
      return;
    }
    var sent = bubble(text, "out", time() + " · sending");
    fetch("/simulator/sms/send", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ from_number: fromInput.value, to_number: toSelect.value, body: text })
    })
      .then(function (r) { return r.json().then(function (data) { return { ok: r.ok, data: data }; }); })
      .then(function (res) {
        if (!res.ok || res.data.status !== 200) {
          var problem = res.ok ? res.data.problem : res.data;
          sent.textContent = time() + " · not delivered";
          showError((problem && problem.detail) || "The platform refused the message.");
          return;
        }
        sent.textContent = time() + " · delivered";
        bodyInput.value = "";
        counter.textContent = "0 characters";
        twimlMessages(res.data.twiml || "").forEach(function (answer) {
          twimlShown.push(answer);
          bubble(answer, "in", time() + " · automatic answer");
        });
        poll();
      })
      .catch(function () {
        sent.textContent = time() + " · not delivered";
        showError("The simulator could not reach the platform.");
      });
  });
}());
