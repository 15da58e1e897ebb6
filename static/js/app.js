// Small behaviours on top of server-rendered pages; everything works without them.
(function () {
  "use strict";

  // The language switcher returns to the page as it is now, including filters pushed by htmx.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.hasAttribute("data-keep-location") && form.elements.next) {
      form.elements.next.value = window.location.pathname + window.location.search;
    }
  });

  // "/" focuses the search box, as in most list tools.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target.closest && target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      var search = document.querySelector("input[type=search]");
      if (search) {
        event.preventDefault();
        search.focus();
      }
    }
  });
})();
