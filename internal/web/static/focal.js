// Broadsheet newsroom: the focal point of a library picture. A click or tap on the picture puts
// the marker there and fills the two number fields, which work alone without this file. No
// inline script or style: the CSP forbids them; the marker moves through the CSSOM.
(function () {
  "use strict";
  var box = document.getElementById("focal");
  if (!box) return;
  var img = box.querySelector("img");
  var marker = box.querySelector(".focal-marker");
  var ids = (box.dataset.for || "").split(" ");
  var fx = document.getElementById(ids[0]), fy = document.getElementById(ids[1]);
  if (!img || !marker || !fx || !fy) return;
  box.classList.add("is-live");

  function clampPct(v) {
    v = parseFloat(v);
    if (isNaN(v)) return 50;
    return Math.min(100, Math.max(0, v));
  }
  function place() {
    marker.className = "focal-marker";
    marker.style.left = clampPct(fx.value) + "%";
    marker.style.top = clampPct(fy.value) + "%";
  }
  img.addEventListener("click", function (e) {
    var r = img.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0) return;
    var round = function (v) { return Math.round(Math.min(1, Math.max(0, v)) * 1000) / 10; };
    fx.value = round((e.clientX - r.left) / r.width);
    fy.value = round((e.clientY - r.top) / r.height);
    place();
  });
  fx.addEventListener("input", place);
  fy.addEventListener("input", place);
  place();
})();
