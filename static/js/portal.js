// Progressive enhancement only: every form also works without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
    var button = select.form.querySelector("button[type=submit]");
    if (button) { button.classList.add("visually-hidden"); }
  });
  // On wide screens the menu is always open (a closed <details> hides its content whatever
  // the CSS says); on phones it stays a tap-to-open menu.
  var wide = window.matchMedia("(min-width: 900px)");
  function placeMenu() {
    document.querySelectorAll("details.nav-toggle").forEach(function (menu) {
      menu.open = wide.matches;
      menu.classList.toggle("nav-wide", wide.matches);
    });
  }
  placeMenu();
  if (wide.addEventListener) { wide.addEventListener("change", placeMenu); }
  // htmx needs the CSRF token on every non-GET request it sends.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) { event.detail.headers["X-CSRFToken"] = token.value; }
  });
});
