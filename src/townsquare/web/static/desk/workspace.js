/* The workspace without a mouse and without page loads between contacts.
 *
 * - Choosing a contact in the list (a click, j/k, Alt+Down/Up) fetches its two panes from /desk/work/{id}/_panes,
 *   swaps them in, updates the address (back and forward work), moves focus to the conversation's heading and
 *   says which contact is shown. Without JavaScript each contact is a link to a page of its own.
 * - Alt+R, Alt+N, Alt+W, Alt+T, Alt+E, Alt+B, Alt+C go to the reply box or open one action panel; Esc closes it.
 * - a / d accept or decline the offer shown (else the first); ? opens the list of shortcuts, where single-key
 *   shortcuts can be turned off (remembered in this browser; desk.js honours it too).
 * - A canned response or a suggested answer goes in at the reply box's cursor (without JavaScript, a GET that
 *   pre-fills the box).
 * Live updates (new messages, offers, the contact list) are desk.js's: it refreshes the parts marked for it.
 */
(function () {
  "use strict";
  var SINGLE_KEYS = "townsquare.desk.singleKeys";
  var PANELS = { KeyN: "panel-note", KeyW: "panel-complete", KeyT: "panel-transfer", KeyE: "panel-escalate", KeyB: "panel-callback", KeyC: "panel-case" };
  var page = document.querySelector(".workspace-page");
  if (!page) return;
  var announcer = document.getElementById("workspace-announcer");
  var dialog = document.getElementById("shortcuts");
  var loading = null;

  function singleKeys() {
    try { return window.localStorage.getItem(SINGLE_KEYS) !== "off"; } catch (e) { return true; }
  }

  function announce(text) {
    if (!announcer) return;
    announcer.textContent = "";
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  /* Choosing a contact ---------------------------------------------------------------------------------------- */

  function contactLinks() {
    return Array.prototype.slice.call(document.querySelectorAll("#contacts a[data-contact]"));
  }

  function selectedId() {
    var pane = document.getElementById("conversation-pane");
    var match = window.location.pathname.match(/^\/desk\/work\/([0-9a-f-]{36})$/);
    return pane && match ? match[1] : null;
  }

  function listAddress(url) {
    var params = new URL(url, window.location.href).searchParams;
    ["canned", "suggest", "before", "done"].forEach(function (name) { params.delete(name); });
    var id = selectedId();
    if (id) params.set("selected", id);
    var query = params.toString();
    return "/desk/_contacts" + (query ? "?" + query : "");
  }

  function refreshList() {
    var part = document.getElementById("contacts");
    if (!part) return;
    part.setAttribute("data-desk-fragment", listAddress(window.location.href));
    fetch(part.getAttribute("data-desk-fragment"), { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok && !response.redirected ? response.text() : null; })
      .then(function (html) {
        if (html === null || part.contains(document.activeElement)) return; // never pull the list from under focus
        part.innerHTML = html;
      })
      .catch(function () { /* desk.js refreshes it on the next notice */ });
  }

  function markCurrent(id) {
    contactLinks().forEach(function (link) {
      if (link.getAttribute("data-contact") === id) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
  }

  function showPanes(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html;
    ["conversation-pane", "context-pane"].forEach(function (id) {
      var fresh = holder.content.querySelector("#" + id);
      var old = document.getElementById(id);
      if (fresh && old) old.replaceWith(fresh);
    });
  }

  function afterSwitch() {
    var pane = document.getElementById("conversation-pane");
    var heading = document.getElementById("conversation-title");
    var title = pane ? pane.getAttribute("data-title") : "";
    document.title = title + " · " + (page.getAttribute("data-title-suffix") || "");
    markCurrent(selectedId());
    if (window.TownsquareDesk) window.TownsquareDesk.watch({ citizen_id: (pane && pane.getAttribute("data-citizen-id")) || null });
    if (heading) {
      heading.focus();
      announce(heading.textContent.replace(/\s+/g, " ").trim());
    }
    refreshList();
  }

  function open(url, push) {
    var target = new URL(url, window.location.href);
    var match = target.pathname.match(/^\/desk\/work\/([0-9a-f-]{36})$/);
    if (!match) { window.location.assign(url); return; }
    var request = { id: match[1] };
    loading = request;
    fetch("/desk/work/" + match[1] + "/_panes" + target.search, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("not panes");
        return response.text();
      })
      .then(function (html) {
        if (loading !== request) return; // a later choice won
        // A pane that brings its own script (a call panel's softphone) is shown as a page, so that script runs.
        if (/<script[\s>]/i.test(html)) { window.location.assign(url); return; }
        if (push) window.history.pushState({ workspace: true }, "", target.pathname + target.search);
        showPanes(html);
        afterSwitch();
      })
      .catch(function () { window.location.assign(url); })
      .then(function () { if (loading === request) loading = null; });
  }

  function step(by) {
    var links = contactLinks();
    if (!links.length) { announce(page.getAttribute("data-none") || ""); return; }
    // From the contact being opened, else the one shown (the address says which, even before Back's panes come).
    var current = loading ? loading.id : selectedId();
    var at = links.findIndex(function (link) { return link.getAttribute("data-contact") === current; });
    var next = at === -1 ? (by > 0 ? 0 : links.length - 1) : at + by;
    if (next < 0 || next >= links.length) { announce(page.getAttribute(by > 0 ? "data-last" : "data-first") || ""); return; }
    open(links[next].href, true);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("#contacts a[data-contact]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    open(link.href, true);
  });

  window.history.replaceState({ workspace: true }, "", window.location.href);
  window.addEventListener("popstate", function () {
    if (/^\/desk\/work\/[0-9a-f-]{36}$/.test(window.location.pathname)) open(window.location.href, false);
    else window.location.reload();
  });

  /* Action panels and the reply box -------------------------------------------------------------------------- */

  function openPanel(id) {
    var panel = document.getElementById(id);
    if (!panel) { announce(page.getAttribute("data-no-panel") || ""); return; }
    Array.prototype.forEach.call(document.querySelectorAll("details.action-panel[open]"), function (other) {
      if (other !== panel) other.open = false;
    });
    panel.open = true;
    var field = panel.querySelector("textarea, select, input:not([type=hidden]), button");
    (field || panel.querySelector("summary")).focus();
  }

  function closePanel() {
    var panel = document.activeElement && document.activeElement.closest && document.activeElement.closest("details.action-panel[open]");
    if (!panel) return false;
    panel.open = false;
    panel.querySelector("summary").focus();
    return true;
  }

  function press(selectors) {
    for (var i = 0; i < selectors.length; i += 1) {
      var button = document.querySelector(selectors[i]);
      if (button) { button.click(); return true; }
    }
    return false;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey) return;
    if (dialog && dialog.open) return; // the dialog's own keys (Esc closes it)
    if (event.altKey && !event.shiftKey) {
      if (event.code === "KeyR") {
        var reply = document.getElementById("reply-body");
        if (reply) { event.preventDefault(); reply.focus(); }
      } else if (PANELS[event.code]) {
        event.preventDefault();
        openPanel(PANELS[event.code]);
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        step(event.key === "ArrowDown" ? 1 : -1);
      }
      return;
    }
    if (event.key === "Escape" && !event.altKey) {
      if (closePanel()) event.preventDefault();
      return;
    }
    if (event.altKey || typing(event.target) || !singleKeys()) return;
    var handled = true;
    if (event.key === "j") step(1);
    else if (event.key === "k") step(-1);
    else if (event.key === "a") press(['[data-action="accept-selected"]', '#contacts [data-action="accept"]']);
    else if (event.key === "d") press(['[data-action="decline-selected"]', '#contacts [data-action="decline"]']);
    else if (event.key === "?") showShortcuts();
    else handled = false;
    if (handled) event.preventDefault();
  });

  /* "Insert" a canned response and "Use in reply": at the reply box's cursor, without a page load. */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var reply = document.getElementById("reply-body");
    if (!reply || !form.closest) return;
    var text = null;
    if (form.id === "canned-form") {
      var select = form.querySelector("select");
      var option = select ? select.options[select.selectedIndex] : null;
      text = option ? option.getAttribute("data-body") : null;
    } else if (form.classList.contains("use-suggestion")) {
      text = form.getAttribute("data-reply");
    }
    if (text === null) return;
    event.preventDefault();
    var start = reply.selectionStart || 0;
    var end = reply.selectionEnd || 0;
    reply.value = reply.value.slice(0, start) + text + reply.value.slice(end);
    reply.focus();
    reply.setSelectionRange(start + text.length, start + text.length);
  });

  /* The list of shortcuts ------------------------------------------------------------------------------------ */

  var link = document.getElementById("shortcuts-link");
  var box = document.getElementById("single-keys");
  function showShortcuts() {
    if (dialog && typeof dialog.showModal === "function" && !dialog.open) dialog.showModal();
  }
  if (link && dialog && typeof dialog.showModal === "function") {
    link.hidden = false;
    link.addEventListener("click", function (event) { event.preventDefault(); showShortcuts(); });
  }
  if (box) {
    box.checked = singleKeys();
    box.addEventListener("change", function () {
      try { window.localStorage.setItem(SINGLE_KEYS, box.checked ? "on" : "off"); } catch (e) { /* kept for this page only */ }
    });
  }

  /* Where a page load lands: a refused action's problem, else the part the action came back to. */
  var summary = document.getElementById("error-summary");
  var landing = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
  if (summary) summary.focus();
  else if (landing && landing.id !== "reply-body") {
    if (!landing.hasAttribute("tabindex")) landing.setAttribute("tabindex", "-1");
    landing.focus();
  }
})();
