// Autosave for application pages: a progressive enhancement, the form works without it.
// Sends only the fields this device changed since it last heard from the server, keeps the draft version the
// server returns, shows a conflict as a choice without losing what was typed, and fills in answers given on
// another device (fields this device has not touched) when the page comes back into view, or when told the draft
// changed ("townsquare:draft-changed", from together.js); it then tells what it read ("townsquare:draft-state").

const DELAY_MS = 700;
const form = document.querySelector("form[data-autosave]");

if (form) {
  const status = form.querySelector("[data-autosave-status]");
  const baseInput = form.querySelector("input[name=base_version]");
  const groups = new Map([...form.querySelectorAll("[data-field]")].map((el) => [el.dataset.field, el]));
  const conflicts = new Map(); // field → {base, yours, box}
  let timer = null;
  let saving = null;
  let again = false;

  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  const origInput = (code) => groups.get(code)?.querySelector(`input[name="orig.${CSS.escape(code)}"]`);
  const orig = (code) => JSON.parse(origInput(code)?.value || "null");
  const setOrig = (code, value) => { const i = origInput(code); if (i) i.value = JSON.stringify(value); };

  function read(code) {
    const el = groups.get(code);
    if (el.dataset.shape === "multi") {
      return [...el.querySelectorAll("input[type=checkbox]")].filter((i) => i.checked).map((i) => i.value);
    }
    if (el.dataset.shape === "date") {
      const part = (p) => el.querySelector(`input[data-part=${p}]`).value;
      return { day: part("day"), month: part("month"), year: part("year") };
    }
    const radios = el.querySelectorAll("input[type=radio]");
    if (radios.length) return [...radios].find((i) => i.checked)?.value ?? "";
    return el.querySelector("input:not([type=hidden]), textarea").value;
  }

  function write(code, value) {
    const el = groups.get(code);
    if (el.dataset.shape === "multi") {
      el.querySelectorAll("input[type=checkbox]").forEach((i) => { i.checked = (value || []).includes(i.value); });
    } else if (el.dataset.shape === "date") {
      for (const p of ["day", "month", "year"]) el.querySelector(`input[data-part=${p}]`).value = (value || {})[p] ?? "";
    } else {
      const radios = el.querySelectorAll("input[type=radio]");
      if (radios.length) radios.forEach((i) => { i.checked = i.value === value; });
      else el.querySelector("input:not([type=hidden]), textarea").value = value ?? "";
    }
  }

  function announce(text) {
    status.textContent = "";
    window.setTimeout(() => { status.textContent = text; }, 50);
  }

  const touched = () => [...groups.keys()].filter((c) => !conflicts.has(c) && !same(read(c), orig(c)));

  async function post(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.detail || response.statusText);
    return data;
  }

  // Take in what the server holds for fields this device has not touched.
  function refresh(fields) {
    for (const [code, value] of Object.entries(fields || {})) {
      if (!groups.has(code) || conflicts.has(code)) continue;
      if (same(read(code), orig(code)) && !same(value, orig(code))) {
        write(code, value);
        setOrig(code, value);
      }
    }
  }

  function showConflict(c, base) {
    conflicts.get(c.field)?.box.remove();
    const box = document.createElement("div");
    box.className = "govuk-inset-text";
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", form.dataset.textConflict);
    const p = document.createElement("p");
    p.className = "govuk-body";
    p.textContent = form.dataset.textConflict;
    const keep = document.createElement("button");
    keep.type = "button";
    keep.className = "govuk-button govuk-button--secondary";
    keep.textContent = form.dataset.textKeep.replace("{value}", c.their_text);
    const use = document.createElement("button");
    use.type = "button";
    use.className = "govuk-button govuk-button--secondary";
    use.textContent = form.dataset.textUse.replace("{value}", c.your_text);
    const buttons = document.createElement("div");
    buttons.className = "govuk-button-group";
    buttons.append(keep, use);
    box.append(p, buttons);
    groups.get(c.field).after(box);
    conflicts.set(c.field, { base, yours: c.your_value, box });
    keep.addEventListener("click", () => {
      write(c.field, c.their_value);
      setOrig(c.field, c.their_value);
      box.remove();
      conflicts.delete(c.field);
      announce(form.dataset.textSaved);
    });
    use.addEventListener("click", async () => {
      try {
        const data = await post(form.dataset.resolve, { field: c.field, value: c.your_value, base_version: base });
        box.remove();
        conflicts.delete(c.field);
        const fresh = (data.conflicts || []).find((x) => x.field === c.field);
        if (fresh) {
          showConflict(fresh, data.version);
        } else {
          write(c.field, c.your_value);
          setOrig(c.field, c.your_value);
          announce(form.dataset.textSaved);
        }
        if (!touched().length) baseInput.value = data.version;
        refresh(data.fields);
      } catch (error) {
        announce(error.message);
      }
    });
  }

  async function save() {
    if (saving) { again = true; return saving; }
    const codes = touched();
    if (!codes.length) return null;
    const sent = Object.fromEntries(codes.map((c) => [c, read(c)]));
    saving = (async () => {
      try {
        const data = await post(form.dataset.autosave, {
          base_version: Number(baseInput.value),
          changes: sent,
          step: Number(form.dataset.step),
        });
        const conflicted = new Set((data.conflicts || []).map((c) => c.field));
        for (const [code, value] of Object.entries(sent)) if (!conflicted.has(code)) setOrig(code, value);
        for (const c of data.conflicts || []) showConflict(c, data.version);
        baseInput.value = data.version;
        refresh(data.fields);
        announce(conflicted.size ? form.dataset.textConflict : form.dataset.textSaved);
      } catch (error) {
        announce(error.message || form.dataset.textSavingFailed);
      } finally {
        saving = null;
      }
    })();
    await saving;
    if (again) { again = false; return save(); }
    return null;
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, DELAY_MS);
  }

  async function catchUp() {
    window.clearTimeout(timer);
    await save();
    try {
      const response = await fetch(form.dataset.state, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (!response.ok) return;
      const data = await response.json();
      if (data.submitted) { window.location.reload(); return; }
      refresh(data.fields);
      if (!touched().length && !conflicts.size) baseInput.value = data.version;
      document.dispatchEvent(new CustomEvent("townsquare:draft-state", { detail: data }));
    } catch (_error) {
      // Offline: the next save or visit catches up.
    }
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", (event) => {
    window.clearTimeout(timer);
    const first = conflicts.values().next().value;
    if (first) {
      // An open choice would otherwise be decided by whichever value this page happens to send.
      event.preventDefault();
      first.box.querySelector("button").focus();
    }
  });
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "visible") catchUp(); });
  window.addEventListener("focus", catchUp);
  document.addEventListener("townsquare:draft-changed", catchUp); // saved elsewhere (together.js hears of it)
  window.addEventListener("pageshow", (event) => { if (event.persisted) catchUp(); });
}
