/* The simulator's inboxes show what the city sent as a phone or a mail client would: web addresses are links
 * (a sign-in link, "read more"), opened in a new tab. Text only: nothing the city sent is read as HTML. */
(function () {
  "use strict";
  var URL_PATTERN = /https?:\/\/[^\s<>"']+/g;
  function append(parent, text) {
    var last = 0;
    String(text).replace(URL_PATTERN, function (found, at) {
      var url = found.replace(/[.,;:!?)]+$/, "");
      parent.appendChild(document.createTextNode(text.slice(last, at)));
      var link = document.createElement("a");
      link.href = url;
      link.textContent = url;
      link.target = "_blank";
      link.rel = "noopener";
      parent.appendChild(link);
      last = at + url.length;
      return found;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }
  window.TownsquareSimLinks = { append: append };
})();
