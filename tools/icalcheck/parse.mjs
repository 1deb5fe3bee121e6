// Parses iCalendar files with ical.js (Mozilla's parser, used by Thunderbird)
// and prints what it understood as JSON, one entry per file, for the Go
// tests to compare with what they meant (feeds/feedstest).
//
//   node tools/icalcheck/parse.mjs FILE...     (or: npm run icalcheck -- FILE...)
//
// Times are Unix seconds as ical.js computes them from DTSTART/DTEND and the
// file's own VTIMEZONE, so a wrong VTIMEZONE shows as a wrong instant.
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node tools/icalcheck/parse.mjs FILE...");
  process.exit(2);
}

function props(comp, name) {
  return comp.getAllProperties(name).flatMap((p) => p.getValues().map(String));
}

const out = files.map((file) => {
  try {
    const cal = new ICAL.Component(ICAL.parse(readFileSync(file, "utf8")));
    if (cal.name !== "vcalendar") {
      throw new Error("not a VCALENDAR: " + cal.name);
    }
    const events = cal.getAllSubcomponents("vevent").map((v) => {
      const e = new ICAL.Event(v);
      return {
        uid: e.uid,
        summary: e.summary,
        description: e.description,
        location: e.location,
        status: v.getFirstPropertyValue("status"),
        sequence: e.sequence,
        start: e.startDate.toUnixTime(),
        end: e.endDate.toUnixTime(),
        startZone: e.startDate.zone ? e.startDate.zone.tzid : "",
        dtstamp: v.getFirstPropertyValue("dtstamp").toUnixTime(),
        url: String(v.getFirstPropertyValue("url") ?? ""),
        geo: props(v, "geo"),
        categories: props(v, "categories"),
        conference: props(v, "conference"),
        alarms: v.getAllSubcomponents("valarm").length,
      };
    });
    return {
      file,
      name: String(cal.getFirstPropertyValue("name") ?? ""),
      calname: String(cal.getFirstPropertyValue("x-wr-calname") ?? ""),
      timezones: cal.getAllSubcomponents("vtimezone").map((z) => z.getFirstPropertyValue("tzid")),
      events,
    };
  } catch (err) {
    return { file, error: String(err && err.stack ? err.stack : err) };
  }
});
process.stdout.write(JSON.stringify(out));
