// Gate review: after htmx swaps in a new review region (a decision recorded or refused),
// move focus to what changed, so keyboard and screen-reader users land on the
// confirmation or on the first error instead of the top of the page.
"use strict";
document.addEventListener("htmx:afterSwap", function (event) {
  var swapped = event.detail.target;
  if (!swapped || swapped.id !== "review") {
    return; // the live scorecard total: leave focus where the user is scoring
  }
  var region = document.getElementById("review");
  var target =
    region &&
    (region.querySelector("[data-focus-after-swap]") ||
      region.querySelector(".form-errors, .field-error"));
  if (!target) {
    return;
  }
  if (!target.hasAttribute("tabindex")) {
    target.setAttribute("tabindex", "-1");
  }
  target.focus({ preventScroll: true });
  target.scrollIntoView({ block: "center" });
});
