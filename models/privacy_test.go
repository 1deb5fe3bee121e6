package models_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// summaryOf is the organiser's view of an event's registrations, tallies
// of erased answers included.
func summaryOf(t testing.TB, db *models.DB, eventID uint) models.AttendeeSummary {
	t.Helper()
	all, err := models.EventRegistrations(db.DB, eventID)
	if err != nil {
		t.Fatal(err)
	}
	tallies, err := models.CateringTallies(db.DB, eventID)
	if err != nil {
		t.Fatal(err)
	}
	return models.SummariseAttendees(all, tallies)
}

func cateringOf(s models.AttendeeSummary) string {
	return fmt.Sprintf("%v (%d)", s.Catering, s.CateringSum)
}

// TestAnswersRetention: dietary choices, access needs and answers go the
// event's answers_retention_days after it ends, names and addresses after
// RETENTION_DAYS (30 here); the catering headcount survives both, counted
// once however often the purge runs.
func TestAnswersRetention(t *testing.T) {
	for _, tc := range []struct {
		name string
		days *int // nil: the default, 7
		// what the run just after the answers are due erases
		wantAnswers, wantAnonymised int64
	}{
		{"default of 7 days", nil, 3, 0},
		{"on the day after the event", ip(0), 3, 0},
		{"longer than RETENTION_DAYS", ip(45), 3, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			onBoth(t, func(t *testing.T, db *models.DB) {
				qs := []models.QuestionInput{{Key: "faith", Label: "Which community are you from?", Kind: models.QuestionShortText}}
				ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(10), Online: bp(true), OnlineCapacitySet: true,
					OnlineCapacity: ip(10), MaxGuests: ip(2), Questions: &qs, AnswersRetentionDays: tc.days})
				days := 7
				if tc.days != nil {
					days = *tc.days
				}
				if ev.AnswersRetentionDays != days {
					t.Fatalf("answers_retention_days %d, want %d", ev.AnswersRetentionDays, days)
				}
				var ids []uint
				for _, r := range []struct {
					email, mode, diet string
					guests            int
				}{{"amira@example.org", models.InPerson, "halal", 1}, {"dov@example.org", models.InPerson, "kosher", 0}, {"li@example.org", models.Online, "", 0}} {
					in := input(r.email, r.guests, r.mode)
					in.Dietary, in.AccessNeeds, in.Answers = r.diet, "a seat near the front", map[string]string{"faith": "Jewish"}
					if r.mode == models.Online {
						in.AccessNeeds = ""
					}
					res, err := models.Register(db.DB, tok, ev.ID, in, now)
					if err != nil {
						t.Fatal(err)
					}
					ids = append(ids, res.Registration.ID)
				}
				before := cateringOf(summaryOf(t, db, ev.ID))
				if before != "[{halal 1} {kosher 1} {not_stated 1}] (3)" { // each person by their own choice: the guest stated none
					t.Fatalf("catering before %s", before)
				}
				// Answers kept longer than RETENTION_DAYS go with the rest.
				due := ev.EndsAt.AddDate(0, 0, min(days, 30))
				if res, err := models.Purge(db.DB, due.Add(-time.Minute), 30); err != nil || res.Answers != 0 || res.Registrations != 0 {
					t.Fatalf("purge a minute before the answers are due: %+v %v", res, err)
				}
				at := due.Add(time.Minute)
				res, err := models.Purge(db.DB, at, 30)
				if err != nil || res.Answers != tc.wantAnswers || res.Registrations != tc.wantAnonymised {
					t.Fatalf("purge when the answers are due: %+v %v, want %d answers and %d anonymised", res, err, tc.wantAnswers, tc.wantAnonymised)
				}
				for _, id := range ids {
					r := loadReg(t, db, id)
					if r.Dietary != "" || r.DietaryOther != "" || r.AccessNeeds != "" || r.Answers != "{}" || r.AnswersPurgedAt == nil || !r.AnswersPurgedAt.Equal(at) {
						t.Errorf("registration %d kept answers: %+v", id, r)
					}
					if anonymised := r.PurgedAt != nil; anonymised != (tc.wantAnonymised > 0) || anonymised == strings.HasSuffix(r.Email, "@example.org") {
						t.Errorf("registration %d: purged %v, email %q", id, r.PurgedAt, r.Email)
					}
				}
				if got := cateringOf(summaryOf(t, db, ev.ID)); got != before {
					t.Errorf("catering after the answers went: %s, want %s", got, before)
				}
				if tc.wantAnonymised == 0 {
					_, err := models.ChangeRegistration(db.DB, ids[0], models.RegistrationChange{Dietary: sp("vegan")}, at)
					fieldErr(t, err, "status")
				}
				// Later runs, and the end of RETENTION_DAYS, count nothing twice.
				for _, later := range []time.Time{at.Add(time.Hour), ev.EndsAt.AddDate(0, 0, 31), ev.EndsAt.AddDate(0, 0, 60)} {
					res, err := models.Purge(db.DB, later, 30)
					if err != nil || res.Answers != 0 {
						t.Fatalf("purge at %s: %+v %v", later, res, err)
					}
					if got := cateringOf(summaryOf(t, db, ev.ID)); got != before {
						t.Errorf("catering at %s: %s, want %s", later, got, before)
					}
				}
				if n := count(t, db, &models.Registration{}, "event_id = ? AND purged_at IS NULL", ev.ID); n != 0 {
					t.Errorf("%d registrations not purged after RETENTION_DAYS", n)
				}
			})
		})
	}
}

