package models_test

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// tableCounts counts the rows of every table Seed writes.
func tableCounts(t *testing.T, db *models.DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for name, m := range map[string]any{
		"organisations": &models.Organisation{}, "series": &models.Series{}, "events": &models.Event{},
		"event_hosts": &models.EventHost{}, "questions": &models.Question{}, "registrations": &models.Registration{},
		"users": &models.User{}, "memberships": &models.Membership{}, "activities": &models.Activity{}, "outbox": &models.OutboxMail{},
	} {
		out[name] = count(t, db, m, "1 = 1")
	}
	return out
}

// checkSeeded asserts what the demo data promises at clock: each kind has an
// upcoming published event, one has a waitlist, one is cancelled, one is
// nearly full, and every event keeps the capacity invariants.
func checkSeeded(t *testing.T, db *models.DB, clock time.Time) {
	t.Helper()
	var evs []models.Event
	if err := db.DB.Order("starts_at").Find(&evs).Error; err != nil {
		t.Fatal(err)
	}
	if len(evs) < 8 {
		t.Fatalf("%d events seeded", len(evs))
	}
	upcoming := map[string]bool{}
	var waitlisted, cancelled, nearlyFull []string
	for i := range evs {
		ev := checkEvent(t, db, evs[i].ID)
		if ev.Status == models.StatusCancelled {
			cancelled = append(cancelled, ev.Slug)
			continue
		}
		if ev.Status != models.StatusPublished {
			t.Errorf("%s: status %s", ev.Slug, ev.Status)
			continue
		}
		if !ev.StartsAt.After(clock) {
			continue
		}
		upcoming[ev.Kind] = true
		if err := models.OpenForRegistration(ev, clock); err != nil {
			t.Errorf("%s: upcoming but %v", ev.Slug, err)
		}
		if n, _ := models.WaitlistLength(db.DB, ev.ID); n[models.InPerson]+n[models.Online] > 0 {
			waitlisted = append(waitlisted, ev.Slug)
		}
		if ev.Capacity != nil {
			left := *ev.PlacesLeft(models.InPerson)
			if left > 0 && left <= max(2, *ev.Capacity/10) {
				nearlyFull = append(nearlyFull, ev.Slug)
			}
		}
		if ev.Kind == models.KindLivestream && (ev.InPerson || !ev.Online) {
			t.Errorf("%s: livestream with in_person=%v online=%v", ev.Slug, ev.InPerson, ev.Online)
		}
		if ev.Kind == models.KindIftar {
			if ev.StartRule != "sunset" {
				t.Errorf("%s: iftar does not follow the sunset", ev.Slug)
			}
			if h := ev.StartsAt.In(london).Hour(); h < 15 || h > 21 {
				t.Errorf("%s: iftar starts at %v London time", ev.Slug, ev.StartsAt.In(london))
			}
		}
	}
	for _, k := range models.Kinds {
		if !upcoming[k] {
			t.Errorf("no upcoming published %s", k)
		}
	}
	if len(waitlisted) == 0 {
		t.Error("no upcoming event has a waitlist")
	}
	if len(cancelled) == 0 {
		t.Error("no event is cancelled")
	}
	if len(nearlyFull) == 0 {
		t.Error("no upcoming event is nearly full")
	}
	if n := count(t, db, &models.OutboxMail{}, "status = ?", models.MailPending); n != 0 {
		t.Errorf("%d demo mails pending: they must be held", n)
	}
	if n := count(t, db, &models.Registration{}, "1 = 1"); n == 0 {
		t.Error("no registrations seeded")
	}
}

