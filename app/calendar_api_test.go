package app_test

import (
	"fmt"
	"strings"
	"testing"
)

// warningCodes are the codes of an API answer's warnings.
func warningCodes(t *testing.T, ev map[string]any) []string {
	t.Helper()
	raw, ok := ev["warnings"].([]any)
	if !ok {
		t.Fatalf("warnings is not a list: %#v", ev["warnings"])
	}
	var out []string
	for _, w := range raw {
		m, _ := w.(map[string]any)
		code, _ := m["code"].(string)
		msg, _ := m["message"].(string)
		if code == "" || msg == "" {
			t.Fatalf("warning without code or message: %#v", w)
		}
		out = append(out, code)
	}
	return out
}

// TestAPIClashWarnings creates and edits events through the API on dates
// that must raise each warning code and dates that must not (London venue,
// local times with their offset).
func TestAPIClashWarnings(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.token("org@example.org", false, "open-doors")
	cases := []struct {
		code, start, end string
		kind             string
		raise            bool
	}{
		{"shabbat", "2026-11-27T18:00:00Z", "2026-11-27T20:00:00Z", "", true},
		{"shabbat", "2026-11-27T10:00:00Z", "2026-11-27T11:00:00Z", "", false},
		{"rosh_hashanah", "2026-09-13T10:00:00+01:00", "2026-09-13T12:00:00+01:00", "", true},
		{"rosh_hashanah", "2026-09-15T10:00:00+01:00", "2026-09-15T12:00:00+01:00", "", false},
		{"yom_kippur", "2026-09-21T10:00:00+01:00", "2026-09-21T12:00:00+01:00", "", true},
		{"yom_kippur", "2026-09-22T10:00:00+01:00", "2026-09-22T12:00:00+01:00", "", false},
		{"sukkot", "2026-09-27T10:00:00+01:00", "2026-09-27T12:00:00+01:00", "", true},
		{"sukkot", "2026-09-29T10:00:00+01:00", "2026-09-29T12:00:00+01:00", "", false},
		{"shemini_atzeret", "2026-10-03T10:00:00+01:00", "2026-10-03T12:00:00+01:00", "", true},
		{"shemini_atzeret", "2026-10-01T10:00:00+01:00", "2026-10-01T12:00:00+01:00", "", false},
		{"simchat_torah", "2026-10-04T10:00:00+01:00", "2026-10-04T12:00:00+01:00", "", true},
		{"simchat_torah", "2026-10-05T10:00:00+01:00", "2026-10-05T12:00:00+01:00", "", false},
		{"pesach", "2027-04-22T10:00:00+01:00", "2027-04-22T12:00:00+01:00", "", true},
		{"pesach", "2027-04-29T10:00:00+01:00", "2027-04-29T12:00:00+01:00", "", true},
		{"pesach", "2027-04-26T10:00:00+01:00", "2027-04-26T12:00:00+01:00", "", false},
		{"shavuot", "2027-06-11T10:00:00+01:00", "2027-06-11T11:00:00+01:00", "", true},
		{"shavuot", "2027-06-15T10:00:00+01:00", "2027-06-15T11:00:00+01:00", "", false},
		{"eid_al_fitr", "2027-03-09T11:00:00Z", "2027-03-09T13:00:00Z", "", true},
		{"eid_al_fitr", "2027-03-12T11:00:00Z", "2027-03-12T13:00:00Z", "", false},
		{"eid_al_adha", "2027-05-16T11:00:00+01:00", "2027-05-16T13:00:00+01:00", "", true},
		{"eid_al_adha", "2027-05-20T11:00:00+01:00", "2027-05-20T13:00:00+01:00", "", false},
		{"jumuah", "2026-12-04T12:30:00Z", "2026-12-04T13:30:00Z", "", true},
		{"jumuah", "2026-12-04T09:00:00Z", "2026-12-04T10:00:00Z", "", false},
		{"christmas", "2026-12-25T11:00:00Z", "2026-12-25T13:00:00Z", "", true},
		{"christmas", "2026-12-26T11:00:00Z", "2026-12-26T13:00:00Z", "", false},
		{"good_friday", "2027-03-26T10:00:00Z", "2027-03-26T11:00:00Z", "", true},
		{"good_friday", "2027-03-24T10:00:00Z", "2027-03-24T11:00:00Z", "", false},
		{"easter", "2027-03-28T11:00:00+01:00", "2027-03-28T13:00:00+01:00", "", true},
		{"easter", "2027-03-29T11:00:00+01:00", "2027-03-29T13:00:00+01:00", "", false},
		{"ramadan_iftar_time", "2027-02-17T17:00:00Z", "2027-02-17T19:00:00Z", "meeting", true},
		{"ramadan_iftar_time", "2027-02-17T17:00:00Z", "2027-02-17T19:00:00Z", "iftar", false},
		{"ramadan_iftar_time", "2027-02-17T11:00:00Z", "2027-02-17T13:00:00Z", "meeting", false},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%s/%s/%v", c.code, c.start[:10], c.raise), func(t *testing.T) {
			kind := c.kind
			if kind == "" {
				kind = "meeting"
			}
			body := fmt.Sprintf(`{"title":"Clash %d","kind":%q,"starts_at":%q,"ends_at":%q,"venue":{"name":"Hall","latitude":51.5072,"longitude":-0.1276}}`,
				i, kind, c.start, c.end)
			r, ev := e.jsonReq("POST", "/api/v1/events", body, tok)
			if r.StatusCode != 201 {
				t.Fatalf("create: %d %v", r.StatusCode, ev)
			}
			got := warningCodes(t, ev)
			if raised := strings.Contains(","+strings.Join(got, ",")+",", ","+c.code+","); raised != c.raise {
				t.Fatalf("create: warnings %v, want %s raised = %v", got, c.code, c.raise)
			}
			// An edit that leaves the time alone answers the same warnings.
			r, ev = e.jsonReq("PATCH", "/api/v1/events/"+ev["slug"].(string), `{"summary":"changed"}`, tok)
			if r.StatusCode != 200 {
				t.Fatalf("edit: %d %v", r.StatusCode, ev)
			}
			if again := warningCodes(t, ev); strings.Join(again, ",") != strings.Join(got, ",") {
				t.Fatalf("edit: warnings %v, create gave %v", again, got)
			}
		})
	}
}

