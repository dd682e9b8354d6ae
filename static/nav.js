// The navigation folds behind a "Menü" button on narrow screens; without JavaScript it simply wraps.
(function () {
  var button = document.querySelector(".menu-button");
  var nav = document.getElementById("hauptnavigation");
  if (!button || !nav) return;
  document.documentElement.classList.add("js");
  button.hidden = false;
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", String(!open));
    nav.classList.toggle("open", !open);
  });
})();
