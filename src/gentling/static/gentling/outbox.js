/* Gentling's outbox: sessions saved on this phone (web/views/log.py), kept in IndexedDB and sent
   to the API once there is a connection. Each gets an Idempotency-Key made here when it is saved,
   so a send cut off half-way (no signal, the page closed) is sent again with the same key and the
   server stores it once. Sending happens on saving, on every page load, when the browser says the
   network is back, and from the service worker through Background Sync where the browser has it.

   Nothing is ever dropped silently: a session the server refuses (the animal was adopted
   meanwhile, a date out of range) stays here, with the server's reason, until the keeper edits it
   again or discards it. Loaded by pages and by the service worker (importScripts). */
(function (scope) {
  "use strict";
  var DB = "gentling", OUTBOX = "outbox", META = "meta";
  var TAG = "gentling-outbox";
  var RETRY_LATER = [401, 408, 425, 429];  // not a verdict on the session: keep it waiting

  function opened() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () {
        req.result.createObjectStore(OUTBOX, {keyPath: "key"});
        req.result.createObjectStore(META);
      };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function using(store, mode, work) {
    return opened().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(store, mode);
        var req = work(t.objectStore(store));
        t.oncomplete = function () { db.close(); resolve(req ? req.result : undefined); };
        t.onerror = function () { db.close(); reject(t.error); };
        t.onabort = function () { db.close(); reject(t.error); };
      });
    });
  }

  function all() { return using(OUTBOX, "readonly", function (s) { return s.getAll(); }); }
  function put(item) { return using(OUTBOX, "readwrite", function (s) { return s.put(item); }); }
  function remove(key) { return using(OUTBOX, "readwrite", function (s) { return s.delete(key); }); }
  function meta(name) { return using(META, "readonly", function (s) { return s.get(name); }); }
  function setMeta(name, value) { return using(META, "readwrite", function (s) { return s.put(value, name); }); }

  function newKey() {
    if (scope.crypto && scope.crypto.randomUUID) return scope.crypto.randomUUID();
    var bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* Keep a session to send: `url` (the API's sessions of a household), `body` (its JSON), `label`. */
  function queue(url, household, body, label) {
    var item = {key: newKey(), url: url, household: household, body: body, label: label,
                queuedAt: new Date().toISOString(), state: "waiting", reason: ""};
    return put(item).then(function () { return item; });
  }

  function answerOf(response) {
    return response.json().then(function (body) { return body; }, function () { return {}; });
  }

  /* Send one; resolves to "sent", "refused", "later" (keep waiting), or "offline" (stop for now). */
  function send(item, token) {
    return fetch(item.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Idempotency-Key": item.key, "X-CSRFToken": token || ""},
      body: JSON.stringify(item.body)
    }).then(function (response) {
      return answerOf(response).then(function (answer) {
        if (response.status === 201) {
          return remove(item.key).then(function () { return noteSent(item, answer); }).then(function () { return "sent"; });
        }
        if (response.status >= 500 || RETRY_LATER.indexOf(response.status) >= 0) {
          item.reason = response.status === 401 ? "Log in again to send it." : "";
          return put(item).then(function () { return "later"; });
        }
        item.state = "refused";
        item.reason = answer.detail || ("The server refused it (" + response.status + ").");
        return put(item).then(function () { return "refused"; });
      });
    }, function () { return "offline"; });
  }

  function noteSent(item, answer) {
    var alerts = [];
    (answer.sessions || []).forEach(function (s) {
      (s.alerts || []).forEach(function (a) { alerts.push(s.animal_name + ": " + a.message); });
    });
    return meta("sent").then(function (sent) {
      sent = (sent || []).concat([{label: item.label, alerts: alerts, at: new Date().toISOString()}]).slice(-10);
      return setMeta("sent", sent);
    });
  }

  /* One sender at a time, across this phone's pages and its service worker (Web Locks), so a
     session is never in flight twice; where the browser lacks them, the key still makes it count once. */
  function exclusive(work) {
    var locks = scope.navigator && scope.navigator.locks;
    return locks ? locks.request(TAG, work) : work();
  }

  var flushing = null;
  /* Send every waiting session, oldest first; stops at the first sign of no connection. Resolves
     to "offline", "later" (the server asked for a retry: a 503 while its database is busy), or "done". */
  function flush() {
    if (flushing) return flushing;
    flushing = exclusive(sendWaiting).then(function (result) { flushing = null; return result; },
                                           function (error) { flushing = null; throw error; });
    return flushing;
  }

  function sendWaiting() {
    return Promise.all([all(), meta("csrf")]).then(function (found) {
      var waiting = found[0].filter(function (i) { return i.state === "waiting"; });
      waiting.sort(function (a, b) { return a.queuedAt < b.queuedAt ? -1 : 1; });
      var outcome = "done";
      var chain = Promise.resolve();
      waiting.forEach(function (item) {
        chain = chain.then(function () {
          if (outcome === "offline") return;
          return send(item, found[1]).then(function (result) {
            if (result === "offline" || (result === "later" && outcome === "done")) outcome = result;
          });
        });
      });
      return chain.then(function () { return outcome; });
    });
  }

  scope.GentlingOutbox = {
    TAG: TAG, queue: queue, flush: flush, all: all, remove: remove, put: put,
    sent: function () { return meta("sent"); },
    clearSent: function () { return setMeta("sent", []); },
    setToken: function (token) { return setMeta("csrf", token); }
  };

  if (typeof document === "undefined") return;  // in the service worker: only the above

  function h(tag, text, cls) {
    var el = document.createElement(tag);
    if (text) el.textContent = text;
    if (cls) el.className = cls;
    return el;
  }

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  /* The banner on every page, and the list on the log page. */
  function render() {
    return Promise.all([all(), meta("sent")]).then(function (found) {
      var items = found[0], sent = found[1] || [];
      var waiting = items.filter(function (i) { return i.state === "waiting"; });
      var refused = items.filter(function (i) { return i.state === "refused"; });
      var banner = document.getElementById("outbox-banner");
      if (banner) {
        banner.hidden = items.length === 0;
        banner.textContent = "";
        if (items.length) {
          var words = [];
          if (waiting.length) words.push(plural(waiting.length, "session") + " waiting to send");
          if (refused.length) words.push(plural(refused.length, "session") + " refused: see why");
          var link = h("a", words.join("; ") + ".");
          link.href = "/h/" + items[0].household + "/sessions/log/#outbox";
          banner.appendChild(link);
        }
      }
      var box = document.getElementById("outbox");
      if (!box) return;
      var list = document.getElementById("outbox-items");
      var summary = document.getElementById("outbox-summary");
      list.textContent = "";
      box.hidden = items.length === 0 && sent.length === 0;
      summary.textContent = items.length
        ? plural(waiting.length, "session") + " waiting to send" + (navigator.onLine ? "." : ": no connection now.") +
          (refused.length ? " " + plural(refused.length, "session") + " refused by the server." : "")
        : "Nothing waiting.";
      items.forEach(function (item) {
        var li = h("li", null, "outbox-item " + item.state);
        li.appendChild(h("span", item.label + (item.state === "waiting" ? " · waiting" : " · refused")));
        if (item.reason) li.appendChild(h("p", item.reason, "small"));
        if (item.state === "refused") {
          var discard = h("button", "Discard", "button secondary");
          discard.type = "button";
          discard.addEventListener("click", function () { remove(item.key).then(render); });
          li.appendChild(discard);
        }
        list.appendChild(li);
      });
      sent.slice().reverse().forEach(function (s) {
        var li = h("li", "Sent: " + s.label, "outbox-item sent");
        s.alerts.forEach(function (a) { li.appendChild(h("p", a, "small warning")); });
        list.appendChild(li);
      });
    });
  }

  function bodyOf(form) {
    var data = new FormData(form);
    var holds = String(data.get("holds") || "").split(/[,;\s]+/).filter(Boolean).map(function (t) {
      return /^\d+$/.test(t) ? Number(t) : t;  // anything else is the server's to refuse, with its reason
    });
    var measures = {};
    data.forEach(function (value, key) {  // measure_<name>: a number the server checks against the protocol
      var text = String(value).trim();
      if (key.indexOf("measure_") === 0 && text) { measures[key.slice(8)] = isNaN(Number(text)) ? text : Number(text); }
    });
    return {
      measures: measures,
      animals: data.getAll("animals"),
      started_at: data.get("started_at"),
      duration_seconds: Number(data.get("minutes") || 0) * 60 + Number(data.get("seconds") || 0),
      activities: data.getAll("activities"),
      observations: data.getAll("observations"),
      holds: holds,
      notes: String(data.get("notes") || "")
    };
  }

  function labelOf(form, body) {
    var names = Array.prototype.map.call(form.querySelectorAll("input[name=animals]:checked"), function (box) {
      return box.parentNode.textContent.trim();
    });
    var when = String(body.started_at).replace("T", " ").slice(0, 16);
    return (names.join(", ") || "No animal") + ", " + when + ", " + Math.round(body.duration_seconds / 60) + " min";
  }

  function askForSync() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.sync) return reg.sync.register(TAG);
    }).catch(function () { /* sent on the next page load or when the network is back */ });
  }

  var RETRY_SECONDS = 5;  // the server's Retry-After for a busy database (failures.py)
  var retrying = null;
  function sendNow() {
    return flush().then(function (outcome) {
      if (outcome === "later" && !retrying) {
        retrying = setTimeout(function () { retrying = null; sendNow(); }, RETRY_SECONDS * 1000);
      }
      return render();
    }, render);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var token = document.querySelector("meta[name=csrf-token]");
    var ready = token && token.content ? scope.GentlingOutbox.setToken(token.content) : Promise.resolve();
    var form = document.getElementById("log-form");
    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var body = bodyOf(form), label = labelOf(form, body);
        // Cleared at once, before anything waits: a tap for the next session must not be undone.
        Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (b) { b.checked = false; });
        form.querySelector("[name=notes]").value = "";
        form.querySelector("[name=holds]").value = "";
        queue(form.dataset.outbox, form.dataset.household, body, label).then(function () {
          askForSync();
          return render();
        }).then(function () {
          var box = document.getElementById("outbox");
          if (box) box.scrollIntoView({block: "start"});  // what became of it, where the keeper looks
          return sendNow();
        });
      });
    }
    window.addEventListener("online", sendNow);
    ready.then(render).then(sendNow);
  });
})(self);