func TestAPIWarningsEmptyListAndIftarTime(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.token("org@example.org", false, "open-doors")
	r, ev := e.jsonReq("POST", "/api/v1/events", `{"title":"Quiet Tuesday","kind":"meeting","starts_at":"2026-12-08T10:00:00Z","ends_at":"2026-12-08T12:00:00Z"}`, tok)
	if r.StatusCode != 201 || len(warningCodes(t, ev)) != 0 {
		t.Fatalf("%d %v", r.StatusCode, ev)
	}
	r, ev = e.jsonReq("POST", "/api/v1/events", `{"title":"Iftar","kind":"iftar","start_rule":"sunset","date":"2027-02-17","duration_minutes":150,
		"venue":{"name":"Hall","latitude":51.5072,"longitude":-0.1276}}`, tok)
	if r.StatusCode != 201 {
		t.Fatalf("%d %v", r.StatusCode, ev)
	}
	// London, 17 February 2027: sunset 17:18:45, iftar by the default
	// (sunset, rounded up to the minute) at 17:19.
	if ev["iftar_at"] != "2027-02-17T17:19:00Z" || ev["starts_at"] != "2027-02-17T17:19:00Z" {
		t.Fatalf("iftar_at %v, starts_at %v", ev["iftar_at"], ev["starts_at"])
	}
	r, ev = e.jsonReq("POST", "/api/v1/events", `{"title":"Arctic iftar","kind":"iftar","start_rule":"sunset","date":"2027-06-21",
		"venue":{"name":"Hall","latitude":69.65,"longitude":18.96}}`, tok)
	errs, _ := ev["errors"].(map[string]any)
	if r.StatusCode != 422 || !strings.Contains(fmt.Sprint(errs["date"]), "does not set") {
		t.Fatalf("polar day: %d %v", r.StatusCode, ev)
	}
	r, ev = e.jsonReq("POST", "/api/v1/events", `{"title":"Bad","kind":"meeting","starts_at":"2026-12-08T10:00:00Z","venue":{"latitude":95,"longitude":200}}`, tok)
	errs, _ = ev["errors"].(map[string]any)
	if r.StatusCode != 422 || errs["venue.latitude"] == nil || errs["venue.longitude"] == nil {
		t.Fatalf("coordinates out of range: %d %v", r.StatusCode, ev)
	}
}

