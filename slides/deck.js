// Showing the deck: one slide at a time, scaled to the window. index.html#5 opens slide 5.
// Keys: right/space/page down = next, left/page up = back, home/end, p = presenter view (also ?notes), f = full screen.
// A second window on the same deck follows this one (BroadcastChannel), so the audience screen can show the
// slides while the laptop shows the presenter view.
(function () {
  "use strict";
  var deck = document.getElementById("deck");
  var slides = Array.prototype.slice.call(deck.querySelectorAll(".slide"));
  var current = 0;
  var started = Date.now();
  var channel = "BroadcastChannel" in window ? new BroadcastChannel("whereml-slides") : null;

  var progress = document.createElement("div");
  progress.id = "progress";
  deck.appendChild(progress);

  var presenter = document.createElement("div");
  presenter.id = "presenter";
  presenter.innerHTML =
    '<div class="bar"><span class="clock" title="click to restart">0:00</span><span class="where"></span>' +
    '<span class="hint">&larr; &rarr; move &middot; p audience view &middot; f full screen</span></div>' +
    '<div class="now"></div>' +
    '<div class="side"><div class="label">next</div><div class="next"></div><div class="said"></div></div>';
  document.body.appendChild(presenter);

  function tooWide(pre) {
    return pre.scrollWidth > pre.clientWidth + 1;
  }

  function shrink(element, floor) {
    var size = parseFloat(getComputedStyle(element).fontSize);
    if (size <= floor) return false;
    element.style.fontSize = size - 1 + "px";
    return true;
  }

  function fit(slide) {
    // Long code excerpts: narrow the code until its longest line fits (or wrap it), then shrink the slide to fit.
    var body = slide.querySelector(".body");
    var code = Array.prototype.slice.call(body.querySelectorAll("pre"));
    var hidden = !slide.classList.contains("current");
    if (hidden) slide.style.display = "block";
    body.style.fontSize = "";
    code.forEach(function (pre) { pre.style.fontSize = ""; pre.style.whiteSpace = ""; });
    code.forEach(function (pre) {
      while (tooWide(pre) && shrink(pre, 15));
      if (tooWide(pre)) pre.style.whiteSpace = "pre-wrap"; // smaller is unreadable: wrap the longest lines
    });
    while (body.scrollHeight > body.clientHeight + 1 && shrink(body, 14)) {
      code.forEach(function (pre) { if (pre.style.fontSize) shrink(pre, 12); });
    }
    if (hidden) slide.style.display = "";
  }

  function scale() {
    var s = Math.min(window.innerWidth / 1280, window.innerHeight / 720);
    deck.style.setProperty("--scale", s);
    if (document.body.classList.contains("presenting")) showPresenter();
  }

  function framed(slide, box) {
    box.innerHTML = "";
    if (!slide) return;
    var frame = document.createElement("div");
    frame.className = "frame";
    var copy = slide.cloneNode(true);
    copy.classList.add("current");
    frame.appendChild(copy);
    box.appendChild(frame);
    fit(copy);
    var width = box.clientWidth;
    frame.style.transform = "scale(" + width / 1280 + ")";
    box.style.height = (720 * width) / 1280 + "px";
  }

  function showPresenter() {
    framed(slides[current], presenter.querySelector(".now"));
    framed(slides[current + 1], presenter.querySelector(".next"));
    var notes = slides[current].querySelector(".notes");
    var said = notes && notes.innerHTML.trim() ? notes.innerHTML : "<p>(no notes)</p>";
    presenter.querySelector(".said").innerHTML = said;
    presenter.querySelector(".where").textContent =
      "slide " + (current + 1) + " of " + slides.length + ": " + slides[current].getAttribute("data-title");
  }

  function show(index, fromElsewhere) {
    current = Math.max(0, Math.min(slides.length - 1, index));
    slides.forEach(function (slide, i) { slide.classList.toggle("current", i === current); });
    progress.style.width = (100 * (current + 1)) / slides.length + "%";
    if (location.hash !== "#" + (current + 1)) history.replaceState(null, "", "#" + (current + 1));
    if (document.body.classList.contains("presenting")) showPresenter();
    if (channel && !fromElsewhere) channel.postMessage(current);
  }

  function fromHash() {
    var number = parseInt(location.hash.slice(1), 10);
    return isNaN(number) ? 0 : number - 1;
  }

  function togglePresenter() {
    document.body.classList.toggle("presenting");
    started = Date.now();
    show(current);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var next = ["ArrowRight", "ArrowDown", "PageDown", " ", "Enter", "n", "l", "j"];
    var back = ["ArrowLeft", "ArrowUp", "PageUp", "Backspace", "h", "k"];
    if (next.indexOf(event.key) >= 0) show(current + 1);
    else if (back.indexOf(event.key) >= 0) show(current - 1);
    else if (event.key === "Home") show(0);
    else if (event.key === "End") show(slides.length - 1);
    else if (event.key === "p") togglePresenter();
    else if (event.key === "f") {
      if (document.fullscreenElement) document.exitFullscreen();
      else document.documentElement.requestFullscreen();
    } else return;
    event.preventDefault();
  });
  presenter.querySelector(".clock").addEventListener("click", function () { started = Date.now(); });
  setInterval(function () {
    var seconds = Math.floor((Date.now() - started) / 1000);
    presenter.querySelector(".clock").textContent =
      Math.floor(seconds / 60) + ":" + ("0" + (seconds % 60)).slice(-2);
  }, 1000);
  if (channel) channel.onmessage = function (event) { show(event.data, true); };
  window.addEventListener("hashchange", function () { show(fromHash()); });
  window.addEventListener("resize", scale);
  window.addEventListener("load", function () { slides.forEach(fit); show(current, true); });

  slides.forEach(fit);
  if (/[?&]notes\b/.test(location.search)) document.body.classList.add("presenting");
  scale();
  show(fromHash(), true);
})();
