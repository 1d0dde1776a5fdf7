/* Registers the portal's service worker (the offline page, the cached shell, notifications) and tells it the
 * page's language, so the offline page speaks the reader's. Without service workers the portal works as before. */
(function () {
  if (!("serviceWorker" in navigator)) return;
  const lang = document.documentElement.lang || "en";
  navigator.serviceWorker
    .register("/sw.js", { scope: "/" })
    .then(() => navigator.serviceWorker.ready)
    .then((registration) => {
      if (registration.active) registration.active.postMessage({ type: "language", lang: lang });
    })
    .catch(() => undefined);
})();
