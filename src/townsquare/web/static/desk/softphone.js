/* The call panel's softphone and live state. The agent joins the call of the work they hold from the browser:
   with Twilio's Voice JavaScript SDK (Twilio.Device, from npm @twilio/voice-sdk, copied into static/build) or,
   in the demo, the simulator's stand-in device that plays Twilio for the agent's leg. Either way the browser
   asks the desk for an access token and calls out with the work item as a parameter; the TwiML App's voice URL
   puts it into the call's conference. Hold and resume post their forms without leaving the page (leaving would
   drop the leg); the panel's state and duration are read every two seconds. Without JavaScript the panel's
   forms do everything but the browser leg. Plain JavaScript, no framework. */
(function () {
  "use strict";
  var panel = document.getElementById("call-panel");
  if (!panel || panel.getAttribute("data-holds") !== "yes") { return; }
  var item = panel.getAttribute("data-item");
  var deviceKind = panel.getAttribute("data-device");
  var box = document.getElementById("softphone");
  var join = document.getElementById("softphone-join");
  var mute = document.getElementById("softphone-mute");
  var status = document.getElementById("softphone-status");
  var stateText = document.getElementById("call-state");
  var durationWrap = document.getElementById("call-duration-wrap");
  var durationText = document.getElementById("call-duration");
  var holdForm = document.getElementById("call-hold-form");
  var resumeForm = document.getElementById("call-resume-form");
  var hangupForm = document.getElementById("call-hangup-form");
  var remembered = "townsquare.softphone." + item;
  var leg = null;  // {mute(on), disconnect()}
  var state = panel.getAttribute("data-state");
  var timer = null;

  function say(name) { return (box && box.getAttribute("data-say-" + name)) || ""; }
  function tell(text) { if (status) { status.textContent = text; } }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) { throw new Error(data.detail || ("HTTP " + r.status)); }
        return data;
      });
    });
  }

  function twilioLeg(data) {
    var device = new window.Twilio.Device(data.token, { logLevel: "error" });
    return device.connect({ params: data.params }).then(function (call) {
      call.on("disconnect", function () { dropped(); });
      return {
        mute: function (on) { call.mute(on); },
        disconnect: function () { call.disconnect(); device.destroy(); }
      };
    });
  }

  function demoLeg(data) {
    return post("/simulator/twilio/devices/connect", { token: data.token, params: data.params }).then(function (joined) {
      var base = "/simulator/twilio/devices/" + encodeURIComponent(joined.call_sid);
      return {
        mute: function (on) { post(base + "/mute", { muted: on }); },
        disconnect: function () { return post(base + "/disconnect", {}); }
      };
    });
  }

  function joinCall() {
    if (leg) { return; }
    join.disabled = true;
    tell(say("joining"));
    post("/desk/calls/" + item + "/token", {}).then(function (data) {
      if (data.device === "twilio" && !window.Twilio) { throw new Error(say("no-sdk")); }
      return data.device === "twilio" ? twilioLeg(data) : demoLeg(data);
    }).then(function (connected) {
      leg = connected;
      try { window.sessionStorage.setItem(remembered, "joined"); } catch (e) { /* private mode */ }
      join.hidden = true;
      mute.hidden = false;
      tell(say("joined"));
      refresh();
    }).catch(function (err) {
      join.disabled = false;
      tell(say("failed") + " " + err.message);
    });
  }

  function dropped() {
    leg = null;
    if (mute) { mute.hidden = true; mute.setAttribute("aria-pressed", "false"); }
    if (join) { join.hidden = false; join.disabled = false; }
  }

  function show(data) {
    state = data.state;
    panel.setAttribute("data-state", state);
    panel.className = "call-panel call-" + state;
    stateText.textContent = data.words;
    if (holdForm) { holdForm.hidden = state !== "connected"; }
    if (resumeForm) { resumeForm.hidden = state !== "on_hold"; }
    if (data.connected && durationWrap) { durationWrap.hidden = false; durationText.textContent = data.duration; }
    if (!data.live || !data.holds) {
      if (leg) { leg.disconnect(); dropped(); }
      if (box) { box.hidden = true; }
      try { window.sessionStorage.removeItem(remembered); } catch (e) { /* private mode */ }
    }
  }

  function refresh() {
    clearTimeout(timer);
    return fetch("/desk/calls/" + item + "/state", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data) { show(data); }
        if (!data || data.live) { timer = setTimeout(refresh, 2000); }
      })
      .catch(function () { timer = setTimeout(refresh, 5000); });
  }

  function quietly(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.action, { method: "POST", credentials: "same-origin", redirect: "manual", body: new URLSearchParams(new FormData(form)) })
        .then(function () { button.disabled = false; return refresh(); })
        .catch(function () { button.disabled = false; form.submit(); });
    });
  }

  if (box && join) {
    box.hidden = false;
    join.addEventListener("click", joinCall);
    mute.addEventListener("click", function () {
      var on = mute.getAttribute("aria-pressed") !== "true";
      mute.setAttribute("aria-pressed", on ? "true" : "false");
      if (leg) { leg.mute(on); }
      tell(on ? say("muted") : say("unmuted"));
    });
    var again = false;
    try { again = window.sessionStorage.getItem(remembered) === "joined"; } catch (e) { again = false; }
    if (again && state === "connecting") { joinCall(); }  // back on the page after a reload: rejoin the caller
  }
  if (holdForm) { quietly(holdForm); }
  if (resumeForm) { quietly(resumeForm); }
  if (hangupForm) {
    hangupForm.addEventListener("submit", function () {
      try { window.sessionStorage.removeItem(remembered); } catch (e) { /* private mode */ }
      if (leg) { leg.disconnect(); }
    });
  }
  refresh();
})();
