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
// A refused plan marks the field it names, as the app's other forms do: aria-invalid, the
// message beside it (named by aria-describedby), the field's error style. The server marks
// them when it draws the whole page; an htmx swap replaces only the plan region below the
// form, so its error box carries what to mark (data-inputs, data-error-id, data-message)
// and this redraws the marks, clearing them once the plan can be made again.
function markInvalidPlanFields() {
  var form = document.getElementById("plan-form");
  if (!form) {
    return;
  }
  form.querySelectorAll("[data-plan-error]").forEach(function (list) {
    list.remove();
  });
  form.querySelectorAll(".field-error").forEach(function (field) {
    field.classList.remove("field-error");
  });
  form.querySelectorAll("[aria-invalid]").forEach(function (input) {
    input.removeAttribute("aria-invalid");
    var kept = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
      return id && !/_error$/.test(id);
    });
    if (kept.length) {
      input.setAttribute("aria-describedby", kept.join(" "));
    } else {
      input.removeAttribute("aria-describedby");
    }
  });
  var box = document.querySelector("#plan .form-errors[data-inputs]");
  if (!box) {
    return;
  }
  var errorId = box.getAttribute("data-error-id");
  var inputs = box.getAttribute("data-inputs").split(" ").map(function (id) {
    return document.getElementById(id);
  }).filter(Boolean);
  if (!inputs.length) {
    return;
  }
  var list = document.createElement("ul");
  list.className = "errorlist";
  list.id = errorId;
  list.setAttribute("data-plan-error", "");
  var item = document.createElement("li");
  item.textContent = box.getAttribute("data-message");
  list.appendChild(item);
  if (box.getAttribute("data-beside") === "true") {
    inputs[0].parentNode.insertBefore(list, inputs[0]);
  } else {
    var legend = inputs[0].closest("fieldset").querySelector("legend");
    legend.parentNode.insertBefore(list, legend.nextSibling);
  }
  inputs.forEach(function (input) {
    input.setAttribute("aria-invalid", "true");
    // The message first, then the field's help, as the server draws them.
    var described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", described ? errorId + " " + described : errorId);
    input.closest(".field").classList.add("field-error");
  });
}
document.addEventListener("htmx:afterSettle", function (event) {
  var target = event.detail.target;
  if (target && target.id === "plan") {
    markInvalidPlanFields();
  }
});
