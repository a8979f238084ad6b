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
// The decision form: what the chosen decision takes. A kill or a hold takes no kill
// criteria for the next review (a go at the last gate none either): their fieldset is
// hidden and disabled, so that the keyboard does not pass 15 fields the decision refuses
// and they are not sent. A kill's confirmation tick shows as soon as Kill is chosen, not
// after a first refused attempt. Without JavaScript the service's rules and messages
// stay, the fieldset shown and the tick shown when an unconfirmed kill is refused.
function showWhatTheDecisionTakes(form) {
  var chosen = form.querySelector('input[name="decision"]:checked');
  var decision = chosen ? chosen.value : "";
  var criteria = form.querySelector("fieldset[data-taken-by]");
  if (criteria) {
    var takes = !decision || criteria.getAttribute("data-taken-by").split(" ").indexOf(decision) !== -1;
    criteria.hidden = !takes;
    criteria.disabled = !takes;
    var none = form.querySelector("[data-kill-criteria-none]");
    if (none) {
      none.hidden = takes;
    }
  }
  var confirm = form.querySelector("[data-confirm-kill]");
  if (confirm) {
    var kill = decision === "kill";
    confirm.hidden = !kill;
    confirm.querySelectorAll("input").forEach(function (input) {
      input.disabled = !kill;
    });
  }
}
function decisionForms() {
  document.querySelectorAll("form").forEach(function (form) {
    if (form.querySelector('input[name="decision"]')) {
      showWhatTheDecisionTakes(form);
    }
  });
}
document.addEventListener("change", function (event) {
  if (event.target.name === "decision" && event.target.form) {
    showWhatTheDecisionTakes(event.target.form);
  }
});
document.addEventListener("DOMContentLoaded", decisionForms);
document.addEventListener("htmx:afterSettle", decisionForms);
