package app_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"convene/models"
)

func TestAPIEvents(t *testing.T) {
	e := seeded(t)
	r, out := e.jsonReq("GET", "/api/v1/events", "", "")
	if r.StatusCode != 200 {
		t.Fatalf("list: %d", r.StatusCode)
	}
	events := out["events"].([]any)
	kinds := map[string]bool{}
	for _, x := range events {
		ev := x.(map[string]any)
		kinds[ev["kind"].(string)] = true
		for _, key := range []string{"slug", "title", "kind", "status", "tentative", "starts_at", "ends_at", "timezone", "venue", "online",
			"capacity", "places_left", "online_capacity", "online_places_left", "waitlist_length", "hosts", "series", "url", "ics_url"} {
			if _, ok := ev[key]; !ok {
				t.Errorf("%s lacks %q", ev["slug"], key)
			}
		}
		if _, ok := ev["stream_url"]; ok {
			t.Errorf("%s: public answer has stream_url", ev["slug"])
		}
		if _, err := time.Parse(time.RFC3339, ev["starts_at"].(string)); err != nil {
			t.Errorf("starts_at not RFC 3339: %v", err)
		}
	}
	if len(kinds) != 4 {
		t.Errorf("kinds upcoming: %v, want all four", kinds)
	}

	tests := []struct {
		path   string
		status int
		check  func(map[string]any) string
	}{
		{"/api/v1/events?kind=iftar", 200, func(m map[string]any) string {
			evs := m["events"].([]any)
			if len(evs) != 1 || evs[0].(map[string]any)["kind"] != "iftar" {
				return fmt.Sprint("want one iftar, got ", evs)
			}
			v := evs[0].(map[string]any)["venue"].(map[string]any)
			if _, ok := v["address"]; ok {
				return "private address in the API"
			}
			return ""
		}},
		{"/api/v1/events?kind=party", 422, func(m map[string]any) string {
			if m["errors"].(map[string]any)["kind"] == nil {
				return "no kind error"
			}
			return ""
		}},
		{"/api/v1/events?from=yesterday", 422, nil},
		{"/api/v1/events?organisation=riverside-radio", 200, func(m map[string]any) string {
			if len(m["events"].([]any)) != 1 {
				return "want the livestream only"
			}
			return ""
		}},
		{"/api/v1/events?series=week-of-action", 200, func(m map[string]any) string {
			if len(m["events"].([]any)) != 3 {
				return "want three series events"
			}
			return ""
		}},
		{"/api/v1/events?from=2020-01-01&to=2026-11-01", 200, func(m map[string]any) string {
			if len(m["events"].([]any)) != 1 {
				return "want the past vigil only"
			}
			return ""
		}},
		{"/api/v1/events/public-meeting-hate-crime", 200, func(m map[string]any) string {
			if m["capacity"].(float64) != 80 || m["places_left"].(float64) != 2 {
				return fmt.Sprint("capacity/places_left ", m["capacity"], m["places_left"])
			}
			return ""
		}},
		{"/api/v1/events/livestream-voices-of-uyghur-women", 200, func(m map[string]any) string {
			if m["online"] != true || m["venue"] != nil || m["online_capacity"].(float64) != 500 {
				return fmt.Sprint("livestream shape: ", m["online"], m["venue"], m["online_capacity"])
			}
			return ""
		}},
		{"/api/v1/events/week-of-action-opening-rally", 200, func(m map[string]any) string {
			if m["capacity"] != nil || m["places_left"] != nil {
				return "unlimited capacity must be null"
			}
			return ""
		}},
		{"/api/v1/events/nope", 404, nil},
		{"/api/v1/nothing-here", 404, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r, m := e.jsonReq("GET", tt.path, "", "")
			if r.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %v", r.StatusCode, tt.status, m)
			}
			if tt.status >= 400 {
				if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("content type %q", ct)
				}
				if m["status"].(float64) != float64(tt.status) || m["title"] == "" || m["type"] == "" {
					t.Errorf("problem lacks fields: %v", m)
				}
			}
			if tt.check != nil {
				if msg := tt.check(m); msg != "" {
					t.Error(msg)
				}
			}
		})
	}
}

