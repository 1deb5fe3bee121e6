package models_test

import (
	"errors"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// TestEditEventNamesWhatChanged: saving the editor records one event_edited
// entry naming the fields that changed, in the editor's order, and none
// when nothing did or the save was refused.
func TestEditEventNamesWhatChanged(t *testing.T) {
	start := now.Add(7 * 24 * time.Hour)
	for _, tt := range []struct {
		name   string
		edit   models.EventInput
		stale  bool
		want   string // "" : no entry
		refuse bool
	}{
		{"title and questions", models.EventInput{Title: sp("New title"),
			Questions: &[]models.QuestionInput{{Label: "Diet", Kind: models.QuestionShortText}}}, false, "changed title, questions", false},
		{"the same values again", models.EventInput{Title: sp("Test event"), StartsAt: &start}, false, "", false},
		{"capacity and venue", models.EventInput{CapacitySet: true, Capacity: ip(40),
			Venue: &models.VenueInput{Name: sp("Town hall"), Latitude: fp(51.5)}}, false, "changed venue.name, venue.latitude, capacity", false},
		{"the times", models.EventInput{StartsAt: tp(start.Add(time.Hour)), EndsAt: tp(start.Add(4 * time.Hour))}, false, "changed starts_at, ends_at", false},
		{"hosts", models.EventInput{Hosts: &[]models.HostInput{{Organisation: "edit-hosts"}}}, false, "changed hosts", false},
		{"format", models.EventInput{Online: bp(true)}, false, "changed format", false},
		{"stale form", models.EventInput{Title: sp("Too late")}, true, "", true},
		{"refused value", models.EventInput{MaxGuests: ip(99)}, false, "", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := modelstest.Open(t)
			if _, err := models.SaveOrganisation(db.DB, 0, models.OrganisationInput{Slug: "edit-hosts", Name: "Hosts"}, nil, now); err != nil {
				t.Fatal(err)
			}
			ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(20)})
			version := models.EventVersion(ev)
			if tt.stale {
				if _, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Summary: sp("someone else")}, nil, now); err != nil {
					t.Fatal(err)
				}
			}
			_, err := models.EditEvent(db.DB, ev.Slug, version, tt.edit, nil, now)
			if tt.refuse != (err != nil) {
				t.Fatalf("EditEvent: %v", err)
			}
			var details []string
			if err := db.Model(&models.Activity{}).Where("event_id = ? AND action = ?", ev.ID, "event_edited").Pluck("detail", &details).Error; err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.want == "" && len(details) != 0:
				t.Errorf("entries %q, want none", details)
			case tt.want != "" && (len(details) != 1 || details[0] != tt.want):
				t.Errorf("entries %q, want one: %q", details, tt.want)
			}
		})
	}
}

// TestEditEventIsOneTransaction: when the event_edited entry cannot be
// written, the change is not saved either (a trigger refuses the entry).
func TestEditEventIsOneTransaction(t *testing.T) {
	dialects(t, func(t *testing.T, db *models.DB) {
		ev := newEvent(t, db, models.EventInput{})
		refuse := []string{`CREATE TRIGGER refuse_edits BEFORE INSERT ON activities FOR EACH ROW
			WHEN (NEW.action = 'event_edited') BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`}
		if db.Postgres {
			refuse = []string{`CREATE FUNCTION refuse_edits() RETURNS trigger LANGUAGE plpgsql AS
				$$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$`,
				`CREATE TRIGGER refuse_edits BEFORE INSERT ON activities FOR EACH ROW
				WHEN (NEW.action = 'event_edited') EXECUTE FUNCTION refuse_edits()`}
		}
		for _, sql := range refuse {
			if err := db.Exec(sql).Error; err != nil {
				t.Fatal(err)
			}
		}
		_, err := models.EditEvent(db.DB, ev.Slug, models.EventVersion(ev), models.EventInput{Title: sp("Changed")}, nil, now)
		var ve *models.ValidationError
		if err == nil || errors.As(err, &ve) {
			t.Fatalf("EditEvent with its entry refused: %v, want the database's error", err)
		}
		if got := loadEvent(t, db, ev.ID); got.Title != ev.Title || got.Revision != ev.Revision {
			t.Errorf("the change was saved without its entry: title %q, revision %d", got.Title, got.Revision)
		}
	})
}
