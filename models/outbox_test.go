package models_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"

	"convene/models"
	"convene/models/modelstest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func ptr[T any](v T) *T { return &v }

// mailEvent creates a published hybrid event starting ten days after t0,
// hosted by an organisation, with the given in-person capacity.
func mailEvent(t *testing.T, db *gorm.DB, capacity int) *models.Event {
	t.Helper()
	org := models.Organisation{Slug: "open-doors", Name: "Open Doors", Email: "events@opendoors.example.org", Timezone: "Europe/London"}
	if err := db.Where(models.Organisation{Slug: org.Slug}).FirstOrCreate(&org).Error; err != nil {
		t.Fatal(err)
	}
	start := t0.Add(10 * 24 * time.Hour)
	ev, err := models.CreateEvent(db, models.EventInput{
		Title: ptr("Solidarity iftar"), Kind: ptr(models.KindIftar), Status: ptr(models.StatusPublished),
		StartsAt: &start, EndsAt: ptr(start.Add(2 * time.Hour)), InPerson: ptr(true), Online: ptr(true),
		Venue:     &models.VenueInput{Name: ptr("Al-Noor Mosque"), Address: ptr("1 High Street, London"), AddressVisibility: ptr(models.AddressRegistrants)},
		StreamURL: ptr("https://stream.example.org/iftar"), CapacitySet: true, Capacity: ptr(capacity), MaxGuests: ptr(3),
	}, nil, &org.ID, t0)
	if err != nil {
		t.Fatalf("create event: %v", err)
	}
	return ev
}

func registerAt(t *testing.T, db *gorm.DB, ev *models.Event, email string, guests int, at time.Time) *models.RegisterResult {
	t.Helper()
	res, err := models.Register(db, modelstest.Tokens(), ev.ID, models.RegisterInput{
		Name: "Amina Example", Email: email, Guests: guests, Attendance: models.InPerson, Consent: true, Answers: map[string]string{},
	}, at)
	if err != nil {
		t.Fatalf("register %s: %v", email, err)
	}
	return res
}

func outbox(t *testing.T, db *gorm.DB) []models.OutboxMail {
	t.Helper()
	var out []models.OutboxMail
	if err := db.Order("id").Find(&out).Error; err != nil {
		t.Fatal(err)
	}
	return out
}

func kindsOf(ms []models.OutboxMail) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Kind)
	}
	return out
}