// TestAnswersRetentionDaysInput: the event setting takes 0 to 365 days.
func TestAnswersRetentionDaysInput(t *testing.T) {
	db := modelstest.Open(t)
	for _, tc := range []struct {
		days int
		ok   bool
	}{{0, true}, {7, true}, {365, true}, {-1, false}, {366, false}} {
		t.Run(fmt.Sprint(tc.days), func(t *testing.T) {
			_, err := models.CreateEvent(db.DB, models.EventInput{Title: sp("Event"), Kind: sp(models.KindMeeting),
				StartsAt: tp(now.Add(24 * time.Hour)), AnswersRetentionDays: ip(tc.days)}, nil, nil, now)
			if tc.ok && err != nil {
				t.Fatal(err)
			}
			if !tc.ok {
				fieldErr(t, err, "answers_retention_days")
			}
		})
	}
}

// eraseCase sets up a registration to erase and says what erasing must do.
type eraseCase struct {
	name string
	// setup returns the registration to erase and the time to erase it.
	setup func(t *testing.T, db *models.DB, f *eraseFixture) (uint, time.Time)
	// what EraseRegistration reports
	cancelled, deleted bool
	// the registration's status afterwards ("" when deleted)
	status string
	// places taken afterwards in person, and the waiting party promoted
	taken    int
	promoted bool
	// catering headcount afterwards
	catering string
}

type eraseFixture struct {
	ev      *models.Event // capacity 3: the target (2 places) and one more
	target  uint          // confirmed, with a guest, halal, answers
	waiting uint          // a party of 2, waitlisted
}

