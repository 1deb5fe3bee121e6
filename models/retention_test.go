package models_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// TestPurge applies the retention policy on SQLite and PostgreSQL: every
// registration of a past event loses its personal data and private links,
// whatever its address looks like; dietary choices, answers and access needs
// go; address feeds go once their address has nothing left but purged
// registrations; places and catering totals stay as organisers saw them.
func TestPurge(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *models.DB{"sqlite": modelstest.Open, "postgres": modelstest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			qs := []models.QuestionInput{{Key: "faith", Label: "Which community are you from?", Kind: models.QuestionShortText}}
			past := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(10), OnlineCapacitySet: true, OnlineCapacity: ip(10),
				Online: bp(true), MaxGuests: ip(3), Questions: &qs})
			future := newEvent(t, db, models.EventInput{Slug: sp("later"), StartsAt: tp(now.Add(100 * 24 * time.Hour)), CapacitySet: true, Capacity: ip(10)})
			reg := func(ev *models.Event, email, mode, diet string, guests int) *models.Registration {
				in := input(email, guests, mode)
				in.Dietary, in.DietaryOther, in.AccessNeeds = diet, "no nuts", "step-free please"
				in.Answers = map[string]string{"faith": "Jewish"}
				if ev.ID == future.ID {
					in.Answers = nil
				}
				res, err := models.Register(db.DB, tok, ev.ID, in, now)
				if err != nil {
					t.Fatal(err)
				}
				return res.Registration
			}
			regs := []*models.Registration{
				reg(past, "removed-bob@example.org", models.InPerson, "halal", 1), // an address that looks purged
				reg(past, "sara@example.org", models.InPerson, "kosher", 0),
				reg(past, "noor@example.org", models.InPerson, "", 2),
				reg(past, "online@example.org", models.Online, "", 0),
			}
			reg(future, "sara@example.org", models.InPerson, "", 0)
			for _, email := range []string{"removed-bob@example.org", "sara@example.org", "noor@example.org"} {
				if _, err := models.AttendeeFeedToken(db.DB, tok, email, now); err != nil {
					t.Fatal(err)
				}
			}
			manage := tok.ManageToken(regs[0])
			summary := func() models.AttendeeSummary {
				all, err := models.EventRegistrations(db.DB, past.ID)
				if err != nil {
					t.Fatal(err)
				}
				tallies, err := models.CateringTallies(db.DB, past.ID)
				if err != nil {
					t.Fatal(err)
				}
				return models.SummariseAttendees(all, tallies)
			}
			before := summary()
			beforeEvent := loadEvent(t, db, past.ID)

			// The event ended; RETENTION_DAYS (30) later, nothing yet.
			after := past.EndsAt.Add(30*24*time.Hour - time.Minute)
			if res, err := models.Purge(db.DB, after, 30); err != nil || res.Registrations != 0 {
				t.Fatalf("purge within the retention period: %+v %v", res, err)
			}
			at := past.EndsAt.Add(31 * 24 * time.Hour)
			res, err := models.Purge(db.DB, at, 30)
			if err != nil || res.Registrations != 4 || res.Feeds != 2 {
				t.Fatalf("purge: %+v %v, want 4 registrations and the feeds of bob and noor", res, err)
			}
			var rows []models.Registration
			db.Where("event_id = ?", past.ID).Order("id").Find(&rows)
			for _, r := range rows {
				want := fmt.Sprintf("removed-%d@invalid", r.ID)
				if r.PurgedAt == nil || !r.PurgedAt.Equal(at) || r.Name != "Removed" || r.Email != want || r.EmailNorm != want ||
					r.Dietary != "" || r.DietaryOther != "" || r.AccessNeeds != "" || r.Answers != "{}" || r.TokenHash != "" || r.FeedTokenHash != "" || r.TokenNonce != "" || r.FeedNonce != "" {
					t.Errorf("registration %d not purged: %+v", r.ID, r)
				}
			}
			if _, err := models.FindRegistrationByToken(db.DB, manage); !errors.Is(err, models.ErrNotFound) {
				t.Errorf("the manage link of a purged registration still opens it: %v", err)
			}
			var feeds []string
			db.Model(&models.AttendeeFeed{}).Order("email_norm").Pluck("email_norm", &feeds)
			if fmt.Sprint(feeds) != "[sara@example.org]" {
				t.Errorf("address feeds left %v, want only sara's (she is registered for a later event)", feeds)
			}
			var kept models.Registration
			db.Where("event_id = ?", future.ID).Take(&kept)
			if kept.PurgedAt != nil || kept.Email != "sara@example.org" {
				t.Errorf("a registration of a later event was purged: %+v", kept)
			}
			after2 := summary()
			if fmt.Sprint(after2.Catering) != fmt.Sprint(before.Catering) || after2.CateringSum != before.CateringSum ||
				after2.Confirmed != before.Confirmed || after2.ConfirmedOnline != before.ConfirmedOnline {
				t.Errorf("totals changed: catering %v (%d) → %v (%d), confirmed %+v → %+v",
					before.Catering, before.CateringSum, after2.Catering, after2.CateringSum, before.Confirmed, after2.Confirmed)
			}
			// Each person by their own choice: the guests stated none.
			if fmt.Sprint(before.Catering) != "[{halal 1} {kosher 1} {not_stated 4}]" {
				t.Errorf("catering before %v", before.Catering)
			}
			ev := loadEvent(t, db, past.ID)
			if ev.Taken != beforeEvent.Taken || ev.OnlineTaken != beforeEvent.OnlineTaken {
				t.Errorf("places changed: %d/%d → %d/%d", beforeEvent.Taken, beforeEvent.OnlineTaken, ev.Taken, ev.OnlineTaken)
			}
			var mails int64
			db.Model(&models.OutboxMail{}).Where("registration_id IN ?", []uint{regs[0].ID, regs[1].ID, regs[2].ID, regs[3].ID}).Count(&mails)
			if mails != 0 {
				t.Errorf("%d mails of purged registrations left", mails)
			}
			// Purging again changes nothing, and nothing mails a purged row.
			if res, err := models.Purge(db.DB, at.Add(24*time.Hour), 30); err != nil || res.Registrations != 0 || res.Feeds != 0 {
				t.Fatalf("second purge: %+v %v", res, err)
			}
			if n, err := models.MessageRegistrants(db.DB, past.ID, "Thank you", "Thanks for coming.", nil, nil, at); err != nil || n != 0 {
				t.Fatalf("message to a purged event's registrants: %d %v", n, err)
			}
		})
	}
}

