// The navigation folds into a menu button on small screens (style.css shows the button below 700px).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("menu-toggle");
  var nav = document.getElementById("main-nav");
  if (!button || !nav) return;
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  });
});