// TestEraseRegistration: an attendee erases their registration in every
// state. Ahead of the event it is a cancellation (the place goes to the
// waitlist); checked in or after the event the counts stay; in every case
// the personal data, mails and links go, and erasing twice changes nothing.
func TestEraseRegistration(t *testing.T) {
	start := now.Add(7 * 24 * time.Hour)
	cases := []eraseCase{
		{name: "confirmed, before the event", setup: func(t *testing.T, db *models.DB, f *eraseFixture) (uint, time.Time) { return f.target, now },
			cancelled: true, status: models.RegCancelled, taken: 3, promoted: true, catering: "[{not_stated 3}] (3)"},
		{name: "confirmed, during the event", setup: func(t *testing.T, db *models.DB, f *eraseFixture) (uint, time.Time) {
			return f.target, start.Add(30 * time.Minute)
		}, cancelled: true, status: models.RegCancelled, taken: 3, promoted: true, catering: "[{not_stated 3}] (3)"},
		{name: "checked in, during the event", setup: func(t *testing.T, db *models.DB, f *eraseFixture) (uint, time.Time) {
			if _, err := models.CheckIn(db.DB, f.ev.ID, f.target, 0, nil, start.Add(5*time.Minute)); err != nil {
				t.Fatal(err)
			}
			return f.target, start.Add(30 * time.Minute)
		}, status: models.RegConfirmed, taken: 3, catering: "[{halal 1} {not_stated 2}] (3)"},
		{name: "confirmed, after the event", setup: func(t *testing.T, db *models.DB, f *eraseFixture) (uint, time.Time) {
			return f.target, f.ev.EndsAt.Add(time.Hour)
		}, status: models.RegConfirmed, taken: 3, catering: "[{halal 1} {not_stated 2}] (3)"},
		{name: "waitlisted", setup: func(t *testing.T, db *models.DB, f *eraseFixture) (uint, time.Time) { return f.waiting, now },
			cancelled: true, status: models.RegCancelled, taken: 3, catering: "[{halal 1} {not_stated 2}] (3)"},
		{name: "cancelled", setup: func(t *testing.T, db *models.DB, f *eraseFixture) (uint, time.Time) {
			if _, err := models.CancelRegistration(db.DB, f.target, nil, now); err != nil {
				t.Fatal(err)
			}
			return f.target, now.Add(time.Hour)
		}, status: models.RegCancelled, taken: 3, promoted: true, catering: "[{not_stated 3}] (3)"},
		{name: "pending approval", setup: func(t *testing.T, db *models.DB, f *eraseFixture) (uint, time.Time) {
			ev := newEvent(t, db, models.EventInput{Slug: sp("approval"), RegistrationMode: sp(models.ModeApproval), CapacitySet: true, Capacity: ip(5)})
			res, err := models.Register(db.DB, tok, ev.ID, input("pending@example.org", 0, models.InPerson), now)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := models.ConfirmRegistration(db.DB, res.Registration.ID, now); err != nil {
				t.Fatal(err)
			}
			if s := status(t, db, res.Registration.ID); s != models.RegPending {
				t.Fatalf("status %s, want pending", s)
			}
			return res.Registration.ID, now
		}, cancelled: true, status: models.RegCancelled, taken: 3, catering: "[{halal 1} {not_stated 2}] (3)"},
		{name: "unconfirmed", setup: func(t *testing.T, db *models.DB, f *eraseFixture) (uint, time.Time) {
			ev := newEvent(t, db, models.EventInput{Slug: sp("confirm"), RegistrationMode: sp(models.ModeConfirmEmail), CapacitySet: true, Capacity: ip(5)})
			res, err := models.Register(db.DB, tok, ev.ID, input("unconfirmed@example.org", 0, models.InPerson), now)
			if err != nil {
				t.Fatal(err)
			}
			return res.Registration.ID, now
		}, deleted: true, taken: 3, catering: "[{halal 1} {not_stated 2}] (3)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			onBoth(t, func(t *testing.T, db *models.DB) { testErase(t, db, tc) })
		})
	}
}