// TestChangesEnqueueMail checks that every change that should mail someone
// writes exactly the expected outbox rows, in its own transaction.
func TestChangesEnqueueMail(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, db *gorm.DB, ev *models.Event, first *models.Registration)
		want   []string
		data   map[string]string // expected keys of the last mail's data
	}{
		{"waitlisted when full", func(t *testing.T, db *gorm.DB, ev *models.Event, _ *models.Registration) {
			registerAt(t, db, ev, "b@example.org", 0, t0)
		}, []string{models.MailWaitlisted}, nil},
		{"duplicate sends the manage link", func(t *testing.T, db *gorm.DB, ev *models.Event, _ *models.Registration) {
			if res := registerAt(t, db, ev, " A@Example.org ", 0, t0); !res.Duplicate {
				t.Fatal("want a duplicate")
			}
		}, []string{models.MailDuplicate}, nil},
		{"cancel promotes the waitlist", func(t *testing.T, db *gorm.DB, ev *models.Event, first *models.Registration) {
			registerAt(t, db, ev, "b@example.org", 0, t0)
			if _, err := models.CancelRegistration(db, first.ID, nil, t0); err != nil {
				t.Fatal(err)
			}
		}, []string{models.MailWaitlisted, models.MailCancelled, models.MailPromoted}, nil},
		{"changed answers", func(t *testing.T, db *gorm.DB, ev *models.Event, first *models.Registration) {
			if _, err := models.ChangeRegistration(db, first.ID, models.RegistrationChange{AccessNeeds: ptr("step-free")}, t0); err != nil {
				t.Fatal(err)
			}
		}, []string{models.MailChanged}, map[string]string{"previous_guests": "1"}},
		{"no change, no mail", func(t *testing.T, db *gorm.DB, ev *models.Event, first *models.Registration) {
			if _, err := models.ChangeRegistration(db, first.ID, models.RegistrationChange{Guests: ptr(1)}, t0); err != nil {
				t.Fatal(err)
			}
		}, nil, nil},
		{"new time", func(t *testing.T, db *gorm.DB, ev *models.Event, _ *models.Registration) {
			s := ev.StartsAt.Add(time.Hour)
			if _, err := models.UpdateEvent(db, ev.Slug, models.EventInput{StartsAt: &s, EndsAt: ptr(s.Add(time.Hour))}, nil, t0); err != nil {
				t.Fatal(err)
			}
		}, []string{models.MailEventChanged}, map[string]string{"previous_starts_at": ev0Start(), "previous_venue": "Al-Noor Mosque"}},
		{"postponed", func(t *testing.T, db *gorm.DB, ev *models.Event, _ *models.Registration) {
			if _, err := models.UpdateEvent(db, ev.Slug, models.EventInput{Status: ptr(models.StatusPostponed)}, nil, t0); err != nil {
				t.Fatal(err)
			}
		}, []string{models.MailPostponed}, nil},
		{"cancelled with a message", func(t *testing.T, db *gorm.DB, ev *models.Event, _ *models.Registration) {
			in := models.EventInput{Status: ptr(models.StatusCancelled), CancelMessage: ptr("The hall flooded.")}
			if _, err := models.UpdateEvent(db, ev.Slug, in, nil, t0); err != nil {
				t.Fatal(err)
			}
		}, []string{models.MailEventCancel}, map[string]string{"message": "The hall flooded."}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := modelstest.Open(t).DB
			ev := mailEvent(t, db, 2)
			first := registerAt(t, db, ev, "a@example.org", 1, t0).Registration
			if got := kindsOf(outbox(t, db)); len(got) != 1 || got[0] != models.MailConfirmation {
				t.Fatalf("after registering: %v, want one confirmation", got)
			}
			tt.change(t, db, ev, first)
			mails := outbox(t, db)[1:]
			if got := kindsOf(mails); strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("mails %v, want %v", got, tt.want)
			}
			for _, m := range mails {
				if m.Status != models.MailPending || m.RegistrationID == nil || m.EventID == nil || m.To == "" {
					t.Errorf("mail %+v is incomplete", m)
				}
			}
			if tt.data != nil {
				var data map[string]string
				if err := json.Unmarshal([]byte(mails[len(mails)-1].Data), &data); err != nil {
					t.Fatal(err)
				}
				for k, v := range tt.data {
					if data[k] != v {
						t.Errorf("data[%q] = %q, want %q", k, data[k], v)
					}
				}
			}
		})
	}
}

// eachDatabase runs f on a fresh SQLite database and, when reachable, on
// a fresh PostgreSQL database.
func eachDatabase(t *testing.T, f func(t *testing.T, db *gorm.DB)) {
	t.Run("sqlite", func(t *testing.T) { f(t, modelstest.Open(t).DB) })
	t.Run("postgres", func(t *testing.T) { f(t, modelstest.OpenPostgres(t).DB) })
}

func ev0Start() string { return t0.Add(10 * 24 * time.Hour).Format(time.RFC3339) }

