/* The portal's service worker, served at /sw.js so its scope is the whole portal.
 *
 * - Keeps the shell (stylesheet, scripts, icons, the offline page in English and French) in a cache named after
 *   the shell's version, so a new release replaces it whole and old caches are deleted.
 * - A page that cannot be fetched (no network) is answered with the offline page in the reader's language.
 *   Nothing else is cached: a resident's cases and messages are never kept on the device.
 * - Shows each push as a notification and acknowledges it (POST /push/ack with the sealed token the push
 *   carried): the acknowledgement is what tells the city the message arrived. A click acknowledges too, and
 *   opens (or focuses) the page the notification is about.
 * The server fills in VERSION and SHELL (web/portal/pwa.py).
 */
const VERSION = "__VERSION__";
const SHELL = __SHELL__;
const CACHE = "ts-shell-" + VERSION;
const LANGUAGE_KEY = "/__ts_language";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL.map((url) => new Request(url, { credentials: "omit" }))))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("ts-shell-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

async function readerLanguage() {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(LANGUAGE_KEY);
  const lang = kept ? await kept.text() : (self.navigator.language || "en").slice(0, 2);
  return lang === "fr" ? "fr" : "en";
}

async function offlinePage() {
  const lang = await readerLanguage();
  const page = (await caches.match("/offline?lang=" + lang)) || (await caches.match("/offline?lang=en"));
  return page || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(() => offlinePage()));
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
  }
});

// The pages say which language the reader chose, so the offline page speaks it.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "language" && (data.lang === "en" || data.lang === "fr")) {
    event.waitUntil(caches.open(CACHE).then((cache) => cache.put(LANGUAGE_KEY, new Response(data.lang))));
  }
});

function acknowledge(token) {
  if (!token) return Promise.resolve();
  return fetch("/push/ack", {
    method: "POST",
    credentials: "omit",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token: token }),
  }).catch(() => undefined); // a failed acknowledgement leaves the next channel to the city's engine
}

self.addEventListener("push", (event) => {
  let data = null;
  try {
    data = event.data ? event.data.json() : null;
  } catch (e) {
    data = null;
  }
  if (!data || !data.title) return;
  const shown = self.registration.showNotification(data.title, {
    body: data.body || "",
    tag: data.tag || undefined,
    lang: data.lang || "",
    icon: "/static/portal/icons/icon-192.png",
    badge: "/static/portal/icons/icon-192.png",
    data: { url: data.url || "/account", ack: data.ack || "" },
  });
  event.waitUntil(shown.then(() => acknowledge(data.ack)));
});

async function openPage(path) {
  const target = new URL(path, self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) {
    if (client.url === target && "focus" in client) return client.focus();
  }
  return self.clients.openWindow(target);
}

self.addEventListener("notificationclick", (event) => {
  const data = event.notification.data || {};
  event.notification.close();
  event.waitUntil(Promise.all([acknowledge(data.ack), openPage(data.url || "/account")]));
});
