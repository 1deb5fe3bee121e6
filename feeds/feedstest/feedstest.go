// Package feedstest checks iCalendar feeds in tests: the RFC 5545 rules that
// parsers forgive (CRLF, line length, required and singular properties, a
// VTIMEZONE for every TZID), and what ical.js, Mozilla's parser, reads from
// them (tools/icalcheck/parse.mjs).
package feedstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Prop is one content line: its name, parameters and value (still escaped).
type Prop struct {
	Name   string
	Params map[string]string
	Value  string
}

// Component is a BEGIN…END block.
type Component struct {
	Name     string
	Props    []Prop
	Children []*Component
}

// All returns the properties called name.
func (c *Component) All(name string) []Prop {
	var out []Prop
	for _, p := range c.Props {
		if p.Name == name {
			out = append(out, p)
		}
	}
	return out
}

// Get returns the value of the first property called name, or "".
func (c *Component) Get(name string) string {
	if ps := c.All(name); len(ps) > 0 {
		return ps[0].Value
	}
	return ""
}

// Sub returns the child components called name.
func (c *Component) Sub(name string) []*Component {
	var out []*Component
	for _, ch := range c.Children {
		if ch.Name == name {
			out = append(out, ch)
		}
	}
	return out
}

// Unescape decodes a TEXT value.
func Unescape(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\n`, "\n", `\N`, "\n", `\;`, ";", `\,`, ",").Replace(s)
}

// Lint checks the octets of a feed and parses it. Every problem is an error
// of the returned list; the calendar is nil when it could not be read.
func Lint(body []byte) (*Component, []error) {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	if !bytes.HasSuffix(body, []byte("\r\n")) {
		bad("the feed does not end with CRLF")
	}
	raw := strings.Split(strings.TrimSuffix(string(body), "\r\n"), "\r\n")
	var logical []string
	for i, l := range raw {
		n := i + 1
		if strings.ContainsAny(l, "\r\n") {
			bad("line %d: a bare CR or LF", n)
		}
		if len(l) > 75 {
			bad("line %d: %d octets (at most 75): %q", n, len(l), l)
		}
		if !utf8.ValidString(l) {
			bad("line %d: not valid UTF-8 on its own (a fold split a character?): %q", n, l)
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			if len(logical) == 0 {
				bad("line %d: a continuation with nothing to continue", n)
				continue
			}
			logical[len(logical)-1] += l[1:]
			continue
		}
		logical = append(logical, l)
	}
	var stack []*Component
	var root *Component
	for _, l := range logical {
		p, err := parseLine(l)
		if err != nil {
			bad("%v", err)
			continue
		}
		switch p.Name {
		case "BEGIN":
			c := &Component{Name: p.Value}
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.Children = append(top.Children, c)
			} else if root == nil {
				root = c
			} else {
				bad("a second top-level component %s", p.Value)
			}
			stack = append(stack, c)
		case "END":
			if len(stack) == 0 || stack[len(stack)-1].Name != p.Value {
				bad("END:%s does not close the open component", p.Value)
				continue
			}
			stack = stack[:len(stack)-1]
		default:
			if len(stack) == 0 {
				bad("property %s outside any component", p.Name)
				continue
			}
			top := stack[len(stack)-1]
			top.Props = append(top.Props, p)
		}
	}
	if len(stack) > 0 {
		bad("component %s is never closed", stack[len(stack)-1].Name)
	}
	if root == nil || root.Name != "VCALENDAR" {
		return nil, append(errs, errors.New("no VCALENDAR"))
	}
	return root, append(errs, checkCalendar(root)...)
}

func parseLine(l string) (Prop, error) {
	end := strings.IndexAny(l, ";:")
	if end <= 0 {
		return Prop{}, fmt.Errorf("not a content line: %q", l)
	}
	p := Prop{Name: strings.ToUpper(l[:end]), Params: map[string]string{}}
	rest := l[end:]
	for strings.HasPrefix(rest, ";") {
		rest = rest[1:]
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return Prop{}, fmt.Errorf("bad parameter in %q", l)
		}
		name := strings.ToUpper(rest[:eq])
		rest = rest[eq+1:]
		var val string
		if strings.HasPrefix(rest, `"`) {
			q := strings.IndexByte(rest[1:], '"')
			if q < 0 {
				return Prop{}, fmt.Errorf("unclosed quote in %q", l)
			}
			val, rest = rest[1:q+1], rest[q+2:]
		} else {
			stop := strings.IndexAny(rest, ";:")
			if stop < 0 {
				return Prop{}, fmt.Errorf("no value in %q", l)
			}
			val, rest = rest[:stop], rest[stop:]
			if strings.ContainsAny(val, `\"`) {
				return Prop{}, fmt.Errorf("parameter %s=%s: a backslash or quote in an unquoted value", name, val)
			}
		}
		p.Params[name] = val
	}
	if !strings.HasPrefix(rest, ":") {
		return Prop{}, fmt.Errorf("no value in %q", l)
	}
	p.Value = rest[1:]
	return p, nil
}