func TestAPICalendarSettings(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.token("org@example.org", false, "al-noor")
	other := e.token("other@example.org", false, "st-marys")
	r, got := e.jsonReq("GET", "/api/v1/organisations/al-noor/calendar", "", tok)
	place, _ := got["home_place"].(map[string]any)
	if r.StatusCode != 200 || place["name"] != "London" || got["iftar_method"] != "sunset" || got["hijri_offset_days"] != float64(0) {
		t.Fatalf("defaults: %d %v", r.StatusCode, got)
	}
	if est, _ := got["estimates"].(map[string]any); est["eid_al_fitr"] != "2027-03-09" {
		t.Fatalf("estimates %v", got["estimates"])
	}
	if r, _ := e.jsonReq("GET", "/api/v1/organisations/al-noor/calendar", "", other); r.StatusCode != 404 {
		t.Fatalf("another organisation's organiser: %d", r.StatusCode)
	}
	r, got = e.jsonReq("PATCH", "/api/v1/organisations/al-noor/calendar", `{"home_place":{"latitude":123,"longitude":-200},"iftar_method":"guess","hijri_offset_days":3,"anniversaries":[{"title":"","month":2,"day":30}]}`, tok)
	errs, _ := got["errors"].(map[string]any)
	for _, field := range []string{"home_place.latitude", "home_place.longitude", "iftar_method", "hijri_offset_days", "anniversaries.0.title", "anniversaries.0.day"} {
		if errs[field] == nil {
			t.Errorf("no error for %s: %v", field, got)
		}
	}
	if r.StatusCode != 422 {
		t.Fatalf("status %d", r.StatusCode)
	}
	r, got = e.jsonReq("PATCH", "/api/v1/organisations/al-noor/calendar", `{"home_place":{"name":"Glasgow","latitude":55.8642,"longitude":-4.2518},"hijri_offset_days":1,"anniversaries":[{"title":"Mosque opened","month":9,"day":12,"year":1984}]}`, tok)
	if est, _ := got["estimates"].(map[string]any); r.StatusCode != 200 || est["eid_al_fitr"] != "2027-03-10" {
		t.Fatalf("saved: %d %v", r.StatusCode, got)
	}
	anns, _ := got["anniversaries"].([]any)
	if len(anns) != 1 {
		t.Fatalf("anniversaries %v", got["anniversaries"])
	}
	// An online iftar of the organisation is now timed in Glasgow: 17:25,
	// where London's is 17:19.
	r, ev := e.jsonReq("POST", "/api/v1/events", `{"title":"Online iftar","kind":"iftar","format":"online","start_rule":"sunset","date":"2027-02-17","hosts":["al-noor"]}`, tok)
	if r.StatusCode != 201 || ev["iftar_at"] != "2027-02-17T17:25:00Z" {
		t.Fatalf("online iftar in Glasgow: %d %v", r.StatusCode, ev["iftar_at"])
	}
}
