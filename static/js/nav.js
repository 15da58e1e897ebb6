// The top navigation on small screens: a menu button opens and closes the sections (no inline script: the CSP).
// Loaded in <head> without defer, so the page is drawn folded from the start; the listeners are delegated to the
// document, so they keep working whatever htmx swaps in.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function toggles() {
    return document.querySelectorAll(".nav-toggle[aria-controls]");
  }

  function setOpen(button, open) {
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    button.setAttribute("aria-expanded", open ? "true" : "false");
    if (menu) {
      menu.classList.toggle("is-open", open);
    }
  }

  function closeAll() {
    toggles().forEach(function (button) { setOpen(button, false); });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".nav-toggle[aria-controls]") : null;
    if (button) {
      setOpen(button, button.getAttribute("aria-expanded") !== "true");
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    toggles().forEach(function (button) {
      if (button.getAttribute("aria-expanded") === "true") {
        setOpen(button, false);
        button.focus();
      }
    });
  });

  // The top bar's store switcher applies a choice as it is made.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
      select.form.submit();
    }
  });

  // A page restored from htmx's history or the browser's cache starts with the menu folded (polling swaps leave
  // it as it is).
  document.addEventListener("htmx:historyRestore", closeAll);
  window.addEventListener("pageshow", closeAll);
})();