func TestAPICreateAndUpdateEvent(t *testing.T) {
	e := newEnv(t, nil)
	e.token("first-admin@example.org", true) // the first account is always an admin
	tok := e.token("org@example.org", false, "charity")
	other := e.token("other@example.org", false, "elsewhere")
	const create = `{"title":"Interfaith <b>vigil</b>","kind":"memorial","status":"published","starts_at":"2026-12-20T18:00:00Z",
		"ends_at":"2026-12-20T19:00:00Z","timezone":"Europe/London","capacity":2,"max_guests":1,
		"venue":{"name":"Hall","address":"1 Street","address_visibility":"registrants"},"stream_url":"https://stream.example.org/x"}`

	if r, _ := e.jsonReq("POST", "/api/v1/events", create, ""); r.StatusCode != 401 {
		t.Fatalf("no token: %d", r.StatusCode)
	}
	if r, _ := e.jsonReq("POST", "/api/v1/events", create, "cvn_nonsense"); r.StatusCode != 401 {
		t.Fatalf("bad token: %d", r.StatusCode)
	}
	r, ev := e.jsonReq("POST", "/api/v1/events", create, tok)
	if r.StatusCode != 201 {
		t.Fatalf("create: %d %v", r.StatusCode, ev)
	}
	slug := ev["slug"].(string)
	if slug != "interfaith-b-vigil-b" || ev["title"] != "Interfaith <b>vigil</b>" || ev["warnings"] == nil {
		t.Fatalf("created: %v", ev)
	}
	if hosts := ev["hosts"].([]any); len(hosts) != 1 || hosts[0].(map[string]any)["slug"] != "charity" {
		t.Fatalf("default host: %v", hosts)
	}
	// The public answer has no stream link and no private address.
	_, pub := e.jsonReq("GET", "/api/v1/events/"+slug, "", "")
	if _, ok := pub["stream_url"]; ok || pub["venue"].(map[string]any)["address"] != nil {
		t.Fatalf("public event leaks: %v", pub)
	}
	// The XSS title is escaped on the page.
	_, page := e.get("/events/" + slug)
	if strings.Contains(page, "<b>vigil</b>") || !strings.Contains(page, "&lt;b&gt;vigil&lt;/b&gt;") {
		t.Fatal("title not escaped on the page")
	}

	badCreates := []struct {
		name, body string
		status     int
		field      string
	}{
		{"unknown kind", `{"title":"x","kind":"party","starts_at":"2026-12-20T18:00:00Z"}`, 422, "kind"},
		{"no title", `{"kind":"meeting","starts_at":"2026-12-20T18:00:00Z"}`, 422, "title"},
		{"bad time", `{"title":"x","kind":"meeting","starts_at":"tomorrow"}`, 422, "starts_at"},
		{"end before start", `{"title":"x","kind":"meeting","starts_at":"2026-12-20T18:00:00Z","ends_at":"2026-12-20T17:00:00Z"}`, 422, "ends_at"},
		{"bad zone", `{"title":"x","kind":"meeting","starts_at":"2026-12-20T18:00:00Z","timezone":"Mars/Olympus"}`, 422, "timezone"},
		{"negative capacity", `{"title":"x","kind":"meeting","starts_at":"2026-12-20T18:00:00Z","capacity":-5}`, 422, "capacity"},
		{"string capacity", `{"title":"x","kind":"meeting","starts_at":"2026-12-20T18:00:00Z","capacity":"ten"}`, 422, "capacity"},
		{"wrong type", `{"title":42,"kind":"meeting"}`, 422, "title"},
		{"unknown host", `{"title":"x","kind":"meeting","starts_at":"2026-12-20T18:00:00Z","hosts":["nobody"]}`, 422, "hosts"},
		{"not my host", `{"title":"x","kind":"meeting","starts_at":"2026-12-20T18:00:00Z","hosts":["elsewhere"]}`, 422, "hosts"},
		{"sunset without place", `{"title":"x","kind":"iftar","start_rule":"sunset","date":"2027-02-20"}`, 422, "venue.latitude"},
		{"malformed", `{"title":`, 400, ""},
		{"two objects", `{} {}`, 400, ""},
	}
	for _, tt := range badCreates {
		t.Run(tt.name, func(t *testing.T) {
			r, m := e.jsonReq("POST", "/api/v1/events", tt.body, tok)
			if r.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %v", r.StatusCode, tt.status, m)
			}
			if tt.field != "" {
				errs, _ := m["errors"].(map[string]any)
				found := false
				for k := range errs {
					found = found || strings.HasPrefix(k, tt.field)
				}
				if !found {
					t.Errorf("errors %v lack %q", errs, tt.field)
				}
			}
		})
	}

	// A sunset iftar gets its start from the sun at the venue.
	r, iftar := e.jsonReq("POST", "/api/v1/events", `{"title":"Iftar","kind":"iftar","start_rule":"sunset","date":"2026-02-20",
		"duration_minutes":120,"timezone":"Europe/London","venue":{"name":"Mosque","latitude":51.5074,"longitude":-0.1278}}`, tok)
	if r.StatusCode != 201 || !strings.HasPrefix(iftar["starts_at"].(string), "2026-02-20T17:2") {
		t.Fatalf("sunset iftar: %d starts %v", r.StatusCode, iftar["starts_at"])
	}

	// Register two places, then lowering capacity below them is refused with the count.
	for _, who := range []string{"a", "b"} {
		if r, m := e.jsonReq("POST", "/api/v1/events/"+slug+"/registrations", `{"name":"`+who+`","email":"`+who+`@example.org","consent":true}`, ""); r.StatusCode != 201 {
			t.Fatalf("register %s: %d %v", who, r.StatusCode, m)
		}
	}
	r, m := e.jsonReq("PATCH", "/api/v1/events/"+slug, `{"capacity":1}`, tok)
	if r.StatusCode != 409 || !strings.Contains(m["detail"].(string), "2 in-person places are already confirmed") {
		t.Fatalf("lower capacity: %d %v", r.StatusCode, m)
	}
	if r, _ := e.jsonReq("PATCH", "/api/v1/events/"+slug, `{"title":"Hijacked"}`, other); r.StatusCode != 404 {
		t.Fatalf("other organisation's PATCH: %d", r.StatusCode)
	}
	r, m = e.jsonReq("PATCH", "/api/v1/events/"+slug, `{"title":"Interfaith vigil","capacity":null}`, tok)
	if r.StatusCode != 200 || m["capacity"] != nil || m["sequence"].(float64) != 1 {
		t.Fatalf("rename + unlimited: %d %v", r.StatusCode, m)
	}
	r, m = e.jsonReq("PATCH", "/api/v1/events/"+slug, `{"status":"cancelled","cancel_message":"Snow"}`, tok)
	if r.StatusCode != 200 || m["status"] != "cancelled" {
		t.Fatalf("cancel: %d %v", r.StatusCode, m)
	}
	var mails int64
	e.db.Model(&models.OutboxMail{}).Where("kind = ?", models.MailEventCancel).Count(&mails)
	if mails != 2 {
		t.Fatalf("%d cancellation mails, want 2", mails)
	}
	if r, _ := e.jsonReq("POST", "/api/v1/events/"+slug+"/registrations", `{"name":"c","email":"c@example.org","consent":true}`, ""); r.StatusCode != 409 {
		t.Fatalf("register on a cancelled event: %d", r.StatusCode)
	}
	if r, _ := e.jsonReq("PATCH", "/api/v1/events/nope", `{"title":"x"}`, tok); r.StatusCode != 404 {
		t.Fatalf("PATCH unknown: %d", r.StatusCode)
	}

	// Drafts are hidden from the public but visible to their organisers.
	r, d := e.jsonReq("POST", "/api/v1/events", `{"title":"Secret plan","kind":"meeting","starts_at":"2026-12-24T18:00:00Z"}`, tok)
	if r.StatusCode != 201 || d["status"] != "draft" {
		t.Fatalf("draft: %d %v", r.StatusCode, d)
	}
	if r, _ := e.jsonReq("GET", "/api/v1/events/secret-plan", "", ""); r.StatusCode != 404 {
		t.Fatalf("public draft: %d", r.StatusCode)
	}
	if r, _ := e.jsonReq("GET", "/api/v1/events/secret-plan", "", tok); r.StatusCode != 200 {
		t.Fatalf("organiser draft: %d", r.StatusCode)
	}
	if r, _ := e.jsonReq("POST", "/api/v1/events/secret-plan/registrations", `{"name":"c","email":"c@example.org","consent":true}`, ""); r.StatusCode != 404 {
		t.Fatalf("register on a draft: %d", r.StatusCode)
	}
}

