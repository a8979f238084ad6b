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

  let focusedColumn = null;
  document.addEventListener("click", (event) => {
    const link = event.target.closest("#project-table a.sort-link");
    focusedColumn = link ? link.dataset.column : null;
  });
  document.addEventListener("htmx:afterSwap", () => {
    const table = document.getElementById("project-table");
    if (!table || !focusedColumn) return;
    const link = table.querySelector(`a.sort-link[data-column="${focusedColumn}"]`);
    if (link) link.focus();
    focusedColumn = null;
  });
})();
