package models

import (
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// apiTokenScopes is migration 10: API tokens get a scope and an expiry
// (0010_api_token_scopes); the tokens made before keep what they could do
// (the SQL), and expire a year after they were made. The year is computed
// here so that the time is stored as every other time is.
func apiTokenScopes(tx *gorm.DB, postgres bool) error {
	if err := runSQL("0010_api_token_scopes")(tx, postgres); err != nil {
		return err
	}
	var old []struct {
		ID   uint
		Made *time.Time
	}
	if err := tx.Raw("SELECT id, created_at AS made FROM api_tokens WHERE expires_at IS NULL").Scan(&old).Error; err != nil {
		return err
	}
	const lifetime = 365 * 24 * time.Hour // MaxTokenLifetime when migration 10 was written
	for _, t := range old {
		var made time.Time
		if t.Made != nil {
			made = *t.Made
		}
		if err := tx.Exec("UPDATE api_tokens SET expires_at = ? WHERE id = ?", made.Add(lifetime), t.ID).Error; err != nil {
			return err
		}
	}
	return nil
}

// emailsFoldedASCII is migration 11: Unicode case folding made look-alikes
// equal (U+212A KELVIN SIGN and k), so registrations are matched again on
// their addresses as typed: trimmed, ASCII letters lower-cased (NormaliseEmail
// as it was written then, copied so that the migration never changes).
func emailsFoldedASCII(tx *gorm.DB, _ bool) error {
	fold := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r >= 'A' && r <= 'Z' {
				return r + ('a' - 'A')
			}
			return r
		}, strings.TrimSpace(s))
	}
	var last uint
	for {
		var rows []struct {
			ID        uint
			Email     string
			EmailNorm string
		}
		if err := tx.Raw("SELECT id, email, email_norm FROM registrations WHERE id > ? ORDER BY id LIMIT 1000", last).Scan(&rows).Error; err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		for _, r := range rows {
			if norm := fold(r.Email); norm != r.EmailNorm {
				if err := tx.Exec("UPDATE registrations SET email_norm = ? WHERE id = ?", norm, r.ID).Error; err != nil {
					return err
				}
			}
		}
		last = rows[len(rows)-1].ID
	}
}

// retentionFlag is migration 12: registrations get a purged flag and purged
// ones' catering headcounts a table (0012_retention). Rows anonymised before
// the flag carry the address the purge wrote then; they kept their dietary
// choices, which go now, into the tallies first so that the headcounts shown
// do not change (tallyCatering as it was written then).
func retentionFlag(tx *gorm.DB, postgres bool) error {
	if err := runSQL("0012_retention")(tx, postgres); err != nil {
		return err
	}
	const legacy = "purged_at IS NULL AND email_norm = 'removed-' || id || '@invalid'"
	var tallies []struct {
		EventID uint
		Diet    string
		People  int
	}
	if err := tx.Raw(`SELECT event_id, dietary AS diet, SUM(1 + guests) AS people FROM registrations
		WHERE ` + legacy + ` AND status = 'confirmed' AND attendance = 'in_person' GROUP BY event_id, dietary`).Scan(&tallies).Error; err != nil {
		return err
	}
	for _, r := range tallies {
		if r.Diet == "" {
			r.Diet = "not_stated"
		}
		res := tx.Exec("UPDATE catering_tallies SET people = people + ? WHERE event_id = ? AND diet = ?", r.People, r.EventID, r.Diet)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			if err := tx.Exec("INSERT INTO catering_tallies (event_id, diet, people) VALUES (?, ?, ?)", r.EventID, r.Diet, r.People).Error; err != nil {
				return err
			}
		}
	}
	return tx.Exec(`UPDATE registrations SET dietary = '', dietary_other = '', access_needs = '', answers = '{}',
		token_hash = '', feed_token_hash = '', purged_at = updated_at WHERE ` + legacy).Error
}

// reconcileAutoMigrated is migration 61. Before the migrations were frozen
// as SQL, migrations 1–8 ran GORM's AutoMigrate of the structs of the day,
// which adds what a struct declares but never removes what it stopped
// declaring; so databases made in the first hours of the project kept
// indexes and column defaults that newer ones never had. This brings them to the frozen schema: what it
// removes are redundant indexes (each covered by another) and defaults that
// every insert overrides. It changes nothing on a database made since.
func reconcileAutoMigrated(tx *gorm.DB, postgres bool) error {
	// Indexes the models dropped: each led with a column that a composite
	// index leads with too (idx_registrations_active_email,
	// idx_registrations_waitlist, idx_outbox_due), or served a query that
	// no longer exists.
	for _, idx := range []string{
		"idx_registrations_event_id", "idx_registrations_email_norm",
		"idx_outbox_mails_event_id", "idx_outbox_mails_status", "idx_outbox_mails_next_attempt_at",
	} {
		if err := tx.Exec("DROP INDEX IF EXISTS " + idx).Error; err != nil {
			return err
		}
	}
	// Defaults the models dropped: GORM left out false and zero values when
	// a field had one, so the app always writes these columns itself.
	if postgres {
		for _, col := range []string{"in_person", "waitlist", "reminder_hours"} {
			if err := tx.Exec("ALTER TABLE events ALTER COLUMN " + col + " DROP DEFAULT").Error; err != nil {
				return err
			}
		}
		return nil
	}
	return sqliteEditTable(tx, "events", strings.NewReplacer(
		"`in_person` numeric NOT NULL DEFAULT true", "`in_person` numeric NOT NULL",
		"`waitlist` numeric NOT NULL DEFAULT true", "`waitlist` numeric NOT NULL",
		"`reminder_hours` integer NOT NULL DEFAULT 24", "`reminder_hours` integer NOT NULL",
	))
}

// sqliteEditTable rewrites a table's definition in place, for a change that
// leaves the stored rows as they are (here: dropping column defaults), as
// SQLite's documentation describes ("Making Other Kinds Of Table Schema
// Changes", https://www.sqlite.org/lang_altertable.html): no copy of the
// table, so no foreign key actions fire. It does nothing when the
// definition has nothing to change.
func sqliteEditTable(tx *gorm.DB, table string, edit *strings.Replacer) error {
	var def string
	if err := tx.Raw("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", table).Scan(&def).Error; err != nil {
		return err
	}
	edited := edit.Replace(def)
	if edited == def {
		return nil
	}
	var version int
	if err := tx.Raw("PRAGMA schema_version").Scan(&version).Error; err != nil {
		return err
	}
	steps := []struct {
		q    string
		args []any
	}{
		{"PRAGMA writable_schema = ON", nil},
		{"UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", []any{edited, table}},
		{fmt.Sprintf("PRAGMA schema_version = %d", version+1), nil},
		{"PRAGMA writable_schema = RESET", nil},
	}
	for _, s := range steps {
		if err := tx.Exec(s.q, s.args...).Error; err != nil {
			return fmt.Errorf("rewriting the definition of %s: %w", table, err)
		}
	}
	var problems []string
	if err := tx.Raw("PRAGMA integrity_check").Scan(&problems).Error; err != nil {
		return err
	}
	if len(problems) != 1 || problems[0] != "ok" {
		return fmt.Errorf("rewriting the definition of %s: integrity check: %s", table, strings.Join(problems, "; "))
	}
	return nil
}
