/* A ticket's page: follows the ticket live (live.js), and on the kiosk's tablet goes back to the start after the
 * time the page names, so the next visitor finds a fresh screen. */
(function () {
  "use strict";
  var status = document.getElementById("ticket-status");
  if (status && window.tsCountersLive) window.tsCountersLive(status);
  var note = document.getElementById("return-note");
  if (note) {
    var after = parseInt(note.getAttribute("data-return-after"), 10) || 30;
    window.setTimeout(function () { window.location.assign(note.getAttribute("data-return-to")); }, after * 1000);
  }
})();
