package models_test

import (
	"errors"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// TestSwitchAttendance: moving between in person and online follows each
// mode's capacity, never oversells, keeps the place when the other mode is
// full (unless the waitlist is chosen), promotes into freed places and
// mails the change.
func TestSwitchAttendance(t *testing.T) {
	type party struct {
		email  string
		guests int
		mode   string
	}
	tests := []struct {
		name           string
		capacity       int // of each mode
		waitlist       bool
		before         []party // registered in order; the first one switches
		ifFull         string
		wantErr        string // "places", "invalid", "" for none
		wantStatus     string
		wantGuests     int
		wantPromoted   int // registrations promoted in the old mode
		wantPlacesLeft int // in the error, when refused for places
	}{
		{name: "confirmed, room online", capacity: 5, before: []party{{"a@x.org", 0, models.InPerson}},
			wantStatus: models.RegConfirmed},
		{name: "guests are left out online", capacity: 5, before: []party{{"a@x.org", 2, models.InPerson}},
			wantStatus: models.RegConfirmed, wantGuests: 0},
		{name: "other mode full: place kept", capacity: 1, waitlist: true,
			before:  []party{{"a@x.org", 0, models.InPerson}, {"b@x.org", 0, models.Online}},
			wantErr: "places", wantStatus: models.RegConfirmed, wantPlacesLeft: 0},
		{name: "other mode full, waitlist chosen: place freed and promoted", capacity: 1, waitlist: true, ifFull: models.IfFullWaitlist,
			before:     []party{{"a@x.org", 0, models.InPerson}, {"b@x.org", 0, models.Online}, {"c@x.org", 0, models.InPerson}},
			wantStatus: models.RegWaitlisted, wantPromoted: 1},
		{name: "other mode full, no waitlist: refused", capacity: 1, ifFull: models.IfFullWaitlist,
			before:  []party{{"a@x.org", 0, models.InPerson}, {"b@x.org", 0, models.Online}},
			wantErr: "places", wantStatus: models.RegConfirmed},
		{name: "waitlisted takes a free place", capacity: 1, waitlist: true,
			before:     []party{{"a@x.org", 0, models.InPerson}, {"b@x.org", 0, models.InPerson}},
			wantStatus: models.RegConfirmed},
		{name: "online to in person", capacity: 3, before: []party{{"a@x.org", 0, models.Online}},
			wantStatus: models.RegConfirmed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := modelstest.Open(t)
			ev := modeEvent(t, db, models.InPerson, ip(tt.capacity), 3, tt.waitlist)
			var regs []*models.Registration
			for _, p := range tt.before {
				regs = append(regs, register(t, db, ev.ID, p.email, p.guests, p.mode).Registration)
			}
			// "waitlisted takes a free place": the first one is confirmed, so
			// switch the second, waiting, one.
			r := regs[0]
			if tt.name == "waitlisted takes a free place" {
				r = regs[1]
			}
			from := r.Attendance
			to := models.Online
			if from == models.Online {
				to = models.InPerson
			}
			mailsBefore := count(t, db, &models.OutboxMail{}, "registration_id = ? AND kind = ?", r.ID, models.MailChanged)
			res, err := models.SwitchAttendance(db.DB, r.ID, to, tt.ifFull, now)
			var pe *models.PlacesError
			switch tt.wantErr {
			case "places":
				if !errors.As(err, &pe) || pe.PlacesLeft != tt.wantPlacesLeft || pe.Attendance != to {
					t.Fatalf("got %v, want a PlacesError with %d left", err, tt.wantPlacesLeft)
				}
				got := loadReg(t, db, r.ID)
				if got.Attendance != from || got.Status != tt.wantStatus {
					t.Errorf("refused switch changed the registration: %s %s", got.Attendance, got.Status)
				}
				if n := count(t, db, &models.OutboxMail{}, "registration_id = ? AND kind = ?", r.ID, models.MailChanged); n != mailsBefore {
					t.Error("a refused switch was mailed")
				}
			case "":
				if err != nil {
					t.Fatal(err)
				}
				got := res.Registration
				if got.Attendance != to || got.Status != tt.wantStatus || got.Guests != tt.wantGuests {
					t.Errorf("after the switch: %s %s guests %d, want %s %s guests %d", got.Attendance, got.Status, got.Guests, to, tt.wantStatus, tt.wantGuests)
				}
				if got.Status == models.RegWaitlisted && res.Position != 1 {
					t.Errorf("position %d in the new waitlist, want 1", res.Position)
				}
				if n := count(t, db, &models.OutboxMail{}, "registration_id = ? AND kind = ?", r.ID, models.MailChanged); n != mailsBefore+1 {
					t.Errorf("%d change mails, want one more than %d", n, mailsBefore)
				}
				if n := count(t, db, &models.Activity{}, "registration_id = ? AND action = ?", r.ID, "attendance_changed"); n != 1 {
					t.Errorf("%d attendance_changed activities", n)
				}
			}
			if n := count(t, db, &models.Registration{}, "event_id = ? AND promoted_at IS NOT NULL", ev.ID); n != tt.wantPromoted {
				t.Errorf("%d promoted, want %d", n, tt.wantPromoted)
			}
			checkEvent(t, db, ev.ID) // counters agree with the registrations, within capacity
		})
	}
}

