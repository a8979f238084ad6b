// The proposal form: until a value kind is chosen, picking a bucket chooses the one it
// suggests (the form's data-value-kind-for: efficiency counts cost savings, revenue counts
// revenue). A value kind chosen by hand, or saved, is never changed.
(function () {
  "use strict";
  function follow(form) {
    var suggested = JSON.parse(form.getAttribute("data-value-kind-for"));
    var bucket = form.querySelector("select[name=bucket]");
    var kinds = form.querySelectorAll("input[name=value_kind]");
    if (!bucket || !kinds.length) return;
    var chosen = Array.prototype.some.call(kinds, function (radio) { return radio.checked; });
    kinds.forEach(function (radio) {
      radio.addEventListener("change", function () { chosen = true; });
    });
    bucket.addEventListener("change", function () {
      var kind = suggested[bucket.value];
      if (chosen || !kind) return;
      kinds.forEach(function (radio) { radio.checked = radio.value === kind; });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-value-kind-for]").forEach(follow);
  });
})();
