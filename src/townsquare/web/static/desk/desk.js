/* The live desk: listens on /desk/live for notices and swaps in the server-rendered fragments they name.
 *
 * Markup contract (any desk page may use it):
 *   <div id="…" data-desk-fragment="/url" data-desk-refresh="inbox|wallboard|citizen">  a part to refresh
 *   <div id="desk-live" data-watch-wallboard="true" data-watch-citizen="<uuid>" hidden>  what the page shows
 *   <div id="desk-announcer" role="status">  where news (a new offer) is announced
 *   <p id="desk-connection" data-words-live="…" data-words-signed-out="…" data-words-reconnecting="…">  says
 *       whether live updates are on, in the page's language (English when the page gives no words)
 * Without JavaScript the page is plain forms and a reload shows the same thing. When the socket is down the
 * fragments are fetched every 15 s; reconnects back off from 1 s to 30 s.
 */
(function () {
  "use strict";
  var POLL_MS = 15000;
  var MAX_BACKOFF_MS = 30000;
  var live = document.getElementById("desk-live");
  if (!live) return;
  var watch = {
    wallboard: live.getAttribute("data-watch-wallboard") === "true",
    citizen_id: live.getAttribute("data-watch-citizen") || null,
  };
  var announcer = document.getElementById("desk-announcer");
  var statusLine = document.getElementById("desk-connection");
  var socket = null;
  var backoff = 1000;
  var held = false;
  var pollTimer = null;
  var retryTimer = null;
  var refreshes = 0;
  var inflight = {}; // url -> true while fetching; "again" when a notice came meanwhile and must be fetched anew

  function setState(state, words, text) {
    if (!statusLine) return;
    statusLine.setAttribute("data-state", state);
    statusLine.textContent = statusLine.getAttribute("data-words-" + words) || text;
  }

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function focusKey(el) {
    if (!el || el === document.body) return null;
    return el.getAttribute("data-focus-key") || el.id || null;
  }

  function offerIds(root) {
    return Array.prototype.map.call(root.querySelectorAll("[data-offer-id]"), function (li) {
      return li.getAttribute("data-offer-id");
    });
  }

  function swap(part, html) {
    var active = document.activeElement;
    var hadFocus = part.contains(active);
    var key = hadFocus ? focusKey(active) : null;
    var before = offerIds(part);
    part.innerHTML = html;
    if (hadFocus) {
      var again = key && (part.querySelector('[data-focus-key="' + key + '"]') || document.getElementById(key));
      if (again) again.focus();
      else focusHeading(part);
    }
    var fresh = Array.prototype.filter.call(part.querySelectorAll("[data-offer-id]"), function (li) {
      return before.indexOf(li.getAttribute("data-offer-id")) === -1;
    });
    if (fresh.length) announce("New offer: " + fresh[0].getAttribute("data-offer-label") + ". Press a to accept, d to decline.");
    tick();
    refreshes += 1;
  }

  function focusHeading(part) {
    var heading = part.querySelector("h2");
    if (!heading) return;
    heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  function refresh(kind) {
    var parts = document.querySelectorAll('[data-desk-refresh="' + kind + '"]');
    Array.prototype.forEach.call(parts, fetchPart);
  }

  /* One fetch per part at a time. A notice that arrives while a fetch is under way is never dropped: that
     answer may have been rendered before the change the notice is about, so the part is fetched once more. */
  function fetchPart(part) {
    var url = part.getAttribute("data-desk-fragment");
    if (!url) return;
    if (inflight[url]) { inflight[url] = "again"; return; }
    inflight[url] = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.status === 401 || response.redirected) { window.location.reload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) { if (html !== null && html !== undefined) swap(part, html); })
      .catch(function () { /* the next notice or poll tries again */ })
      .then(function () {
        var again = inflight[url] === "again";
        inflight[url] = false;
        if (again) fetchPart(part);
      });
  }

  function refreshAll() { ["inbox", "wallboard", "citizen"].forEach(refresh); }

  function startPolling() {
    if (pollTimer === null) pollTimer = window.setInterval(refreshAll, POLL_MS);
  }

  function stopPolling() {
    if (pollTimer !== null) { window.clearInterval(pollTimer); pollTimer = null; }
  }

  function onNotice(notice) {
    // Other scripts of the page hear every notice too (the work page's "Fill in a form together" panel).
    document.dispatchEvent(new CustomEvent("desk:notice", { detail: notice }));
    if (notice.type === "inbox") refresh("inbox");
    else if (notice.type === "wallboard") refresh("wallboard");
    else if (notice.type === "citizen" && notice.citizen_id === watch.citizen_id) refresh("citizen");
  }

  function connect() {
    if (held || socket) return;
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var ws = new WebSocket(scheme + window.location.host + "/desk/live");
    socket = ws;
    ws.onopen = function () {
      backoff = 1000;
      stopPolling();
      setState("live", "live", "Live updates: on");
      ws.send(JSON.stringify({ watch: watch }));
      refreshAll(); // catch up on whatever changed while the socket was down
    };
    ws.onmessage = function (event) {
      var notice;
      try { notice = JSON.parse(event.data); } catch (e) { return; }
      onNotice(notice);
    };
    ws.onclose = function (event) {
      socket = null;
      startPolling();
      if (event.code === 4401) {
        setState("offline", "signed-out", "Live updates: off (signed out). Reload the page.");
        return;
      }
      setState("offline", "reconnecting", "Live updates: reconnecting; the page refreshes every 15 seconds meanwhile.");
      if (held) return;
      retryTimer = window.setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    };
  }

  /* Offer countdowns, once a second. */
  function tick() {
    var now = Date.now();
    Array.prototype.forEach.call(document.querySelectorAll("[data-expires-at]"), function (el) {
      var left = Math.max(0, Math.round((Date.parse(el.getAttribute("data-expires-at")) - now) / 1000));
      el.textContent = left > 0 ? left + " s" : "time is up";
    });
  }
  window.setInterval(tick, 1000);

  /* Keyboard shortcuts, never while typing, and not at all when the person turned single keys off. */
  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function singleKeysOff() { // turned off in the workspace's list of shortcuts
    try { return window.localStorage.getItem("townsquare.desk.singleKeys") === "off"; } catch (e) { return false; }
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (singleKeysOff()) return;
    var target = null;
    if (event.key === "a") target = document.querySelector('[data-action="accept"]');
    else if (event.key === "d") target = document.querySelector('[data-action="decline"]');
    else if (event.key === "w") target = document.querySelector("[data-work-link]");
    else if (event.key === "/") target = document.getElementById("q");
    if (!target) return;
    event.preventDefault();
    if (target.tagName === "INPUT") target.focus();
    else target.click();
  });

  window.TownsquareDesk = {
    state: function () { return socket && socket.readyState === 1 ? "live" : "offline"; },
    refreshes: function () { return refreshes; },
    disconnect: function (opts) {
      held = !!(opts && opts.hold);
      if (retryTimer) window.clearTimeout(retryTimer);
      if (socket) socket.close();
    },
    reconnect: function () { held = false; backoff = 1000; connect(); },
    watch: function (next) {
      watch = Object.assign({}, watch, next);
      if (socket && socket.readyState === 1) socket.send(JSON.stringify({ watch: watch }));
    },
  };

  tick();
  connect();
})();