// singular are the VEVENT properties that may occur once at most.
var singular = []string{"CLASS", "CREATED", "DESCRIPTION", "GEO", "LAST-MODIFIED", "LOCATION", "ORGANIZER", "PRIORITY",
	"SEQUENCE", "STATUS", "SUMMARY", "TRANSP", "URL", "RECURRENCE-ID", "DTEND", "DURATION"}

func checkCalendar(cal *Component) []error {
	var errs []error
	bad := func(format string, a ...any) { errs = append(errs, fmt.Errorf(format, a...)) }
	for _, name := range []string{"PRODID", "VERSION"} {
		if n := len(cal.All(name)); n != 1 {
			bad("VCALENDAR has %d %s (exactly one)", n, name)
		}
	}
	if v := cal.Get("VERSION"); v != "2.0" {
		bad("VERSION:%s", v)
	}
	zones := map[string]bool{}
	for _, tz := range cal.Sub("VTIMEZONE") {
		id := tz.Get("TZID")
		if zones[id] {
			bad("VTIMEZONE %s twice", id)
		}
		zones[id] = true
		if len(tz.Children) == 0 {
			bad("VTIMEZONE %s has no STANDARD or DAYLIGHT", id)
		}
		for _, o := range tz.Children {
			for _, name := range []string{"DTSTART", "TZOFFSETFROM", "TZOFFSETTO"} {
				if len(o.All(name)) != 1 {
					bad("VTIMEZONE %s %s lacks exactly one %s", id, o.Name, name)
				}
			}
		}
	}
	uids := map[string]bool{}
	for _, ev := range cal.Sub("VEVENT") {
		uid := ev.Get("UID")
		for _, name := range []string{"UID", "DTSTAMP", "DTSTART"} {
			if n := len(ev.All(name)); n != 1 {
				bad("VEVENT %s has %d %s (exactly one)", uid, n, name)
			}
		}
		for _, name := range singular {
			if n := len(ev.All(name)); n > 1 {
				bad("VEVENT %s has %d %s (at most one)", uid, n, name)
			}
		}
		if uids[uid] {
			bad("UID %s twice", uid)
		}
		uids[uid] = true
		if !strings.HasSuffix(ev.Get("DTSTAMP"), "Z") {
			bad("VEVENT %s: DTSTAMP %s is not UTC", uid, ev.Get("DTSTAMP"))
		}
		for _, p := range ev.Props {
			tzid, ok := p.Params["TZID"]
			if !ok {
				continue
			}
			if !zones[tzid] {
				bad("VEVENT %s: %s uses TZID %s, which has no VTIMEZONE", uid, p.Name, tzid)
			}
			if strings.HasSuffix(p.Value, "Z") {
				bad("VEVENT %s: %s has a TZID and a UTC time %s", uid, p.Name, p.Value)
			}
		}
		for _, a := range ev.Sub("VALARM") {
			for _, name := range []string{"ACTION", "TRIGGER", "DESCRIPTION"} {
				if len(a.All(name)) != 1 {
					bad("VEVENT %s: VALARM lacks exactly one %s", uid, name)
				}
			}
		}
	}
	return errs
}

