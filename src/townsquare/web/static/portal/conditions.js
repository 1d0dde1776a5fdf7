// Conditions within one page: a question shown only for some answers of another question on the same page is
// hidden until one of them is given (GOV.UK's conditional reveal, as a progressive enhancement). Without this
// script the question shows with "Answer this only if it applies to you", and the server drops its answer when
// the condition does not hold; conditions on earlier pages are decided by the server alone.

for (const group of document.querySelectorAll("[data-condition]")) {
  const inputs = [...document.querySelectorAll(`[name="f.${CSS.escape(group.dataset.condition)}"]`)];
  if (inputs.length === 0) continue; // the question it depends on is on an earlier page
  const wanted = group.dataset.conditionValues.split(",");
  const note = group.querySelector("[data-condition-note]");
  if (note) note.hidden = true;
  const update = () => {
    const given = inputs
      .filter((input) => !["radio", "checkbox"].includes(input.type) || input.checked)
      .map((input) => input.value.trim());
    group.hidden = !given.some((value) => wanted.includes(value));
  };
  for (const input of inputs) {
    input.addEventListener("change", update);
    input.addEventListener("input", update);
  }
  update();
}