// TestSwitchAttendanceRefusals: bad input changes nothing.
func TestSwitchAttendanceRefusals(t *testing.T) {
	db := modelstest.Open(t)
	hybrid := modeEvent(t, db, models.InPerson, ip(5), 2, true)
	hall := newEvent(t, db, models.EventInput{Slug: sp("hall")})
	a := register(t, db, hybrid.ID, "a@x.org", 0, models.InPerson).Registration
	cancelled := register(t, db, hybrid.ID, "c@x.org", 0, models.InPerson).Registration
	if _, err := models.CancelRegistration(db.DB, cancelled.ID, nil, now); err != nil {
		t.Fatal(err)
	}
	h := register(t, db, hall.ID, "h@x.org", 0, models.InPerson).Registration
	tests := []struct {
		name   string
		regID  uint
		to     string
		ifFull string
		at     time.Time
		want   error
		field  string
	}{
		{"an event that is not hybrid", h.ID, models.Online, "", now, nil, "attendance"},
		{"no such mode", a.ID, "by_pigeon", "", now, nil, "attendance"},
		{"a bad if_full", a.ID, models.Online, "maybe", now, nil, "if_full"},
		{"a cancelled registration", cancelled.ID, models.Online, "", now, nil, "status"},
		{"after the event", a.ID, models.Online, "", hybrid.EndsAt, models.ErrRegistrationClosed, ""},
		{"no such registration", 9999, models.Online, "", now, models.ErrNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := models.SwitchAttendance(db.DB, tt.regID, tt.to, tt.ifFull, tt.at)
			switch {
			case tt.want != nil && !errors.Is(err, tt.want):
				t.Fatalf("got %v, want %v", err, tt.want)
			case tt.field != "" && fieldsOf(err)[tt.field] == "":
				t.Fatalf("got %v, want a message on %s", err, tt.field)
			}
			if got := loadReg(t, db, a.ID); got.Attendance != models.InPerson || got.Status != models.RegConfirmed {
				t.Fatalf("refused switch changed a registration: %+v", got)
			}
		})
	}
	// Switching to where one already is changes nothing and mails nothing.
	if _, err := models.SwitchAttendance(db.DB, a.ID, models.InPerson, "", now); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, &models.OutboxMail{}, "registration_id = ? AND kind = ?", a.ID, models.MailChanged); n != 0 {
		t.Errorf("%d change mails for no change", n)
	}
	checkEvent(t, db, hybrid.ID)
}

// TestSendManageLink: the link goes to a registered address only, with
// nothing queued for any other.
func TestSendManageLink(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{})
	a := register(t, db, ev.ID, "amira@example.org", 0, models.InPerson).Registration
	gone := register(t, db, ev.ID, "gone@example.org", 0, models.InPerson).Registration
	if _, err := models.CancelRegistration(db.DB, gone.ID, nil, now); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		email string
		regID uint
		want  int
	}{
		{" Amira@Example.ORG ", a.ID, 1},
		{"nobody@example.org", 0, 0},
		{"gone@example.org", gone.ID, 0},
		{"", 0, 0},
	} {
		t.Run(tt.email, func(t *testing.T) {
			before := count(t, db, &models.OutboxMail{}, "kind = ?", models.MailDuplicate)
			if err := models.SendManageLink(db.DB, ev.ID, tt.email, now); err != nil {
				t.Fatal(err)
			}
			if n := count(t, db, &models.OutboxMail{}, "kind = ?", models.MailDuplicate) - before; n != tt.want {
				t.Fatalf("%d mails queued, want %d", n, tt.want)
			}
			if tt.want > 0 {
				if n := count(t, db, &models.OutboxMail{}, "kind = ? AND registration_id = ? AND data LIKE ?", models.MailDuplicate, tt.regID, "%lost_link%"); n != 1 {
					t.Errorf("the mail is not the lost link's: %d", n)
				}
			}
		})
	}
}

// TestLinkMailedOnceInTenMinutes: asking for a registration's link again
// and again (lost link, or registering the address again) mails it once in
// ten minutes; a failed mail is no reason to withhold the next.
func TestLinkMailedOnceInTenMinutes(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{})
	res, err := models.Register(db.DB, tok, ev.ID, input("ruth@example.org", 0, models.InPerson), now)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Registration.ID
	steps := []struct {
		name string
		ask  func(at time.Time) error
		at   time.Duration
		want int
	}{
		{"lost link", func(at time.Time) error { return models.SendManageLink(db.DB, ev.ID, "ruth@example.org", at) }, 0, 1},
		{"lost link again at once", func(at time.Time) error { return models.SendManageLink(db.DB, ev.ID, "RUTH@example.org", at) }, time.Minute, 1},
		{"registering again", func(at time.Time) error {
			_, err := models.Register(db.DB, tok, ev.ID, input("ruth@example.org", 0, models.InPerson), at)
			return err
		}, 9 * time.Minute, 1},
		{"eleven minutes on", func(at time.Time) error { return models.SendManageLink(db.DB, ev.ID, "ruth@example.org", at) }, 11 * time.Minute, 2},
	}
	for _, s := range steps {
		if err := s.ask(now.Add(s.at)); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := mails(t, db, models.MailDuplicate, id); got != s.want {
			t.Fatalf("%s: %d link mails, want %d", s.name, got, s.want)
		}
	}
	if err := db.Model(&models.OutboxMail{}).Where("registration_id = ? AND kind = ?", id, models.MailDuplicate).Update("status", models.MailFailed).Error; err != nil {
		t.Fatal(err)
	}
	if err := models.SendManageLink(db.DB, ev.ID, "ruth@example.org", now.Add(12*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got := mails(t, db, models.MailDuplicate, id); got != 3 {
		t.Fatalf("after failed mails: %d link mails, want 3", got)
	}
}