// TestRolledBackChangeLeavesNoMail: a mail is part of its change, so a
// change that does not commit leaves no mail behind.
func TestRolledBackChangeLeavesNoMail(t *testing.T) {
	db := modelstest.Open(t).DB
	ev := mailEvent(t, db, 1)
	boom := errors.New("boom")
	err := db.Transaction(func(tx *gorm.DB) error {
		registerAt(t, tx, ev, "a@example.org", 0, t0)
		if n := len(outbox(t, tx)); n != 1 {
			t.Fatalf("inside the transaction: %d mails, want 1", n)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("transaction: %v", err)
	}
	if n := len(outbox(t, db)); n != 0 {
		t.Fatalf("after rollback: %d mails, want 0", n)
	}
	var regs int64
	db.Model(&models.Registration{}).Count(&regs)
	if regs != 0 {
		t.Fatalf("after rollback: %d registrations, want 0", regs)
	}

	// A change refused by the rules is rolled back with its mail.
	reg := registerAt(t, db, ev, "a@example.org", 0, t0).Registration
	if _, err := models.ChangeRegistration(db, reg.ID, models.RegistrationChange{Guests: ptr(2), AccessNeeds: ptr("x")}, t0); err == nil {
		t.Fatal("more guests than places: want an error")
	}
	if got := kindsOf(outbox(t, db)); len(got) != 1 {
		t.Fatalf("after a refused change: %v, want only the confirmation", got)
	}
}

func TestClaimMail(t *testing.T) { eachDatabase(t, testClaimMail) }

func testClaimMail(t *testing.T, db *gorm.DB) {
	ev := mailEvent(t, db, 10)
	for _, e := range []string{"a@example.org", "b@example.org", "c@example.org"} {
		registerAt(t, db, ev, e, 0, t0)
	}
	now := t0.Add(time.Minute)
	a, err := models.ClaimMail(db, "A", time.Minute, 2, now)
	if err != nil || len(a) != 2 {
		t.Fatalf("A claimed %d (%v), want 2", len(a), err)
	}
	for _, m := range a {
		if m.Status != models.MailSending || m.ClaimedBy != "A" || m.Attempts != 1 || m.ClaimedUntil == nil {
			t.Fatalf("claimed row %+v", m)
		}
	}
	b, _ := models.ClaimMail(db, "B", time.Minute, 10, now)
	if len(b) != 1 || b[0].ID == a[0].ID || b[0].ID == a[1].ID {
		t.Fatalf("B claimed %v, want the one row A left", b)
	}
	if ok, _ := models.MarkMailSent(db, a[0].ID, "B", now); ok {
		t.Fatal("B marked A's row as sent")
	}
	if ok, _ := models.MarkMailSent(db, a[0].ID, "A", now); !ok {
		t.Fatal("A could not mark its row")
	}
	if due, _ := models.HasDueMail(db, now); due {
		t.Fatal("nothing should be due while leases hold")
	}
	// A dies holding a[1]: after its lease, C takes the row over.
	later := now.Add(2 * time.Minute)
	c, _ := models.ClaimMail(db, "C", time.Minute, 10, later)
	ids := map[uint]bool{}
	for _, m := range c {
		ids[m.ID] = true
	}
	if !ids[a[1].ID] || !ids[b[0].ID] || len(c) != 2 {
		t.Fatalf("C claimed %v, want the two lapsed rows", c)
	}
	if ok, _ := models.RetryMail(db, a[1].ID, "A", "late", later, later); ok {
		t.Fatal("A recorded an outcome after losing its lease")
	}
	if err := models.ReleaseMail(db, []uint{a[1].ID}, "C", later); err != nil {
		t.Fatal(err)
	}
	m, _ := models.FindOutboxMail(db, a[1].ID)
	if m.Status != models.MailPending || m.Attempts != 1 || m.ClaimedBy != "" {
		t.Fatalf("released row %+v, want pending with one attempt", m)
	}
}

func TestHoldAndResend(t *testing.T) { eachDatabase(t, testHoldAndResend) }

func testHoldAndResend(t *testing.T, db *gorm.DB) {
	ev := mailEvent(t, db, 10)
	registerAt(t, db, ev, "a@example.org", 0, t0)
	registerAt(t, db, ev, "b@example.org", 0, t0)
	held, err := models.HoldMail(db, t0)
	if err != nil || len(held) != 2 {
		t.Fatalf("held %d (%v), want 2", len(held), err)
	}
	tests := []struct {
		name    string
		status  string
		wantErr bool
	}{
		{"held", models.MailHeld, false},
		{"failed", models.MailFailed, false},
		{"sent", models.MailSent, true},
		{"pending", models.MailPending, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := held[0].ID
			db.Model(&models.OutboxMail{}).Where("id = ?", id).Updates(map[string]any{"status": tt.status, "attempts": 5})
			m, err := models.ResendMail(db, id, t0)
			if (err != nil) != tt.wantErr {
				t.Fatalf("resend from %s: %v", tt.status, err)
			}
			if err == nil && (m.Status != models.MailPending || m.Attempts != 0) {
				t.Fatalf("resent row %+v", m)
			}
		})
	}
	if _, err := models.ResendMail(db, 9999, t0); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("resend of a missing mail: %v", err)
	}
	n, err := models.ResendHeldMail(db, t0)
	if err != nil || n != 1 {
		t.Fatalf("resend held: %d (%v), want 1", n, err)
	}
	counts, _ := models.OutboxCounts(db)
	if counts[models.MailPending] != 2 {
		t.Fatalf("counts %v", counts)
	}
	page, total, err := models.ListOutbox(db, models.MailPending, 1, 1)
	if err != nil || total != 2 || len(page) != 1 || page[0].ID != held[1].ID {
		t.Fatalf("list: %v %d %v, want the newest of 2", page, total, err)
	}
}

