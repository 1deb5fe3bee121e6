package models_test

import (
	"errors"
	"testing"

	"convene/models"
	"convene/models/modelstest"
)

// TestLookupsTellMissingFromBroken: a row that is not there is ErrNotFound;
// a database that fails is an error of its own, never "not found".
func TestLookupsTellMissingFromBroken(t *testing.T) {
	db := modelstest.Open(t)
	lookups := map[string]func() error{
		"organisation by slug": func() error { _, err := models.OrganisationBySlug(db.Read, "nobody"); return err },
		"organisation by id":   func() error { _, err := models.OrganisationByID(db.Read, 99); return err },
		"series by slug":       func() error { _, err := models.SeriesBySlug(db.Read, "none"); return err },
		"user by id":           func() error { _, err := models.UserByID(db.Read, 99); return err },
		"user by email":        func() error { _, err := models.UserByEmail(db.Read, "no@example.org"); return err },
		"event by id":          func() error { _, err := models.EventByID(db.Read, 99); return err },
		"registration by id":   func() error { _, err := models.RegistrationByID(db.Read, 99); return err },
		"event registration":   func() error { _, err := models.EventRegistration(db.Read, 1, 99); return err },
		"live counts":          func() error { _, err := models.LiveCounts(db.Read, 99); return err },
	}
	for name, lookup := range lookups {
		if err := lookup(); !errors.Is(err, models.ErrNotFound) {
			t.Errorf("%s of a missing row: %v, want ErrNotFound", name, err)
		}
	}
	refs, err := models.EventRefs(db.Read, []uint{1, 2})
	if err != nil || len(refs) != 0 {
		t.Errorf("refs of missing events: %v %v", refs, err)
	}

	// A registration of one event is not found through another.
	ev := newEvent(t, db, models.EventInput{})
	other := newEvent(t, db, models.EventInput{})
	r := register(t, db, ev.ID, "amira@example.org", 0, models.InPerson)
	if _, err := models.EventRegistration(db.Read, other.ID, r.Registration.ID); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("another event's registration: %v", err)
	}
	if got, err := models.EventRegistration(db.Read, ev.ID, r.Registration.ID); err != nil || got.ID != r.Registration.ID {
		t.Errorf("own registration: %v %v", got, err)
	}

	sqlDB, err := db.Read.DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.Close()
	for name, lookup := range lookups {
		if err := lookup(); err == nil || errors.Is(err, models.ErrNotFound) {
			t.Errorf("%s on a closed database: %v, want a failure that is not ErrNotFound", name, err)
		}
	}
	if _, err := models.Organisations(db.Read); err == nil {
		t.Error("organisations on a closed database: no error")
	}
}
