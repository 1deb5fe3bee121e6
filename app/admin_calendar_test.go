package app

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"convene/models"
)

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// iftarEditorForm is a complete event editor form for a new iftar at a London
// venue that follows the sun, with extra fields set.
func iftarEditorForm(extra ...string) url.Values {
	f := form("title", "Shared iftar", "kind", "iftar", "host", "open-doors", "timezone", "Europe/London",
		"start_rule", "sunset", "date", "2027-02-19", "sunset_offset_minutes", "0", "duration_minutes", "150",
		"format", "in_person", "venue.name", "Hall", "venue.latitude", "51.5072", "venue.longitude", "-0.1276",
		"venue.address_visibility", "public", "max_guests", "0", "reminder_hours", "24", "waitlist", "yes")
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

// TestEditorChecksBeforeSaving: the "Check the time and dates" button (no
// JavaScript) shows the iftar time and the clashes of the form as typed and
// saves nothing; saving then shows the same on the editor.
func TestEditorChecksBeforeSaving(t *testing.T) {
	f := newFixture(t, nil)
	before := countRows(t, f, &models.Event{})
	res := f.do(request{method: "POST", path: "/admin/events", role: roleOrganiser, form: iftarEditorForm("check", "1")})
	body := readBody(t, res)
	if res.StatusCode != 200 {
		t.Fatalf("check: %d %.500s", res.StatusCode, body)
	}
	// Friday 19 February 2027 in London: sunset 17:22:xx, iftar 17:23 by the
	// default (sunset, rounded up); Shabbat begins at candle lighting that evening.
	for _, want := range []string{"Checked, not saved yet", "Iftar at sunset — 5:23pm", `data-code="shabbat"`, "Shabbat in London: Fri 5:04pm – Sat 6:15pm", `value="Shared iftar"`} {
		if !strings.Contains(body, want) {
			t.Errorf("check page lacks %q", want)
		}
	}
	if got := countRows(t, f, &models.Event{}); got != before {
		t.Fatalf("checking saved an event: %d → %d", before, got)
	}
	res = f.do(request{method: "POST", path: "/admin/events", role: roleOrganiser, form: iftarEditorForm("check", "1", "venue.latitude", "91")})
	if body := readBody(t, res); res.StatusCode != 422 || !strings.Contains(body, "Latitude must be between -90 and 90") {
		t.Fatalf("check with a bad latitude: %d %.300s", res.StatusCode, body)
	}
	res = f.do(request{method: "POST", path: "/admin/events", role: roleOrganiser, form: iftarEditorForm("venue.latitude", "78.22", "venue.longitude", "15.65", "date", "2027-06-21")})
	if body := readBody(t, res); res.StatusCode != 422 || !strings.Contains(body, "does not set") {
		t.Fatalf("polar day: %d %.300s", res.StatusCode, body)
	}

	res = f.do(request{method: "POST", path: "/admin/events", role: roleOrganiser, form: iftarEditorForm()})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", res.StatusCode, readBody(t, res))
	}
	loc := res.Header.Get("Location")
	res = f.do(request{method: "GET", path: loc, role: roleOrganiser})
	body = readBody(t, res)
	for _, want := range []string{"Iftar at sunset — 5:23pm", "Shabbat in London: Fri 5:04pm – Sat 6:15pm", "Dates to consider", "Eid al-Fitr"} {
		if !strings.Contains(body, want) {
			t.Errorf("editor after saving lacks %q", want)
		}
	}
}

func countRows(t *testing.T, f *fixture, model any) int64 {
	t.Helper()
	var n int64
	if err := f.db.DB.Model(model).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNewEventFromSuggestion(t *testing.T) {
	f := newFixture(t, nil)
	res := f.do(request{method: "GET", path: "/admin/events/new?kind=memorial&date=2027-01-27", role: roleOrganiser})
	body := readBody(t, res)
	if res.StatusCode != 200 || !strings.Contains(body, `value="2027-01-27T19:00"`) || !regexp.MustCompile(`<option value="memorial" selected>`).MatchString(body) {
		t.Fatalf("%d %.300s", res.StatusCode, body)
	}
	if !strings.Contains(body, "Holocaust Memorial Day") || !strings.Contains(body, "/admin/events/new?kind=memorial&amp;date=") {
		t.Errorf("no memorial suggestions")
	}
}

func TestCalendarSettingsForm(t *testing.T) {
	f := newFixture(t, nil)
	path := "/admin/organisations/open-doors/calendar"
	res := f.do(request{method: "POST", path: path, role: roleOrganiser, form: form("home_place.name", "Leeds", "home_place.latitude", "95",
		"home_place.longitude", "-1.55", "home_place.timezone", "Europe/London", "iftar_method", "uk", "hijri_offset_days", "0",
		"anniversaries.0.title", "Founding", "anniversaries.0.day", "31", "anniversaries.0.month", "2", "anniversaries.0.year", "")})
	body := readBody(t, res)
	if res.StatusCode != 422 || !strings.Contains(body, "Latitude must be between -90 and 90") || !strings.Contains(body, `value="Leeds"`) {
		t.Fatalf("bad latitude: %d %.500s", res.StatusCode, body)
	}
	res = f.do(request{method: "POST", path: path, role: roleOrganiser, form: form("home_place.name", "Leeds", "home_place.latitude", "53.8",
		"home_place.longitude", "-1.55", "home_place.timezone", "Europe/London", "iftar_method", "uk", "hijri_offset_days", "0",
		"anniversaries.0.title", "Founding", "anniversaries.0.day", "31", "anniversaries.0.month", "2")})
	if body := readBody(t, res); res.StatusCode != 422 || !strings.Contains(body, "Enter a day from 1 to 29") {
		t.Fatalf("31 February: %d %.500s", res.StatusCode, body)
	}
	res = f.do(request{method: "POST", path: path, role: roleOrganiser, form: form("home_place.name", "Leeds", "home_place.latitude", "53.8",
		"home_place.longitude", "-1.55", "home_place.timezone", "Europe/London", "iftar_method", "moonsighting", "hijri_offset_days", "1",
		"anniversaries.0.title", "", "anniversaries.1.title", "Founding", "anniversaries.1.day", "14", "anniversaries.1.month", "3", "anniversaries.1.year", "2017")})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", res.StatusCode, readBody(t, res))
	}
	var o models.Organisation
	f.db.DB.Where("slug = ?", "open-doors").Take(&o)
	if o.HomePlace != "Leeds" || o.IftarMethod != "moonsighting" || o.HijriOffset != 1 {
		t.Fatalf("saved %+v", o)
	}
	res = f.do(request{method: "GET", path: "/admin/calendar?month=2027-03&org=open-doors", role: roleOrganiser})
	body = readBody(t, res)
	for _, want := range []string{"Times for <strong>Leeds</strong>", "Founding (10th anniversary)", "Eid al-Fitr (estimated)", "a day later for your community"} {
		if !strings.Contains(body, want) {
			t.Errorf("calendar lacks %q", want)
		}
	}
}

