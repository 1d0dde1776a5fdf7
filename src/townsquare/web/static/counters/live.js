/* Live parts of the counters' public pages: a part with data-fragment and data-socket is fetched again whenever
 * the office's socket says the board moved, and every 20 s when the socket is down; the fetched HTML replaces
 * the part's content and a "counters:updated" event tells the page's own script. Nothing is sent but pings. */
(function () {
  "use strict";
  var POLL_MS = 20000;
  window.tsCountersLive = function (part) {
    var url = part.getAttribute("data-fragment");
    var socketPath = part.getAttribute("data-socket");
    var fetching = false;
    var again = false;
    var poll = null;
    var backoff = 1000;

    function refresh() {
      if (fetching) { again = true; return; }
      fetching = true;
      fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (html !== null) {
            part.innerHTML = html;
            part.dispatchEvent(new CustomEvent("counters:updated", { bubbles: true }));
          }
        })
        .catch(function () { return null; })
        .then(function () {
          fetching = false;
          if (again) { again = false; refresh(); }
        });
    }

    function polling(on) {
      if (on && !poll) poll = window.setInterval(refresh, POLL_MS);
      if (!on && poll) { window.clearInterval(poll); poll = null; }
    }

    function connect() {
      if (!("WebSocket" in window) || !socketPath) { polling(true); return; }
      var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
      var socket = new WebSocket(scheme + window.location.host + socketPath);
      socket.onopen = function () { backoff = 1000; polling(false); refresh(); };
      socket.onmessage = function (event) {
        var notice = null;
        try { notice = JSON.parse(event.data); } catch (e) { return; }
        if (notice && notice.type === "board") refresh();
      };
      socket.onclose = function () {
        polling(true);
        window.setTimeout(connect, backoff);
        backoff = Math.min(backoff * 2, 30000);
      };
    }
    connect();
    return refresh;
  };
})();
