/* The display screen: keeps the board live (live.js), and when a new call appears at the top highlights it, says
 * it in the page's live region and, when the screen's speech is on, reads it aloud in the page's language with
 * the browser's own speech synthesis. The speech choice is kept by this screen (localStorage). */
(function () {
  "use strict";
  var board = document.getElementById("board");
  var announcer = document.getElementById("announcer");
  var toggle = document.getElementById("speech");
  if (!board || !window.tsCountersLive) return;
  var KEY = "ts-display-speech";
  var speaking = false;
  try { speaking = window.localStorage.getItem(KEY) === "on"; } catch (e) { speaking = false; }

  if (toggle && "speechSynthesis" in window) {
    toggle.hidden = false;
    toggle.setAttribute("aria-pressed", speaking ? "true" : "false");
    toggle.addEventListener("click", function () {
      speaking = !speaking;
      toggle.setAttribute("aria-pressed", speaking ? "true" : "false");
      try { window.localStorage.setItem(KEY, speaking ? "on" : "off"); } catch (e) { /* kept for this visit only */ }
      if (speaking) window.speechSynthesis.speak(new SpeechSynthesisUtterance(""));  // unlocks speech after a tap
    });
  }

  function sentence(item) {
    var words = (toggle && toggle.getAttribute("data-words-call")) || "Ticket %(ticket)s, counter %(counter)s.";
    return words.replace("%(ticket)s", item.getAttribute("data-ticket")).replace("%(counter)s", item.getAttribute("data-counter"));
  }

  function spoken(text) {
    // "P-014" is read as "P, 14": letters one by one, the number as a number.
    return text.replace(/\b([A-Z0-9]{1,3})-0*(\d+)\b/g, function (_, prefix, n) { return prefix.split("").join(" ") + ", " + n; });
  }

  function newest() {
    var item = board.querySelector(".ts-call--newest.ts-call--walking");
    return item ? { item: item, key: item.getAttribute("data-call") } : null;
  }

  var last = newest();
  last = last ? last.key : null;
  board.addEventListener("counters:updated", function () {
    var now = newest();
    if (!now || now.key === last) return;
    last = now.key;
    now.item.classList.add("ts-call--announced");
    var text = sentence(now.item);
    if (announcer) {
      announcer.textContent = "";
      window.setTimeout(function () { announcer.textContent = text; }, 50);
    }
    if (speaking && "speechSynthesis" in window) {
      var utterance = new SpeechSynthesisUtterance(spoken(text));
      utterance.lang = (toggle && toggle.getAttribute("data-lang")) || document.documentElement.lang;
      window.speechSynthesis.speak(utterance);
    }
  });
  window.tsCountersLive(board);
})();
