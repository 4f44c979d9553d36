/* Gentling: the session timer, the hold stopwatch and the extended-hold countdown.
   The session's start time comes from the server, so a reload or a second device
   shows the same elapsed time. Everything here also works by typing into the fields. */
(function () {
  "use strict";
  function pad(n) { return String(n).padStart(2, "0"); }
  function clock(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
    return (h ? h + ":" + pad(m) : pad(m)) + ":" + pad(s % 60);
  }

  // The installable app's worker (templates/gentling/sw.js): keeps the pages opened, for no signal.
  function serviceWorker() {
    if ("serviceWorker" in navigator && window.isSecureContext) {
      navigator.serviceWorker.register("/sw.js").catch(function () { /* the app still works online */ });
    }
  }

  function sessionTimer() {
    var el = document.querySelector(".timer[data-started]");
    if (!el) return;
    var started = Date.parse(el.dataset.started);
    function tick() { el.textContent = clock((Date.now() - started) / 1000); }
    tick();
    setInterval(tick, 1000);
  }

  function holdStopwatch() {
    var button = document.getElementById("hold-button");
    var field = document.getElementById("id_holds");
    var list = document.getElementById("holds-list");
    var clockEl = document.getElementById("hold-clock");
    if (!button || !field) return;
    var startedAt = null, timer = null;
    function holds() {
      return field.value.split(/[,;\s]+/).filter(Boolean);
    }
    function render() {
      list.innerHTML = "";
      holds().forEach(function (h, i) {
        var li = document.createElement("li");
        li.textContent = "Hold " + (i + 1) + ": " + h + " s";
        list.appendChild(li);
      });
    }
    function changed() {
      render();
      field.form.dispatchEvent(new Event("holds-changed"));
    }
    button.addEventListener("click", function () {
      if (startedAt === null) {
        startedAt = Date.now();
        button.textContent = button.dataset.running;
        button.setAttribute("aria-pressed", "true");
        timer = setInterval(function () { clockEl.textContent = Math.round((Date.now() - startedAt) / 1000) + " s"; }, 250);
      } else {
        var seconds = Math.max(1, Math.round((Date.now() - startedAt) / 1000));
        clearInterval(timer);
        startedAt = null;
        clockEl.textContent = seconds + " s";
        button.textContent = button.dataset.idle;
        button.setAttribute("aria-pressed", "false");
        field.value = holds().concat([String(seconds)]).join(", ");
        changed();
      }
    });
    field.addEventListener("input", render);
    render();
  }

  function extendedHold() {
    var start = document.getElementById("countdown-start");
    if (!start) return;
    var done = document.getElementById("countdown-done");
    var reasons = document.getElementById("stop-reasons");
    var display = document.getElementById("countdown");
    var minutes = document.getElementById("id_extended_hold_minutes");
    var ending = document.getElementById("id_extended_hold_end");
    var began = null, timer = null;
    function elapsedMinutes() { return Math.max(1, Math.round((Date.now() - began) / 60000)); }
    function finish(end) {
      clearInterval(timer);
      minutes.value = elapsedMinutes();
      ending.value = end;
      done.hidden = true;
      reasons.hidden = true;
      start.hidden = false;
      minutes.form.dispatchEvent(new Event("holds-changed"));
    }
    start.addEventListener("click", function () {
      began = Date.now();
      start.hidden = true;
      done.hidden = false;
      reasons.hidden = false;
      var box = minutes.form.querySelector('input[name="activities"][value="extended_hold"]');
      if (box) box.checked = true;
      timer = setInterval(function () {
        var left = 20 * 60 - (Date.now() - began) / 1000;
        display.textContent = left > 0 ? clock(left) : "+" + clock(-left) + " (20 minutes reached)";
      }, 500);
    });
    done.addEventListener("click", function () { finish("completed"); });
    reasons.querySelectorAll("button[data-end]").forEach(function (b) {
      b.addEventListener("click", function () { finish(b.dataset.end); });
    });
  }

  function meetingTimer() {
    var start = document.getElementById("meeting-start");
    if (!start) return;
    var stop = document.getElementById("meeting-stop");
    var clockEl = document.getElementById("meeting-clock");
    var minutes = document.getElementById("id_minutes");
    var began = null, timer = null;
    start.addEventListener("click", function () {
      began = Date.now();
      start.hidden = true;
      stop.hidden = false;
      timer = setInterval(function () { clockEl.textContent = clock((Date.now() - began) / 1000); }, 500);
    });
    stop.addEventListener("click", function () {
      clearInterval(timer);
      minutes.value = Math.max(1, Math.round((Date.now() - began) / 60000));
      stop.hidden = true;
      start.hidden = false;
    });
  }

  // The add-animal form: the neutering date for males only, the new cage's name only for a new
  // cage, and "another that arrived with her/him/them" in the chosen sex's words.
  function animalForm() {
    var sex = document.getElementById("id_sex");
    var cage = document.getElementById("id_cage");
    if (!sex || !cage || !document.getElementById("animal-form")) return;
    var another = document.querySelector("button[name=another]");
    function show() {
      document.querySelectorAll("[data-only-sex]").forEach(function (el) {
        el.hidden = sex.value !== el.dataset.onlySex;
      });
      document.querySelectorAll("[data-new-cage]").forEach(function (el) {
        el.hidden = cage.value !== "__new__";
      });
      if (another) {
        var word = { female: "her", male: "him" }[sex.value] || "them";
        another.textContent = another.dataset["pronoun" + word.charAt(0).toUpperCase() + word.slice(1)];
      }
    }
    sex.addEventListener("change", show);
    cage.addEventListener("change", function () {
      show();
      if (cage.value === "__new__") document.getElementById("id_new_cage").focus();
    });
    show();
  }

  // A new household's time zone: proposed from this device's, where the list has it.
  function proposeTimeZone() {
    var select = document.querySelector("select[data-propose-zone]");
    if (!select || select.dataset.proposeZone !== "yes") return;
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || !select.querySelector('option[value="' + CSS.escape(zone) + '"]')) return;
    select.value = zone;
    var hint = document.getElementById("zone-proposed");
    if (hint) { hint.textContent = "Proposed from this device: " + zone + "."; hint.hidden = false; }
  }

  // Reminders page: this device's push subscription, turned on and off (services/push.py).
  function pushDevice() {
    var box = document.getElementById("push-device");
    if (!box) return;
    var state = document.getElementById("push-state");
    var on = document.getElementById("push-on");
    var off = document.getElementById("push-off");
    var csrf = document.querySelector("meta[name=csrf-token]").content;
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !window.isSecureContext) {
      state.textContent = "This browser cannot show Gentling's notifications here. Install Gentling on your " +
        "home screen (over HTTPS), or choose email.";
      return;
    }
    function key(text) {
      var padded = (text + "===".slice((text.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
      return Uint8Array.from(atob(padded), function (c) { return c.charCodeAt(0); });
    }
    function post(url, body) {
      return fetch(url, {
        method: "POST", credentials: "same-origin", body: JSON.stringify(body),
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrf}
      }).then(function (r) {
        if (!r.ok) return r.json().then(function (a) { throw new Error(a.error || "refused"); });
      });
    }
    function show(subscribed) {
      state.textContent = subscribed ? "Notifications are on for this device." :
        "Notifications are off for this device.";
      on.hidden = subscribed;
      off.hidden = !subscribed;
    }
    navigator.serviceWorker.ready.then(function (reg) {
      reg.pushManager.getSubscription().then(function (sub) { show(!!sub); });
      on.addEventListener("click", function () {
        Notification.requestPermission().then(function (permission) {
          if (permission !== "granted") {
            state.textContent = "Notifications are blocked for Gentling: allow them in this browser's settings.";
            return;
          }
          return reg.pushManager.subscribe({userVisibleOnly: true, applicationServerKey: key(box.dataset.vapid)})
            .then(function (sub) { return post(box.dataset.subscribe, sub.toJSON()); })
            .then(function () { show(true); });
        }).catch(function (e) { state.textContent = "Could not turn notifications on: " + e.message; });
      });
      off.addEventListener("click", function () {
        reg.pushManager.getSubscription().then(function (sub) {
          if (!sub) return show(false);
          return post(box.dataset.unsubscribe, {endpoint: sub.endpoint})
            .then(function () { return sub.unsubscribe(); })
            .then(function () { show(false); });
        }).catch(function (e) { state.textContent = "Could not turn notifications off: " + e.message; });
      });
    });
  }

  // Reminders page: the animals cared for are asked only when "only the animals I care for" is chosen.
  function remindersForm() {
    var form = document.getElementById("reminders-form");
    if (!form) return;
    function show() {
      var mine = form.querySelector("input[name=scope]:checked");
      form.querySelectorAll("[data-only-scope]").forEach(function (el) {
        el.hidden = !mine || mine.value !== el.dataset.onlyScope;
      });
    }
    form.querySelectorAll("input[name=scope]").forEach(function (r) { r.addEventListener("change", show); });
    show();
  }

  // Copy and Share beside a link (the calendar feed, an invitation): the field keeps working by hand.
  function copyShare() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.dataset.copy);
      var said = document.querySelector('[data-copied="' + button.dataset.copy + '"]');
      button.addEventListener("click", function () {
        var done = function () { said.textContent = "Copied."; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(done, function () { field.select(); });
        } else {
          field.select();
          said.textContent = "Selected: copy it with your keyboard or the menu.";
        }
      });
    });
    document.querySelectorAll("[data-share]").forEach(function (button) {
      if (!navigator.share) return;
      var field = document.getElementById(button.dataset.share);
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.share({title: button.dataset.shareTitle, url: field.value}).catch(function () {});
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    serviceWorker();
    copyShare();
    pushDevice();
    remindersForm();
    animalForm();
    proposeTimeZone();
    meetingTimer();
    sessionTimer();
    holdStopwatch();
    extendedHold();
  });
})();