func TestEnqueueReminders(t *testing.T) { eachDatabase(t, testEnqueueReminders) }

func testEnqueueReminders(t *testing.T, db *gorm.DB) {
	ev := mailEvent(t, db, 1) // starts t0 + 10 days, reminder 24 hours before
	early := registerAt(t, db, ev, "early@example.org", 0, t0).Registration
	registerAt(t, db, ev, "waiting@example.org", 0, t0)
	remindAt := ev.StartsAt.Add(-24 * time.Hour)
	tests := []struct {
		name string
		now  time.Time
		want int
	}{
		{"too early", remindAt.Add(-time.Minute), 0},
		{"due", remindAt.Add(time.Minute), 1},
		{"again: nothing more", remindAt.Add(2 * time.Minute), 0},
		{"after the start", ev.StartsAt.Add(time.Minute), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := models.EnqueueReminders(db, tt.now)
			if err != nil || n != tt.want {
				t.Fatalf("reminders %d (%v), want %d", n, err, tt.want)
			}
		})
	}
	var r models.OutboxMail
	if err := db.Where("kind = ?", models.MailReminder).Take(&r).Error; err != nil || *r.RegistrationID != early.ID {
		t.Fatalf("reminder %+v (%v), want one to the confirmed registrant", r, err)
	}

	// A new start time earns a new reminder; late registrants get none.
	s := ev.StartsAt.Add(48 * time.Hour)
	if _, err := models.UpdateEvent(db, ev.Slug, models.EventInput{StartsAt: &s, EndsAt: ptr(s.Add(time.Hour)),
		CapacitySet: true, Capacity: ptr(5)}, nil, t0); err != nil {
		t.Fatal(err)
	}
	registerAt(t, db, ev, "late@example.org", 0, s.Add(-2*time.Hour))
	n, err := models.EnqueueReminders(db, s.Add(-time.Hour))
	if err != nil || n != 2 { // early, and waiting (promoted before the reminder time)
		t.Fatalf("after the move: %d reminders (%v), want 2", n, err)
	}

	// No reminder when the organiser turned them off.
	other := mailEvent(t, db, 5)
	registerAt(t, db, other, "x@example.org", 0, t0)
	if _, err := models.UpdateEvent(db, other.Slug, models.EventInput{ReminderHours: ptr(0)}, nil, t0); err != nil {
		t.Fatal(err)
	}
	if n, _ := models.EnqueueReminders(db, other.StartsAt.Add(-time.Hour)); n != 0 {
		t.Fatalf("reminders with ReminderHours 0: %d", n)
	}
}

func TestMessageRegistrants(t *testing.T) { eachDatabase(t, testMessageRegistrants) }