func TestSeedIsIdempotent(t *testing.T) {
	db := modelstest.Open(t)
	loaded, err := models.Seed(db.DB, tok, now)
	if err != nil || !loaded {
		t.Fatalf("first Seed: %v %v", loaded, err)
	}
	checkSeeded(t, db, now)
	before := tableCounts(t, db)
	for _, clock := range []time.Time{now, now.Add(24 * time.Hour), now.AddDate(1, 0, 0)} {
		loaded, err = models.Seed(db.DB, tok, clock)
		if err != nil || loaded {
			t.Fatalf("Seed again at %v: %v %v, want false and no error", clock, loaded, err)
		}
		if after := tableCounts(t, db); !equalCounts(before, after) {
			t.Fatalf("second Seed added rows: %v → %v", before, after)
		}
	}
	var u models.User
	if err := db.DB.Where("email = ?", models.DemoEmail).Take(&u).Error; err != nil || !u.Admin || !u.CheckPassword(models.DemoPassword) {
		t.Fatalf("demo organiser: %v admin=%v", err, u.Admin)
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestSeedAcrossTheYear(t *testing.T) {
	clocks := []time.Time{
		time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 26, 23, 0, 0, 0, time.UTC), // the eve of Holocaust Memorial Day
		time.Date(2026, 1, 27, 19, 0, 0, 0, time.UTC), // just after it
		time.Date(2026, 2, 25, 12, 0, 0, 0, time.UTC), // early in Ramadan
		time.Date(2026, 3, 15, 20, 0, 0, 0, time.UTC), // late in Ramadan
		time.Date(2026, 3, 29, 0, 30, 0, 0, time.UTC), // the night the clocks go forward
		time.Date(2026, 6, 21, 12, 0, 0, 0, time.UTC),
		time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC), // the night the clocks go back
		time.Date(2026, 12, 31, 23, 59, 0, 0, time.UTC),
		time.Date(2032, 12, 20, 12, 0, 0, 0, time.UTC), // the last Ramadan in the table
		time.Date(2034, 6, 1, 12, 0, 0, 0, time.UTC),   // past the table
	}
	for _, clock := range clocks {
		t.Run(clock.Format(time.RFC3339), func(t *testing.T) {
			db := modelstest.Open(t)
			if loaded, err := models.Seed(db.DB, tok, clock); err != nil || !loaded {
				t.Fatalf("Seed: %v %v", loaded, err)
			}
			checkSeeded(t, db, clock)
		})
	}
}

func TestSeedPostgres(t *testing.T) {
	db := modelstest.OpenPostgres(t)
	if loaded, err := models.Seed(db.DB, tok, now); err != nil || !loaded {
		t.Fatalf("Seed: %v %v", loaded, err)
	}
	checkSeeded(t, db, now)
	if loaded, err := models.Seed(db.DB, tok, now); err != nil || loaded {
		t.Fatalf("Seed again: %v %v", loaded, err)
	}
}

// TestSeedTogether: instances starting at once on a new database (two
// pools, as two processes) seed it once, with no error for either.
func TestSeedTogether(t *testing.T) {
	for name, open := range map[string]func(t *testing.T) (*models.DB, *models.DB){
		"sqlite": func(t *testing.T) (*models.DB, *models.DB) {
			path := filepath.Join(t.TempDir(), "seed.db")
			return modelstest.OpenURL(t, path), modelstest.OpenURL(t, path)
		},
		"postgres": func(t *testing.T) (*models.DB, *models.DB) {
			url := modelstest.PostgresURL(t)
			return modelstest.OpenURL(t, url), modelstest.OpenURL(t, url)
		},
	} {
		t.Run(name, func(t *testing.T) {
			a, b := open(t)
			var seeded [2]bool
			var errs [2]error
			var wg sync.WaitGroup
			for i, db := range []*models.DB{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					seeded[i], errs[i] = models.Seed(db.DB, tok, now)
				}()
			}
			wg.Wait()
			if errs[0] != nil || errs[1] != nil {
				t.Fatalf("seeding together: %v, %v", errs[0], errs[1])
			}
			if seeded[0] == seeded[1] {
				t.Fatalf("seeded %v and %v: want exactly one", seeded[0], seeded[1])
			}
			once := modelstest.Open(t)
			if _, err := models.Seed(once.DB, tok, now); err != nil {
				t.Fatal(err)
			}
			if got, want := tableCounts(t, a), tableCounts(t, once); !equalCounts(got, want) {
				t.Errorf("seeded together: %v, seeded once: %v", got, want)
			}
		})
	}
}
