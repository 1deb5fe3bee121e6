// Event editor, progressive enhancement: show only the sections that fit the
// chosen kind (sunset start for iftars; no venue for a livestream). Without
// this script every section is shown, with hints saying which kind it is for.
(function () {
  "use strict";
  var kind = document.querySelector("[data-kind-select]");
  if (!kind) { return; }
  function apply() {
    document.querySelectorAll("[data-kinds]").forEach(function (el) {
      el.hidden = el.getAttribute("data-kinds").split(" ").indexOf(kind.value) < 0;
    });
  }
  kind.addEventListener("change", apply);
  apply();
})();
