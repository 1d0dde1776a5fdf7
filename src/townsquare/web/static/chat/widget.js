/* Townsquare live chat widget. Embed with one tag:
 *   <script src="https://YOUR-TOWNSQUARE/static/chat/widget.js" defer></script>
 * No framework, no cookies. The device token and the last message seen live in localStorage; messages typed
 * while offline wait in a queue (also in localStorage) and are resent with the same client_id, so the server
 * records each exactly once. Protocol: docs/channels/chat.md.
 */
(function () {
  "use strict";
  if (window.TownsquareChat) return;

  var script = document.currentScript;
  var base = new URL(script && script.src ? script.src : "/static/chat/widget.js", window.location.href);
  var params = new URLSearchParams(window.location.search);
  // A second "device" in the same browser (the simulator's "open as a second device") uses its own storage key.
  var device = params.get("chat_device") || (script && script.getAttribute("data-device")) || "";
  var KEY = "townsquare.chat" + (device ? "." + device.replace(/[^A-Za-z0-9_-]/g, "").slice(0, 32) : "");
  // The page's language ("fr" or the default "en"): every word the widget shows, in the reader's language.
  var LANG = (document.documentElement.getAttribute("lang") || "en").slice(0, 2).toLowerCase();
  var FR = {
    "Live chat": "Clavardage en direct",
    "Chat with us": "Clavarder avec nous",
    "Close": "Fermer",
    "Close the chat": "Fermer le clavardage",
    "Not connected": "Non connecté",
    "Messages": "Messages",
    "Your message": "Votre message",
    "Enter sends; Shift+Enter starts a new line.": "Entrée envoie; Maj+Entrée commence une nouvelle ligne.",
    "Send": "Envoyer",
    "Verify your phone or email to see this chat on your other devices": "Vérifiez votre téléphone ou votre courriel pour voir ce clavardage sur vos autres appareils",
    "Verify by": "Vérifier par",
    "Text message to my phone": "Texto à mon téléphone",
    "Email": "Courriel",
    "Phone number or email address": "Numéro de téléphone ou adresse courriel",
    "Send me a code": "M'envoyer un code",
    "The 6-digit code we sent": "Le code à 6 chiffres que nous avons envoyé",
    "Check the code": "Vérifier le code",
    "You": "Vous",
    "Assistant": "Assistant",
    "Agent": "Agent",
    " · waiting to send": " · en attente d'envoi",
    "Suggested answers": "Réponses suggérées",
    "Write something before sending.": "Écrivez quelque chose avant d'envoyer.",
    "Type your phone number or email address.": "Tapez votre numéro de téléphone ou votre adresse courriel.",
    "Not connected yet; try again in a moment.": "Pas encore connecté; réessayez dans un instant.",
    "Reconnecting…": "Reconnexion…",
    "Connecting…": "Connexion…",
    "Offline. Messages you write will be sent when the connection is back.": "Hors ligne. Les messages que vous écrivez seront envoyés au retour de la connexion.",
    "Connected": "Connecté",
    "Chat with us (new messages)": "Clavarder avec nous (nouveaux messages)",
    "An agent is typing…": "Un agent écrit…",
    "You are typing on another device…": "Vous écrivez sur un autre appareil…",
    "Verified. This chat now appears on every device where you verify the same contact.": "Vérifié. Ce clavardage apparaît maintenant sur chaque appareil où vous vérifiez le même contact.",
    "We sent a code to {to}. It works for {minutes} minutes.": "Nous avons envoyé un code au {to}. Il est valide {minutes} minutes.",
    "Hello, {name}.": "Bonjour, {name}.",
    " (by {channel})": " (par {channel})",
    "text message": "texto",
    "email": "courriel",
    "phone": "téléphone",
    "web form": "formulaire web",
    "counter": "comptoir",
    "You are sending too fast; wait a moment and try again.": "Vous envoyez trop vite; attendez un instant, puis réessayez.",
    "Your message is too long; shorten it and send it again.": "Votre message est trop long; raccourcissez-le et renvoyez-le.",
    "Too many codes were asked for; try again later.": "Trop de codes ont été demandés; réessayez plus tard.",
    "Type the 6-digit code you were sent.": "Tapez le code à 6 chiffres que vous avez reçu.",
    "That code is not right; try again.": "Ce code n'est pas le bon; réessayez.",
    "That code has expired; ask for a new one.": "Ce code a expiré; demandez-en un nouveau.",
    "Too many wrong codes; ask for a new one.": "Trop de codes erronés; demandez-en un nouveau.",
    "Ask for a code first.": "Demandez d'abord un code.",
    "Some characters in your message could not be read; type it again.": "Certains caractères de votre message sont illisibles; tapez-le de nouveau.",
    "That could not be done. Check what you typed and try again.": "Impossible pour le moment. Vérifiez ce que vous avez tapé, puis réessayez."
  };
  function T(text, values) {
    var said = (LANG === "fr" && FR[text]) || text;
    Object.keys(values || {}).forEach(function (k) { said = said.split("{" + k + "}").join(String(values[k])); });
    return said;
  }
  // The server's error frames explain themselves in English (for developers too); a reader of another language
  // gets the widget's own words for each error code instead.
  var ERROR_WORDS = {
    rate_limited: T("You are sending too fast; wait a moment and try again."),
    empty: T("Write something before sending."),
    too_long: T("Your message is too long; shorten it and send it again."),
    unreadable_text: T("Some characters in your message could not be read; type it again."),
    bad_contact: T("Type your phone number or email address."),
    too_many_codes: T("Too many codes were asked for; try again later."),
    bad_code: T("Type the 6-digit code you were sent."),
    code_wrong: T("That code is not right; try again."),
    code_expired: T("That code has expired; ask for a new one."),
    code_exhausted: T("Too many wrong codes; ask for a new one."),
    code_missing: T("Ask for a code first."),
    refused: T("That could not be done. Check what you typed and try again.")
  };
  function errorText(frame) {
    return (LANG !== "en" && ERROR_WORDS[frame.code]) || frame.detail;
  }
  var TYPING_EVERY_MS = 3000;
  var TYPING_SHOWN_MS = 4000;
  var CHANNEL_NAMES = { sms: T("text message"), email: T("email"), voice: T("phone"), web: T("web form"), counter: T("counter") };

  var stored = load();
  var state = {
    token: stored.token || null,
    lastSeen: stored.lastSeen || null,
    queue: stored.queue || [], // [{client_id, text}] not yet acknowledged
    socket: null,
    hold: false, // the test hook can keep the widget offline
    attempt: 0,
    timer: null,
    lastTyping: 0,
    typingTimer: null,
    seen: {}, // message id -> element
    quick: null, // the suggested answers on show, if any
    open: false
  };

  function load() {
    try { return JSON.parse(window.localStorage.getItem(KEY) || "{}") || {}; } catch (e) { return {}; }
  }
  function save() {
    try {
      window.localStorage.setItem(KEY, JSON.stringify({ token: state.token, lastSeen: state.lastSeen, queue: state.queue }));
    } catch (e) { /* private mode: the chat still works for this page */ }
  }
  function uuid() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) node.textContent = text;
    return node;
  }

  // ---- The interface ---------------------------------------------------------------------------------------
  var css = el("link", { rel: "stylesheet", href: new URL("widget.css", base).href });
  document.head.appendChild(css);

  var root = el("aside", { "class": "ts-chat", "aria-label": T("Live chat") });
  var launcher = el("button", { type: "button", "class": "ts-chat-launcher", "aria-expanded": "false",
    "aria-controls": "ts-chat-panel" }, T("Chat with us"));
  var panel = el("div", { id: "ts-chat-panel", "class": "ts-chat-panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": "ts-chat-title" });
  panel.hidden = true;
  var head = el("div", { "class": "ts-chat-head" });
  var title = el("h2", { id: "ts-chat-title" }, T("Chat with us"));
  var close = el("button", { type: "button", "class": "ts-chat-close" }, T("Close"));
  close.setAttribute("aria-label", T("Close the chat"));
  head.appendChild(title); head.appendChild(close);
  var status = el("p", { "class": "ts-chat-status", role: "status" }, T("Not connected"));
  var greeting = el("p", { "class": "ts-chat-greeting" });
  greeting.hidden = true;
  var log = el("ol", { "class": "ts-chat-log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": T("Messages"), tabindex: "0" });
  var typing = el("p", { "class": "ts-chat-typing", "aria-live": "polite" });
  var alertBox = el("p", { "class": "ts-chat-alert", role: "alert" });

  var form = el("form", { "class": "ts-chat-form" });
  var label = el("label", { "for": "ts-chat-input" }, T("Your message"));
  var input = el("textarea", { id: "ts-chat-input", rows: "2", maxlength: "4000",
    "aria-describedby": "ts-chat-hint" });
  var hint = el("p", { id: "ts-chat-hint", "class": "ts-chat-hint" }, T("Enter sends; Shift+Enter starts a new line."));
  var send = el("button", { type: "submit", "class": "ts-chat-send" }, T("Send"));
  form.appendChild(label); form.appendChild(input); form.appendChild(hint); form.appendChild(send);

  var verify = el("details", { "class": "ts-chat-verify" });
  var summary = el("summary", {}, T("Verify your phone or email to see this chat on your other devices"));
  var vStart = el("form", { "class": "ts-chat-vstart" });
  var kindLabel = el("label", { "for": "ts-chat-vkind" }, T("Verify by"));
  var kind = el("select", { id: "ts-chat-vkind" });
  kind.appendChild(el("option", { value: "phone" }, T("Text message to my phone")));
  kind.appendChild(el("option", { value: "email" }, T("Email")));
  var valueLabel = el("label", { "for": "ts-chat-vvalue" }, T("Phone number or email address"));
  var value = el("input", { id: "ts-chat-vvalue", type: "text", autocomplete: "tel" });
  var vSend = el("button", { type: "submit" }, T("Send me a code"));
  [kindLabel, kind, valueLabel, value, vSend].forEach(function (n) { vStart.appendChild(n); });
  var vCheck = el("form", { "class": "ts-chat-vcheck" });
  vCheck.hidden = true;
  var codeLabel = el("label", { "for": "ts-chat-vcode" }, T("The 6-digit code we sent"));
  var code = el("input", { id: "ts-chat-vcode", type: "text", inputmode: "numeric", autocomplete: "one-time-code",
    maxlength: "12" });
  var vCheckBtn = el("button", { type: "submit" }, T("Check the code"));
  [codeLabel, code, vCheckBtn].forEach(function (n) { vCheck.appendChild(n); });
  var vNote = el("p", { "class": "ts-chat-vnote", role: "status" });
  verify.appendChild(summary); verify.appendChild(vStart); verify.appendChild(vCheck); verify.appendChild(vNote);

  [head, status, greeting, log, typing, alertBox, form, verify].forEach(function (n) { panel.appendChild(n); });
  root.appendChild(launcher); root.appendChild(panel);

  function mount() { document.body.appendChild(root); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  function setStatus(text, tone) {
    status.textContent = text;
    root.setAttribute("data-state", tone);
  }
  function openPanel() {
    state.open = true;
    root.setAttribute("data-open", "true");
    launcher.textContent = T("Chat with us");
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    connect();
    input.focus();
  }
  function closePanel() {
    state.open = false;
    root.removeAttribute("data-open");
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }
  launcher.addEventListener("click", function () { if (state.open) closePanel(); else openPanel(); });
  close.addEventListener("click", closePanel);
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { e.preventDefault(); closePanel(); } });
  kind.addEventListener("change", function () {
    value.setAttribute("autocomplete", kind.value === "email" ? "email" : "tel");
    value.setAttribute("type", kind.value === "email" ? "email" : "tel");
  });

  // ---- Messages ----------------------------------------------------------------------------------------------
  function who(m) {
    var base = m.direction === "in" ? T("You") : (m.from === "assistant" ? T("Assistant") : T("Agent"));
    var via = m.channel && m.channel !== "chat" ? T(" (by {channel})", { channel: CHANNEL_NAMES[m.channel] || m.channel }) : "";
    return base + via;
  }
  function render(m, pending) {
    var li = el("li", { "class": "ts-msg " + (m.direction === "in" ? "ts-msg-in" : "ts-msg-out") });
    li.appendChild(el("span", { "class": "ts-who" }, who(m) + ": "));
    li.appendChild(el("span", { "class": "ts-text" }, m.text));
    var meta = el("span", { "class": "ts-meta" });
    li.appendChild(meta);
    if (m.client_id) li.setAttribute("data-client-id", m.client_id);
    mark(li, m, pending);
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    return li;
  }
  function mark(li, m, pending) {
    var meta = li.querySelector(".ts-meta");
    if (pending) {
      li.setAttribute("data-pending", "true");
      meta.textContent = T(" · waiting to send");
      return;
    }
    li.removeAttribute("data-pending");
    li.setAttribute("data-id", m.id);
    state.seen[m.id] = li;
    var at = m.at ? new Date(m.at) : new Date();
    meta.textContent = " · " + at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }
  function byClientId(cid) {
    return cid ? log.querySelector('[data-client-id="' + cid.replace(/[^0-9a-fA-F-]/g, "") + '"]') : null;
  }
  function show(m) {
    if (state.seen[m.id]) return;
    var mine = byClientId(m.client_id);
    if (mine) { mark(mine, m, false); dequeue(m.client_id); }
    else render(m, false);
    state.lastSeen = m.id;
    save();
    if (m.direction === "out") typing.textContent = "";
    clearQuick();
    if (m.direction === "out" && m.quick_replies && m.quick_replies.length) offerQuick(m.quick_replies);
  }
  // Suggested answers to the assistant's last question ("Yes" / "No"): real buttons, reachable with Tab, that
  // send their label as a message; they go as soon as anything else is said.
  function clearQuick() {
    if (state.quick && state.quick.parentNode) state.quick.parentNode.removeChild(state.quick);
    state.quick = null;
  }
  function offerQuick(options) {
    var group = el("div", { "class": "ts-chat-quick", role: "group", "aria-label": T("Suggested answers") });
    options.slice(0, 5).forEach(function (text) {  // a satisfaction survey offers five
      var button = el("button", { type: "button", "class": "ts-chat-quick-reply" }, String(text));
      button.addEventListener("click", function () {
        clearQuick();
        sendText(String(text));
        input.focus();
      });
      group.appendChild(button);
    });
    panel.insertBefore(group, typing);
    state.quick = group;
  }
  function dequeue(cid) {
    state.queue = state.queue.filter(function (q) { return q.client_id !== cid; });
    save();
  }
  function transmit(item) {
    if (state.socket && state.socket.readyState === 1 && state.ready) {
      state.verifying = false;
      state.socket.send(JSON.stringify({ type: "message", client_id: item.client_id, text: item.text }));
    }
  }

  function sendText(text) {
    alertBox.textContent = "";
    var item = { client_id: uuid(), text: text };
    state.queue.push(item);
    save();
    render({ direction: "in", text: text, client_id: item.client_id, channel: "chat" }, true);
    connect();
    transmit(item);
  }
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { alertBox.textContent = T("Write something before sending."); return; }
    clearQuick();
    input.value = "";
    sendText(text);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : send.click(); }
  });
  input.addEventListener("input", function () {
    var now = Date.now();
    if (now - state.lastTyping > TYPING_EVERY_MS && state.ready && state.socket && state.socket.readyState === 1) {
      state.lastTyping = now;
      state.socket.send(JSON.stringify({ type: "typing" }));
    }
  });
  vStart.addEventListener("submit", function (e) {
    e.preventDefault();
    if (!value.value.trim()) { vNote.textContent = T("Type your phone number or email address."); return; }
    sendFrame({ type: "verify_start", kind: kind.value, value: value.value.trim() });
  });
  vCheck.addEventListener("submit", function (e) {
    e.preventDefault();
    sendFrame({ type: "verify_check", code: code.value.trim() });
  });
  function sendFrame(frame) {
    state.verifying = true;
    if (state.socket && state.socket.readyState === 1 && state.ready) state.socket.send(JSON.stringify(frame));
    else vNote.textContent = T("Not connected yet; try again in a moment.");
  }

  // ---- The connection ----------------------------------------------------------------------------------------
  function url() {
    var u = new URL("/channels/chat/ws", base);
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    return u.href;
  }
  function connect() {
    if (state.hold || state.socket || state.timer) return;
    setStatus(state.attempt ? T("Reconnecting…") : T("Connecting…"), "connecting");
    var ws = new WebSocket(url());
    state.socket = ws;
    state.ready = false;
    ws.onopen = function () {
      // A fresh page asks for the recent history; a reconnect within the page asks only for what it missed.
      var since = Object.keys(state.seen).length ? state.lastSeen : null;
      ws.send(JSON.stringify({ type: "hello", token: state.token, last_seen: since }));
    };
    ws.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      receive(frame);
    };
    ws.onclose = function () {
      if (state.socket !== ws) return;
      state.socket = null;
      state.ready = false;
      if (state.hold) { setStatus(T("Offline. Messages you write will be sent when the connection is back."), "offline"); return; }
      state.attempt += 1;
      var delay = Math.min(30000, 1000 * Math.pow(2, state.attempt - 1)) * (0.75 + Math.random() * 0.5);
      setStatus(T("Reconnecting…"), "connecting");
      state.timer = window.setTimeout(function () { state.timer = null; connect(); }, delay);
    };
  }
  function receive(frame) {
    switch (frame.type) {
      case "welcome":
        state.token = frame.token;
        state.ready = true;
        state.attempt = 0;
        save();
        setStatus(T("Connected"), "connected");
        greet(frame.display_name);
        var before = state.lastSeen;
        var fresh = Object.keys(state.seen).length === 0;
        (frame.messages || []).forEach(show);
        if (fresh && !state.open && before && state.lastSeen !== before) {
          launcher.textContent = T("Chat with us (new messages)");
        }
        state.queue.slice().forEach(transmit); // resend what was never acknowledged, same client_id
        break;
      case "message":
        show(frame);
        break;
      case "ack":
        var li = byClientId(frame.client_id);
        if (li && !state.seen[frame.id]) mark(li, { id: frame.id }, false);
        dequeue(frame.client_id);
        break;
      case "typing":
        typing.textContent = frame.from === "agent" ? T("An agent is typing…") : T("You are typing on another device…");
        window.clearTimeout(state.typingTimer);
        state.typingTimer = window.setTimeout(function () { typing.textContent = ""; }, TYPING_SHOWN_MS);
        break;
      case "verify_sent":
        vCheck.hidden = false;
        vNote.textContent = T("We sent a code to {to}. It works for {minutes} minutes.", { to: frame.to, minutes: frame.expires_in_minutes });
        code.focus();
        break;
      case "verified":
        state.verifying = false;
        vCheck.hidden = true;
        code.value = "";
        vNote.textContent = T("Verified. This chat now appears on every device where you verify the same contact.");
        greet(frame.display_name);
        (frame.messages || []).forEach(show);
        break;
      case "error":
        if (state.verifying) {
          vNote.textContent = errorText(frame);
        } else {
          alertBox.textContent = errorText(frame);
        }
        break;
      default:
        break;
    }
  }
  function greet(name) {
    if (!name) return;
    greeting.hidden = false;
    greeting.textContent = T("Hello, {name}.", { name: name });
  }

  // A small hook for tests and the simulator: drop the connection (optionally staying offline) and come back.
  window.TownsquareChat = {
    open: openPanel,
    close: closePanel,
    disconnect: function (options) {
      state.hold = !!(options && options.hold);
      if (state.timer) { window.clearTimeout(state.timer); state.timer = null; }
      if (state.socket) state.socket.close();
      else if (state.hold) setStatus(T("Offline. Messages you write will be sent when the connection is back."), "offline");
    },
    reconnect: function () { state.hold = false; connect(); },
    pending: function () { return state.queue.length; }
  };

  // Messages written on an earlier page but never acknowledged are shown, waiting, and go out on connect.
  state.queue.forEach(function (item) {
    render({ direction: "in", text: item.text, client_id: item.client_id, channel: "chat" }, true);
  });

  if (params.get("chat") === "open") {
    if (document.body) openPanel(); else document.addEventListener("DOMContentLoaded", openPanel);
  } else if (state.token || state.queue.length) {
    connect(); // a returning person: replies arrive even before they open the panel
  }
})();
