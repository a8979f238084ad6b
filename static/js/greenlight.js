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
})();
