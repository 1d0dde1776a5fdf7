// The workspace without a mouse: Alt+R jumps to the reply box; a canned response is inserted at the cursor.
// Everything here also works without JavaScript (the canned form is a GET that pre-fills the reply box).
(function () {
  "use strict";
  var reply = document.getElementById("reply-body");

  document.addEventListener("keydown", function (event) {
    if (event.altKey && !event.ctrlKey && !event.metaKey && (event.key === "r" || event.key === "R" || event.code === "KeyR")) {
      if (reply) {
        event.preventDefault();
        reply.focus();
      }
    }
  });

  var form = document.getElementById("canned-form");
  var select = document.getElementById("canned");
  if (form && select && reply) {
    form.addEventListener("submit", function (event) {
      var option = select.options[select.selectedIndex];
      var text = option ? option.getAttribute("data-body") : null;
      if (text === null) { return; }
      event.preventDefault();
      var start = reply.selectionStart || 0;
      var end = reply.selectionEnd || 0;
      reply.value = reply.value.slice(0, start) + text + reply.value.slice(end);
      reply.focus();
      reply.setSelectionRange(start + text.length, start + text.length);
    });
  }

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
