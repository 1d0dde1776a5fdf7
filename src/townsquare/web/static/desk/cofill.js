/* "Fill in a form together" on the work page: when the resident's draft changes (a "draft" notice from the desk's
 * socket, heard through desk.js; every 15 s while the socket is down) the panel is fetched again and swapped in,
 * keeping whatever the agent has started typing: a part marked data-cofill-keep that differs from how it was drawn
 * stays as it is, with the draft version it was drawn at (each answer's box carries its own), so saving it still
 * meets the drafts' merge rule: an answer she changed meanwhile comes back as a conflict, never overwritten, and
 * one the page took in since is not mistaken for one. Without JavaScript a reload shows the same panel.
 */
(function () {
  "use strict";
  var POLL_MS = 15000;
  var busy = false;
  var again = false;

  function panel() { return document.getElementById("cofill"); }

  function dirty(part) {
    return Array.prototype.some.call(part.querySelectorAll("input, textarea, select"), function (el) {
      if (el.type === "hidden") return false;
      if (el.type === "checkbox" || el.type === "radio") return el.checked !== el.defaultChecked;
      if (el.tagName === "SELECT") {
        return Array.prototype.some.call(el.options, function (o) { return o.selected !== o.defaultSelected; });
      }
      return el.value !== el.defaultValue;
    });
  }

  function swap(html) {
    var old = panel();
    if (!old) return;
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var fresh = holder.querySelector("#cofill");
    if (!fresh) return;
    var active = document.activeElement;
    var focusId = old.contains(active) && active.id ? active.id : null;
    Array.prototype.forEach.call(old.querySelectorAll("[data-cofill-keep]"), function (part) {
      if (!part.id || !dirty(part)) return;
      var twin = fresh.querySelector("#" + CSS.escape(part.id));
      if (twin) twin.replaceWith(part); // what the agent typed, with the version it was drawn at
    });
    old.replaceWith(fresh);
    if (focusId) {
      var target = document.getElementById(focusId);
      if (target) target.focus();
    }
  }

  function fetchPanel() {
    var part = panel();
    if (!part) return;
    if (busy) { again = true; return; }
    busy = true;
    fetch(part.getAttribute("data-cofill-fragment"), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok && !response.redirected ? response.text() : null; })
      .then(function (html) { if (html) swap(html); })
      .catch(function () { /* the next notice or poll tries again */ })
      .then(function () {
        busy = false;
        if (again) { again = false; fetchPanel(); }
      });
  }

  document.addEventListener("desk:notice", function (event) {
    var notice = event.detail || {};
    var part = panel();
    if (part && notice.type === "draft" && notice.citizen_id === part.getAttribute("data-cofill-citizen")) fetchPanel();
  });

  window.setInterval(function () {
    var desk = window.TownsquareDesk;
    if (!desk || desk.state() !== "live") fetchPanel();
  }, POLL_MS);
})();
