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

  // Single-key shortcuts can be turned off (WCAG 2.1.4): speech input types letters, and some people press keys by
  // accident. The choice is this browser's, kept in localStorage; the shortcuts are on until turned off.
  var SHORTCUTS_KEY = "sellerops.shortcuts";

  function shortcutsOn() {
    try {
      return window.localStorage.getItem(SHORTCUTS_KEY) !== "off";
    } catch (error) {
      return true;
    }
  }

  function showShortcutsChoice() {
    var on = shortcutsOn();
    document.querySelectorAll("[data-kbd-toggle]").forEach(function (box) {
      box.checked = on;
      var row = box.closest("[data-kbd-toggle-row]");
      if (row) {
        row.hidden = false;
      }
    });
    document.querySelectorAll("[data-kbd-hint]").forEach(function (hint) {
      hint.hidden = !on;
    });
    document.querySelectorAll("[data-kbd-off]").forEach(function (button) {
      button.hidden = on;
    });
  }

  // Keys typed into a field are text, not shortcuts; a checkbox, a radio or a button takes no text (the help
  // dialog leaves the focus on its own checkbox when it closes).
  function isTyping(target) {
    var field = target && target.closest && target.closest("input, textarea, select, [contenteditable]");
    return Boolean(field) && !(field.tagName === "INPUT" && /^(checkbox|radio|button|submit|reset)$/i.test(field.type));
  }

  // The order queue: a focus row moved with j/k, x to select it, s to ship it, Enter to open it.
  var focusIndex = -1;

  function queueRows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr.order-row"));
  }

  function focusRow(index) {
    var rows = queueRows();
    if (!rows.length) {
      return null;
    }
    focusIndex = Math.max(0, Math.min(index, rows.length - 1));
    rows.forEach(function (row, i) {
      // A plain table's rows cannot be "selected" in ARIA (that needs a grid): the focus row is the current one.
      row.classList.toggle("is-focused", i === focusIndex);
      if (i === focusIndex) {
        row.setAttribute("aria-current", "true");
      } else {
        row.removeAttribute("aria-current");
      }
    });
    var row = rows[focusIndex];
    row.scrollIntoView({block: "nearest"});
    return row;
  }

  function focusedRow() {
    return document.querySelector("tr.order-row.is-focused");
  }

  function updateSelection() {
    var counter = document.querySelector("[data-selected-count]");
    var boxes = document.querySelectorAll("input.row-select");
    var checked = document.querySelectorAll("input.row-select:checked");
    document.querySelectorAll("input.row-select").forEach(function (box) {
      var row = box.closest("tr");
      if (row) {
        row.classList.toggle("is-selected", box.checked);
      }
    });
    var all = document.querySelector("[data-select-all]");
    if (all) {
      all.checked = boxes.length > 0 && checked.length === boxes.length;
      all.indeterminate = checked.length > 0 && checked.length < boxes.length;
    }
    if (counter) {
      if (!counter.hasAttribute("data-label-none")) {
        counter.setAttribute("data-label-none", counter.textContent.trim());
      }
      counter.textContent = checked.length
        ? counter.getAttribute("data-label-some").replace("NUMBER", String(checked.length))
        : counter.getAttribute("data-label-none");
      counter.classList.toggle("has-selection", checked.length > 0);
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-select-all]")) {
      document.querySelectorAll("input.row-select").forEach(function (box) {
        box.checked = target.checked;
      });
    }
    if (target.matches && target.matches("input.row-select, [data-select-all]")) {
      updateSelection();
    }
    if (target.matches && target.matches("select[name=carrier]")) {
      showCarrierName(target);
    }
    if (target.matches && target.matches("[data-kbd-toggle]")) {
      try {
        window.localStorage.setItem(SHORTCUTS_KEY, target.checked ? "on" : "off");
      } catch (error) {
        // Storage refused (private mode): the choice holds until the page is left.
      }
      showShortcutsChoice();
    }
  });

  // A new table (filter, tab, page) starts without a focus row.
  document.addEventListener("htmx:afterSwap", function () {
    focusIndex = -1;
    updateSelection();
    document.querySelectorAll("select[name=carrier]").forEach(showCarrierName);
    showShortcutsChoice();
  });

  function openUrl(url) {
    if (url) {
      window.location.assign(url);
    }
  }

  function showHelp() {
    var dialog = document.getElementById("kbd-help");
    if (dialog && typeof dialog.showModal === "function" && !dialog.open) {
      dialog.showModal();
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-kbd-help], [data-print]") : null;
    if (!target) {
      return;
    }
    if (target.hasAttribute("data-kbd-help")) {
      showHelp();
    } else {
      window.print();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey || !shortcutsOn()) {
      return;
    }
    var key = event.key;
    if (key === "/") {
      var search = document.querySelector("input[type=search]");
      if (search) {
        event.preventDefault();
        search.focus();
      }
      return;
    }
    if (key === "?") {
      if (document.getElementById("kbd-help")) {
        event.preventDefault();
        showHelp();
      }
      return;
    }
    if (!queueRows().length) {
      return;
    }
    var row;
    if (key === "j" || key === "k") {
      event.preventDefault();
      focusRow(focusIndex < 0 ? 0 : focusIndex + (key === "j" ? 1 : -1));
    } else if (key === "x" && (row = focusedRow())) {
      var box = row.querySelector("input.row-select");
      if (box) {
        event.preventDefault();
        box.checked = !box.checked;
        updateSelection();
      }
    } else if (key === "s" && (row = focusedRow())) {
      event.preventDefault();
      openUrl(row.getAttribute("data-ship-url") || row.getAttribute("data-url"));
    } else if (key === "Enter" && (row = focusedRow()) && !(event.target.closest && event.target.closest("a, button"))) {
      event.preventDefault();
      openUrl(row.getAttribute("data-url"));
    }
  });

  // The ship form: the carrier's name matters only for Other.
  function showCarrierName(select) {
    var form = select.closest("form");
    var box = form && form.querySelector(".carrier-name");
    if (box) {
      box.hidden = select.value !== "Other";
    }
  }

  document.querySelectorAll("select[name=carrier]").forEach(showCarrierName);
  updateSelection();
  showShortcutsChoice();

  // Opened with "s" from the queue: go straight to the carrier, once the browser has scrolled to the form.
  // Uploading a report (imports/_upload_status.html): the file's own progress as the browser sends it, then the
  // job's page, which follows the import. htmx reports the upload's progress and the answer's on the same events;
  // the first "loadend" is the upload's, so what comes after it is the answer's and is left alone.
  function uploadStatus(form) {
    return form && form.matches && form.matches("[data-upload-form]") ? form.querySelector("[data-upload-status]") : null;
  }
  function showUpload(status, state, percent) {
    var bar = status.querySelector("progress");
    var text = status.querySelector(".upload-text");
    status.hidden = false;
    status.setAttribute("data-state", state);
    if (percent !== null) {
      bar.value = percent;
    }
    var label = status.getAttribute("data-" + state) || "";
    if (state === "sending" && percent !== null) {
      label += " " + new Intl.NumberFormat(document.documentElement.lang || undefined, { style: "percent" })
        .format(percent / 100);
    }
    text.textContent = label;
  }
  document.addEventListener("htmx:beforeSend", function (event) {
    var status = uploadStatus(event.target);
    if (status) {
      showUpload(status, "sending", 0);
    }
  });
  document.addEventListener("htmx:xhr:progress", function (event) {
    var status = uploadStatus(event.target);
    if (status && status.getAttribute("data-state") === "sending" && event.detail.lengthComputable &&
        event.detail.total > 0) {
      showUpload(status, "sending", Math.floor(event.detail.loaded * 100 / event.detail.total));
    }
  });
  document.addEventListener("htmx:xhr:loadend", function (event) {
    var status = uploadStatus(event.target);
    if (status && status.getAttribute("data-state") === "sending") {
      showUpload(status, "sent", 100);
    }
  });
  document.addEventListener("htmx:sendError", function (event) {
    var status = uploadStatus(event.target);
    if (status) {
      showUpload(status, "failed", null);
    }
  });
  // A form sent back with its errors (400) replaces the one sent, as a reload would show it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (event.detail.xhr.status === 400 && uploadStatus(elt)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  window.addEventListener("load", function () {
    var carrier = window.location.hash === "#ship" && document.querySelector("#ship select[name=carrier]");
    if (carrier) {
      window.setTimeout(function () { carrier.focus(); }, 0);
    }
  });
  // The order page's remedies for a parcel stuck or lost: a link to #delivery-trace or #delivery-replacement (the
  // deliveries-at-risk queue's) opens the card's first form.
  function openLinkedRemedy() {
    var id = window.location.hash.slice(1);
    var card = (id === "delivery-trace" || id === "delivery-replacement") && document.getElementById(id);
    var block = card && card.querySelector("details.remedy-block");
    if (block) {
      block.open = true;
    }
  }
  openLinkedRemedy();
  window.addEventListener("hashchange", openLinkedRemedy);
  // The listing editor: a title being typed by hand is never replaced by the one built from its parts (a live
  // check sent before the user started typing may answer after).
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "title-field") {
      return;
    }
    var input = target.querySelector("input[name=title]");
    var automatic = target.querySelector("input[name=title_auto]");
    if (input && automatic && input.value !== "" && input.value !== automatic.value) {
      event.preventDefault();
    }
  });
})();
