// Greenlight's small progressive enhancements. Pages work without this file.
"use strict";
(() => {
  // A table or chart wider than the screen scrolls inside its own box: make that box
  // a named, focusable region while it scrolls, so the keyboard can scroll it too
  // (and take it out of the tab order again when it fits).
  const SCROLL_BOXES = ".table-wrap, .chart-figure, .spend-chart, .line-chart";

  function nameOf(box) {
    // The box's own caption, or its chart's own <title>: not the <title> of a data point
    // inside the chart (the headline chart's first month), which comes first in the page.
    const caption = box.querySelector(
      ":scope > caption, :scope > figcaption, :scope > table > caption, :scope > svg > title",
    );
    const heading = box.closest("section, .card, details")?.querySelector("h2, h3, summary");
    const text = (caption || heading)?.textContent.trim().replace(/\s+/g, " ");
    return text ? `${text} (scrolls sideways)` : "Scrolls sideways";
  }

  function markScrollBoxes() {
    for (const box of document.querySelectorAll(SCROLL_BOXES)) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", nameOf(box));
        box.dataset.scrollBox = "";
      } else if (!scrolls && "scrollBox" in box.dataset) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        delete box.dataset.scrollBox;
      }
    }
  }

  let pending = null;
  function soon() {
    if (pending) cancelAnimationFrame(pending);
    pending = requestAnimationFrame(markScrollBoxes);
  }
  document.addEventListener("DOMContentLoaded", markScrollBoxes);
  document.addEventListener("htmx:afterSettle", markScrollBoxes);
  document.addEventListener("toggle", soon, true); // a <details> opened: its table is measured now
  window.addEventListener("resize", soon);
  if (document.readyState !== "loading") markScrollBoxes();

  // A refused form (templates/_form/errors.html): its summary takes focus, so keyboard and
  // screen-reader users start at the list of what to correct (each item links to its field).
  function focusErrorSummary() {
    const summary = document.querySelector("[data-error-summary]");
    if (summary && !summary.contains(document.activeElement)) {
      summary.focus({ preventScroll: true });
      summary.scrollIntoView({ block: "center" });
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }

  // A summary's link (any .form-errors, the decision form's too) goes to its field. The
  // browser would put the field itself at the very top of the screen, its label and
  // message (above it) out of sight: show the field's whole block (.field, a scorecard or
  // kill-criterion row) and what names it, then focus the field without scrolling again.
  const FIELD_BLOCK = ".field, .kill-mark-row, tr, .confirm-kill";
  const GAP = 12; // px left above the label

  function namingElements(field) {
    const found = [...(field.labels || [])];
    // A radio or a box is one answer of a group, named (and described) by the group's own.
    const choice = field.matches("input[type=radio], input[type=checkbox]");
    const group = choice ? field.closest("[role=radiogroup], [role=group], fieldset") : null;
    for (const ids of [group?.getAttribute("aria-labelledby"), group?.getAttribute("aria-describedby")]) {
      for (const id of (ids || "").split(/\s+/).filter(Boolean)) {
        const element = document.getElementById(id);
        if (element) found.push(element);
      }
    }
    const legend = group?.matches("fieldset") ? group.querySelector(":scope > legend") : null;
    if (legend) found.push(legend);
    // What is wrong with the rows together ("A go registers one to five kill criteria")
    // heads their fieldset, and its link goes to the first row.
    const rowsMessage = field.closest("fieldset:has(> .form-errors)")?.querySelector(":scope > .form-errors");
    if (rowsMessage) found.push(rowsMessage);
    return found;
  }

  function showField(field) {
    const shown = [field, field.closest(FIELD_BLOCK), ...namingElements(field)].filter(Boolean);
    const top = Math.min(...shown.map((element) => element.getBoundingClientRect().top));
    const fieldBox = field.getBoundingClientRect();
    // All of it when it fits; otherwise as much above the field as leaves the field in view.
    const room = window.innerHeight - GAP - fieldBox.height;
    const scrollBy = Math.max(top - GAP, fieldBox.top - Math.max(room, GAP));
    window.scrollBy({ top: scrollBy, behavior: "instant" });
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest?.(".form-errors a[href^='#']");
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey) {
      return;
    }
    const field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) return;
    event.preventDefault();
    if (field.tabIndex < 0 && !field.matches("input, select, textarea, button")) {
      field.setAttribute("tabindex", "-1"); // a section: focus it, or it drops to <body>
    }
    field.focus({ preventScroll: true });
    showField(field);
    history.replaceState(history.state, "", link.hash);
  });
})();
