package models_test

import (
	"testing"
	"time"

	"convene/models"
)

// TestMessageAudienceTestAndDeliveries: the audience counts registrations
// that can be mailed, by status; a test goes to the organiser alone, with
// the same rules as a message; deliveries group each message's mails by
// where they are, newest first.
// On both dialects: the deliveries group by expressions.
func TestMessageAudienceTestAndDeliveries(t *testing.T) {
	dialects(t, testMessageAudienceTestAndDeliveries)
}

func testMessageAudienceTestAndDeliveries(t *testing.T, db *models.DB) {
	ev := newEvent(t, db, models.EventInput{InPerson: bp(true), CapacitySet: true, Capacity: ip(2), MaxGuests: ip(2), Waitlist: bp(true)})
	a := register(t, db, ev.ID, "a@example.org", 1, models.InPerson).Registration
	register(t, db, ev.ID, "b@example.org", 0, models.InPerson) // waitlisted
	c := register(t, db, ev.ID, "c@example.org", 0, models.InPerson).Registration
	db.DB.Model(&models.Registration{}).Where("id = ?", c.ID).Update("purged_at", now) // no address any more
	u, _, err := models.EnsureUser(db.DB, "amira@example.org", "Amira", false, "", now)
	if err != nil {
		t.Fatal(err)
	}
	aud, err := models.CountMessageAudience(db.DB, ev.ID)
	if err != nil || aud.Confirmed != 1 || aud.Waitlisted != 1 {
		t.Fatalf("audience %+v %v, want 1 confirmed and 1 waitlisted (the purged one left out)", aud, err)
	}

	bad := []struct{ name, subject, body, field string }{
		{"no subject", " ", "Hello", "subject"},
		{"no body", "Hi", "  ", "body"},
		{"a subject with a direction override", "Hi \u202e", "Hello", "subject"},
		{"a subject too long", string(make([]rune, 201)), "Hello", "subject"},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			fieldErr(t, models.SendTestMessage(db.DB, ev.ID, u, b.subject, b.body, now), b.field)
		})
	}
	if n := count(t, db, &models.OutboxMail{}, "kind = ?", models.MailMessage); n != 0 {
		t.Fatalf("refused tests wrote %d mails", n)
	}
	if err := models.SendTestMessage(db.DB, ev.ID, u, "Doors open", "Early, please", now); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, &models.OutboxMail{}, `kind = ? AND registration_id IS NULL AND "to" = ?`, models.MailMessage, "amira@example.org"); n != 1 {
		t.Fatalf("%d test mails to the organiser", n)
	}
	if n := count(t, db, &models.Activity{}, "action = ? AND user_id = ?", "message_test_sent", u.ID); n != 1 {
		t.Errorf("%d message_test_sent activities", n)
	}
	later := now.Add(time.Minute)
	if n, err := models.MessageRegistrants(db.DB, ev.ID, "Doors open", "Early, please", nil, &u.ID, later); err != nil || n != 2 {
		t.Fatalf("sent %d, %v", n, err)
	}
	db.DB.Model(&models.OutboxMail{}).Where("kind = ? AND registration_id = ?", models.MailMessage, a.ID).Updates(map[string]any{"status": models.MailPending, "attempts": 1})

	ds, err := models.MessageDeliveries(db.DB, ev.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []models.MessageDelivery{
		{At: later, Subject: "Doors open", Waiting: 1, Retrying: 1},
		{At: now, Subject: "Doors open", Test: true, To: "amira@example.org", Waiting: 1},
	}
	if len(ds) != len(want) {
		t.Fatalf("%d deliveries: %+v", len(ds), ds)
	}
	for i := range want {
		if !ds[i].At.Equal(want[i].At) || ds[i].Subject != want[i].Subject || ds[i].Test != want[i].Test || ds[i].To != want[i].To ||
			ds[i].Waiting != want[i].Waiting || ds[i].Retrying != want[i].Retrying || ds[i].Total() != want[i].Waiting+want[i].Retrying {
			t.Errorf("delivery %d: %+v, want %+v", i, ds[i], want[i])
		}
	}
	if ds, _ := models.MessageDeliveries(db.DB, ev.ID, 1); len(ds) != 1 || ds[0].Test {
		t.Errorf("limit 1: %+v, want the newest", ds)
	}
}
