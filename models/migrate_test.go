package models_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// migrateTwice migrates a database that has never been migrated, then again.
func migrateTwice(t *testing.T, url string) {
	db, err := models.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := models.Migrate(db)
	if err != nil {
		t.Fatalf("first Migrate: %v", err)
	}
	if n != len(models.MigrationVersions()) {
		t.Fatalf("first Migrate applied %d, want %d", n, len(models.MigrationVersions()))
	}
	for i := 0; i < 2; i++ {
		if n, err := models.Migrate(db); err != nil || n != 0 {
			t.Fatalf("Migrate again: applied %d (%v), want 0", n, err)
		}
	}
	var versions []int
	if err := db.DB.Model(&models.SchemaMigration{}).Order("version").Pluck("version", &versions).Error; err != nil {
		t.Fatal(err)
	}
	if len(versions) != len(models.MigrationVersions()) || versions[len(versions)-1] != models.SchemaVersion() {
		t.Fatalf("schema_migrations %v", versions)
	}
	// The schema works, including the unique index on active registrations.
	ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(1)})
	register(t, db, ev.ID, "a@example.org", 0, models.InPerson)
	dup := models.Registration{EventID: ev.ID, Name: "A", Email: "a@example.org", EmailNorm: "a@example.org",
		Attendance: models.InPerson, Status: models.RegWaitlisted, TokenNonce: "n1", TokenHash: "h1", FeedNonce: "f1", FeedTokenHash: "fh1"}
	if err := db.DB.Create(&dup).Error; err == nil {
		t.Fatal("a second active registration for one email was stored: the unique index is missing")
	}
	dup.Status = models.RegCancelled
	if err := db.DB.Create(&dup).Error; err != nil {
		t.Fatalf("a cancelled registration beside an active one: %v", err)
	}
	for _, s := range []string{models.RegUnconfirmed, models.RegUnconfirmed} {
		dup.ID, dup.Status = 0, s
		if err := db.DB.Create(&dup).Error; err != nil {
			t.Fatalf("an unconfirmed request beside an active registration: %v", err)
		}
	}
	dup.ID, dup.Status = 0, models.RegDeclined
	if err := db.DB.Create(&dup).Error; err == nil {
		t.Fatal("a declined registration beside an active one was stored: declined holds the address")
	}
	checkEvent(t, db, ev.ID)
}

func TestMigrateSQLite(t *testing.T) {
	migrateTwice(t, filepath.Join(t.TempDir(), "fresh.db"))
}

func TestMigratePostgres(t *testing.T) {
	migrateTwice(t, modelstest.PostgresURL(t))
}

// Instances that start together take turns: the migrations run once.
func TestMigrateConcurrentPostgres(t *testing.T) {
	url := modelstest.PostgresURL(t)
	const instances = 4
	var (
		wg      sync.WaitGroup
		applied [instances]int
		errs    [instances]error
	)
	for i := 0; i < instances; i++ {
		db, err := models.Open(url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			applied[i], errs[i] = models.Migrate(db)
		}(i)
	}
	wg.Wait()
	total := 0
	for i := range applied {
		if errs[i] != nil {
			t.Fatalf("instance %d: %v", i, errs[i])
		}
		total += applied[i]
	}
	if total != len(models.MigrationVersions()) {
		t.Fatalf("instances applied %v migrations, want %d in all", applied, len(models.MigrationVersions()))
	}
}

// TestAnswersNeverNull: a registration without answers stores {}, and
// migration 20 mends rows stored as null before it, on both databases.
func TestAnswersNeverNull(t *testing.T) {
	onBoth(t, func(t *testing.T, db *models.DB) {
		ev := newEvent(t, db, models.EventInput{})
		res := register(t, db, ev.ID, "a@example.org", 0, models.InPerson)
		var answers string
		db.DB.Model(&models.Registration{}).Where("id = ?", res.Registration.ID).Pluck("answers", &answers)
		if answers != "{}" {
			t.Fatalf("answers stored as %q, want {}", answers)
		}
		if err := db.DB.Exec("UPDATE registrations SET answers = 'null'").Error; err != nil {
			t.Fatal(err)
		}
		if err := db.DB.Where("version = ?", 20).Delete(&models.SchemaMigration{}).Error; err != nil {
			t.Fatal(err)
		}
		if n, err := models.Migrate(db); err != nil || n != 1 {
			t.Fatalf("Migrate: applied %d (%v), want migration 20", n, err)
		}
		db.DB.Model(&models.Registration{}).Where("id = ?", res.Registration.ID).Pluck("answers", &answers)
		if answers != "{}" {
			t.Fatalf("after migration 20, answers %q, want {}", answers)
		}
	})
}

