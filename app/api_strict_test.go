package app_test

import (
	"fmt"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"testing"

	"convene/models"
)

// goNames are what Go's decoder says about its own types: never shown.
var goNames = regexp.MustCompile(`\b(app|models|json|main)\.[A-Za-z]|Go (struct|value)|unmarshal|struct field|\bint(8|16|32|64)?\b|float64|map\[`)

// strictEnv is an event with a question, an organiser's token and a
// registration's private token: everything the bodies need.
type strictEnv struct {
	*testEnv
	org, slug, manage string
	regID             uint
}

func newStrictEnv(t *testing.T) strictEnv {
	e := newEnv(t, nil)
	e.token("first-admin@example.org", true)
	tok := e.token("org@example.org", false, "charity")
	ev := e.event("strict", func(in *models.EventInput) {
		in.MaxGuests = ip(50)
		in.Hosts = &[]models.HostInput{{Organisation: "charity"}}
		in.Questions = &[]models.QuestionInput{{Key: "role", Label: "Your role", Kind: models.QuestionSingle, Options: []string{"Speaker", "Guest"}}}
	})
	r, m := e.jsonReq("POST", "/api/v1/events/strict/registrations", `{"name":"Ada","email":"ada@example.org","consent":true}`, "")
	if r.StatusCode != 201 {
		t.Fatalf("register: %d %v", r.StatusCode, m)
	}
	manage := m["manage_url"].(string)
	var reg models.Registration
	e.db.Where("event_id = ?", ev.ID).Take(&reg)
	return strictEnv{testEnv: e, org: tok, slug: ev.Slug, manage: manage[strings.LastIndex(manage, "/")+1:], regID: reg.ID}
}

// operation is one operation that takes a JSON body.
type operation struct {
	method, path string
	token        bool
}

func (s strictEnv) operations() map[string]operation {
	return map[string]operation{
		"createEvent":        {"POST", "/api/v1/events", true},
		"updateEvent":        {"PATCH", "/api/v1/events/" + s.slug, true},
		"register":           {"POST", "/api/v1/events/" + s.slug + "/registrations", false},
		"changeRegistration": {"PATCH", "/api/v1/registrations/" + s.manage, false},
		"checkIn":            {"POST", fmt.Sprintf("/api/v1/events/%s/registrations/%d/check-in", s.slug, s.regID), true},
		"cancelRegistration": {"DELETE", "/api/v1/registrations/" + s.manage, false},
		"calendarSettings":   {"PATCH", "/api/v1/organisations/charity/calendar", true},
		"approve":            {"POST", fmt.Sprintf("/api/v1/events/%s/registrations/%d/approve", s.slug, s.regID), true},
		"decline":            {"POST", fmt.Sprintf("/api/v1/events/%s/registrations/%d/decline", s.slug, s.regID), true},
	}
}

func (s strictEnv) send(op operation, payload string) (int, map[string]any) {
	s.t.Helper()
	tok := ""
	if op.token {
		tok = s.org
	}
	r, m := s.jsonReq(op.method, op.path, payload, tok)
	for _, v := range m {
		if str, ok := v.(string); ok && goNames.MatchString(str) {
			s.t.Errorf("%s %s: a Go name in %q", op.method, op.path, str)
		}
	}
	if errs, ok := m["errors"].(map[string]any); ok {
		for k, v := range errs {
			if goNames.MatchString(fmt.Sprint(v)) {
				s.t.Errorf("%s %s: a Go name in errors.%s: %q", op.method, op.path, k, v)
			}
		}
	}
	return r.StatusCode, m
}

