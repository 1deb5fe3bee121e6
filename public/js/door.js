// Door check-in, progressive enhancement: the page works without this
// script (forms post and the page reloads). With it, the name search filters
// as you type, a tap checks in or undoes without a reload, and the counts
// refresh every 15 seconds so several volunteers at several doors agree.
(function () {
  "use strict";
  var door = document.querySelector("[data-door]");
  if (!door || !window.fetch) { return; }
  var inEl = door.querySelector("[data-checked-in]");
  var expEl = door.querySelector("[data-expected]");

  function showCounts(c) {
    if (c && typeof c.checked_in === "number") {
      inEl.textContent = c.checked_in;
      expEl.textContent = c.expected;
    }
  }

  // showParty marks a row as all in, partly in (2 of 3) or not in, as the
  // server renders it, and sets its "how many are here" back to everyone.
  function showParty(row, arrived, places) {
    row.classList.toggle("is-in", arrived > 0 && arrived >= places);
    row.classList.toggle("is-part", arrived > 0 && arrived < places);
    var status = row.querySelector("[data-door-status]");
    if (status) {
      status.textContent = arrived <= 0 ? "" :
        arrived >= places ? (places === 1 ? "✓ In" : "✓ All " + places + " in") :
        arrived + " of " + places + " in";
    }
    var select = row.querySelector("select[name=arrived]");
    if (select) { select.value = String(places); }
  }

  var search = door.querySelector("[data-door-search]");
  if (search) {
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      door.querySelectorAll(".door-row").forEach(function (row) {
        row.hidden = q !== "" && row.getAttribute("data-name").toLowerCase().indexOf(q) < 0;
      });
    });
  }

  door.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (!form.hasAttribute("data-door-form")) { return; }
    ev.preventDefault();
    var row = form.closest(".door-row");
    row.classList.add("is-busy");
    fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form)),
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (res) {
      if (!res.ok) { throw new Error("status " + res.status); }
      return res.json();
    }).then(function (data) {
      showParty(row, data.arrived, data.places);
      showCounts(data.counts);
      row.classList.remove("is-busy");
    }).catch(function () {
      form.submit(); // fall back to the plain form, which shows any error
    });
  });

  var url = door.getAttribute("data-counts-url");
  setInterval(function () {
    if (document.hidden) { return; }
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(showCounts)
      .catch(function () {});
  }, 15000);
})();
