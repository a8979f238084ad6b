// Gate review: after htmx swaps in a new review region (a decision recorded or refused),
// move focus to what changed, so keyboard and screen-reader users land on the
// confirmation or on the first error instead of the top of the page.
"use strict";
// A refused decision answers 400 with the review region and its errors: swap it in
// like a success (htmx leaves 4xx answers out by default).
document.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.detail.target;
  if (event.detail.xhr.status === 400 && target && target.id === "review") {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// htmx 2 settles the new content's attributes after the swap: look for the errors then,
// or focus is set on an element about to be replaced and drops to <body>.
document.addEventListener("htmx:afterSettle", function (event) {
  var swapped = event.detail.elt;
  var target = event.detail.target;
  if (!(swapped && swapped.id === "review") && !(target && target.id === "review")) {
    return; // the live scorecard total: leave focus where the user is scoring
  }
  var region = document.getElementById("review");
  var focusTarget =
    region &&
    (region.querySelector("[data-focus-after-swap]") ||
      region.querySelector(".form-errors, .field-error"));
  if (!focusTarget || focusTarget.contains(document.activeElement)) {
    return;
  }
  if (!focusTarget.hasAttribute("tabindex")) {
    focusTarget.setAttribute("tabindex", "-1");
  }
  focusTarget.focus({ preventScroll: true });
  focusTarget.scrollIntoView({ block: "center" });
});
