// Hover and keyboard tooltips for the dashboard's server-drawn SVG charts.
// Without this file each point still has its <title>, shown by the browser on hover.
"use strict";
(function () {
  var tooltip = null;

  function tooltipFor(figure) {
    if (!tooltip) {
      tooltip = document.createElement("div");
      tooltip.className = "chart-tooltip";
      tooltip.setAttribute("role", "tooltip");
      tooltip.hidden = true;
    }
    if (tooltip.parentNode !== figure) figure.appendChild(tooltip);
    return tooltip;
  }

  // Move each point's <title> into data-tip, so the browser's own delayed tooltip does
  // not double ours. Screen readers read the chart as one image (role=img, its title and
  // description) and each number from the data table beside it; an aria-label on a
  // role-less <circle> is prohibited ARIA.
  function prepare(root) {
    root.querySelectorAll("svg.chart [data-point]").forEach(function (point) {
      var title = point.querySelector("title");
      if (!title) return;
      point.dataset.tip = title.textContent;
      title.remove();
    });
  }

  function show(point, clientX, clientY) {
    var figure = point.closest(".chart-figure");
    if (!figure || !point.dataset.tip) return;
    var tip = tooltipFor(figure);
    tip.textContent = point.dataset.tip;
    tip.hidden = false;
    var box = figure.getBoundingClientRect();
    var x = clientX - box.left + 12;
    var y = clientY - box.top + 12;
    // CSSOM writes are allowed by the Content-Security-Policy (style attributes are not).
    tip.style.left = Math.min(x, box.width - tip.offsetWidth - 4) + "px";
    tip.style.top = y + "px";
  }

  function hide() {
    if (tooltip) tooltip.hidden = true;
  }

  document.addEventListener("pointerover", function (event) {
    var point = event.target.closest && event.target.closest("[data-point]");
    if (point) show(point, event.clientX, event.clientY);
  });
  document.addEventListener("pointerout", function (event) {
    if (event.target.closest && event.target.closest("[data-point]")) hide();
  });
  // A bubble opens its project on a click; the data table links each project too.
  document.addEventListener("click", function (event) {
    var point = event.target.closest && event.target.closest("[data-point][data-href]");
    if (point) window.location.assign(point.dataset.href);
  });

  document.addEventListener("DOMContentLoaded", function () { prepare(document); });
  document.addEventListener("htmx:afterSettle", function () { hide(); tooltip = null; prepare(document); });
  if (document.readyState !== "loading") prepare(document);
})();
