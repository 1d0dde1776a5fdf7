// The knowledge editor's live character count: the short answer's length against its limit, and the SMS
// segments it costs with the article's link appended, in the words the page gives (data-words-*, with {names} to
// fill). The form works the same without it.
(function () {
  "use strict";
  var GSM7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var GSM7_EXT = "^{}\\[~]|€\f";

  function segments(text) {
    var units = 0;
    var gsm = true;
    for (var i = 0; i < text.length; i++) {
      var ch = text.charAt(i);
      if (GSM7.indexOf(ch) >= 0) { units += 1; }
      else if (GSM7_EXT.indexOf(ch) >= 0) { units += 2; }
      else { gsm = false; break; }
    }
    if (!gsm) { units = text.length; }  // UTF-16 code units, as UCS-2 counts them
    var single = gsm ? 160 : 70;
    var multi = gsm ? 153 : 67;
    return { count: units <= single ? 1 : Math.ceil(units / multi), encoding: gsm ? "GSM-7" : "UCS-2" };
  }

  var field = document.getElementById("short_answer");
  var output = document.getElementById("short_answer-count");
  if (!field || !output) { return; }
  var max = parseInt(field.getAttribute("data-count-max"), 10);
  var base = field.getAttribute("data-help-base") || "";
  var slugInput = document.getElementById("slug");
  var fixedSlug = output.getAttribute("data-slug") || "";
  var timer = null;

  function words(name, fallback, values) {
    var text = field.getAttribute("data-words-" + name) || fallback;
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(String(values[key])); });
    return text;
  }

  function update() {
    var text = field.value.replace(/\r\n/g, "\n").trim();
    var length = Array.from(text).length;
    var slug = slugInput ? slugInput.value.trim() : fixedSlug;
    var sms = segments(text + " " + base + (slug || words("address", "your-address")));
    var left = max - length;
    var counted = sms.count === 1 ? words("segment", "{num} segment", { num: 1 })
      : words("segments", "{num} segments", { num: sms.count });
    output.textContent = words("count", "{length} of {max} characters", { length: length, max: max }) +
      (left < 0 ? " (" + words("over", "{num} too many", { num: -left }) + ")" : "") +
      " · " + words("sms", "as an SMS with its link: {segments}", { segments: counted }) + " (" + sms.encoding + ")";
    output.classList.toggle("kb-over", left < 0);
  }

  // Announce after typing pauses, not on every key.
  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(update, 400);
  }
  field.addEventListener("input", later);
  if (slugInput) { slugInput.addEventListener("input", later); }
  update();
})();