// TestMigratePurgeFlag: rows anonymised before the flag existed are marked
// purged and lose the dietary choices they kept, their catering headcount
// moving to the tallies.
func TestMigratePurgeFlag(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(10), MaxGuests: ip(3)})
	in := input("a@example.org", 1, models.InPerson)
	in.Dietary = "halal"
	res, err := models.Register(db.DB, tok, ev.ID, in, now)
	if err != nil {
		t.Fatal(err)
	}
	id := res.Registration.ID
	// As the purge of old anonymised it: the address replaced, the rest
	// kept; and the database as it was before migration 12.
	for _, stmt := range []string{
		fmt.Sprintf("UPDATE registrations SET name = 'Removed', email = 'removed-%d@invalid', email_norm = 'removed-%d@invalid' WHERE id = %d", id, id, id),
		"ALTER TABLE registrations DROP COLUMN purged_at",
		"DROP TABLE catering_tallies",
		"DELETE FROM schema_migrations WHERE version = 12",
	} {
		if err := db.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	if n, err := models.Migrate(db); err != nil || n != 1 {
		t.Fatalf("migrate: %d %v", n, err)
	}
	var r models.Registration
	db.First(&r, id)
	if r.PurgedAt == nil || r.Dietary != "" {
		t.Fatalf("legacy purged row: %+v", r)
	}
	tallies, _ := models.CateringTallies(db.DB, ev.ID)
	if len(tallies) != 1 || tallies[0].Diet != "halal" || tallies[0].People != 2 {
		t.Fatalf("tallies %+v", tallies)
	}
}
