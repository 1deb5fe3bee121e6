package app_test

import (
	"encoding/json"
	"fmt"
	"html"
	"regexp"
	"strings"
	"testing"
	"time"

	"convene/models"
)

var (
	jsonLDRe = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)
	metaRe   = regexp.MustCompile(`<meta (?:property|name)="([^"]+)" content="([^"]*)">`)
)

// pageMeta reads a page's Open Graph and Twitter tags, unescaped.
func pageMeta(page string) map[string]string {
	out := map[string]string{}
	for _, m := range metaRe.FindAllStringSubmatch(page, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// pageJSONLD parses the page's one JSON-LD block.
func pageJSONLD(t *testing.T, page string) map[string]any {
	t.Helper()
	blocks := jsonLDRe.FindAllStringSubmatch(page, -1)
	if len(blocks) != 1 {
		t.Fatalf("%d JSON-LD blocks, want 1", len(blocks))
	}
	var ld map[string]any
	if err := json.Unmarshal([]byte(blocks[0][1]), &ld); err != nil {
		t.Fatalf("JSON-LD does not parse: %v\n%s", err, blocks[0][1])
	}
	return ld
}

func TestEventSharingMeta(t *testing.T) {
	e := newEnv(t, nil)
	for _, o := range []models.OrganisationInput{
		{Slug: "al-noor", Name: `Al-Noor "Mosque" & Centre`, Timezone: "Europe/London"},
		{Slug: "northside", Name: "Northside Synagogue", Timezone: "Europe/London"},
	} {
		if _, err := models.SaveOrganisation(e.db.DB, 0, o, nil, testNow); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := models.SaveSeries(e.db.DB, 0, models.SeriesInput{Slug: "week", Title: "Week of Action"}, nil, testNow); err != nil {
		t.Fatal(err)
	}
	const (
		tricky  = `Vigil </script><script>alert("x")</script> <!-- it's "ours" & yours`
		stream  = "https://stream.example.net/secret-room"
		address = "12 Hill Rise, London"
	)
	lat, lng := 51.5393, -0.1028
	private, public := models.AddressRegistrants, models.AddressPublic
	yes, no := true, false
	tests := []struct {
		name   string
		change func(*models.EventInput)
		mode   string
		status string
		// places are the @type of each location, in order.
		places  []string
		address bool
		ogTitle string
	}{
		{"in person, public address", func(in *models.EventInput) {
			in.Summary = sp("Prayers and candle lighting.")
			in.Venue = &models.VenueInput{Name: sp("St Mary's"), Address: sp(address), Latitude: &lat, Longitude: &lng, AddressVisibility: &public}
			in.Hosts = &[]models.HostInput{{Organisation: "al-noor"}, {Organisation: "northside", Role: models.RoleCoHost}}
			in.Series = sp("week")
		}, "OfflineEventAttendanceMode", "EventScheduled", []string{"Place"}, true, ""},
		{"hybrid, private address, stream", func(in *models.EventInput) {
			in.Online, in.StreamURL = &yes, sp(stream)
			in.Venue = &models.VenueInput{Name: sp("Community hall"), Address: sp(address), Latitude: &lat, Longitude: &lng, AddressVisibility: &private}
		}, "MixedEventAttendanceMode", "EventScheduled", []string{"Place", "VirtualLocation"}, false, ""},
		{"online only", func(in *models.EventInput) {
			in.InPerson, in.Online, in.StreamURL = &no, &yes, sp(stream)
			in.Venue = nil
			in.Kind = sp(models.KindLivestream)
		}, "OnlineEventAttendanceMode", "EventScheduled", []string{"VirtualLocation"}, false, ""},
		{"tricky title", func(in *models.EventInput) {
			in.Title = sp(tricky)
			in.Summary = sp(`A "quoted" </SCRIPT> summary`)
		}, "OfflineEventAttendanceMode", "EventScheduled", []string{"Place"}, true, tricky},
		{"postponed", func(in *models.EventInput) { in.Status = sp(models.StatusPostponed) },
			"OfflineEventAttendanceMode", "EventPostponed", []string{"Place"}, true, ""},
		{"cancelled", func(in *models.EventInput) {
			in.Status = sp(models.StatusCancelled)
			in.CancelMessage = sp("The speaker is ill.")
		}, "OfflineEventAttendanceMode", "EventCancelled", []string{"Place"}, true, "Cancelled: "},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			slug := "share-" + string(rune('a'+i))
			ev := e.event(slug, tt.change)
			r, page := e.get("/events/" + slug)
			if r.StatusCode != 200 {
				t.Fatalf("status %d", r.StatusCode)
			}
			url := "http://convene.test/events/" + slug
			for _, never := range []string{stream, "stream.example.net", "</script><script>", `alert("x")`} {
				if strings.Contains(page, never) {
					t.Errorf("page holds %q", never)
				}
			}
			if !tt.address && (strings.Contains(page, "Hill Rise") || strings.Contains(page, "51.5393")) {
				t.Error("page shows the private address or its coordinates")
			}

			ld := pageJSONLD(t, page)
			if ld["@context"] != "https://schema.org" || ld["@type"] != "Event" {
				t.Errorf("@context %v, @type %v", ld["@context"], ld["@type"])
			}
			if ld["name"] != ev.Title || ld["url"] != url {
				t.Errorf("name %q, url %q; want %q, %q", ld["name"], ld["url"], ev.Title, url)
			}
			if ev.Summary != "" && ld["description"] != ev.Summary {
				t.Errorf("description %q, want %q", ld["description"], ev.Summary)
			}
			if ld["eventAttendanceMode"] != "https://schema.org/"+tt.mode || ld["eventStatus"] != "https://schema.org/"+tt.status {
				t.Errorf("mode %v, status %v; want %s, %s", ld["eventAttendanceMode"], ld["eventStatus"], tt.mode, tt.status)
			}
			if ld["startDate"] != ev.StartsAt.Format("2006-01-02T15:04:05Z07:00") && !strings.HasPrefix(ld["startDate"].(string), ev.StartsAt.Format("2006-01-02")) {
				t.Errorf("startDate %v", ld["startDate"])
			}
			locs, _ := ld["location"].([]any)
			if len(locs) != len(tt.places) {
				t.Fatalf("location %v, want %v", ld["location"], tt.places)
			}
			for j, want := range tt.places {
				loc := locs[j].(map[string]any)
				if loc["@type"] != want {
					t.Errorf("location %d is %v, want %s", j, loc["@type"], want)
				}
				switch want {
				case "VirtualLocation":
					if loc["url"] != url {
						t.Errorf("VirtualLocation url %v, want the public page %s", loc["url"], url)
					}
				case "Place":
					_, hasAddress := loc["address"]
					_, hasGeo := loc["geo"]
					if hasAddress != tt.address || (hasGeo && !tt.address) {
						t.Errorf("Place %v: address shown %v, want %v", loc, hasAddress, tt.address)
					}
				}
			}

			meta := pageMeta(page)
			wantTitle := ev.Title
			if tt.ogTitle == "Cancelled: " {
				wantTitle = "Cancelled: " + ev.Title
			}
			if meta["og:title"] != wantTitle || meta["twitter:title"] != wantTitle {
				t.Errorf("og:title %q, twitter:title %q; want %q", meta["og:title"], meta["twitter:title"], wantTitle)
			}
			if meta["og:url"] != url || meta["twitter:card"] != "summary" || meta["og:description"] == "" {
				t.Errorf("og:url %q, twitter:card %q, og:description %q", meta["og:url"], meta["twitter:card"], meta["og:description"])
			}
			if !strings.Contains(page, `<a href="`+url+`" aria-describedby="share-title" dir="ltr">`+url+`</a>`) {
				t.Error("the page does not show its address as a link to copy")
			}
			if !strings.Contains(page, `data-copy="`+url+`" hidden`) {
				t.Error("the Copy button is missing, or shown before the script can copy")
			}
		})
	}

	t.Run("organisers", func(t *testing.T) {
		_, page := e.get("/events/share-a")
		ld := pageJSONLD(t, page)
		orgs, _ := ld["organizer"].([]any)
		if len(orgs) != 2 {
			t.Fatalf("organizer %v", ld["organizer"])
		}
		first := orgs[0].(map[string]any)
		if first["@type"] != "Organization" || first["name"] != `Al-Noor "Mosque" & Centre` || first["url"] != "http://convene.test/organisations/al-noor" {
			t.Errorf("organizer %v", first)
		}
		series, _ := ld["superEvent"].(map[string]any)
		if series["@type"] != "EventSeries" || series["name"] != "Week of Action" {
			t.Errorf("superEvent %v", ld["superEvent"])
		}
	})
}

func TestPoster(t *testing.T) {
	e := newEnv(t, nil)
	private := models.AddressRegistrants
	yes := true
	e.event("poster-hybrid", func(in *models.EventInput) {
		in.Title = sp("Iftar <together>")
		in.Online, in.StreamURL = &yes, sp("https://stream.example.net/secret")
		in.Venue = &models.VenueInput{Name: sp("Community hall"), Address: sp("12 Hill Rise"), AddressVisibility: &private}
	})
	e.event("poster-draft", func(in *models.EventInput) { in.Status = sp(models.StatusDraft) })
	tests := []struct {
		path   string
		status int
		want   []string
		never  []string
	}{
		{"/events/poster-hybrid/poster", 200,
			[]string{"Iftar &lt;together&gt;", "GMT, London time", "Community hall", "Address sent to registered guests",
				`<svg class="qr"`, "http://convene.test/events/poster-hybrid", "You can also join online"},
			[]string{"Hill Rise", "stream.example.net"}},
		{"/events/poster-draft/poster", 404, nil, nil},
		{"/events/nope/poster", 404, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r, page := e.get(tt.path)
			if r.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", r.StatusCode, tt.status)
			}
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("poster lacks %q", w)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(page, n) {
					t.Errorf("poster holds %q", n)
				}
			}
		})
	}
}