func testMessageRegistrants(t *testing.T, db *gorm.DB) {
	ev := mailEvent(t, db, 1)
	registerAt(t, db, ev, "a@example.org", 0, t0)
	registerAt(t, db, ev, "b@example.org", 0, t0)
	c := registerAt(t, db, ev, "c@example.org", 0, t0).Registration
	if _, err := models.CancelRegistration(db, c.ID, nil, t0); err != nil {
		t.Fatal(err)
	}
	before := len(outbox(t, db))
	tests := []struct {
		name     string
		subject  string
		body     string
		statuses []string
		want     int
		field    string
	}{
		{"everyone active", "Doors open at 6pm", "Please come early.", nil, 2, ""},
		{"confirmed only", "Parking", "Use the side gate.", []string{models.RegConfirmed}, 1, ""},
		{"waitlisted only", "Still waiting", "We hope to fit you in.", []string{models.RegWaitlisted}, 1, ""},
		{"no subject", "  ", "x", nil, 0, "subject"},
		{"no body", "Hello", "\n ", nil, 0, "body"},
		{"cancelled is not a choice", "Hello", "x", []string{models.RegCancelled}, 0, "statuses"},
		{"long subject", strings.Repeat("a", 201), "x", nil, 0, "subject"},
	}
	total := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := models.MessageRegistrants(db, ev.ID, tt.subject, tt.body, tt.statuses, nil, t0)
			var ve *models.ValidationError
			if tt.field != "" {
				if !errors.As(err, &ve) || ve.Fields[tt.field] == "" {
					t.Fatalf("want a problem with %s, got %v", tt.field, err)
				}
				return
			}
			if err != nil || n != tt.want {
				t.Fatalf("messaged %d (%v), want %d", n, err, tt.want)
			}
			total += n
		})
	}
	if got := len(outbox(t, db)) - before; got != total {
		t.Fatalf("%d mails written, want %d", got, total)
	}
	// Header injection is flattened, not passed on.
	if _, err := models.MessageRegistrants(db, ev.ID, "Hi\r\nBcc: x@evil.example", "x", nil, nil, t0); err != nil {
		t.Fatal(err)
	}
	var m models.OutboxMail
	db.Order("id DESC").Take(&m)
	if strings.ContainsAny(m.Data, "\r") || !strings.Contains(m.Data, `"subject":"Hi Bcc: x@evil.example"`) {
		t.Fatalf("data %s", m.Data)
	}
	if _, err := models.MessageRegistrants(db, 9999, "Hi", "x", nil, nil, t0); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("unknown event: %v", err)
	}
}

// TestRemindersAcrossInstances: schedulers on several instances racing for
// the same reminders write each one once.
func TestRemindersAcrossInstances(t *testing.T) {
	tests := []struct {
		name string
		url  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return t.TempDir() + "/shared.db" }},
		{"postgres", func(t *testing.T) string { return modelstest.PostgresURL(t) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := tt.url(t)
			one, two := modelstest.OpenURL(t, url), modelstest.OpenURL(t, url)
			ev := mailEvent(t, one.DB, 30)
			for i := range 30 {
				registerAt(t, one.DB, ev, fmt.Sprintf("p%02d@example.org", i), 0, t0)
			}
			now := ev.StartsAt.Add(-time.Hour)
			var wg sync.WaitGroup
			var mu sync.Mutex
			total := 0
			for _, db := range []*models.DB{one, two, one, two} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					n, err := models.EnqueueReminders(db.DB, now)
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					total += n
					mu.Unlock()
				}()
			}
			wg.Wait()
			var rows int64
			one.Model(&models.OutboxMail{}).Where("kind = ?", models.MailReminder).Count(&rows)
			if rows != 30 || total != 30 {
				t.Fatalf("%d reminder rows, %d reported, want 30", rows, total)
			}
			// The unique key itself refuses a second copy.
			var r models.OutboxMail
			one.Where("kind = ?", models.MailReminder).Take(&r)
			r.ID = 0
			if err := one.Create(&r).Error; err == nil {
				t.Fatal("a second reminder with the same key was stored")
			}
		})
	}
}
