/* The bout timer (templates/gentling/_bouts.html): on and rest phases, cued by a beep (Web Audio)
   and a buzz (navigator.vibrate) where the phone allows. At the end it ticks the step's activity. */
(function () {
  "use strict";

  function phases(on, rest, total) {
    var list = [], t = 0, n = 0;
    while (t < total) {
      n += 1;
      list.push({kind: "on", seconds: Math.min(on, total - t), bout: n});
      t += on;
      if (t < total && rest > 0) {
        list.push({kind: "rest", seconds: Math.min(rest, total - t), bout: n});
        t += rest;
      }
    }
    return list;
  }

  var audio = null;
  function cue(kind) {
    if (navigator.vibrate) { navigator.vibrate(kind === "on" ? 300 : kind === "rest" ? [100, 80, 100] : [500, 100, 500]); }
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.frequency.value = kind === "on" ? 880 : kind === "rest" ? 440 : 660;
      gain.gain.value = 0.2;
      osc.connect(gain); gain.connect(audio.destination);
      osc.start(); osc.stop(audio.currentTime + (kind === "done" ? 0.6 : 0.25));
    } catch (e) { /* no sound here: the buzz and the words still cue */ }
  }

  function start(box) {
    var d = box.dataset, now = box.querySelector(".bout-now"), button = box.querySelector(".bout-start");
    var list = phases(Number(d.on), Number(d.rest), Number(d.total));
    var bouts = list.filter(function (p) { return p.kind === "on"; }).length;
    var index = 0, left = list[0].seconds, timer = null;
    function show() {
      var p = list[index], label = p.kind === "on" ? d.onLabel : d.restLabel;
      now.textContent = label + " · " + left + " s · bout " + p.bout + " of " + bouts;
      box.classList.toggle("resting", p.kind === "rest");
    }
    function finish(done) {
      clearInterval(timer);
      box.stopBouts = null;
      box.classList.remove("running", "resting");
      button.textContent = "Start the bouts again";
      if (!done) { now.textContent = "Stopped."; return; }
      cue("done");
      now.textContent = "Done: " + bouts + " bouts.";
      var tap = d.activity && document.querySelector('input[name="activities"][value="' + d.activity + '"]');
      if (tap && !tap.checked) { tap.checked = true; tap.dispatchEvent(new Event("change", {bubbles: true})); }
    }
    box.classList.add("running");
    button.textContent = "Stop";
    cue("on"); show();
    timer = setInterval(function () {
      left -= 1;
      if (left > 0) { show(); return; }
      index += 1;
      if (index >= list.length) { finish(true); return; }
      left = list[index].seconds;
      cue(list[index].kind); show();
    }, 1000);
    box.stopBouts = function () { finish(false); };
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".bout-start");
    if (!button) { return; }
    var box = button.closest(".bouts");
    if (box.stopBouts) { box.stopBouts(); } else { start(box); }
  });
}());