func testErase(t *testing.T, db *models.DB, tc eraseCase) {
	qs := []models.QuestionInput{{Key: "faith", Label: "Which community are you from?", Kind: models.QuestionShortText}}
	f := &eraseFixture{ev: newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(3), MaxGuests: ip(2), Questions: &qs})}
	in := input("amira@example.org", 1, models.InPerson)
	in.Dietary, in.AccessNeeds, in.Answers = "halal", "step-free", map[string]string{"faith": "Muslim"}
	res, err := models.Register(db.DB, tok, f.ev.ID, in, now)
	if err != nil {
		t.Fatal(err)
	}
	f.target = res.Registration.ID
	register(t, db, f.ev.ID, "dov@example.org", 0, models.InPerson)
	f.waiting = register(t, db, f.ev.ID, "noor@example.org", 1, models.InPerson).Registration.ID
	if s := status(t, db, f.waiting); s != models.RegWaitlisted {
		t.Fatalf("the party of two is %s, want waitlisted", s)
	}
	if _, err := models.AttendeeFeedToken(db.DB, tok, "amira@example.org", now); err != nil {
		t.Fatal(err)
	}
	id, at := tc.setup(t, db, f)
	before := loadReg(t, db, id)
	manage, checkIn := tok.ManageToken(before), tok.CheckInCode(before)

	got, err := models.EraseRegistration(db.DB, id, nil, at)
	if err != nil {
		t.Fatal(err)
	}
	if got.Cancelled != tc.cancelled || got.Deleted != tc.deleted || got.Already {
		t.Fatalf("erase: %+v, want cancelled %v deleted %v", got, tc.cancelled, tc.deleted)
	}
	if _, err := models.FindRegistrationByToken(db.DB, manage); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("the manage link still opens the registration: %v", err)
	}
	if _, err := models.RegistrationByCheckInCode(db.DB, tok, checkIn); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("the check-in code still opens the registration: %v", err)
	}
	if n := count(t, db, &models.OutboxMail{}, "registration_id = ?", id); n != 0 {
		t.Errorf("%d mails of the erased registration left", n)
	}
	if n := count(t, db, &models.AttendeeFeed{}, "email_norm = ?", before.EmailNorm); n != 0 {
		t.Errorf("the address feed of %s is left", before.EmailNorm)
	}
	if tc.deleted {
		if n := count(t, db, &models.Registration{}, "id = ?", id); n != 0 {
			t.Errorf("the unconfirmed request is still stored")
		}
	} else {
		r := loadReg(t, db, id)
		want := fmt.Sprintf("removed-%d@invalid", id)
		if r.Status != tc.status || r.PurgedAt == nil || !r.PurgedAt.Equal(at) || r.Name != "Removed" || r.Email != want || r.EmailNorm != want ||
			r.Dietary != "" || r.AccessNeeds != "" || r.Answers != "{}" || r.TokenHash != "" || r.FeedTokenHash != "" ||
			r.TokenNonce != "" || r.FeedNonce != "" || r.Guests != before.Guests {
			t.Errorf("erased row: %+v, want status %s", r, tc.status)
		}
		x, err := models.ExportRegistration(db.DB, id, 30)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(x)
		for _, leak := range []string{before.Email, before.Name, "halal", "step-free", "Muslim", before.TokenHash, before.TokenNonce} {
			if leak != "" && strings.Contains(string(b), leak) {
				t.Errorf("the export of the erased row holds %q: %s", leak, b)
			}
		}
		if x.Registration.ErasedAt == nil || x.Registration.Status != tc.status || len(x.Mails) != 0 {
			t.Errorf("export of the erased row: %s", b)
		}
	}
	if ev := loadEvent(t, db, f.ev.ID); ev.Taken != tc.taken {
		t.Errorf("taken %d, want %d", ev.Taken, tc.taken)
	}
	if promoted := status(t, db, f.waiting) == models.RegConfirmed; promoted != tc.promoted && f.waiting != id {
		t.Errorf("the waiting party promoted: %v, want %v", promoted, tc.promoted)
	}
	if tc.promoted && mails(t, db, models.MailPromoted, f.waiting) != 1 {
		t.Error("the promoted party was not mailed")
	}
	if c := cateringOf(summaryOf(t, db, f.ev.ID)); c != tc.catering {
		t.Errorf("catering %s, want %s", c, tc.catering)
	}
	if n := count(t, db, &models.Activity{}, "action = ?", "erased"); n != 1 {
		t.Errorf("%d erased activities, want 1", n)
	}

	// Erasing again changes nothing (a deleted request is not found).
	again, err := models.EraseRegistration(db.DB, id, nil, at.Add(time.Hour))
	switch {
	case tc.deleted && !errors.Is(err, models.ErrNotFound):
		t.Errorf("erasing a deleted request again: %v", err)
	case !tc.deleted && (err != nil || !again.Already):
		t.Errorf("erasing twice: %+v %v", again, err)
	}
	if ev := loadEvent(t, db, f.ev.ID); ev.Taken != tc.taken {
		t.Errorf("taken after erasing twice %d, want %d", ev.Taken, tc.taken)
	}
	if c := cateringOf(summaryOf(t, db, f.ev.ID)); c != tc.catering {
		t.Errorf("catering after erasing twice %s, want %s", c, tc.catering)
	}
	// The retention policy later counts nothing twice either.
	if _, err := models.Purge(db.DB, f.ev.EndsAt.AddDate(0, 0, 40), 30); err != nil {
		t.Fatal(err)
	}
	if c := cateringOf(summaryOf(t, db, f.ev.ID)); c != tc.catering {
		t.Errorf("catering after the purge %s, want %s", c, tc.catering)
	}
}