func errorFields(m map[string]any) []string {
	errs, _ := m["errors"].(map[string]any)
	var out []string
	for k := range errs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestAPIRefusesWrongFields: every body the API takes is held to its
// schema. Unknown fields (at any depth), wrong types and nulls where a field
// takes none are refused with 422 naming each field, together with the
// values the rules refuse, all in one answer, and nothing is changed.
func TestAPIRefusesWrongFields(t *testing.T) {
	s := newStrictEnv(t)
	ops := s.operations()
	tests := []struct {
		name, op, body string
		want           []string // exactly the fields named
	}{
		{"unknown field on create", "createEvent", `{"title":"x","kind":"meeting","starts_at":"2026-12-20T18:00:00Z","colour":"red"}`, []string{"colour"}},
		{"unknown nested fields", "createEvent", `{"title":"x","kind":"meeting","starts_at":"2026-12-20T18:00:00Z",
			"venue":{"name":"Hall","postcode":"N1"},"questions":[{"label":"Diet","kind":"short_text","colour":"red"}],
			"hosts":[{"organisation":"charity","boss":true}]}`, []string{"hosts.0.boss", "questions.0.colour", "venue.postcode"}},
		{"null where no null is taken", "createEvent", `{"title":null,"kind":"meeting","starts_at":"2026-12-20T18:00:00Z","venue":null,"waitlist":null,"max_guests":null}`,
			[]string{"max_guests", "title", "venue", "waitlist"}},
		{"types, values and unknown fields at once", "createEvent", `{"title":42,"kind":"party","starts_at":"2026-12-20T18:00:00Z",
			"ends_at":"2026-12-20T17:00:00Z","capacity":-3,"online_capacity":"ten","timezone":"Mars/Olympus","bogus":1,"venue":{"latitude":"north"}}`,
			[]string{"bogus", "capacity", "ends_at", "kind", "online_capacity", "timezone", "title", "venue.latitude"}},
		{"a string where a list goes", "createEvent", `{"title":"x","kind":"meeting","starts_at":"2026-12-20T18:00:00Z","hosts":"charity","questions":{}}`,
			[]string{"hosts", "questions"}},
		{"a host of the wrong type", "createEvent", `{"title":"x","kind":"meeting","starts_at":"2026-12-20T18:00:00Z","hosts":["charity",7]}`,
			[]string{"hosts.1"}},
		{"rules and fields on change", "updateEvent", `{"slug":"Not A Slug","max_guests":51,"reminder_hours":-1,"tentative":"yes","extra":{}}`,
			[]string{"extra", "max_guests", "reminder_hours", "slug", "tentative"}},
		{"null on change", "updateEvent", `{"title":null,"status":null,"venue":{"name":null}}`, []string{"status", "title", "venue.name"}},
		{"register: every problem at once", "register", `{"name":"","email":"nope","guests":-1,"attendance":"teleport","consent":"yes","answers":{"role":"King","shoe_size":44},"pet":"cat"}`,
			[]string{"answers.role", "answers.shoe_size", "attendance", "consent", "email", "guests", "name", "pet"}},
		{"register: nulls", "register", `{"name":"A","email":"a@example.org","consent":true,"guests":null,"answers":null,"dietary":null}`,
			[]string{"answers", "dietary", "guests"}},
		{"register: an answer of the wrong type", "register", `{"name":"A","email":"a@example.org","consent":true,"answers":{"role":{"x":1}}}`,
			[]string{"answers.role"}},
		{"change: unknown, null and too many", "changeRegistration", `{"guests":51,"dietary":null,"email":"new@example.org"}`,
			[]string{"dietary", "email", "guests"}},
		{"change: an answer to no question", "changeRegistration", `{"answers":{"shoe_size":"44"}}`, []string{"answers.shoe_size"}},
		{"check-in takes only arrived", "checkIn", `{"undo":true}`, []string{"undo"}},
		{"check-in: arrived of the wrong type", "checkIn", `{"arrived":"two"}`, []string{"arrived"}},
		{"check-in: nobody arrived", "checkIn", `{"arrived":0}`, []string{"arrived"}},
		{"check-in: more than a party can be", "checkIn", `{"arrived":52}`, []string{"arrived"}},
		{"check-in: more than this party", "checkIn", `{"arrived":40}`, []string{"arrived"}},
		{"cancel takes no fields", "cancelRegistration", `{"reason":"ill"}`, []string{"reason"}},
		{"calendar settings", "calendarSettings", `{"home_place":{"lat":51.5},"hijri_offset_days":null,"iftar_method":"guess","colour":"green"}`,
			[]string{"colour", "hijri_offset_days", "home_place.lat", "iftar_method"}},
		{"approve takes no fields", "approve", `{"note":"welcome"}`, []string{"note"}},
		{"decline takes no fields", "decline", `{"reason":"full"}`, []string{"reason"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, m := s.send(ops[tt.op], tt.body)
			if status != 422 {
				t.Fatalf("status %d, want 422: %v", status, m)
			}
			if got := errorFields(m); strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("fields named %v, want %v: %v", got, tt.want, m["errors"])
			}
			if !strings.HasSuffix(fmt.Sprint(m["type"]), "/problems/validation-error") {
				t.Errorf("type %v", m["type"])
			}
		})
	}

	// Nothing was changed by any of them.
	var events, regs int64
	s.db.Model(&models.Event{}).Count(&events)
	s.db.Model(&models.Registration{}).Where("status = ?", models.RegConfirmed).Count(&regs)
	ev, _ := models.FindEvent(s.db.DB, s.slug)
	if events != 1 || regs != 1 || ev.MaxGuests != 50 || ev.Title != "Test event strict" {
		t.Errorf("refused requests changed something: %d events, %d confirmed, max guests %d, title %q", events, regs, ev.MaxGuests, ev.Title)
	}
	var reg models.Registration
	s.db.First(&reg, s.regID)
	if reg.CheckedInAt != nil || reg.Status != models.RegConfirmed {
		t.Errorf("refused check-in or cancel acted: %+v", reg)
	}
}