func TestAPIRegistrations(t *testing.T) {
	e := newEnv(t, nil)
	ev := e.event("reg", func(in *models.EventInput) {
		in.Capacity = ip(3)
		in.Online = new(bool)
		*in.Online = true
		in.OnlineCapacity, in.OnlineCapacitySet = ip(1), true
		in.StreamURL = sp("https://stream.example.org/room")
		in.Questions = &[]models.QuestionInput{{Key: "role", Label: "Your role", Kind: models.QuestionSingle, Options: []string{"Speaker", "Guest"}, Required: true}}
	})
	path := "/api/v1/events/" + ev.Slug + "/registrations"
	bad := []struct {
		name, body  string
		status      int
		field       string
		contentType string
	}{
		{"negative guests", `{"name":"A","email":"a@example.org","guests":-1,"attendance":"in_person","consent":true,"answers":{"role":"Guest"}}`, 422, "guests", ""},
		{"too many guests", `{"name":"A","email":"a@example.org","guests":4,"attendance":"in_person","consent":true,"answers":{"role":"Guest"}}`, 422, "guests", ""},
		{"huge guests", `{"name":"A","email":"a@example.org","guests":99999999999999999999,"consent":true}`, 422, "guests", ""},
		{"bad email", `{"name":"A","email":"nope","attendance":"in_person","consent":true,"answers":{"role":"Guest"}}`, 422, "email", ""},
		{"no consent", `{"name":"A","email":"a@example.org","attendance":"in_person","answers":{"role":"Guest"}}`, 422, "consent", ""},
		{"no attendance on hybrid", `{"name":"A","email":"a@example.org","consent":true,"answers":{"role":"Guest"}}`, 422, "attendance", ""},
		{"bad attendance", `{"name":"A","email":"a@example.org","attendance":"teleport","consent":true,"answers":{"role":"Guest"}}`, 422, "attendance", ""},
		{"bad dietary", `{"name":"A","email":"a@example.org","attendance":"in_person","dietary":"carnivore","consent":true,"answers":{"role":"Guest"}}`, 422, "dietary", ""},
		{"required answer", `{"name":"A","email":"a@example.org","attendance":"in_person","consent":true}`, 422, "answers.role", ""},
		{"answer not an option", `{"name":"A","email":"a@example.org","attendance":"in_person","consent":true,"answers":{"role":"King"}}`, 422, "answers.role", ""},
		{"answer object", `{"name":"A","email":"a@example.org","attendance":"in_person","consent":true,"answers":{"role":{"x":1}}}`, 422, "answers.role", ""},
		{"name too long", `{"name":"` + strings.Repeat("n", 300) + `","email":"a@example.org","attendance":"in_person","consent":true,"answers":{"role":"Guest"}}`, 422, "name", ""},
		{"malformed", `{"name":`, 400, "", ""},
		{"array", `[1,2]`, 400, "", ""},
		{"wrong content type", `name=A`, 415, "", "application/x-www-form-urlencoded"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", path, strings.NewReader(tt.body))
			ct := tt.contentType
			if ct == "" {
				ct = "application/json"
			}
			req.Header.Set("Content-Type", ct)
			r := e.do(req)
			b := body(t, r)
			if r.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", r.StatusCode, tt.status, b)
			}
			if r.Header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("content type %q", r.Header.Get("Content-Type"))
			}
			if tt.field != "" && !strings.Contains(b, `"`+tt.field+`"`) {
				t.Errorf("problem does not name %q: %s", tt.field, b)
			}
		})
	}
	t.Run("oversized body", func(t *testing.T) {
		// Announce a body over the limit and send only its start: the
		// server must answer 413 without reading the rest.
		base := e.serve()
		conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: convene.test\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"name\":\"", path, 300*1024)
		conn.Write([]byte(strings.Repeat("x", 1024)))
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		r, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		if b := body(t, r); r.StatusCode != 413 || !strings.Contains(b, "too large") {
			t.Fatalf("status %d: %s", r.StatusCode, b)
		}
	})
	var n int64
	e.db.Model(&models.Registration{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d registrations stored after bad input", n)
	}

	reg := func(email string, guests int, mode string) (int, map[string]any) {
		r, m := e.jsonReq("POST", path, fmt.Sprintf(`{"name":"<img src=x onerror=alert(1)>","email":%q,"guests":%d,"attendance":%q,"consent":true,"answers":{"role":"Guest"},"dietary":"kosher"}`, email, guests, mode), "")
		return r.StatusCode, m
	}
	code, first := reg("Ada@Example.org", 1, "in_person")
	if code != 201 || first["status"] != "confirmed" || !strings.HasPrefix(first["manage_url"].(string), "http://convene.test/r/") || !strings.Contains(first["feed_url"].(string), "/me/") {
		t.Fatalf("first: %d %v", code, first)
	}
	if code, m := reg(" ada@example.ORG ", 0, "in_person"); code != 202 || m["status"] != "check_email" || len(m) != 1 {
		t.Fatalf("duplicate: %d %v", code, m)
	}
	if code, m := reg("bob@example.org", 2, "in_person"); code != 201 || m["status"] != "waitlisted" || m["waitlist_position"].(float64) != 1 {
		t.Fatalf("party of 3 with 1 left: %d %v", code, m)
	}
	code, cy := reg("cy@example.org", 0, "in_person")
	if code != 201 || cy["status"] != "confirmed" {
		t.Fatalf("single fits while a party waits: %d %v", code, cy)
	}
	code, online := reg("dee@example.org", 0, "online")
	if code != 201 || online["status"] != "confirmed" {
		t.Fatalf("online: %d %v", code, online)
	}
	if code, m := reg("eve@example.org", 0, "online"); code != 201 || m["status"] != "waitlisted" || m["waitlist_position"].(float64) != 1 {
		t.Fatalf("online full: %d %v", code, m)
	}

	// The holder's view: stream link for a confirmed online place only.
	tokenOf := func(m map[string]any) string {
		u := m["manage_url"].(string)
		return u[strings.LastIndex(u, "/")+1:]
	}
	r, h := e.jsonReq("GET", "/api/v1/registrations/"+tokenOf(online), "", "")
	if r.StatusCode != 200 || h["stream_url"] != "https://stream.example.org/room" || h["name"] != "<img src=x onerror=alert(1)>" {
		t.Fatalf("holder view: %d %v", r.StatusCode, h)
	}
	r, h = e.jsonReq("GET", "/api/v1/registrations/"+tokenOf(first), "", "")
	if r.StatusCode != 200 || h["stream_url"] != nil || h["guests"].(float64) != 1 || h["email"] != "Ada@Example.org" {
		t.Fatalf("in-person holder: %d %v", r.StatusCode, h)
	}
	// Fewer guests frees a place, but the party of three still does not fit.
	r, h = e.jsonReq("PATCH", "/api/v1/registrations/"+tokenOf(first), `{"guests":0}`, "")
	if r.StatusCode != 200 || h["guests"].(float64) != 0 {
		t.Fatalf("patch: %d %v", r.StatusCode, h)
	}
	r, h = e.jsonReq("PATCH", "/api/v1/registrations/"+tokenOf(first), `{"guests":3}`, "")
	if r.StatusCode != 422 {
		t.Fatalf("patch beyond capacity: %d %v", r.StatusCode, h)
	}
	r, _ = e.jsonReq("PATCH", "/api/v1/registrations/"+tokenOf(first), `{"guests":"many"}`, "")
	if r.StatusCode != 422 {
		t.Fatalf("patch bad type: %d", r.StatusCode)
	}
	// Cancelling Ada frees one more place (two free): the party of three
	// still waits; when Cy cancels too, it fits and is promoted.
	for i := 0; i < 2; i++ {
		r, h = e.jsonReq("DELETE", "/api/v1/registrations/"+tokenOf(first), "", "")
		if r.StatusCode != 200 || h["status"] != "cancelled" {
			t.Fatalf("cancel %d: %d %v", i, r.StatusCode, h)
		}
	}
	var bob models.Registration
	e.db.Where("email_norm = ?", "bob@example.org").Take(&bob)
	if bob.Status != models.RegWaitlisted {
		t.Fatalf("party of three promoted into two places")
	}
	if r, _ := e.jsonReq("DELETE", "/api/v1/registrations/"+tokenOf(cy), "", ""); r.StatusCode != 200 {
		t.Fatalf("cancel Cy: %d", r.StatusCode)
	}
	for _, path := range []string{"/api/v1/registrations/unknown-token-unknown-token", "/api/v1/registrations/x"} {
		if r, _ := e.jsonReq("GET", path, "", ""); r.StatusCode != 404 {
			t.Fatalf("unknown token: %d", r.StatusCode)
		}
	}

	// Organisers see the list; others do not.
	admin := e.token("admin@example.org", true)
	stranger := e.token("stranger@example.org", false, "other-org")
	if r, _ := e.jsonReq("GET", path, "", stranger); r.StatusCode != 404 {
		t.Fatalf("stranger list: %d", r.StatusCode)
	}
	if r, _ := e.jsonReq("GET", path, "", ""); r.StatusCode != 401 {
		t.Fatalf("anonymous list: %d", r.StatusCode)
	}
	r, list := e.jsonReq("GET", path, "", admin)
	if r.StatusCode != 200 {
		t.Fatalf("list: %d", r.StatusCode)
	}
	statuses := map[string]int{}
	var bobID float64
	for _, x := range list["registrations"].([]any) {
		m := x.(map[string]any)
		statuses[m["status"].(string)]++
		for _, k := range []string{"id", "name", "email", "guests", "attendance", "status", "waitlist_position", "dietary", "access_needs", "answers", "checked_in_at", "created_at"} {
			if _, ok := m[k]; !ok {
				t.Errorf("registration lacks %q", k)
			}
		}
		if m["email"] == "bob@example.org" {
			bobID = m["id"].(float64)
			if m["status"] != "confirmed" {
				t.Errorf("party of three not promoted: %v", m)
			}
		}
	}
	if statuses["confirmed"] != 2 || statuses["waitlisted"] != 1 || statuses["cancelled"] != 2 {
		t.Fatalf("statuses %v", statuses)
	}
	// Check-in is idempotent and keeps the first time.
	checkIn := fmt.Sprintf("%s/%d/check-in", path, int(bobID))
	r, c1 := e.jsonReq("POST", checkIn, "", admin)
	r2, c2 := e.jsonReq("POST", checkIn, "", admin)
	if r.StatusCode != 200 || r2.StatusCode != 200 || c1["checked_in_at"] == nil || c1["checked_in_at"] != c2["checked_in_at"] {
		t.Fatalf("check-in: %d %v / %d %v", r.StatusCode, c1, r2.StatusCode, c2)
	}
	if r, _ := e.jsonReq("POST", path+"/999999/check-in", "", admin); r.StatusCode != 404 {
		t.Fatalf("check-in unknown: %d", r.StatusCode)
	}
	if r, _ := e.jsonReq("POST", path+"/abc/check-in", "", admin); r.StatusCode != 404 {
		t.Fatalf("check-in bad id: %d", r.StatusCode)
	}
	if r, _ := e.jsonReq("POST", checkIn, "", stranger); r.StatusCode != 404 {
		t.Fatalf("stranger check-in: %d", r.StatusCode)
	}
}

