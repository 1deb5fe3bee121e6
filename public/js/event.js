// The event page, progressive enhancement: without this script nothing is
// lost. An online or hybrid event's time is always given in the event's own
// zone (named); this adds the same time in the visitor's zone, from the
// browser, when it differs.
(function () {
  "use strict";
  if (!window.Intl || !Intl.DateTimeFormat) { return; }
  var here;
  try { here = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
  if (!here) { return; }
  document.querySelectorAll("[data-local-time]").forEach(function (el) {
    if (el.getAttribute("data-zone") === here) { return; }
    var start = new Date(el.getAttribute("data-start"));
    var end = new Date(el.getAttribute("data-end"));
    if (isNaN(start) || isNaN(end)) { return; }
    var day = { weekday: "long", day: "numeric", month: "long", timeZone: here };
    var clock = { hour: "numeric", minute: "2-digit", hour12: true, timeZone: here };
    var zoneName = { timeZoneName: "short", timeZone: here };
    var lang = document.documentElement.lang || undefined;
    var sameDay = start.toLocaleDateString(lang, day) === end.toLocaleDateString(lang, day);
    var text = start.toLocaleDateString(lang, day) + ", " + start.toLocaleTimeString(lang, clock) + " to " +
      (sameDay ? "" : end.toLocaleDateString(lang, day) + ", ") + end.toLocaleTimeString(lang, clock);
    var parts = new Intl.DateTimeFormat(lang, zoneName).formatToParts(start);
    var abbr = "";
    parts.forEach(function (p) { if (p.type === "timeZoneName") { abbr = p.value; } });
    el.textContent = "Your time: " + text + " (" + (abbr ? abbr + ", " : "") + here.replace(/_/g, " ") + ")";
    el.hidden = false;
  });
})();
