// The planner (/plan/): a plan that cannot be made (a budget that is not a number, pins
// over the budget or on a project the plan cannot fund) answers 400 with the plan region
// and its message. htmx leaves 4xx answers out by default, which kept the previous plan
// on screen with no word of the problem: swap it in like a success, so the message shows
// and the address follows (hx-push-url), as when the same link is opened directly.
// Only the plan region: other pages' htmx requests keep htmx's default for errors.
"use strict";
document.addEventListener("htmx:beforeSwap", function (event) {
  var target = event.detail.target;
  if (event.detail.xhr.status === 400 && target && target.id === "plan") {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// A pin's link is replaced by the swap, which leaves the keyboard's focus on <body>: move
// it to the message then. Typing in a field keeps its focus (the message is an alert,
// read out as it appears).
document.addEventListener("htmx:afterSettle", function (event) {
  var target = event.detail.target;
  if (!(target && target.id === "plan")) {
    return;
  }
  var message = document.querySelector("#plan .form-errors");
  var active = document.activeElement;
  if (!message || (active && active !== document.body && document.contains(active))) {
    return;
  }
  if (!message.hasAttribute("tabindex")) {
    message.setAttribute("tabindex", "-1");
  }
  message.focus({ preventScroll: true });
  message.scrollIntoView({ block: "center" });
});
