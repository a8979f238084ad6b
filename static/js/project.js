// The project page: open the audit trail when the address points into it (#audit).
// The page, its chart (inline SVG drawn on the server) and its tables work without this file.
"use strict";
(() => {
  const openTarget = () => {
    const hash = window.location.hash.slice(1);
    if (!hash) return;
    const target = document.getElementById(hash);
    const details = target && target.closest("details");
    if (details) details.open = true;
  };
  document.addEventListener("DOMContentLoaded", openTarget);
  window.addEventListener("hashchange", openTarget);
})();
