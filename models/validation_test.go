package models_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// TestTextThatCannotBeStored: NUL bytes, other control characters and
// broken UTF-8 are refused with a field message (PostgreSQL would reject
// them with an error; pages and feeds would show them broken).
func TestTextThatCannotBeStored(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(5)})
	bad := []struct {
		name  string
		in    models.RegisterInput
		field string
	}{
		{"NUL in name", models.RegisterInput{Name: "A\x00B", Email: "a@example.org", Consent: true}, "name"},
		{"broken UTF-8", models.RegisterInput{Name: "\xff\xfe", Email: "a@example.org", Consent: true}, "name"},
		{"NUL in email", models.RegisterInput{Name: "A", Email: "a\x00@example.org", Consent: true}, "email"},
		{"escape in needs", models.RegisterInput{Name: "A", Email: "a@example.org", AccessNeeds: "x\x1b[31m", Consent: true}, "access_needs"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			err := models.ValidateRegistration(ev, &in)
			var ve *models.ValidationError
			if !errors.As(err, &ve) || ve.Fields[tt.field] == "" {
				t.Fatalf("err %v, want a message for %s", err, tt.field)
			}
		})
	}
	ok := models.RegisterInput{Name: "Ayşe Yılmaz — שלום، مرحبا", Email: "a@example.org", AccessNeeds: "line one\nline two\ttab", Consent: true}
	if err := models.ValidateRegistration(ev, &ok); err != nil {
		t.Fatalf("good multilingual text refused: %v", err)
	}

	nan, inf := math.NaN(), math.Inf(1)
	start := time.Now().Add(48 * time.Hour)
	opens, closes := start.Add(-time.Hour), start.Add(-2*time.Hour)
	badEvents := []struct {
		name  string
		in    models.EventInput
		field string
	}{
		{"NaN latitude", models.EventInput{Venue: &models.VenueInput{Latitude: &nan}}, "venue.latitude"},
		{"infinite longitude", models.EventInput{Venue: &models.VenueInput{Longitude: &inf}}, "venue.longitude"},
		{"NUL in title", models.EventInput{Title: sp("Vigil\x00")}, "title"},
		{"closes before it opens", models.EventInput{RegistrationOpensSet: true, RegistrationOpensAt: &opens, RegistrationClosesSet: true, RegistrationClosesAt: &closes}, "registration_closes_at"},
	}
	for _, tt := range badEvents {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Title = orDefault(in.Title, "Event")
			in.Kind, in.StartsAt = sp(models.KindMeeting), &start
			_, err := models.CreateEvent(db.DB, in, nil, nil, time.Now())
			var ve *models.ValidationError
			if !errors.As(err, &ve) || ve.Fields[tt.field] == "" {
				t.Fatalf("err %v, want a message for %s", err, tt.field)
			}
		})
	}
}

func orDefault(p *string, s string) *string {
	if p != nil {
		return p
	}
	return &s
}

// TestStopOfferingAModeInUse: a way of attending with registrations cannot
// be switched off (they would be stranded, the stream link still shown).
func TestStopOfferingAModeInUse(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{Online: bp(true), CapacitySet: true, Capacity: ip(5)})
	register(t, db, ev.ID, "online@example.org", 0, models.Online)
	_, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Online: bp(false)}, nil, time.Now())
	var ve *models.ValidationError
	if !errors.As(err, &ve) || ve.Fields["online"] == "" {
		t.Fatalf("switching off online with an online registration: %v", err)
	}
	if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{InPerson: bp(false)}, nil, time.Now()); err != nil {
		t.Fatalf("switching off an unused mode: %v", err)
	}
}

// TestOrganiserAddsWalkInAfterClose: registration has closed (the event has
// started), yet an organiser can still add a walk-in within capacity; the
// public cannot, and a cancelled event takes nobody.
func TestOrganiserAddsWalkInAfterClose(t *testing.T) {
	db := modelstest.Open(t)
	tok := modelstest.Tokens()
	ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(1), Waitlist: bp(false)})
	afterStart := ev.StartsAt.Add(time.Minute)
	public := input("public@example.org", 0, models.InPerson)
	if _, err := models.Register(db.DB, tok, ev.ID, public, afterStart); !errors.Is(err, models.ErrRegistrationClosed) {
		t.Fatalf("public after start: %v", err)
	}
	walkIn := input("walkin@example.org", 0, models.InPerson)
	walkIn.ByOrganiser = true
	res, err := models.Register(db.DB, tok, ev.ID, walkIn, afterStart)
	if err != nil || res.Registration.Status != models.RegConfirmed {
		t.Fatalf("walk-in: %v", err)
	}
	second := input("second@example.org", 0, models.InPerson)
	second.ByOrganiser = true
	if _, err := models.Register(db.DB, tok, ev.ID, second, afterStart); !errors.Is(err, models.ErrFull) {
		t.Fatalf("walk-in beyond capacity: %v", err)
	}
	if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Status: sp(models.StatusCancelled)}, nil, afterStart); err != nil {
		t.Fatal(err)
	}
	third := input("third@example.org", 0, models.InPerson)
	third.ByOrganiser = true
	if _, err := models.Register(db.DB, tok, ev.ID, third, afterStart); !errors.Is(err, models.ErrEventCancelled) {
		t.Fatalf("walk-in at a cancelled event: %v", err)
	}
}
