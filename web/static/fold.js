// On a phone, fold the main menu behind its button so that the page's own content
// (the inbox's tasks) fills the first screen. Filters fold in <details class="fold">,
// which this opens on a desk, where there is room. Without JavaScript nothing folds.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var toggle = document.querySelector(".menu-toggle");
  var menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (toggle && menu) {
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("open", open);
    });
  }
  if (window.matchMedia("(min-width: 64rem)").matches) {
    document.querySelectorAll("details.fold").forEach(function (details) {
      details.open = true;
    });
  }
})();