// CheckPublic reports what a public feed must never hold: attendees, an
// organiser (importers mail them), conference links, alarms, and any of the
// given strings (stream links, private addresses).
func CheckPublic(cal *Component, body []byte, never ...string) []error {
	var errs []error
	for _, ev := range cal.Sub("VEVENT") {
		for _, name := range []string{"ATTENDEE", "ORGANIZER", "CONFERENCE"} {
			if len(ev.All(name)) > 0 {
				errs = append(errs, fmt.Errorf("public VEVENT %s has %s", ev.Get("UID"), name))
			}
		}
		if len(ev.Sub("VALARM")) > 0 {
			errs = append(errs, fmt.Errorf("public VEVENT %s has a VALARM", ev.Get("UID")))
		}
	}
	unfolded := strings.ReplaceAll(string(body), "\r\n ", "")
	for _, s := range never {
		if strings.Contains(unfolded, s) {
			errs = append(errs, fmt.Errorf("public feed contains %q", s))
		}
	}
	return errs
}

// onset is when an observance of a VTIMEZONE begins and its offset.
type onset struct {
	at time.Time
	to int
}

// onsets reads the observances of an RRULE-free, RDATE-free VTIMEZONE (its
// DTSTARTs are local times in TZOFFSETFROM), in time order.
func onsets(tz *Component) ([]onset, error) {
	var all []onset
	for _, o := range tz.Children {
		if len(o.All("RRULE")) > 0 || len(o.All("RDATE")) > 0 {
			return nil, errors.New("feedstest reads RRULE-free, RDATE-free VTIMEZONEs only")
		}
		local, err := time.Parse("20060102T150405", o.Get("DTSTART"))
		if err != nil {
			return nil, err
		}
		from, err := parseOffset(o.Get("TZOFFSETFROM"))
		if err != nil {
			return nil, err
		}
		to, err := parseOffset(o.Get("TZOFFSETTO"))
		if err != nil {
			return nil, err
		}
		all = append(all, onset{local.Add(-time.Duration(from) * time.Second), to})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].at.Before(all[j].at) })
	return all, nil
}

// offsetAt is the offset of the latest onset not after t.
func offsetAt(all []onset, t time.Time) (int, bool) {
	if len(all) == 0 || t.Before(all[0].at) {
		return 0, false
	}
	off := 0
	for _, o := range all {
		if !o.at.After(t) {
			off = o.to
		}
	}
	return off, true
}

func parseOffset(s string) (int, error) {
	var h, m, sec int
	if len(s) != 5 && len(s) != 7 || (s[0] != '+' && s[0] != '-') {
		return 0, fmt.Errorf("bad UTC offset %q", s)
	}
	if _, err := fmt.Sscanf(s[1:5], "%02d%02d", &h, &m); err != nil {
		return 0, fmt.Errorf("bad UTC offset %q", s)
	}
	if len(s) == 7 {
		if _, err := fmt.Sscanf(s[5:], "%02d", &sec); err != nil {
			return 0, fmt.Errorf("bad UTC offset %q", s)
		}
	}
	v := h*3600 + m*60 + sec
	if s[0] == '-' {
		v = -v
	}
	return v, nil
}

