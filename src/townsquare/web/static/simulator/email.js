// The simulator's mail client: fills the addresses, sends through the server's real SMTP path, shows the inbox.
// Everything the platform returns is written with textContent, never as HTML.
(function () {
  "use strict";
  const form = document.getElementById("email-form");
  if (!form) return;
  const from = document.getElementById("email-from");
  const to = document.getElementById("email-to");
  const subject = document.getElementById("email-subject");
  const body = document.getElementById("email-body");
  const inReplyTo = document.getElementById("email-in-reply-to");
  const references = document.getElementById("email-references");
  const replying = document.getElementById("email-replying");
  const replyingText = document.getElementById("email-replying-text");
  const result = document.getElementById("email-result");
  const inbox = document.getElementById("email-inbox");

  function el(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  async function problemText(response) {
    try {
      const data = await response.json();
      return data.detail || data.title || response.statusText;
    } catch (e) {
      return response.statusText;
    }
  }

  async function loadAddresses() {
    const response = await fetch("/simulator/email/addresses");
    if (!response.ok) return;
    const data = await response.json();
    to.replaceChildren();
    for (const box of data.city) {
      const option = el("option", box.name + " <" + box.address + ">");
      option.value = box.address;
      to.appendChild(option);
    }
    const list = document.getElementById("email-residents");
    list.replaceChildren();
    for (const person of data.residents) {
      const option = el("option", person.name);
      option.value = person.address;
      list.appendChild(option);
    }
    if (!from.value && data.residents.length) from.value = data.residents[0].address;
  }

  function clearReply() {
    inReplyTo.value = "";
    references.value = "";
    replying.hidden = true;
  }

  function startReply(message) {
    if (message.from) {
      const known = Array.from(to.options).some((o) => o.value === message.from);
      if (!known) {
        const option = el("option", message.from);
        option.value = message.from;
        to.appendChild(option);
      }
      to.value = message.from;
    }
    const title = message.subject || "";
    subject.value = /^re:/i.test(title) ? title : "Re: " + title;
    inReplyTo.value = message.message_id || "";
    references.value = message.references || "";
    replyingText.textContent = "Replying to \u201c" + title + "\u201d.";
    replying.hidden = false;
    body.focus();
  }

  async function loadInbox() {
    const address = from.value.trim();
    inbox.replaceChildren();
    if (!address) return;
    const response = await fetch("/simulator/email/inbox?address=" + encodeURIComponent(address));
    if (!response.ok) {
      inbox.appendChild(el("li", await problemText(response)));
      return;
    }
    const data = await response.json();
    if (!data.messages.length) {
      inbox.appendChild(el("li", "Nothing has been sent to " + data.address + " yet."));
      return;
    }
    for (const message of data.messages) {
      const item = el("li", null, "sim-message");
      item.appendChild(el("p", message.subject, "sim-subject"));
      item.appendChild(el("p", "From " + (message.from || "the city") + " \u00b7 " + message.status + " \u00b7 " +
        (message.when || new Date(message.at).toLocaleString())));
      const text = el("p");
      window.TownsquareSimLinks.append(text, message.text);
      text.style.whiteSpace = "pre-wrap";
      item.appendChild(text);
      if (/^https?:\/\//.test(message.unsubscribe || "")) {  // what a mail client offers from List-Unsubscribe
        const stop = el("p");
        const link = el("a", "Unsubscribe (List-Unsubscribe)");
        link.href = message.unsubscribe;
        link.target = "_blank";
        link.rel = "noopener";
        stop.appendChild(link);
        item.appendChild(stop);
      }
      const reply = el("button", "Reply", "button secondary");
      reply.type = "button";
      reply.setAttribute("aria-label", "Reply to \u201c" + message.subject + "\u201d");
      reply.addEventListener("click", () => startReply(message));
      item.appendChild(reply);
      inbox.appendChild(item);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    result.textContent = "Sending\u2026";
    const response = await fetch(form.action, { method: "POST", body: new FormData(form) });
    if (!response.ok) {
      result.textContent = "Not sent: " + (await problemText(response));
      return;
    }
    const data = await response.json();
    result.textContent = (data.accepted ? "Delivered. " : "Refused. ") + "The server answered: " + data.code + " " +
      data.reply;
    if (data.accepted) {
      body.value = "";
      document.getElementById("email-file").value = "";
      clearReply();
    }
  });
  document.getElementById("email-reply-cancel").addEventListener("click", clearReply);
  document.getElementById("email-refresh").addEventListener("click", loadInbox);
  from.addEventListener("change", loadInbox);
  loadAddresses().then(loadInbox);
})();