// TestUpgradeFromEveryVersion loads a database made by each earlier version
// of Convene (dumps in testdata/history, made by tools/schemahistory/dump.sh
// from the commits themselves, demo rows included), migrates it with this
// build and compares its schema with a fresh database's: tables, columns
// with their types, nullability and defaults, indexes and constraints. The
// rows are still there and the database takes registrations.
func TestUpgradeFromEveryVersion(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			dumps, err := filepath.Glob("testdata/history/*." + dialect + ".sql")
			if err != nil || len(dumps) == 0 {
				t.Fatalf("no dumps of earlier versions (%v)", err)
			}
			url := func(t *testing.T) string {
				if dialect == "postgres" {
					return modelstest.PostgresURL(t)
				}
				return filepath.Join(t.TempDir(), "convene.db")
			}
			want := readSchema(t, modelstest.OpenURL(t, url(t)))
			for _, dump := range dumps {
				t.Run(strings.TrimSuffix(filepath.Base(dump), "."+dialect+".sql"), func(t *testing.T) {
					u := url(t)
					loadDump(t, u, dump)
					db := modelstest.OpenURL(t, u) // migrates
					if diff := diffSchemas(want, readSchema(t, db)); diff != "" {
						t.Fatalf("upgraded schema differs from a fresh one (-fresh +upgraded):\n%s", diff)
					}
					if n := count(t, db, &models.Event{}, "1 = 1"); n == 0 {
						t.Fatal("the events of the old database are gone")
					}
					ev := newEvent(t, db, models.EventInput{Slug: sp("after-upgrade"), CapacitySet: true, Capacity: ip(1)})
					register(t, db, ev.ID, "after-upgrade@example.org", 0, models.InPerson)
					checkEvent(t, db, ev.ID)
				})
			}
		})
	}
}

// TestMigrateTokensScopesAndExpiry upgrades api_tokens as they were before
// migration 10 (no scope, no expiry): organisers' tokens keep writing, door
// volunteers' become door tokens, and all expire a year after they were
// made.
func TestMigrateTokensScopesAndExpiry(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *models.DB{"sqlite": modelstest.Open, "postgres": modelstest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			org := models.Organisation{Slug: "o", Name: "O"}
			db.Create(&org)
			mk := func(email, role string) uint {
				u, _, err := models.EnsureUser(db.DB, email, "", false, "", now)
				if err != nil {
					t.Fatal(err)
				}
				if role != "" {
					db.Create(&models.Membership{UserID: u.ID, OrganisationID: org.ID, Role: role})
				}
				return u.ID
			}
			admin, organiser, door := mk("admin@x.org", ""), mk("org@x.org", models.MemberOrganiser), mk("door@x.org", models.MemberDoor)
			for _, stmt := range []string{"ALTER TABLE api_tokens DROP COLUMN scope", "ALTER TABLE api_tokens DROP COLUMN expires_at",
				"DELETE FROM schema_migrations WHERE version = 10"} {
				if err := db.Exec(stmt).Error; err != nil {
					t.Fatal(err)
				}
			}
			made := now.Add(-30 * 24 * time.Hour)
			for i, id := range []uint{admin, organiser, door} {
				if err := db.Exec("INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES (?, ?, ?, ?)", id, "old", fmt.Sprintf("hash%d", i), made).Error; err != nil {
					t.Fatal(err)
				}
			}
			if n, err := models.Migrate(db); err != nil || n != 1 {
				t.Fatalf("migrate: %d %v", n, err)
			}
			var rows []models.APIToken
			db.Order("id").Find(&rows)
			want := []string{models.ScopeWrite, models.ScopeWrite, models.ScopeDoor}
			for i, r := range rows {
				if r.Scope != want[i] || r.ExpiresAt == nil || !r.ExpiresAt.Equal(made.Add(models.MaxTokenLifetime)) {
					t.Errorf("token of user %d: scope %q, expires %v", r.UserID, r.Scope, r.ExpiresAt)
				}
			}
		})
	}
}

// loadDump runs a dump of sqlite3 or pg_dump into the empty database at url.
func loadDump(t *testing.T, url, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := models.Open(url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close() // the dump's session settings (search_path, foreign keys) end with it
	if err := db.Exec(string(b)).Error; err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
}

// TestMigrateEmailsFoldASCIIOnly: registrations stored when addresses were
// folded with Unicode rules are matched again on what was typed.
func TestMigrateEmailsFoldASCIIOnly(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(5)})
	look := register(t, db, ev.ID, "\u212Aate@example.org", 0, models.InPerson).Registration
	plain := register(t, db, ev.ID, "Sam@Example.org", 0, models.InPerson).Registration
	for _, stmt := range []string{"UPDATE registrations SET email_norm = 'kate@example.org' WHERE id = " + fmt.Sprint(look.ID),
		"DELETE FROM schema_migrations WHERE version = 11"} {
		if err := db.Exec(stmt).Error; err != nil {
			t.Fatal(err)
		}
	}
	if n, err := models.Migrate(db); err != nil || n != 1 {
		t.Fatalf("migrate: %d %v", n, err)
	}
	for id, want := range map[uint]string{look.ID: "\u212aate@example.org", plain.ID: "sam@example.org"} {
		var got string
		db.Model(&models.Registration{}).Where("id = ?", id).Pluck("email_norm", &got)
		if got != want {
			t.Errorf("registration %d: email_norm %q, want %q", id, got, want)
		}
	}
}