// TestAPITakesWhatTheSchemaAllows: nulls where a field takes them, empty
// bodies for operations that take none, and numbers written as 1e2 or 3.0.
func TestAPITakesWhatTheSchemaAllows(t *testing.T) {
	s := newStrictEnv(t)
	ops := s.operations()
	tests := []struct{ op, body string }{
		{"updateEvent", `{"capacity":null,"online_capacity":null,"registration_opens_at":null,"registration_closes_at":null}`},
		{"updateEvent", `{"max_guests":1e1,"reminder_hours":24.0,"hosts":[{"slug":"charity","role":"host"}]}`},
		{"changeRegistration", `{"answers":{"role":"Guest"},"guests":2}`},
		{"changeRegistration", `{"answers":{"role":null}}`},
		{"checkIn", `{"arrived":1}`},
		{"checkIn", ``},
		{"checkIn", `{}`},
		{"cancelRegistration", ``},
	}
	for _, tt := range tests {
		t.Run(tt.op+" "+tt.body, func(t *testing.T) {
			if status, m := s.send(ops[tt.op], tt.body); status != 200 {
				t.Fatalf("status %d: %v", status, m)
			}
		})
	}
	ev, _ := models.FindEvent(s.db.DB, s.slug)
	if ev.Capacity != nil || ev.MaxGuests != 10 || ev.ReminderHours != 24 {
		t.Errorf("event after the changes: capacity %v, max guests %d, reminder %d", ev.Capacity, ev.MaxGuests, ev.ReminderHours)
	}
}

// TestAPIUnreadableBodies: a body that is not one JSON object is 400, one
// that is not JSON 415, with messages that name no Go type.
func TestAPIUnreadableBodies(t *testing.T) {
	s := newStrictEnv(t)
	for name, op := range s.operations() {
		for _, tt := range []struct {
			body        string
			contentType string
			status      int
		}{
			{`[1,2]`, "application/json", 400},
			{`"text"`, "application/json", 400},
			{`{"title":`, "application/json", 400},
			{`{} {}`, "application/json", 400},
			{"{\"name\":\"\xff\"}", "application/json", 400},
			{`name=A`, "application/x-www-form-urlencoded", 415},
		} {
			t.Run(name+" "+tt.body, func(t *testing.T) {
				req := httptest.NewRequest(op.method, op.path, strings.NewReader(tt.body))
				req.Header.Set("Content-Type", tt.contentType)
				if op.token {
					req.Header.Set("Authorization", "Bearer "+s.org)
				}
				r := s.do(req)
				b := body(t, r)
				if r.StatusCode != tt.status || r.Header.Get("Content-Type") != "application/problem+json" {
					t.Fatalf("%d %s, want %d problem: %s", r.StatusCode, r.Header.Get("Content-Type"), tt.status, b)
				}
				if goNames.MatchString(b) {
					t.Errorf("a Go name in %s", b)
				}
			})
		}
	}
}