// TestExportRegistration: the export holds the registration, its answers
// with their questions, what happened to it and its mails; nothing of
// other people, no hashes or nonces.
func TestExportRegistration(t *testing.T) {
	onBoth(t, func(t *testing.T, db *models.DB) {
		qs := []models.QuestionInput{{Key: "faith", Label: "Which community are you from?", Kind: models.QuestionShortText}}
		ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(1), Questions: &qs, AnswersRetentionDays: ip(3)})
		first := register(t, db, ev.ID, "first@example.org", 0, models.InPerson).Registration
		in := input("amira@example.org", 0, models.InPerson)
		in.Dietary, in.DietaryOther, in.AccessNeeds, in.Answers = "other", "no sesame", "hearing loop", map[string]string{"faith": "Muslim"}
		res, err := models.Register(db.DB, tok, ev.ID, in, now)
		if err != nil {
			t.Fatal(err)
		}
		r := res.Registration
		if _, err := models.CancelRegistration(db.DB, first.ID, nil, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		x, err := models.ExportRegistration(db.DB, r.ID, 30)
		if err != nil {
			t.Fatal(err)
		}
		b, err := json.Marshal(x)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for _, want := range []string{`"email":"amira@example.org"`, `"status":"confirmed"`, `"dietary_other":"no sesame"`, `"access_needs":"hearing loop"`,
			`{"key":"faith","question":"Which community are you from?","answer":"Muslim"}`, `"action":"promoted"`,
			`"kind":"waitlisted"`, `"kind":"promoted"`, `"slug":"` + ev.Slug + `"`,
			`"answers_erased_after":"` + ev.EndsAt.UTC().AddDate(0, 0, 3).Format(time.RFC3339) + `"`,
			`"personal_data_erased_after":"` + ev.EndsAt.UTC().AddDate(0, 0, 30).Format(time.RFC3339) + `"`} {
			if !strings.Contains(s, want) {
				t.Errorf("export lacks %s: %s", want, s)
			}
		}
		stored := loadReg(t, db, r.ID)
		for _, leak := range []string{"first@example.org", first.Name, stored.TokenHash, stored.TokenNonce, stored.FeedNonce, stored.FeedTokenHash, "claimed", "user_id"} {
			if strings.Contains(s, leak) {
				t.Errorf("export holds %q: %s", leak, s)
			}
		}
	})
}

