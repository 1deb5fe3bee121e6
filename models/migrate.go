package models

import (
	"embed"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// SchemaMigration records an applied migration.
type SchemaMigration struct {
	Version   int `gorm:"primaryKey;autoIncrement:false"`
	Name      string
	AppliedAt time.Time
}

type migration struct {
	version int
	name    string
	up      func(tx *gorm.DB, postgres bool) error
}

// sqlFiles holds the SQL of each migration, one file per dialect:
// migrations/NNNN_name.sqlite.sql and migrations/NNNN_name.postgres.sql.
//
//go:embed migrations/*.sql
var sqlFiles embed.FS

// migrations are append-only: never edit or remove one that has shipped, and
// never drop a table or column with data in it; add a new migration instead.
// Each is the SQL of its day, frozen: never GORM's AutoMigrate, whose result
// follows today's structs, so that a database made long ago and a fresh one
// end the same (TestUpgradeFromEveryVersion checks it on both dialects, and
// TestModelsMatchSchema that the structs declare what the migrations made).
// Versions come from each branch's own range, so they need not ascend.
var migrations = []migration{
	{1, "initial schema", runSQL("0001_initial")},
	{2, "waitlist order index", runSQL("0002_waitlist_index")},
	{3, "attendee feeds", runSQL("0003_attendee_feeds")},
	{4, "organiser workspace: sessions, invitations, door assignments", runSQL("0004_workspace")},
	{5, "outbox claims, leases and dedupe keys", runSQL("0005_outbox_claims")},
	{6, "disabled accounts", runSQL("0006_disabled_accounts")},
	{7, "tokens carry the registration id: no indexes of token hashes", runSQL("0007_no_token_hash_indexes")},
	{8, "revision counters: change detection without clocks", runSQL("0008_revisions")},
	{60, "heartbeat row: readiness checks make a real write", runSQL("0060_heartbeats")},
	{30, "calendar awareness: home places, iftar method, Hijri offset, anniversaries, observance feeds, iftar times", runSQL("0030_calendar")},
	{50, "registration modes: email-confirmed and approved registration", runSQL("0050_registration_modes")},
	{10, "API tokens: scopes and expiry", apiTokenScopes},
	{11, "email addresses matched with ASCII case folding only", emailsFoldedASCII},
	{12, "retention: purged flag, catering tallies, dietary choices dropped from anonymised rows", retentionFlag},
	{61, "one schema for databases made by AutoMigrate", reconcileAutoMigrated},
	{20, "registration answers are a JSON object, never null", runSQL("0020_answers_never_null")},
	{51, "reserved places (allocations) for communities", runSQL("0051_allocations")},
	{40, "food per person: dietary question per event, each guest's own requirement", runSQL("0040_food_per_person")},
	{43, "partial check-in: how many of a party have arrived", runSQL("0043_partial_check_in")},
	{44, "an organiser's cancellation can be undone: who cancelled, from which status", runSQL("0044_cancel_undo")},
	{70, "privacy: answers erased a set number of days after each event", runSQL("0070_privacy")},
	{46, "cover images: one per event, in the database under a random name", runSQL("0046_cover_images")},
	{80, "a moved event keeps its previous start (rescheduled)", runSQL("0080_previous_start")},
	{90, "feeds: one counter of public changes, kept by triggers (SQLite)", runSQL("0090_feed_changes")},
}

// runSQL runs the migration's SQL file for the dialect.
func runSQL(name string) func(tx *gorm.DB, postgres bool) error {
	return func(tx *gorm.DB, postgres bool) error {
		dialect := "sqlite"
		if postgres {
			dialect = "postgres"
		}
		b, err := sqlFiles.ReadFile("migrations/" + name + "." + dialect + ".sql")
		if err != nil {
			return err
		}
		return tx.Exec(string(b)).Error
	}
}

// schemaMigrationsDDL creates the table of applied migrations, as GORM made
// it before migrations were frozen.
const (
	schemaMigrationsSQLite   = "CREATE TABLE IF NOT EXISTS `schema_migrations` (`version` integer,`name` text,`applied_at` datetime,PRIMARY KEY (`version`))"
	schemaMigrationsPostgres = `CREATE TABLE IF NOT EXISTS "schema_migrations" ("version" bigint,"name" text,"applied_at" timestamptz,PRIMARY KEY ("version"))`
)

// Migrate applies the migrations not yet recorded and reports how many it
// applied. Everything runs in one transaction; on PostgreSQL an advisory lock
// makes instances that start together take turns. When every migration is
// recorded already (every start but the first), it only reads.
func Migrate(db *DB) (int, error) {
	n, err := migrate(db)
	if err == nil {
		prepareStatements(db.DB) // the schema is now what they were written for
	}
	return n, err
}

func migrate(db *DB) (int, error) {
	if done, err := appliedVersions(db.Read); err == nil && len(pending(done)) == 0 {
		return 0, nil
	}
	n := 0
	err := db.Transaction(func(tx *gorm.DB) error {
		ddl := schemaMigrationsSQLite
		if db.Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(7264001)").Error; err != nil {
				return err
			}
			ddl = schemaMigrationsPostgres
		}
		if err := tx.Exec(ddl).Error; err != nil {
			return fmt.Errorf("unable to create schema_migrations: %w", err)
		}
		done, err := appliedVersions(tx)
		if err != nil {
			return fmt.Errorf("unable to read schema_migrations: %w", err)
		}
		for _, m := range pending(done) {
			if err := m.up(tx, db.Postgres); err != nil {
				return fmt.Errorf("migration %d (%s) failed: %w", m.version, m.name, err)
			}
			// The database's clock: when a migration ran is a fact of the
			// server, not of the business rules that take now.
			if err := tx.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, CURRENT_TIMESTAMP)", m.version, m.name).Error; err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("models: %w", err)
	}
	return n, nil
}

func appliedVersions(db *gorm.DB) (map[int]bool, error) {
	var versions []int
	if err := db.Raw("SELECT version FROM schema_migrations").Scan(&versions).Error; err != nil {
		return nil, err
	}
	done := map[int]bool{}
	for _, v := range versions {
		done[v] = true
	}
	return done, nil
}

// pending lists the migrations not in done, in the order they apply.
func pending(done map[int]bool) []migration {
	var out []migration
	for _, m := range migrations {
		if !done[m.version] {
			out = append(out, m)
		}
	}
	return out
}

// SchemaVersion is the newest migration this build knows. Branches append
// migrations out of numeric order, so it is the highest, not the last.
func SchemaVersion() int {
	v := 0
	for _, m := range migrations {
		v = max(v, m.version)
	}
	return v
}

// MigrationVersions lists the versions of the migrations this build knows,
// in the order they apply.
func MigrationVersions() []int {
	out := make([]int, len(migrations))
	for i, m := range migrations {
		out[i] = m.version
	}
	return out
}
