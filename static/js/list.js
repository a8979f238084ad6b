// The project list: keep keyboard focus in place when htmx swaps the table.
// Without JavaScript (or htmx) the same links and form reload the page instead.
"use strict";
(() => {
  let focusedColumn = null;
  document.addEventListener("click", (event) => {
    const link = event.target.closest("#project-table a.sort-link");
    focusedColumn = link ? link.dataset.column : null;
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    const table = document.getElementById("project-table");
    if (!table || !focusedColumn) return;
    const link = table.querySelector(`a.sort-link[data-column="${focusedColumn}"]`);
    if (link) link.focus();
    focusedColumn = null;
  });
})();