// TestEraseAddress: an admin erases every registration of an address
// across events; the audit log names the address only by its digest.
func TestEraseAddress(t *testing.T) {
	onBoth(t, func(t *testing.T, db *models.DB) {
		one := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(1)})
		two := newEvent(t, db, models.EventInput{Slug: sp("two"), CapacitySet: true, Capacity: ip(5)})
		past := newEvent(t, db, models.EventInput{Slug: sp("past"), StartsAt: tp(now.Add(-48 * time.Hour)), EndsAt: tp(now.Add(-47 * time.Hour))})
		a := register(t, db, one.ID, "Amira@Example.org", 0, models.InPerson).Registration
		waiting := register(t, db, one.ID, "other@example.org", 0, models.InPerson).Registration
		register(t, db, two.ID, "amira@example.org", 0, models.InPerson)
		// A past registration, as if made before the event (Register
		// refuses a past event).
		if err := db.Exec(`INSERT INTO registrations (event_id, name, email, email_norm, guests, attendance, status, answers, dietary,
			dietary_other, access_needs, consent_at, token_nonce, token_hash, feed_nonce, feed_token_hash, created_at, updated_at)
			VALUES (?, 'Amira', 'amira@example.org', 'amira@example.org', 0, 'in_person', 'confirmed', '{}', 'halal', '', '', ?, 'n', 'h', 'n', 'h', ?, ?)`,
			past.ID, now, now, now).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := models.AttendeeFeedToken(db.DB, tok, "amira@example.org", now); err != nil {
			t.Fatal(err)
		}
		admin, _, err := models.EnsureUser(db.DB, "admin@example.org", "Admin", true, "", now)
		if err != nil {
			t.Fatal(err)
		}
		x, err := models.ExportAddress(db.DB, " AMIRA@example.org", 30)
		if err != nil || len(x.Registrations) != 3 || x.AddressFeedCreatedAt == nil || x.OrganiserAccount != nil {
			t.Fatalf("export: %+v %v", x, err)
		}
		if _, err := models.ExportAddress(db.DB, "not an address", 30); err == nil {
			t.Error("an export of no address")
		}
		out, err := models.EraseAddress(db.DB, tok, "amira@EXAMPLE.org", &admin.ID, now)
		if err != nil || out.Registrations != 3 || out.Cancelled != 2 || len(out.EventIDs) != 3 || out.OrganiserAccount {
			t.Fatalf("erase: %+v %v", out, err)
		}
		if status(t, db, waiting.ID) != models.RegConfirmed {
			t.Error("the place freed in event one did not go to the waitlist")
		}
		if status(t, db, a.ID) != models.RegCancelled {
			t.Error("the erased registration was not cancelled")
		}
		x, err = models.ExportAddress(db.DB, "amira@example.org", 30)
		if err != nil || !x.Empty() {
			t.Fatalf("export after erasing: %+v %v", x, err)
		}
		var audit []models.Activity
		db.Where("action = ?", "privacy_erased").Find(&audit)
		if len(audit) != 1 || *audit[0].UserID != admin.ID || !strings.Contains(audit[0].Detail, models.AddressDigest(tok, "amira@example.org")) ||
			strings.Contains(strings.ToLower(audit[0].Detail), "amira") {
			t.Errorf("audit %+v", audit)
		}
		var details []string
		db.Model(&models.Activity{}).Pluck("detail", &details)
		if strings.Contains(strings.ToLower(strings.Join(details, " ")), "amira") {
			t.Errorf("the address is in the audit log: %q", details)
		}
		// Again: nothing left, still audited; an organiser's address is said.
		out, err = models.EraseAddress(db.DB, tok, "admin@example.org", nil, now)
		if err != nil || out.Registrations != 0 || !out.OrganiserAccount {
			t.Fatalf("erase an organiser's address: %+v %v", out, err)
		}
		_, err = models.EraseAddress(db.DB, tok, "", &admin.ID, now)
		fieldErr(t, err, "email")
	})
}
