package app

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"convene/mail"
	"convene/models"
	"convene/models/modelstest"
)

// switchEvent makes a published event of the fixture's organisation: in
// person with capacity places, online too when online >= 0 (hybrid), with
// or without a waitlist.
func switchEvent(t *testing.T, f *fixture, slug string, capacity, online int, waitlist bool) *models.Event {
	t.Helper()
	s := func(v string) *string { return &v }
	start := f.now.Add(5 * 24 * time.Hour)
	pub, yes, hybrid := models.StatusPublished, true, online >= 0
	in := models.EventInput{Slug: s(slug), Title: s("Switch " + slug), Kind: s(models.KindMeeting),
		Status: &pub, StartsAt: &start, InPerson: &yes, Online: &hybrid, CapacitySet: true, Capacity: &capacity,
		MaxGuests: func(n int) *int { return &n }(2), Waitlist: &waitlist,
		Venue: &models.VenueInput{Name: s("Hall"), Address: s("1 High St")}, Hosts: &[]models.HostInput{{Organisation: "open-doors"}}}
	if hybrid {
		in.OnlineCapacitySet, in.OnlineCapacity, in.StreamURL = true, &online, s("https://stream.example.org/x")
	}
	return must(models.CreateEvent(f.db.DB, in, nil, nil, f.now))
}

// TestAPISwitchAttendance: PATCH /api/v1/registrations/{token} with
// "attendance" switches the way of attending through the manage page's
// models.SwitchAttendance (the ledger decides), alone or with other fields
// (all or nothing), and refuses bad input by name, on SQLite and
// PostgreSQL.
func TestAPISwitchAttendance(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *models.DB{"sqlite": modelstest.Open, "postgres": modelstest.OpenPostgres} {
		t.Run(name, func(t *testing.T) { testAPISwitchAttendance(t, newFixtureOn(t, nil, open(t))) })
	}
}

