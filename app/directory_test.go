package app_test

import (
	"regexp"
	"strings"
	"testing"

	"convene/models"
)

// TestIndexPages: /organisations and /series list what the pages they link
// to show, in order, with each calendar; never an organisation's private
// address; and say so when there is nothing to list.
func TestIndexPages(t *testing.T) {
	e := seeded(t)
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(models.SaveSeries(e.db.DB, 0, models.SeriesInput{Slug: "refugee-week", Title: "Refugee Week", Description: "Vigils past."}, nil, testNow))
	must(models.SaveSeries(e.db.DB, 0, models.SeriesInput{Slug: "iftars-2028", Title: "Iftars of 2028", Description: strings.Repeat("A long description of a series. ", 20)}, nil, testNow))
	must(models.SaveSeries(e.db.DB, 0, models.SeriesInput{Slug: "drafts-only", Title: "Drafts only"}, nil, testNow))
	must(models.UpdateEvent(e.db.DB, "past-vigil-for-refugees", models.EventInput{Series: sp("refugee-week")}, nil, testNow))
	e.event("secret-draft", func(in *models.EventInput) { in.Status, in.Series = sp(models.StatusDraft), sp("drafts-only") })
	empty := newEnv(t, nil)

	tests := []struct {
		name   string
		env    *testEnv
		path   string
		status int
		want   []string // in this order
		never  []string
	}{
		{"organisations", e, "/organisations", 200, []string{`<h1>Organisations</h1>`,
			`<p class="event-kind">Mosque</p>`, `<a href="/organisations/al-noor-mosque" dir="auto">Al-Noor Mosque</a>`, "A neighbourhood mosque",
			`href="/organisations/northside-synagogue"`, `href="/organisations/open-doors"`, "A small human-rights charity",
			`href="webcal://convene.test/organisations/open-doors.ics"`, `href="http://convene.test/organisations/open-doors.ics"`,
			`href="/organisations/riverside-radio"`, `href="/organisations/st-marys-church"`, `href="/calendar"`},
			[]string{"events@opendoors.example.org", "mailto:", "opendoors.example.org", "No organisations are listed"}},
		{"series", e, "/series", 200, []string{`<h1>Series</h1>`, `id="active-title">Coming up`,
			`<a href="/series/week-of-action" dir="auto">Week of Action Against Hate</a>`, "A coalition week", "Next: <time", "3 upcoming events",
			`href="webcal://convene.test/series/week-of-action.ics"`,
			`id="quiet-title">No upcoming events`, `href="/series/drafts-only"`, "No events yet",
			`href="/series/iftars-2028"`, "…", `href="/series/refugee-week"`, "Past events only"},
			[]string{"secret-draft", "There are no series yet", "No series has events coming up"}},
		{"organisations, none", empty, "/organisations", 200, []string{"No organisations are listed yet"}, []string{"index-card"}},
		{"series, none", empty, "/series", 200, []string{"There are no series yet"}, []string{"index-card", "Coming up"}},
		{"organisation page links back", e, "/organisations/open-doors", 200, []string{`<a href="/organisations">All organisations</a>`}, nil},
		{"series page links back", e, "/series/week-of-action", 200, []string{`<a href="/series">All series</a>`}, nil},
		{"calendar page links both", e, "/calendar", 200, []string{`<a href="/organisations">all organisations</a>`, `<a href="/series">all series</a>`}, nil},
		{"footer of every page", e, "/", 200, []string{`<footer`, `<a href="/organisations">Organisations</a>`, `<a href="/series">Series</a>`}, nil},
		{"trailing slash", e, "/organisations/", 200, []string{`<h1>Organisations</h1>`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, b := tt.env.get(tt.path)
			if r.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%s", r.StatusCode, tt.status, b)
			}
			rest := b
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("page lacks %q after what came before it:\n%s", w, b)
				}
				rest = rest[i+len(w):]
			}
			for _, n := range tt.never {
				if strings.Contains(b, n) {
					t.Errorf("page must not contain %q", n)
				}
			}
		})
	}

	// Only the events the series page lists are counted: the draft is not.
	_, b := e.get("/series")
	if m := regexp.MustCompile(`(?s)series/drafts-only".*?index-count">([^<]*)<`).FindStringSubmatch(b); m == nil || m[1] != "No events yet" {
		t.Errorf("a series with only a draft says %q", m)
	}
}
