package models_test

import (
	"strings"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// TestUndoCancellation: an organiser's cancellation can be undone for ten
// minutes; the place comes back if it is still free, else the party goes
// first on the waitlist (or, without a waitlist, stays cancelled, saying
// why); never oversold; the cancellation mail waits and is withdrawn; both
// steps are activities. Each case starts from a fresh database.
func TestUndoCancellation(t *testing.T) {
	organiser := func(t *testing.T, db *models.DB) *uint {
		u, _, err := models.EnsureUser(db.DB, "amira@example.org", "Amira", false, "", now)
		if err != nil {
			t.Fatal(err)
		}
		return &u.ID
	}
	type world struct {
		db      *models.DB
		ev      *models.Event
		grace   *models.Registration // party of 3, confirmed
		waiting []*models.Registration
		by      *uint
	}
	// setup: capacity 4, Grace's party of 3 confirmed, then the given
	// parties waiting (a place of 1 is free).
	setup := func(t *testing.T, waitlist bool, waitingGuests ...int) world {
		db := modelstest.Open(t)
		w := world{db: db, by: organiser(t, db)}
		w.ev = newEvent(t, db, models.EventInput{InPerson: bp(true), CapacitySet: true, Capacity: ip(4), MaxGuests: ip(4), Waitlist: bp(waitlist)})
		w.grace = register(t, db, w.ev.ID, "grace@example.org", 2, models.InPerson).Registration
		for i, g := range waitingGuests {
			w.waiting = append(w.waiting, register(t, db, w.ev.ID, "w"+string(rune('a'+i))+"@example.org", g, models.InPerson).Registration)
		}
		return w
	}
	cancel := func(t *testing.T, w world, r *models.Registration, by *uint) {
		if _, err := models.CancelRegistration(w.db.DB, r.ID, by, now); err != nil {
			t.Fatal(err)
		}
	}
	later := now.Add(5 * time.Minute)

	cases := []struct {
		name string
		run  func(t *testing.T, w world) (*models.UndoOutcome, error)
		// wantErr: a refusal on "status" containing this; then nothing changes.
		wantErr                       string
		wantStatus                    string // Grace's, after
		wantPlaceBack, wantWaitlisted bool
		wantPosition                  int
		wantWithdrawn                 bool
		wantMailKind                  string // a new mail to Grace, or ""
		waitlist                      bool
		waitingGuests                 []int
	}{
		{name: "the place is still free", waitlist: true, waitingGuests: []int{1},
			run: func(t *testing.T, w world) (*models.UndoOutcome, error) {
				// 5 places: the waiting party of 2 is confirmed beside Grace's
				// 3, so nobody waits when she is cancelled.
				if _, err := models.SetCapacity(w.db.DB, w.ev.ID, models.InPerson, ip(5), nil, now); err != nil {
					t.Fatal(err)
				}
				cancel(t, w, w.grace, w.by)
				return models.UndoCancellation(w.db.DB, w.grace.ID, w.by, later)
			}, wantStatus: models.RegConfirmed, wantPlaceBack: true, wantWithdrawn: true},
		{name: "the waitlist took the place: first in line", waitlist: true, waitingGuests: []int{3, 0, 1},
			run: func(t *testing.T, w world) (*models.UndoOutcome, error) {
				cancel(t, w, w.grace, w.by) // the party of 4 is promoted; 0 free
				return models.UndoCancellation(w.db.DB, w.grace.ID, w.by, later)
			}, wantStatus: models.RegWaitlisted, wantWaitlisted: true, wantPosition: 1, wantWithdrawn: true},
		{name: "no waitlist and the place was taken: stays cancelled", waitlist: false,
			run: func(t *testing.T, w world) (*models.UndoOutcome, error) {
				cancel(t, w, w.grace, w.by)
				register(t, w.db, w.ev.ID, "new@example.org", 2, models.InPerson)
				return models.UndoCancellation(w.db.DB, w.grace.ID, w.by, later)
			}, wantErr: "stays cancelled (1 place is free, it needs 3)", wantStatus: models.RegCancelled},
		{name: "a waitlisted party goes back to its place in line", waitlist: true, waitingGuests: []int{1, 1, 1},
			run: func(t *testing.T, w world) (*models.UndoOutcome, error) {
				cancel(t, w, w.waiting[1], w.by)
				out, err := models.UndoCancellation(w.db.DB, w.waiting[1].ID, w.by, later)
				if err == nil && (position(t, w.db, out.Registration.ID) != 2 || out.Registration.Status != models.RegWaitlisted) {
					t.Errorf("waitlisted party back as %s number %d, want number 2", out.Registration.Status, position(t, w.db, out.Registration.ID))
				}
				if err == nil && out.Registration.WaitlistSeq != w.waiting[1].WaitlistSeq {
					t.Errorf("waitlist order changed: %d, was %d", out.Registration.WaitlistSeq, w.waiting[1].WaitlistSeq)
				}
				return out, err
			}, wantStatus: models.RegConfirmed},
		{name: "after ten minutes", waitlist: true,
			run: func(t *testing.T, w world) (*models.UndoOutcome, error) {
				cancel(t, w, w.grace, w.by)
				return models.UndoCancellation(w.db.DB, w.grace.ID, w.by, now.Add(models.CancelUndoWindow+time.Second))
			}, wantErr: "10 minutes", wantStatus: models.RegCancelled},
		{name: "the person cancelled themselves", waitlist: true,
			run: func(t *testing.T, w world) (*models.UndoOutcome, error) {
				cancel(t, w, w.grace, nil)
				return models.UndoCancellation(w.db.DB, w.grace.ID, w.by, later)
			}, wantErr: "themselves", wantStatus: models.RegCancelled},
		{name: "the person registered again", waitlist: true,
			run: func(t *testing.T, w world) (*models.UndoOutcome, error) {
				cancel(t, w, w.grace, w.by)
				register(t, w.db, w.ev.ID, "Grace@example.org", 0, models.InPerson)
				return models.UndoCancellation(w.db.DB, w.grace.ID, w.by, later)
			}, wantErr: "registered again", wantStatus: models.RegCancelled},
		{name: "not cancelled", waitlist: true,
			run: func(t *testing.T, w world) (*models.UndoOutcome, error) {
				return models.UndoCancellation(w.db.DB, w.grace.ID, w.by, later)
			}, wantErr: "not cancelled", wantStatus: models.RegConfirmed},
		{name: "the mail went out: told again", waitlist: true,
			run: func(t *testing.T, w world) (*models.UndoOutcome, error) {
				cancel(t, w, w.grace, w.by)
				w.db.DB.Model(&models.OutboxMail{}).Where("kind = ? AND registration_id = ?", models.MailCancelled, w.grace.ID).Update("status", models.MailSent)
				return models.UndoCancellation(w.db.DB, w.grace.ID, w.by, later)
			}, wantStatus: models.RegConfirmed, wantPlaceBack: true, wantMailKind: models.MailConfirmation},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := setup(t, tc.waitlist, tc.waitingGuests...)
			out, err := tc.run(t, w)
			subject := w.grace
			if strings.HasPrefix(tc.name, "a waitlisted") {
				subject = w.waiting[1]
			}
			if tc.wantErr != "" {
				fieldErr(t, err, "status")
				if !strings.Contains(err.Error()+" "+errFields(err), tc.wantErr) {
					t.Errorf("refusal %q, want it to say %q", errFields(err), tc.wantErr)
				}
			} else if err != nil {
				t.Fatalf("undo: %v %s", err, errFields(err))
			} else {
				if subject == w.grace {
					r := out.Registration
					pos := position(t, w.db, r.ID)
					if (r.Status == models.RegConfirmed) != tc.wantPlaceBack || (r.Status == models.RegWaitlisted) != tc.wantWaitlisted ||
						pos != tc.wantPosition || out.MailWithdrawn != tc.wantWithdrawn {
						t.Errorf("outcome: %s, waitlist number %d, mail withdrawn %t", r.Status, pos, out.MailWithdrawn)
					}
				}
				if n := count(t, w.db, &models.Activity{}, "registration_id = ? AND action = ? AND user_id = ?", subject.ID, "cancellation_undone", *w.by); n != 1 {
					t.Errorf("%d cancellation_undone activities by the organiser", n)
				}
			}
			if subject == w.grace {
				if got := status(t, w.db, w.grace.ID); got != tc.wantStatus {
					t.Errorf("Grace is %s, want %s", got, tc.wantStatus)
				}
			}
			if tc.wantWithdrawn && mails(t, w.db, models.MailCancelled, w.grace.ID) != 0 {
				t.Error("the cancellation mail is still in the outbox")
			}
			if tc.wantErr != "" && tc.wantStatus == models.RegCancelled && mails(t, w.db, models.MailCancelled, w.grace.ID) != 1 {
				t.Error("a refused undo touched the cancellation mail")
			}
			if tc.wantMailKind != "" && mails(t, w.db, tc.wantMailKind, w.grace.ID) != 2 { // at registration, and now
				t.Errorf("%s mails: %d, want 2", tc.wantMailKind, mails(t, w.db, tc.wantMailKind, w.grace.ID))
			}
			checkEvent(t, w.db, w.ev.ID) // counters agree, never oversold, waitlist in order
		})
	}

	// The organiser's cancellation mail waits for the undo window; the
	// registrant's own goes at once.
	w := setup(t, true)
	cancel(t, w, w.grace, w.by)
	var m models.OutboxMail
	w.db.DB.Where("kind = ? AND registration_id = ?", models.MailCancelled, w.grace.ID).First(&m)
	if !m.NextAttemptAt.Equal(now.Add(models.CancelUndoWindow)) {
		t.Errorf("organiser's cancellation mail due %v, want %v", m.NextAttemptAt, now.Add(models.CancelUndoWindow))
	}
	r2 := register(t, w.db, w.ev.ID, "self@example.org", 0, models.InPerson).Registration
	cancel(t, w, r2, nil)
	m = models.OutboxMail{}
	w.db.DB.Where("kind = ? AND registration_id = ?", models.MailCancelled, r2.ID).First(&m)
	if !m.NextAttemptAt.Equal(now) {
		t.Errorf("registrant's own cancellation mail due %v, want now", m.NextAttemptAt)
	}
	if n := count(t, w.db, &models.Activity{}, "registration_id = ? AND action = ? AND user_id = ?", w.grace.ID, "cancelled", *w.by); n != 1 {
		t.Errorf("%d cancelled activities by the organiser", n)
	}
}

// errFields joins a ValidationError's messages.
func errFields(err error) string {
	if ve, ok := err.(*models.ValidationError); ok {
		var out []string
		for _, m := range ve.Fields {
			out = append(out, m)
		}
		return strings.Join(out, "; ")
	}
	return ""
}
