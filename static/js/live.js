// Live workshop session: countdown timers, keeping what people type while polled fragments are
// replaced, error answers shown in the message area, and drag and drop of cards onto clusters.
// No inline scripts (the CSP forbids them); behaviour hangs on data-live-* attributes.
(function () {
  "use strict";
  if (!window.htmx) {
    return;
  }

  // Answers with a message for #live-messages: conflict, invalid input, too many, try again.
  var MESSAGE_STATUSES = [409, 422, 429, 503];
  var saved = {};
  var timerEnds = {};
  var timerRan = {};
  var timerAnnounced = {};
  var dragging = false;
  var focusGroups = {};

  // --- Keeping input across polled swaps ---------------------------------------------------

  function collect(region) {
    var state = [];
    region.querySelectorAll("input, textarea, select, details").forEach(function (el) {
      if (!el.id) {
        return;
      }
      if (el.tagName === "DETAILS") {
        state.push({ id: el.id, open: el.open });
      } else if (el.type === "hidden" || el.type === "submit") {
        return;
      } else if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked !== el.defaultChecked) {
          state.push({ id: el.id, checked: el.checked });
        }
      } else if (el.tagName === "SELECT") {
        var changed = Array.prototype.some.call(el.options, function (option) {
          return option.selected !== option.defaultSelected;
        });
        if (changed) {
          state.push({ id: el.id, value: el.value });
        }
      } else if (el.value !== el.defaultValue) {
        var entry = { id: el.id, value: el.value };
        try {
          entry.start = el.selectionStart;
          entry.end = el.selectionEnd;
        } catch (ignored) {
          // Number inputs have no text selection.
        }
        state.push(entry);
      }
    });
    return state;
  }

  function restore(state) {
    state.forEach(function (entry) {
      var el = document.getElementById(entry.id);
      if (!el) {
        return;
      }
      if ("open" in entry) {
        el.open = entry.open;
      } else if ("checked" in entry) {
        el.checked = entry.checked;
      } else {
        el.value = entry.value;
        if (document.activeElement === el && entry.start !== undefined && entry.start !== null) {
          try {
            el.setSelectionRange(entry.start, entry.end);
          } catch (ignored) {
            // Not a text field.
          }
        }
      }
    });
  }

  document.body.addEventListener("htmx:beforeSwap", function (evt) {
    if (MESSAGE_STATUSES.indexOf(evt.detail.xhr.status) !== -1) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
    var target = evt.detail.target;
    if (target && target.id && target.hasAttribute("data-live-poll")) {
      saved[target.id] = collect(target);
      focusGroups[target.id] = focusGroup(target);
    }
  });

  // --- Keeping the keyboard focus across polled swaps --------------------------------------
  // htmx puts the focus back on an element with the same id. When the focused control is gone
  // after the swap ("Start" once the activity runs), the focus goes to the first control of the
  // same activity or card instead of falling back to the top of the page.

  function focusGroup(region) {
    var active = document.activeElement;
    var group = active && region.contains(active) && active.closest("[data-activity], [data-live-card]");
    if (!group) {
      return null;
    }
    var attribute = group.hasAttribute("data-activity") ? "data-activity" : "data-live-card";
    return "[" + attribute + '="' + group.getAttribute(attribute) + '"]';
  }

  function refocus(region, selector) {
    var active = document.activeElement;
    if (!selector || (active && active !== document.body)) {
      return;
    }
    var group = region.querySelector(selector);
    var first = group && group.querySelector("a[href], button, input:not([type=hidden]), select, textarea, summary");
    if (first) {
      first.focus();
    }
  }

  // Polling waits while a card is dragged or a list box of the fragment has the focus.
  document.body.addEventListener("htmx:beforeRequest", function (evt) {
    var elt = evt.detail.elt;
    if (!elt.hasAttribute || !elt.hasAttribute("data-live-poll")) {
      return;
    }
    var active = document.activeElement;
    if (dragging || (active && active.tagName === "SELECT" && elt.contains(active))) {
      evt.preventDefault();
    }
  });

  // A form that was sent successfully starts empty again (a new card, a new cluster).
  document.body.addEventListener("htmx:afterRequest", function (evt) {
    var form = evt.detail.elt;
    if (evt.detail.successful && form.matches && form.matches("form[data-live-reset]")) {
      form.reset();
      var first = form.querySelector("textarea, input[type=text]");
      if (first) {
        first.focus();
      }
    }
  });

  // --- Countdown ---------------------------------------------------------------------------

  function announce(text) {
    var region = document.getElementById("live-announcer");
    if (!region || !text) {
      return;
    }
    region.textContent = "";
    window.setTimeout(function () {
      region.textContent = text;
    }, 100);
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-live-timer]").forEach(function (el) {
      var ends = el.getAttribute("data-ends");
      if (!(ends in timerEnds)) {
        // Count from the server's remaining seconds: the phone's clock may be wrong.
        timerEnds[ends] = now + 1000 * parseInt(el.getAttribute("data-remaining"), 10);
      }
      var left = Math.max(0, Math.round((timerEnds[ends] - now) / 1000));
      var text = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (el.textContent !== text) {
        el.textContent = text;
      }
      if (left > 0) {
        timerRan[ends] = true;
      } else {
        el.classList.add("live-timer-done");
        // Announced once, politely, and only if it ran down while the page was open.
        if (timerRan[ends] && !timerAnnounced[ends]) {
          timerAnnounced[ends] = true;
          announce(el.getAttribute("data-done-text"));
        }
      }
    });
  }

  window.setInterval(tick, 1000);

  htmx.onLoad(function (elt) {
    if (elt.id && saved[elt.id]) {
      restore(saved[elt.id]);
      delete saved[elt.id];
    }
    if (elt.id && elt.id in focusGroups) {
      refocus(elt, focusGroups[elt.id]);
      delete focusGroups[elt.id];
    }
    tick();
  });

  // --- Drag and drop of cards (the select and button of each card work without it) ----------

  function zoneOf(node) {
    return node && node.closest ? node.closest("[data-live-dropzone]") : null;
  }

  function clearZones() {
    document.querySelectorAll(".live-drop-target").forEach(function (zone) {
      zone.classList.remove("live-drop-target");
    });
  }

  document.addEventListener("dragstart", function (evt) {
    var card = evt.target.closest ? evt.target.closest("[data-live-card]") : null;
    if (!card) {
      return;
    }
    dragging = true;
    evt.dataTransfer.effectAllowed = "move";
    evt.dataTransfer.setData("text/plain", card.getAttribute("data-live-card"));
    if (evt.dataTransfer.setDragImage) {
      evt.dataTransfer.setDragImage(card, 10, 10);
    }
    card.classList.add("live-dragging");
  });

  document.addEventListener("dragend", function () {
    dragging = false;
    clearZones();
    document.querySelectorAll(".live-dragging").forEach(function (card) {
      card.classList.remove("live-dragging");
    });
  });

  document.addEventListener("dragover", function (evt) {
    var zone = zoneOf(evt.target);
    if (zone && dragging) {
      evt.preventDefault();
      evt.dataTransfer.dropEffect = "move";
      if (!zone.classList.contains("live-drop-target")) {
        clearZones();
        zone.classList.add("live-drop-target");
      }
    }
  });

  document.addEventListener("drop", function (evt) {
    var zone = zoneOf(evt.target);
    if (!zone) {
      return;
    }
    evt.preventDefault();
    dragging = false;
    clearZones();
    var id = evt.dataTransfer.getData("text/plain");
    if (!/^\d+$/.test(id)) {
      return;
    }
    var card = document.getElementById("card-" + id);
    var form = card ? card.querySelector("form[data-live-move]") : null;
    if (!form) {
      return;
    }
    // The card's own move form carries the CSRF token; htmx posts it in the background.
    form.querySelector("select[name=cluster]").value = zone.getAttribute("data-cluster");
    if (form.requestSubmit) {
      form.requestSubmit();
    } else {
      htmx.trigger(form, "submit");
    }
  });
})();
