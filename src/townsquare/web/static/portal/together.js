// Filling in a form together: a progressive enhancement of a page opened from a link (the page works without it,
// and shows the same after a reload). It waits for the draft to change — a long poll to this site only, answered
// at once when the draft moved — then lets the autosave script take in what staff entered (only into fields this
// device has not touched: a field typed in on both sides becomes a choice, never lost), and says who filled what.

const banner = document.getElementById("together");

if (banner) {
  const status = banner.querySelector("[data-together-status]");
  const form = document.querySelector("form[data-autosave]");
  const reloads = document.querySelector("[data-together-reload]") !== null; // a page of answers, nothing typed
  let version = Number(banner.dataset.togetherVersion);
  const allowed = banner.dataset.togetherAllowed;
  let shown = null; // the fields as last read, to tell what staff just entered
  let backoff = 1000;

  const sleep = (ms) => new Promise((resolve) => { window.setTimeout(resolve, ms); });

  function announce(text) {
    status.textContent = "";
    window.setTimeout(() => { status.textContent = text; }, 50);
  }

  // "Filled in by …" under each answer staff entered last; a new one is announced.
  document.addEventListener("townsquare:draft-state", (event) => {
    const data = event.detail || {};
    const filledBy = data.filled_by || {};
    let news = false;
    for (const hint of document.querySelectorAll("[data-filled-by]")) {
      const code = hint.dataset.filledBy;
      const name = filledBy[code];
      hint.hidden = !name;
      if (name) hint.textContent = status.dataset.textFilledBy.replace("{name}", name);
      const before = shown && JSON.stringify(shown[code]);
      if (name && shown && before !== JSON.stringify((data.fields || {})[code])) news = true;
    }
    shown = data.fields || {};
    if (news) announce(status.dataset.textFilled);
  });

  async function follow() {
    for (;;) {
      let response;
      try {
        const url = `${banner.dataset.togetherWait}?version=${version}&allowed=${allowed}`;
        response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" });
      } catch (_error) {
        await sleep(backoff); // offline: try again, more slowly each time
        backoff = Math.min(backoff * 2, 30000);
        continue;
      }
      if (response.status === 403 || response.status === 410) { announce(status.dataset.textEnded); return; }
      if (!response.ok) {
        await sleep(response.status === 429 ? 5000 : backoff);
        backoff = Math.min(backoff * 2, 30000);
        continue;
      }
      backoff = 1000;
      const data = await response.json();
      if (data.ended) { announce(status.dataset.textEnded); return; }
      if (data.submitted || (reloads && data.version !== version)) { window.location.reload(); return; }
      if (data.version !== version) {
        version = data.version;
        document.dispatchEvent(new CustomEvent("townsquare:draft-changed"));
      }
      if (String(data.allowed ? 1 : 0) !== allowed) { window.location.reload(); return; }
    }
  }

  if (form !== null) document.dispatchEvent(new CustomEvent("townsquare:draft-changed")); // read who filled what
  follow();
}
