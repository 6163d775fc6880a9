// Small behaviours of the portal. No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  function focusErrorSummary() {
    var summary = document.querySelector("[data-focus-on-load]");
    if (!summary) {
      return;
    }
    // A form sent from a page reached with a fragment (the skip link "#main", a link of an
    // earlier summary) comes back with that fragment, and the browser would move the focus to
    // its target once the page has loaded. The summary comes first.
    if (window.location.hash && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname + window.location.search);
    }
    summary.focus();
    var used = false;
    ["keydown", "mousedown", "touchstart"].forEach(function (type) {
      document.addEventListener(type, function () {
        used = true;
      }, { once: true, capture: true });
    });
    window.addEventListener("load", function () {
      if (!used && !summary.contains(document.activeElement)) {
        summary.focus();
      }
    });
  }

  // A link of the error summary moves the focus to its field (and shows the field's label),
  // without putting the field's id into the address.
  document.addEventListener("click", function (evt) {
    var link = evt.target.closest ? evt.target.closest(".error-summary a[href^='#']") : null;
    var field = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
    if (!field) {
      return;
    }
    evt.preventDefault();
    var group = (field.type === "checkbox" || field.type === "radio") && field.closest("fieldset");
    var label = group ? group.querySelector("legend") || group : (field.labels && field.labels[0]) || field;
    label.scrollIntoView();
    field.focus({ preventScroll: true });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }
})();