// TestObservanceFeed: the private feed answers only its token, with the
// observances of the organisation's home place.
func TestObservanceFeed(t *testing.T) {
	f := newFixture(t, nil)
	res := f.do(request{method: "POST", path: "/admin/calendar/feed", role: roleOrganiser, form: form("org", "open-doors", "month", "2026-12")})
	body := readBody(t, res)
	m := regexp.MustCompile(`/calendar/observances/([0-9]+_[A-Za-z0-9_-]{32})\.ics`).FindStringSubmatch(body)
	if res.StatusCode != 201 || m == nil {
		t.Fatalf("%d %.500s", res.StatusCode, body)
	}
	res = f.do(request{method: "GET", path: "/calendar/observances/" + m[1] + ".ics"})
	feed := readBody(t, res)
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "SUMMARY:Shabbat\r\n", "SUMMARY:Christmas Day\r\n", "SUMMARY:Ramadan (estimated)\r\n", "STATUS:TENTATIVE\r\n", "SUMMARY:Holocaust Memorial Day\r\n", "CATEGORIES:jewish"} {
		if !strings.Contains(feed, want) {
			t.Errorf("feed lacks %q", want)
		}
	}
	for _, bad := range []string{"1_" + strings.Repeat("A", 32), "nonsense", m[1][:len(m[1])-1] + "x"} {
		if res := f.do(request{method: "GET", path: "/calendar/observances/" + bad + ".ics"}); res.StatusCode != 404 {
			t.Errorf("%s: %d", bad, res.StatusCode)
		}
	}
}

// TestTentativeEverywhere: a tentative event carries the badge on the
// public page, the lists, the manage page and the organiser pages, and
// STATUS:TENTATIVE in feeds; an iftar shows its time.
func TestTentativeEverywhere(t *testing.T) {
	f := newFixture(t, nil)
	yes := true
	if _, err := models.UpdateEvent(f.db.DB, "iftar", models.EventInput{Tentative: &yes}, nil, f.now); err != nil {
		t.Fatal(err)
	}
	f.app.events.reset()
	pages := map[string]string{
		"event page":   "/events/iftar",
		"home":         "/",
		"organisation": "/organisations/open-doors",
		"manage page":  "/r/" + f.app.tok.ManageToken(f.reg),
	}
	for name, path := range pages {
		res := f.do(request{method: "GET", path: path})
		body := readBody(t, res)
		if res.StatusCode != 200 || !strings.Contains(body, `class="badge badge-tentative"`) {
			t.Errorf("%s: %d, no tentative badge", name, res.StatusCode)
		}
		if !strings.Contains(body, "Iftar at sunset — ") {
			t.Errorf("%s: no iftar time", name)
		}
	}
	if res := f.do(request{method: "GET", path: "/r/" + f.app.tok.ManageToken(f.reg) + "/cancel"}); !strings.Contains(readBody(t, res), `class="badge badge-tentative"`) {
		t.Errorf("cancel page: no tentative badge")
	}
	for _, path := range []string{"/admin/events", "/admin", "/admin/events/iftar/edit", "/admin/events/iftar/attendees", "/admin/events/iftar/door",
		"/admin/check-in/" + f.app.tok.CheckInCode(f.reg), "/admin/calendar?org=open-doors&month=" + f.ev.StartsAt.Format("2006-01")} {
		res := f.do(request{method: "GET", path: path, role: roleOrganiser})
		if body := readBody(t, res); !strings.Contains(body, `class="badge badge-tentative"`) {
			t.Errorf("%s: %d, no tentative badge", path, res.StatusCode)
		}
	}
	for _, path := range []string{"/events/iftar.ics", "/calendar.ics", "/me/" + f.app.tok.FeedToken(f.reg) + ".ics"} {
		res := f.do(request{method: "GET", path: path})
		if body := readBody(t, res); !strings.Contains(body, "STATUS:TENTATIVE") || !strings.Contains(body, "Iftar at sunset — ") {
			t.Errorf("%s: %d, no STATUS:TENTATIVE or iftar time", path, res.StatusCode)
		}
	}
}
