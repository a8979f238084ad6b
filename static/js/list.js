// The project list: tidy addresses and keep keyboard focus in place when htmx swaps the table.
// Without JavaScript (or htmx) the same links and form reload the page instead.
"use strict";
(() => {
  // Leave empty filters out of the request, so the address pushed to the history
  // (the one people copy and share) names only the filters in use.
  document.addEventListener("htmx:configRequest", (event) => {
    if (!event.detail.elt.closest(".filters")) return;
    const data = event.detail.formData;
    if (!data) return;
    for (const name of Array.from(new Set(data.keys()))) {
      if (data.getAll(name).every((value) => value === "")) data.delete(name);
    }
  });

  // The link clicked (a column to sort by, Next or Previous) is replaced with the table:
  // put focus on its successor, or on the other page link when the last page has no Next.
  let clicked = null;
  document.addEventListener("click", (event) => {
    const link = event.target.closest("#project-table a.sort-link, #project-table .pagination a");
    if (!link) {
      clicked = null;
    } else if (link.classList.contains("sort-link")) {
      clicked = [`a.sort-link[data-column="${link.dataset.column}"]`];
    } else {
      const rel = link.getAttribute("rel");
      clicked = [`.pagination a[rel="${rel}"]`, ".pagination a", "caption"];
    }
  });
  // A page opened with filters it could not read marks them beside their fields; once a
  // new table answers without refusing any, those marks no longer hold: take them away.
  document.addEventListener("htmx:afterSettle", () => {
    const table = document.getElementById("project-table");
    const filters = document.querySelector("form.filters");
    if (!table || !filters || table.querySelector(".form-errors")) return;
    for (const field of filters.querySelectorAll(".field-error")) {
      field.classList.remove("field-error");
      const gone = new Set();
      for (const list of field.querySelectorAll(".errorlist")) {
        if (list.id) gone.add(list.id);
        list.remove();
      }
      for (const input of field.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
      // The inputs, and a group's fieldset (the statuses), no longer point to the message.
      const described = [field, ...field.querySelectorAll("[aria-describedby]")];
      for (const element of described.filter((e) => e.hasAttribute("aria-describedby"))) {
        const kept = element
          .getAttribute("aria-describedby")
          .split(/\s+/)
          .filter((id) => id && !gone.has(id));
        if (kept.length) element.setAttribute("aria-describedby", kept.join(" "));
        else element.removeAttribute("aria-describedby");
      }
    }
  });

  document.addEventListener("htmx:afterSettle", () => {
    const table = document.getElementById("project-table");
    if (!table || !clicked) return;
    for (const selector of clicked) {
      const target = table.querySelector(selector);
      if (!target) continue;
      if (!target.matches("a")) target.setAttribute("tabindex", "-1");
      target.focus();
      break;
    }
    clicked = null;
  });
})();