// Instant reads a DTSTART or DTEND as the calendar means it: UTC, or local
// time in the VTIMEZONE of its TZID (the first of two equal local times).
func Instant(cal *Component, p Prop) (time.Time, error) {
	if strings.HasSuffix(p.Value, "Z") {
		return time.Parse("20060102T150405Z", p.Value)
	}
	local, err := time.Parse("20060102T150405", p.Value)
	if err != nil {
		return time.Time{}, err
	}
	for _, tz := range cal.Sub("VTIMEZONE") {
		if tz.Get("TZID") != p.Params["TZID"] {
			continue
		}
		all, err := onsets(tz)
		if err != nil {
			return time.Time{}, err
		}
		// Try each offset the zone uses; the earliest instant that reads
		// back as this local time is the one RFC 5545 means.
		var best time.Time
		for _, o := range all {
			u := local.Add(-time.Duration(o.to) * time.Second)
			if got, ok := offsetAt(all, u); !ok || got != o.to {
				continue
			}
			if best.IsZero() || u.Before(best) {
				best = u
			}
		}
		if best.IsZero() {
			return time.Time{}, fmt.Errorf("local time %s is not in VTIMEZONE %s (before it, or skipped by a change)", p.Value, p.Params["TZID"])
		}
		return best, nil
	}
	return time.Time{}, fmt.Errorf("no VTIMEZONE %s", p.Params["TZID"])
}

// Parsed is what ical.js read from one feed.
type Parsed struct {
	File      string   `json:"file"`
	Error     string   `json:"error"`
	Name      string   `json:"name"`
	CalName   string   `json:"calname"`
	Timezones []string `json:"timezones"`
	Events    []Event  `json:"events"`
}

// Event is what ical.js read from one VEVENT.
type Event struct {
	UID         string   `json:"uid"`
	Summary     string   `json:"summary"`
	Description string   `json:"description"`
	Location    string   `json:"location"`
	Status      string   `json:"status"`
	Sequence    int      `json:"sequence"`
	Start       int64    `json:"start"`
	End         int64    `json:"end"`
	StartZone   string   `json:"startZone"`
	DTStamp     int64    `json:"dtstamp"`
	URL         string   `json:"url"`
	Geo         []string `json:"geo"`
	Categories  []string `json:"categories"`
	Conference  []string `json:"conference"`
	Alarms      int      `json:"alarms"`
}

// ICALJS parses feeds with ical.js (node and the npm package ical.js, from
// `npm ci` at the repository root). Without them the test is skipped, unless
// CONVENE_REQUIRE_ICALJS=1, when it fails.
func ICALJS(t testing.TB, feeds ...[]byte) []Parsed {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	script := filepath.Join(root, "tools", "icalcheck", "parse.mjs")
	_, errNode := exec.LookPath("node")
	_, errPkg := os.Stat(filepath.Join(root, "node_modules", "ical.js", "package.json"))
	if errNode != nil || errPkg != nil {
		why := "node is not installed"
		if errNode == nil {
			why = "node_modules/ical.js is missing (run npm ci at the repository root)"
		}
		if os.Getenv("CONVENE_REQUIRE_ICALJS") == "1" {
			t.Fatalf("ical.js check required (CONVENE_REQUIRE_ICALJS=1) but %s", why)
		}
		t.Skipf("ical.js check skipped: %s; set CONVENE_REQUIRE_ICALJS=1 to make this a failure", why)
	}
	dir := t.TempDir()
	args := []string{script}
	for i, f := range feeds {
		p := filepath.Join(dir, fmt.Sprintf("feed%d.ics", i))
		if err := os.WriteFile(p, f, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	cmd := exec.Command("node", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ical.js: %v\n%s", err, stderr.String())
	}
	var parsed []Parsed
	if err := json.Unmarshal(out, &parsed); err != nil {
		t.Fatalf("ical.js output: %v", err)
	}
	for i, p := range parsed {
		if p.Error != "" {
			t.Errorf("ical.js could not read feed %d: %s", i, p.Error)
		}
	}
	return parsed
}

// repoRoot is the directory of go.mod above the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("feedstest: no go.mod above the working directory")
		}
		dir = parent
	}
}
