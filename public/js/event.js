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
    var there = el.getAttribute("data-zone");
    if (there === here) { return; }
    var start = new Date(el.getAttribute("data-start"));
    var end = new Date(el.getAttribute("data-end"));
    if (isNaN(start) || isNaN(end)) { return; }
    var lang = document.documentElement.lang || undefined;
    var span = function (zone) {
      var day = { weekday: "long", day: "numeric", month: "long", timeZone: zone };
      var clock = { hour: "numeric", minute: "2-digit", hour12: true, timeZone: zone };
      var sameDay = start.toLocaleDateString(lang, day) === end.toLocaleDateString(lang, day);
      return start.toLocaleDateString(lang, day) + ", " + start.toLocaleTimeString(lang, clock) + " to " +
        (sameDay ? "" : end.toLocaleDateString(lang, day) + ", ") + end.toLocaleTimeString(lang, clock);
    };
    var text;
    try {
      text = span(here);
      // A zone that keeps the same clock as the event's (London and UTC in
      // winter) needs no second time.
      if (text === span(there)) { return; }
    } catch (e) { return; }
    var parts = new Intl.DateTimeFormat(lang, { timeZoneName: "short", timeZone: here }).formatToParts(start);
    var abbr = "";
    parts.forEach(function (p) { if (p.type === "timeZoneName") { abbr = p.value; } });
    var zone = here.replace(/_/g, " ");
    el.textContent = "Your time: " + text + " (" + (abbr && abbr !== zone ? abbr + ", " : "") + zone + ")";
    el.hidden = false;
  });
})();
