package feeds

import (
	"fmt"
	"sync"
	"time"

	ics "github.com/arran4/golang-ical"
)

// localFormat is a DATE-TIME in local time (RFC 5545 form 2, with TZID).
const localFormat = "20060102T150405"

// utcFormat is a DATE-TIME in UTC (form 2).
const utcFormat = "20060102T150405Z"

// Transition is a change of a time zone's offset or name.
type Transition struct {
	At       time.Time // the instant, in UTC
	From, To int       // offsets east of UTC, in seconds, before and after
	Name     string    // abbreviation after, such as BST
	DST      bool      // whether daylight saving time is in effect after
}

// Transitions lists the changes of loc from the one in effect at from (which
// may be earlier than from) to the last one before to. It walks Go's time zone
// data with ZoneBounds, so future years follow the zone's rule. A zone that
// has never changed gives nothing.
func Transitions(loc *time.Location, from, to time.Time) []Transition {
	var out []Transition
	t := from.In(loc)
	if start, _ := t.ZoneBounds(); !start.IsZero() {
		t = start.In(loc)
		if tr, ok := transitionAt(loc, start); ok {
			out = append(out, tr)
		}
	}
	for {
		_, end := t.ZoneBounds()
		if end.IsZero() || !end.Before(to) {
			return out
		}
		if tr, ok := transitionAt(loc, end); ok {
			out = append(out, tr)
		}
		t = end.In(loc)
	}
}

// transitionAt describes the change at instant at, if the offset, name or
// daylight saving flag changes there.
func transitionAt(loc *time.Location, at time.Time) (Transition, bool) {
	before := at.Add(-time.Second).In(loc)
	after := at.In(loc)
	_, from := before.Zone()
	name, to := after.Zone()
	if from == to && name == zoneName(before) && before.IsDST() == after.IsDST() {
		return Transition{}, false
	}
	return Transition{At: at.UTC(), From: from, To: to, Name: name, DST: after.IsDST()}, true
}

func zoneName(t time.Time) string {
	name, _ := t.Zone()
	return name
}

// locations caches loaded time zones: time.LoadLocation reads and parses
// the zone data on every call.
var locations sync.Map // IANA name → *time.Location

// loadLocation is the zone called name, UTC if unknown (as models.Event's
// Location).
func loadLocation(name string) *time.Location {
	if v, ok := locations.Load(name); ok {
		return v.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	locations.Store(name, loc)
	return loc
}

// zoneKey names a generated VTIMEZONE: a zone over whole years.
type zoneKey struct {
	tzid       string
	first, end int // years [first, end)
}

// zoneCache keeps generated VTIMEZONEs. A component is never changed after it
// is made, so calendars may share it while they serialise.
var zoneCache sync.Map // zoneKey → *ics.VTimezone

// VTimezone returns the VTIMEZONE of loc for the years first to last
// (inclusive). It is RRULE-free: one STANDARD or DAYLIGHT sub-component per
// transition, each with its own DTSTART in the local time before the change,
// starting with the change that brought in the offset in effect on 1 January
// of first. Clients need no rule engine, and ical.js, which ignores DTSTART
// as an onset when a sub-component has RDATEs, reads every change.
func VTimezone(loc *time.Location, first, last int) *ics.VTimezone {
	key := zoneKey{loc.String(), first, last + 1}
	if v, ok := zoneCache.Load(key); ok {
		return v.(*ics.VTimezone)
	}
	from := time.Date(first, time.January, 1, 0, 0, 0, 0, loc)
	to := time.Date(last+1, time.January, 1, 0, 0, 0, 0, loc)
	tz := ics.NewTimezone(loc.String())
	trs := Transitions(loc, from, to)
	if len(trs) == 0 {
		// A zone that has never changed: one observance from 1970.
		name, off := from.Zone()
		tz.Components = append(tz.Components, observance(Transition{At: time.Unix(0, 0).Add(-time.Duration(off) * time.Second), From: off, To: off, Name: name, DST: from.IsDST()}))
	}
	for _, tr := range trs {
		tz.Components = append(tz.Components, observance(tr))
	}
	v, _ := zoneCache.LoadOrStore(key, tz)
	return v.(*ics.VTimezone)
}

// observance is the STANDARD or DAYLIGHT sub-component of a transition. Its
// DTSTART is the local time at which the change happens, in the old offset.
func observance(tr Transition) ics.Component {
	base := ics.ComponentBase{}
	onset := tr.At.Add(time.Duration(tr.From) * time.Second).UTC().Format(localFormat)
	base.AddProperty(ics.ComponentPropertyDtStart, onset)
	base.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetfrom), utcOffset(tr.From))
	base.AddProperty(ics.ComponentProperty(ics.PropertyTzoffsetto), utcOffset(tr.To))
	if tr.Name != "" {
		base.AddProperty(ics.ComponentProperty(ics.PropertyTzname), tr.Name)
	}
	if tr.DST {
		return &ics.Daylight{ComponentBase: base}
	}
	return &ics.Standard{ComponentBase: base}
}

// utcOffset formats seconds east of UTC as an RFC 5545 UTC-OFFSET: +hhmm, or
// +hhmmss when there are seconds; zero is +0000 ("-0000" is not allowed).
func utcOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	h, m, s := sec/3600, sec/60%60, sec%60
	if s != 0 {
		return fmt.Sprintf("%c%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%c%02d%02d", sign, h, m)
}

// isUTC reports whether loc is UTC under any name: times are then written
// in UTC with no VTIMEZONE.
func isUTC(loc *time.Location) bool {
	if loc == time.UTC {
		return true
	}
	probe := time.Date(2000, 1, 1, 0, 0, 0, 0, loc)
	name, off := probe.Zone()
	if off != 0 || (name != "UTC" && name != "GMT" && name != "Z") {
		return false
	}
	_, end := probe.ZoneBounds()
	start, _ := probe.ZoneBounds()
	return start.IsZero() && end.IsZero()
}

// ambiguousLocal reports whether the local time of t in loc names two
// instants (the hour repeated when clocks go back). RFC 5545 reads such a
// local time as the first of the two, but libical, ical.js, node-ical,
// python-icalendar and others read it as the second, an hour late, so
// either instant is written in UTC. (An instant never has a local time that
// does not exist, so the hour skipped in spring needs nothing.)
func ambiguousLocal(t time.Time, loc *time.Location) bool {
	lt := t.In(loc)
	_, off := lt.Zone()
	wall := time.Date(lt.Year(), lt.Month(), lt.Day(), lt.Hour(), lt.Minute(), lt.Second(), lt.Nanosecond(), time.UTC)
	var neighbours []time.Time // an instant in the zone before and after
	start, end := lt.ZoneBounds()
	if !start.IsZero() {
		neighbours = append(neighbours, start.Add(-time.Second))
	}
	if !end.IsZero() {
		neighbours = append(neighbours, end)
	}
	for _, n := range neighbours {
		_, o := n.In(loc).Zone()
		if o == off {
			continue
		}
		// The same wall clock in the neighbouring offset: ambiguous if it
		// is an instant that really has that offset.
		other := wall.Add(-time.Duration(o) * time.Second)
		if _, got := other.In(loc).Zone(); got == o {
			return true
		}
	}
	return false
}