func testAPISwitchAttendance(t *testing.T, f *fixture) {
	type want struct {
		status     int
		problem    string            // the problem's type name, for a refusal
		errors     []string          // fields named
		detail     []string          // in the problem's detail
		placesLeft *int              // the problem's places_left
		reg        map[string]any    // fields of the answer (200)
		stored     map[string]string // the stored registration afterwards: attendance, status
		mail       []string          // the one "registration changed" mail says these; nil: no mail
	}
	zero := 0
	tests := []struct {
		name     string
		waitlist bool
		online   int    // the online capacity (the online places are taken first when full)
		hybrid   bool   // false: an in-person event
		from     string // the registration's way of attending
		guests   int
		body     string
		want     want
	}{
		{name: "an unknown way", waitlist: true, online: 5, hybrid: true, from: models.InPerson, guests: 2, body: `{"attendance":"by_pigeon"}`,
			want: want{status: 422, problem: "validation-error", errors: []string{"attendance"}, stored: map[string]string{"attendance": models.InPerson, "status": models.RegConfirmed}}},
		{name: "null", waitlist: true, online: 5, hybrid: true, from: models.InPerson, body: `{"attendance":null}`,
			want: want{status: 422, problem: "validation-error", errors: []string{"attendance"}, stored: map[string]string{"attendance": models.InPerson, "status": models.RegConfirmed}}},
		{name: "a number", waitlist: true, online: 5, hybrid: true, from: models.InPerson, body: `{"attendance":1,"if_full":"maybe"}`,
			want: want{status: 422, problem: "validation-error", errors: []string{"attendance", "if_full"}, stored: map[string]string{"attendance": models.InPerson, "status": models.RegConfirmed}}},
		{name: "if_full alone", waitlist: true, online: 5, hybrid: true, from: models.InPerson, body: `{"if_full":"waitlist"}`,
			want: want{status: 422, problem: "validation-error", errors: []string{"if_full"}, stored: map[string]string{"attendance": models.InPerson, "status": models.RegConfirmed}}},
		{name: "a way the event does not offer", waitlist: true, from: models.InPerson, body: `{"attendance":"online"}`,
			want: want{status: 422, problem: "validation-error", errors: []string{"attendance"}, detail: []string{}, stored: map[string]string{"attendance": models.InPerson, "status": models.RegConfirmed}}},
		{name: "guests online", waitlist: true, online: 5, hybrid: true, from: models.InPerson, guests: 1, body: `{"attendance":"online","guests":1}`,
			want: want{status: 422, problem: "validation-error", errors: []string{"guests"}, stored: map[string]string{"attendance": models.InPerson, "status": models.RegConfirmed}}},
		{name: "full online, waitlist offered", waitlist: true, online: 0, hybrid: true, from: models.InPerson, guests: 2, body: `{"attendance":"online"}`,
			want: want{status: 409, problem: "not-enough-places", errors: []string{"attendance"}, placesLeft: &zero,
				detail: []string{"no free place online", "you keep your place in person", `"if_full": "waitlist"`, "give up your place and join the online waitlist"},
				stored: map[string]string{"attendance": models.InPerson, "status": models.RegConfirmed}}},
		{name: "full online, no waitlist", waitlist: false, online: 0, hybrid: true, from: models.InPerson, body: `{"attendance":"online","if_full":"waitlist"}`,
			want: want{status: 409, problem: "event-full", errors: []string{"attendance"}, placesLeft: &zero, detail: []string{"you keep your place in person"},
				stored: map[string]string{"attendance": models.InPerson, "status": models.RegConfirmed}}},
		{name: "full online, the waitlist chosen", waitlist: true, online: 0, hybrid: true, from: models.InPerson, guests: 2, body: `{"attendance":"online","if_full":"waitlist"}`,
			want: want{status: 200, reg: map[string]any{"attendance": "online", "status": "waitlisted", "waitlist_position": 1.0, "guests": 0.0},
				stored: map[string]string{"attendance": models.Online, "status": models.RegWaitlisted},
				mail:   []string{"You now take part online", "online waitlist", "Guests: 0 (before: 2)"}}},
		{name: "online with room: guests given up", waitlist: true, online: 5, hybrid: true, from: models.InPerson, guests: 2, body: `{"attendance":"online"}`,
			want: want{status: 200, reg: map[string]any{"attendance": "online", "status": "confirmed", "guests": 0.0, "places": 1.0, "stream_url": "https://stream.example.org/x"},
				stored: map[string]string{"attendance": models.Online, "status": models.RegConfirmed},
				mail:   []string{"You now take part online", "Your place is confirmed", "Guests: 0 (before: 2)"}}},
		{name: "the way it has", waitlist: true, online: 5, hybrid: true, from: models.InPerson, guests: 1, body: `{"attendance":"in_person"}`,
			want: want{status: 200, reg: map[string]any{"attendance": "in_person", "status": "confirmed", "guests": 1.0},
				stored: map[string]string{"attendance": models.InPerson, "status": models.RegConfirmed}}},
		{name: "in person with a guest", waitlist: true, online: 5, hybrid: true, from: models.Online, body: `{"attendance":"in_person","guests":1,"access_needs":"Step-free"}`,
			want: want{status: 200, reg: map[string]any{"attendance": "in_person", "status": "confirmed", "guests": 1.0, "access_needs": "Step-free"},
				stored: map[string]string{"attendance": models.InPerson, "status": models.RegConfirmed},
				mail:   []string{"You now take part in person", "Guests: 1 (before: 0)"}}},
		{name: "in person, too many guests: nothing changes", waitlist: true, online: 5, hybrid: true, from: models.Online, body: `{"attendance":"in_person","guests":2}`,
			want: want{status: 422, problem: "validation-error", errors: []string{"guests"}, stored: map[string]string{"attendance": models.Online, "status": models.RegConfirmed}}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			online := -1
			if tt.hybrid {
				online = tt.online
			}
			// Two in-person places: a party of 3 leaves none, so a
			// switch to in person with 2 guests finds no room.
			ev := switchEvent(t, f, "switch-"+string(rune('a'+i)), 3, online, tt.waitlist)
			reg, manage := f.registerAs(ev, "amira@example.org", tt.guests, tt.from)
			if tt.from == models.Online {
				f.registerAs(ev, "neighbour@example.org", 0, models.InPerson) // 2 in-person places left
			}
			before := must(models.EventByID(f.db.DB, ev.ID))
			path := "/api/v1/registrations/" + strings.TrimPrefix(manage, "/r/")
			res := f.do(request{method: "PATCH", path: path, json: tt.body})
			raw := readBody(t, res)
			if res.StatusCode != tt.want.status {
				t.Fatalf("%d, want %d: %s", res.StatusCode, tt.want.status, raw)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(raw), &got); err != nil {
				t.Fatal(err)
			}
			if tt.want.problem != "" {
				if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
					t.Errorf("Content-Type %q", ct)
				}
				if !strings.HasSuffix(got["type"].(string), "/problems/"+tt.want.problem) {
					t.Errorf("type %v, want %s", got["type"], tt.want.problem)
				}
				errs, _ := got["errors"].(map[string]any)
				for _, field := range tt.want.errors {
					if errs[field] == nil {
						t.Errorf("errors lack %q: %v", field, errs)
					}
				}
				for _, d := range tt.want.detail {
					if !strings.Contains(got["detail"].(string), d) {
						t.Errorf("detail %q lacks %q", got["detail"], d)
					}
				}
				if tt.want.placesLeft != nil && got["places_left"] != float64(*tt.want.placesLeft) {
					t.Errorf("places_left %v, want %d", got["places_left"], *tt.want.placesLeft)
				}
				if !tt.waitlist && strings.Contains(raw, "if_full") {
					t.Errorf("a waitlist offered by an event without one: %s", raw)
				}
			}
			for k, v := range tt.want.reg {
				if got[k] != v {
					t.Errorf("%s = %v, want %v", k, got[k], v)
				}
			}
			// One mail says everything that changed (a switch with other
			// fields included); a refusal or no change mails nothing.
			var mails []models.OutboxMail
			f.db.Where("kind = ? AND registration_id = ?", models.MailChanged, reg.ID).Find(&mails)
			if len(mails) != min(len(tt.want.mail), 1) {
				t.Errorf("%d registration-changed mails, want %d", len(mails), min(len(tt.want.mail), 1))
			}
			if len(mails) == 1 {
				c := mail.Composer{BaseURL: "http://convene.test", From: "Convene <events@convene.test>", Tokens: f.app.tok}
				msg := must(c.Compose(f.db, &mails[0], f.now))
				for _, w := range tt.want.mail {
					if !strings.Contains(msg.Text, w) {
						t.Errorf("the mail lacks %q:\n%s", w, msg.Text)
					}
				}
			}
			stored := must(models.RegistrationByID(f.db.DB, reg.ID))
			if stored.Attendance != tt.want.stored["attendance"] || stored.Status != tt.want.stored["status"] {
				t.Errorf("stored %s %s, want %v", stored.Attendance, stored.Status, tt.want.stored)
			}
			after := must(models.EventByID(f.db.DB, ev.ID))
			if tt.want.status != 200 {
				if after.Taken != before.Taken || after.OnlineTaken != before.OnlineTaken {
					t.Errorf("a refusal moved places: in person %d → %d, online %d → %d", before.Taken, after.Taken, before.OnlineTaken, after.OnlineTaken)
				}
				return
			}
			// The answer is the registration as GET shows it.
			res = f.do(request{method: "GET", path: path})
			var again map[string]any
			if err := json.Unmarshal([]byte(readBody(t, res)), &again); err != nil {
				t.Fatal(err)
			}
			for k, v := range again {
				if k != "updated_at" && !jsonEqual(got[k], v) {
					t.Errorf("PATCH answered %s = %v, GET says %v", k, got[k], v)
				}
			}
			// The ledger: confirmed places counted once, in their mode.
			inPerson, onlinePlaces := 0, 0
			for _, r := range must(models.EventRegistrations(f.db.DB, ev.ID)) {
				if r.Status == models.RegConfirmed && r.Attendance == models.InPerson {
					inPerson += r.Places()
				} else if r.Status == models.RegConfirmed {
					onlinePlaces += r.Places()
				}
			}
			if after.Taken != inPerson || after.OnlineTaken != onlinePlaces {
				t.Errorf("ledger %d in person, %d online; registrations hold %d, %d", after.Taken, after.OnlineTaken, inPerson, onlinePlaces)
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}
