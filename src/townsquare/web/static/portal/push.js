/* "Notifications on this device" on the account page: turn web push on or off for this browser.
 *
 * Progressive enhancement: the buttons stay hidden (GOV.UK's display-none class: a button's own display would
 * override the hidden attribute), and the section says why, unless this browser has service
 * workers, the Push API and notifications. Every state change is announced in the status line (role=status).
 */
(function () {
  const HIDDEN = "govuk-!-display-none";
  const root = document.getElementById("push");
  if (!root) return;
  const state = document.getElementById("push-state");
  const on = document.getElementById("push-on");
  const off = document.getElementById("push-off");
  const say = (key) => {
    state.textContent = root.dataset[key] || "";
  };
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("msgUnsupported");
    return;
  }
  let registration = null;
  let subscription = null;
  let busy = false;

  function show() {
    on.classList.toggle(HIDDEN, busy || subscription !== null || Notification.permission === "denied");
    off.classList.toggle(HIDDEN, busy || subscription === null);
    if (Notification.permission === "denied" && subscription === null) say("msgDenied");
    else say(subscription ? "msgOn" : "msgOff");
    root.dataset.state = subscription ? "on" : "off";
  }

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error("refused: " + response.status);
  }

  function keyBytes(base64url) {
    const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  async function turnOn() {
    busy = true;
    say("msgWorking");
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") {
        busy = false;
        show();
        return;
      }
      const made = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(root.dataset.key),
      });
      try {
        await post(root.dataset.subscribe, { subscription: made.toJSON() });
      } catch (refused) {
        await made.unsubscribe();
        throw refused;
      }
      subscription = made;
      busy = false;
      show();
    } catch (e) {
      busy = false;
      show();
      say("msgFailed");
    }
    (subscription ? off : on).focus();
  }

  async function turnOff() {
    busy = true;
    say("msgWorking");
    try {
      await post(root.dataset.unsubscribe, { endpoint: subscription.endpoint });
      await subscription.unsubscribe();
      subscription = null;
      busy = false;
      show();
    } catch (e) {
      busy = false;
      show();
      say("msgFailed");
    }
    (subscription ? off : on).focus();
  }

  on.addEventListener("click", turnOn);
  off.addEventListener("click", turnOff);
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
  navigator.serviceWorker.ready
    .then((ready) => {
      registration = ready;
      return ready.pushManager.getSubscription();
    })
    .then((existing) => {
      subscription = existing;
      show();
    })
    .catch(() => say("msgUnsupported"));
})();
