// The dashboard's small enhancements; the page works without them.
"use strict";
(function () {
  // A print button needs script (no inline handlers under the Content-Security-Policy).
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
