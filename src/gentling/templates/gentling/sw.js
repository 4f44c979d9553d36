/* Gentling's service worker, version {{ version }} (the static files' hash: web/views/app.py).

   - Static files (styles, scripts, icons) are kept in this version's cache and served from it.
   - Pages are fetched from the network first. Today, an animal's page and the guide, once
     loaded, are kept, so that with no signal the last one loaded still opens.
   - Pages kept are the signed-in keeper's: when a page shows the keeper signed out (the log-in
     or welcome page), every kept page is deleted, so nobody else on the phone sees them.
   - Nothing else is kept: no write, no API answer, no error page. Sessions saved with no signal
     wait in the outbox (IndexedDB), not in a cache. */
"use strict";
var VERSION = "{{ version }}";
var STATIC = "gentling-static-" + VERSION;
var PAGES = "gentling-pages-" + VERSION;
var PRECACHE = {{ precache|safe }};
var KEPT_PAGES = [
  /^\/h\/[^/]+\/$/, /^\/h\/[^/]+\/animals\/[^/]+\/$/, /^\/h\/[^/]+\/sessions\/log\/$/, /^\/guide\//
];
// The outbox (static/gentling/outbox.js): sessions saved with no signal, sent here when the browser
// says the network is back (Background Sync), as well as from any page.
self.importScripts({{ outbox|safe }});
self.addEventListener("sync", function (event) {
  if (event.tag === self.GentlingOutbox.TAG) event.waitUntil(self.GentlingOutbox.flush());
});
var SIGNED_OUT = [/^\/$/, /^\/accounts\/login\/$/];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) { return cache.addAll(PRECACHE); }));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("gentling-") === 0 && name !== STATIC && name !== PAGES;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function matches(patterns, path) {
  return patterns.some(function (pattern) { return pattern.test(path); });
}

function offlinePage() {
  var html = "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width'>" +
    "<title>Offline · Gentling</title><body style='font-family:system-ui;margin:2rem;line-height:1.5'>" +
    "<h1>No connection</h1><p>This page was not opened on this phone before, so it is not kept for offline use. " +
    "Pages you have opened (Today, your animals, the guide) still open. Try again when you have signal.</p>";
  return new Response(html, {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
}

function page(request, path) {
  return fetch(request).then(function (response) {
    if (response.ok && matches(SIGNED_OUT, new URL(response.url).pathname)) {
      caches.delete(PAGES);
    } else if (response.ok && !response.redirected && matches(KEPT_PAGES, path)) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, {cacheName: PAGES}).then(function (kept) { return kept || offlinePage(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(request, {cacheName: STATIC}).then(function (kept) {
      return kept || fetch(request).then(function (response) {
        if (response.ok) {
          var copy = response.clone();
          caches.open(STATIC).then(function (cache) { cache.put(request, copy); });
        }
        return response;
      });
    }));
  } else if (request.mode === "navigate") {
    event.respondWith(page(request, url.pathname));
  }
});

// Reminders (services/push.py): show the day's line; a tap opens the household's Today, in a
// window of the app already open if there is one.
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = {body: event.data ? event.data.text() : ""}; }
  event.waitUntil(self.registration.showNotification(data.title || "Gentling", {
    body: data.body || "Time for today's handling.",
    tag: data.tag || "gentling-reminder",
    icon: {{ icon|safe }},
    data: {url: data.url || "/today"}
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || "/today", self.location.origin);
  if (target.origin !== self.location.origin) target = new URL("/today", self.location.origin);
  event.waitUntil(self.clients.matchAll({type: "window", includeUncontrolled: true}).then(function (windows) {
    for (var i = 0; i < windows.length; i++) {
      if ("focus" in windows[i] && "navigate" in windows[i]) {
        return windows[i].navigate(target.href).then(function (w) { return (w || windows[i]).focus(); });
      }
    }
    return self.clients.openWindow(target.href);
  }));
});
