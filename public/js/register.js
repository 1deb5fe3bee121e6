// Registration forms (the event page and the manage page), progressive
// enhancement: without this script every question shows and the server
// checks the answers. With it, the questions for in-person places hide when
// the person chooses to join online (online places take no guests and no
// food), and the guests' dietary questions show one per guest chosen.
(function () {
  "use strict";
  function enable(el, on) {
    el.hidden = !on;
    el.querySelectorAll("input, select, textarea").forEach(function (i) { i.disabled = !on; });
  }
  document.querySelectorAll("form").forEach(function (form) {
    var guests = form.querySelector("input[name=guests]");
    var modes = form.querySelectorAll("input[name=attendance]");
    var inPerson = form.querySelectorAll("[data-for=in_person]");
    var box = form.querySelector("[data-guest-diets]");
    var rows = form.querySelectorAll("[data-guest]");
    if (!modes.length && !rows.length) { return; }
    function update() {
      var online = false;
      modes.forEach(function (m) { if (m.checked && m.value === "online") { online = true; } });
      inPerson.forEach(function (el) { enable(el, !online); });
      var n = guests && !guests.disabled ? parseInt(guests.value, 10) : 0;
      if (isNaN(n) || n < 0) { n = 0; }
      rows.forEach(function (row) {
        // A row with an error stays, so that its message is seen.
        var wanted = parseInt(row.getAttribute("data-guest"), 10) <= n || row.classList.contains("has-error");
        enable(row, !online && wanted);
      });
      if (box && !online) {
        var any = false;
        rows.forEach(function (row) { if (!row.hidden) { any = true; } });
        box.hidden = !any;
      }
    }
    modes.forEach(function (m) { m.addEventListener("change", update); });
    if (guests) { guests.addEventListener("input", update); }
    update();
  });
})();