// TestRescheduledEventJSONLD: a published event whose start was moved says
// EventRescheduled with the start it had; postponed and cancelled keep theirs.
func TestRescheduledEventJSONLD(t *testing.T) {
	e := newEnv(t, nil)
	first := testNow.Add(10 * 24 * time.Hour) // e.event's start
	later := first.Add(7 * 24 * time.Hour)
	move := models.EventInput{StartsAt: &later, EndsAt: ptrTime(later.Add(2 * time.Hour))}
	cases := []struct {
		name     string
		changes  []models.EventInput
		status   string
		previous string
	}{
		{"as published", nil, "EventScheduled", ""},
		{"moved a week", []models.EventInput{move}, "EventRescheduled", first.Format(time.RFC3339)},
		{"moved, then postponed", []models.EventInput{move, {Status: sp(models.StatusPostponed)}}, "EventPostponed", ""},
		{"moved, then cancelled", []models.EventInput{move, {Status: sp(models.StatusCancelled)}}, "EventCancelled", ""},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			slug := fmt.Sprintf("moved-%d", i)
			e.event(slug, nil)
			for _, in := range c.changes {
				if _, err := models.UpdateEvent(e.db.DB, slug, in, nil, testNow); err != nil {
					t.Fatal(err)
				}
			}
			r, page := e.get("/events/" + slug)
			if r.StatusCode != 200 {
				t.Fatalf("%d", r.StatusCode)
			}
			ld := pageJSONLD(t, page)
			prev, _ := ld["previousStartDate"].(string)
			if ld["eventStatus"] != "https://schema.org/"+c.status || prev != c.previous {
				t.Errorf("eventStatus %v, previousStartDate %q; want %s, %q", ld["eventStatus"], prev, c.status, c.previous)
			}
			if c.status == "EventRescheduled" && ld["startDate"] != later.Format(time.RFC3339) {
				t.Errorf("startDate %v, want the new start", ld["startDate"])
			}
		})
	}
}

func ptrTime(t time.Time) *time.Time { return &t }
