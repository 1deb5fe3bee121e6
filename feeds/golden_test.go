package feeds_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"convene/feeds"
	"convene/feeds/feedstest"
	"convene/models"
)

var update = flag.Bool("update", false, "rewrite the golden feeds in testdata/")

// golden is one feed of each type, built from the fixture.
type golden struct {
	name  string
	meta  feeds.Meta
	items []feeds.Item
	opts  feeds.Options
}

func goldens() []golden {
	evs := fixture()
	pick := func(ids ...int) []feeds.Item {
		var out []feeds.Item
		for _, id := range ids {
			out = append(out, feeds.Item{Event: &evs[id-1]})
		}
		return out
	}
	reg := func(id int, status, mode string) feeds.Item {
		return feeds.Item{Event: &evs[id-1], Registration: &models.Registration{ID: uint(100 + id), EventID: uint(id),
			Status: status, Attendance: mode, UpdatedAt: utc("2026-09-03 12:00")}}
	}
	single := feeds.Options{BaseURL: baseURL, Single: true, KindLabel: kindLabel}
	return []golden{
		{"all", feeds.Meta{Name: "Convene events", Description: "Public meetings, solidarity iftars, livestreams and interfaith memorials.", URL: baseURL + "/"},
			pick(7, 8, 1, 3, 4, 2, 6, 5), public()},
		{"kind", feeds.Meta{Name: "Convene: Public meetings", URL: baseURL + "/?kind=meeting"}, pick(7, 1, 6), public()},
		{"organisation", feeds.Meta{Name: "Al-Noor Mosque events", Description: "A neighbourhood mosque.", URL: baseURL + "/organisations/al-noor-mosque"},
			pick(4, 2), public()},
		{"series", feeds.Meta{Name: "Week of Action Against Hate", URL: baseURL + "/series/week-of-action"}, pick(6, 5), public()},
		{"event", feeds.Meta{Name: evs[3].Title, URL: baseURL + "/events/hmd-memorial"}, pick(4), single},
		{"private", feeds.Meta{Name: "My Convene events"}, []feeds.Item{
			reg(3, models.RegConfirmed, models.Online), reg(4, models.RegWaitlisted, models.Online),
			reg(2, models.RegConfirmed, models.InPerson), reg(6, models.RegConfirmed, models.InPerson)}, private()},
	}
}

// TestGoldenFeeds compares one feed of each type with testdata/NAME.ics
// (go test ./app/feeds -run Golden -update rewrites them), and has ical.js
// read them all.
func TestGoldenFeeds(t *testing.T) {
	var bodies [][]byte
	gs := goldens()
	for _, g := range gs {
		body := feeds.Build(g.meta, g.items, g.opts)
		bodies = append(bodies, body)
		t.Run(g.name, func(t *testing.T) {
			cal := lint(t, body)
			if !g.opts.Private {
				for _, err := range feedstest.CheckPublic(cal, body, stream, "stream.example.org", "Hill Rise") {
					t.Error(err)
				}
			}
			path := filepath.Join("testdata", g.name+".ics")
			if *update {
				if err := os.WriteFile(path, body, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(body, want) {
				t.Errorf("feed differs from %s (run with -update after checking the change):\n%s", path, body)
			}
		})
	}

	t.Run("ical.js", func(t *testing.T) {
		parsed := feedstest.ICALJS(t, bodies...)
		for i, p := range parsed {
			g := gs[i]
			t.Run(g.name, func(t *testing.T) {
				wantName := g.meta.Name
				if g.opts.Single {
					wantName = "" // a file to import, not a calendar
				}
				if p.Name != wantName || p.CalName != wantName {
					t.Errorf("NAME %q, X-WR-CALNAME %q, want %q", p.Name, p.CalName, wantName)
				}
				if len(p.Events) != len(g.items) {
					t.Fatalf("ical.js read %d events, want %d", len(p.Events), len(g.items))
				}
				for j, e := range p.Events {
					ev, reg := g.items[j].Event, g.items[j].Registration
					if e.UID != feeds.UID(ev, "events.example.org") {
						t.Errorf("UID %s", e.UID)
					}
					if e.Start != ev.StartsAt.Unix() || e.End != ev.EndsAt.Unix() {
						t.Errorf("%s: ical.js reads %d–%d, want %d–%d", e.UID, e.Start, e.End, ev.StartsAt.Unix(), ev.EndsAt.Unix())
					}
					if e.StartZone == "floating" || e.StartZone == "" {
						t.Errorf("%s: floating time", e.UID)
					}
					if e.Summary != feeds.Title(ev, reg) || e.Status != string(feeds.Status(ev, reg)) || e.Sequence != ev.Sequence {
						t.Errorf("%s: %q %s %d", e.UID, e.Summary, e.Status, e.Sequence)
					}
					if e.DTStamp != ev.UpdatedAt.Unix() && (reg == nil || e.DTStamp != reg.UpdatedAt.Unix()) {
						t.Errorf("%s: DTSTAMP %d", e.UID, e.DTStamp)
					}
					if len(e.Categories) != 1+len(ev.Hosts) {
						t.Errorf("%s: categories %q", e.UID, e.Categories)
					}
				}
			})
		}
	})
}

// TestICALJSReadsGeneratedTimezones has ical.js read the events of every
// zone of TestVTimezoneGivesGoTimes through the generated VTIMEZONEs.
func TestICALJSReadsGeneratedTimezones(t *testing.T) {
	var bodies [][]byte
	var all [][]models.Event
	for _, tz := range zones {
		evs := zoneEvents(tz)
		all = append(all, evs)
		bodies = append(bodies, feeds.Build(feeds.Meta{Name: tz}, items(evs), public()))
	}
	for i, p := range feedstest.ICALJS(t, bodies...) {
		evs := all[i]
		if len(p.Events) != len(evs) {
			t.Fatalf("%s: ical.js read %d events, want %d", zones[i], len(p.Events), len(evs))
		}
		for j, e := range p.Events {
			if e.Start != evs[j].StartsAt.Unix() || e.End != evs[j].EndsAt.Unix() {
				t.Errorf("%s: event at %s (%s) read as %d–%d, want %d–%d", zones[i], evs[j].StartsAt.In(loadZone(zones[i])),
					e.StartZone, e.Start, e.End, evs[j].StartsAt.Unix(), evs[j].EndsAt.Unix())
			}
		}
	}
}