func TestAPIRefusals(t *testing.T) {
	e := newEnv(t, nil)
	past := testNow.Add(-time.Minute)
	future := testNow.Add(time.Hour)
	e.event("closed", func(in *models.EventInput) { in.RegistrationClosesSet, in.RegistrationClosesAt = true, &past })
	e.event("not-yet", func(in *models.EventInput) { in.RegistrationOpensSet, in.RegistrationOpensAt = true, &future })
	e.event("full", func(in *models.EventInput) { in.Capacity, in.Waitlist = ip(0), new(bool) })
	e.event("draft", func(in *models.EventInput) { in.Status = sp(models.StatusDraft) })
	e.event("cancelled", nil)
	if _, err := models.UpdateEvent(e.db.DB, "cancelled", models.EventInput{Status: sp(models.StatusCancelled)}, nil, testNow); err != nil {
		t.Fatal(err)
	}
	for slug, want := range map[string]int{"closed": 409, "not-yet": 409, "full": 409, "cancelled": 409, "draft": 404, "missing": 404} {
		t.Run(slug, func(t *testing.T) {
			r, m := e.jsonReq("POST", "/api/v1/events/"+slug+"/registrations", `{"name":"A","email":"a@example.org","consent":true}`, "")
			if r.StatusCode != want {
				t.Fatalf("status %d, want %d: %v", r.StatusCode, want, m)
			}
			// The detail is a sentence a person reads.
			if d, _ := m["detail"].(string); want == 409 && (d == "" || d[:1] != strings.ToUpper(d[:1]) || !strings.HasSuffix(d, ".")) {
				t.Errorf("detail %q is not a sentence", d)
			}
		})
	}
	var n int64
	e.db.Model(&models.Registration{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d registrations stored", n)
	}
}

// TestAPIEventsDateRange: a date in to means the whole day (UTC); a time
// in to is the moment before which events start.
func TestAPIEventsDateRange(t *testing.T) {
	e := newEnv(t, nil)
	start := time.Date(2027, 1, 2, 18, 0, 0, 0, time.UTC)
	e.event("rally", func(in *models.EventInput) { in.StartsAt = &start })
	for _, tt := range []struct {
		query string
		found bool
	}{
		{"from=2027-01-02&to=2027-01-02", true},
		{"from=2027-01-01&to=2027-01-01", false},
		{"from=2027-01-03&to=2027-01-03", false},
		{"from=2027-01-02&to=2027-01-02T18:00:00Z", false},
		{"from=2027-01-02&to=2027-01-02T18:00:01Z", true},
		{"from=2027-01-02T18:00:00Z&to=2027-01-02", true},
	} {
		r, m := e.jsonReq("GET", "/api/v1/events?"+tt.query, "", "")
		if r.StatusCode != 200 {
			t.Fatalf("%s: status %d", tt.query, r.StatusCode)
		}
		found := false
		for _, ev := range m["events"].([]any) {
			found = found || ev.(map[string]any)["slug"] == "rally"
		}
		if found != tt.found {
			t.Errorf("%s: found %v, want %v", tt.query, found, tt.found)
		}
	}
}

// TestAPIPreviousStart: a published event moved through the API says the
// start it was first announced with; others say null; bodies refuse it.
func TestAPIPreviousStart(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.token("organiser@example.org", true)
	r, ev := e.jsonReq("POST", "/api/v1/events", `{"slug":"moved","title":"Moved","kind":"meeting","status":"published",
		"starts_at":"2026-12-10T18:00:00Z","capacity":10}`, tok)
	if r.StatusCode != 201 || ev["previous_starts_at"] != nil {
		t.Fatalf("create: %d previous_starts_at %v, want null", r.StatusCode, ev["previous_starts_at"])
	}
	for _, start := range []string{"2026-12-11T18:00:00Z", "2026-12-12T18:00:00Z"} {
		if r, ev = e.jsonReq("PATCH", "/api/v1/events/moved", `{"starts_at":"`+start+`"}`, tok); r.StatusCode != 200 {
			t.Fatalf("move to %s: %d %v", start, r.StatusCode, ev)
		}
	}
	_, ev = e.jsonReq("GET", "/api/v1/events/moved", "", "")
	prev, _ := ev["previous_starts_at"].(string)
	if at, err := time.Parse(time.RFC3339, prev); err != nil || !at.Equal(time.Date(2026, 12, 10, 18, 0, 0, 0, time.UTC)) {
		t.Errorf("previous_starts_at %q, want the first announced start", prev)
	}
	if r, p := e.jsonReq("PATCH", "/api/v1/events/moved", `{"previous_starts_at":"2026-12-01T18:00:00Z"}`, tok); r.StatusCode != 422 ||
		p["errors"].(map[string]any)["previous_starts_at"] == nil {
		t.Errorf("a body with previous_starts_at: %d %v, want 422 naming it", r.StatusCode, p)
	}
}
