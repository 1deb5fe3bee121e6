package models

import (
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
	up      func(tx *gorm.DB) error
}

// migrations are append-only: never edit or remove one that has shipped, and
// never drop a table or column with data in it; add a new migration instead.
// AutoMigrate only creates tables, columns and indexes, so calling it again
// in a later migration adds what a newer model declares.
var migrations = []migration{
	{1, "initial schema", func(tx *gorm.DB) error {
		if err := tx.AutoMigrate(
			&Organisation{}, &Series{}, &Event{}, &EventHost{}, &Question{},
			&Registration{}, &User{}, &Membership{}, &APIToken{}, &Activity{}, &OutboxMail{},
		); err != nil {
			return err
		}
		// One active registration per email per event, whatever the load.
		return tx.Exec(`CREATE UNIQUE INDEX IF NOT EXISTS idx_registrations_active_email
			ON registrations (event_id, email_norm) WHERE status <> 'cancelled'`).Error
	}},
	{2, "waitlist order index", func(tx *gorm.DB) error {
		return tx.Exec(`CREATE INDEX IF NOT EXISTS idx_registrations_waitlist
			ON registrations (event_id, attendance, status, waitlist_seq)`).Error
	}},
	{3, "attendee feeds", func(tx *gorm.DB) error {
		if err := tx.AutoMigrate(&AttendeeFeed{}); err != nil {
			return err
		}
		// FeedFingerprint reads MAX(updated_at) on every feed request.
		return tx.Exec(`CREATE INDEX IF NOT EXISTS idx_events_updated_at ON events (updated_at)`).Error
	}},
	{4, "organiser workspace: sessions, invitations, door assignments", func(tx *gorm.DB) error {
		if err := tx.AutoMigrate(&Session{}, &PasswordToken{}, &DoorAssignment{}); err != nil {
			return err
		}
		return tx.Exec(`CREATE INDEX IF NOT EXISTS idx_activities_action ON activities (action, id)`).Error
	}},
	{5, "outbox claims, leases and dedupe keys", func(tx *gorm.DB) error {
		if err := tx.AutoMigrate(&OutboxMail{}); err != nil {
			return err
		}
		// Senders look for due rows by state and time.
		return tx.Exec(`CREATE INDEX IF NOT EXISTS idx_outbox_due
			ON outbox_mails (status, next_attempt_at)`).Error
	}},
	{6, "disabled accounts", func(tx *gorm.DB) error {
		return tx.AutoMigrate(&User{})
	}},
	{7, "tokens carry the registration id: no indexes of token hashes", func(tx *gorm.DB) error {
		for _, idx := range []string{"idx_registrations_token_hash", "idx_registrations_feed_token_hash"} {
			if err := tx.Exec("DROP INDEX IF EXISTS " + idx).Error; err != nil {
				return err
			}
		}
		return nil
	}},
	{8, "revision counters: change detection without clocks", func(tx *gorm.DB) error {
		if err := tx.AutoMigrate(&Organisation{}, &Series{}, &Event{}); err != nil {
			return err
		}
		// FeedFingerprint sums revisions on every public feed request.
		return tx.Exec(`CREATE INDEX IF NOT EXISTS idx_events_revision ON events (revision)`).Error
	}},
	{60, "heartbeat row: readiness checks make a real write", frozen(
		[]string{`CREATE TABLE heartbeats (id integer PRIMARY KEY, beat_at datetime NOT NULL)`},
		[]string{`CREATE TABLE heartbeats (id bigint PRIMARY KEY, beat_at timestamptz NOT NULL)`},
	)},
	{30, "calendar awareness: home places, iftar method, Hijri offset, anniversaries, observance feeds, iftar times", func(tx *gorm.DB) error {
		return tx.AutoMigrate(&Organisation{}, &Event{}, &Anniversary{}, &CalendarFeed{})
	}},
	{50, "registration modes: email-confirmed and approved registration", func(tx *gorm.DB) error {
		if err := tx.AutoMigrate(&Event{}); err != nil {
			return err
		}
		// Unconfirmed requests hold no address: the index now leaves them
		// out as it does cancellations (see activeStatuses).
		if err := tx.Exec("DROP INDEX IF EXISTS idx_registrations_active_email").Error; err != nil {
			return err
		}
		return tx.Exec(`CREATE UNIQUE INDEX idx_registrations_active_email
			ON registrations (event_id, email_norm) WHERE status NOT IN ('cancelled', 'unconfirmed')`).Error
	}},
	{10, "API tokens: scopes and expiry", func(tx *gorm.DB) error {
		if err := tx.AutoMigrate(&APIToken{}); err != nil {
			return err
		}
		// Tokens made before scopes could do everything their account
		// could: write, or door for door volunteers' accounts.
		if err := tx.Exec(`UPDATE api_tokens SET scope = ? WHERE expires_at IS NULL`, ScopeWrite).Error; err != nil {
			return err
		}
		if err := tx.Exec(`UPDATE api_tokens SET scope = ? WHERE expires_at IS NULL AND user_id IN (
			SELECT u.id FROM users u WHERE u.admin = ?
			AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)
			AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.role <> ?))`,
			ScopeDoor, false, MemberDoor).Error; err != nil {
			return err
		}
		// They never expired: now they do, a year after they were made.
		var old []APIToken
		if err := tx.Select("id", "created_at").Where("expires_at IS NULL").Find(&old).Error; err != nil {
			return err
		}
		for _, t := range old {
			if err := tx.Model(&APIToken{}).Where("id = ?", t.ID).Update("expires_at", t.CreatedAt.Add(MaxTokenLifetime)).Error; err != nil {
				return err
			}
		}
		return nil
	}},
	{11, "email addresses matched with ASCII case folding only", func(tx *gorm.DB) error {
		// Unicode folding made look-alikes equal (U+212A KELVIN SIGN and k):
		// match registrations again on their addresses as typed.
		var rows []Registration
		return tx.Select("id", "email", "email_norm").FindInBatches(&rows, 1000, func(batch *gorm.DB, _ int) error {
			for _, r := range rows {
				if norm := NormaliseEmail(r.Email); norm != r.EmailNorm {
					if err := tx.Model(&Registration{}).Where("id = ?", r.ID).Update("email_norm", norm).Error; err != nil {
						return err
					}
				}
			}
			return nil
		}).Error
	}},
	{12, "retention: purged flag, catering tallies, dietary choices dropped from anonymised rows", func(tx *gorm.DB) error {
		if err := tx.AutoMigrate(&Registration{}, &CateringTally{}); err != nil {
			return err
		}
		// Rows anonymised before the flag existed carry the address Purge
		// wrote then; they kept their dietary choices, which go now, into
		// the tallies first so that the headcounts shown do not change.
		legacy := tx.Model(&Registration{}).Where("purged_at IS NULL AND email_norm = 'removed-' || id || '@invalid'")
		if err := tallyCatering(tx, legacy); err != nil {
			return err
		}
		return tx.Model(&Registration{}).Where("purged_at IS NULL AND email_norm = 'removed-' || id || '@invalid'").
			Updates(map[string]any{"dietary": "", "dietary_other": "", "access_needs": "", "answers": "{}",
				"token_hash": "", "feed_token_hash": "", "purged_at": gorm.Expr("updated_at")}).Error
	}},
	{20, "registration answers are a JSON object, never null", func(tx *gorm.DB) error {
		return tx.Exec(`UPDATE registrations SET answers = '{}' WHERE answers IS NULL OR answers IN ('', 'null')`).Error
	}},
}

// frozen is a migration written as the SQL of its day, statement by
// statement, for SQLite and for PostgreSQL: what it creates never changes
// when the models do.
func frozen(sqlite, postgres []string) func(tx *gorm.DB) error {
	return func(tx *gorm.DB) error {
		stmts := sqlite
		if tx.Dialector.Name() == "postgres" {
			stmts = postgres
		}
		for _, s := range stmts {
			if err := tx.Exec(s).Error; err != nil {
				return err
			}
		}
		return nil
	}
}

// Migrate applies the migrations not yet recorded and reports how many it
// applied. Everything runs in one transaction; on PostgreSQL an advisory lock
// makes instances that start together take turns.
func Migrate(db *DB) (int, error) {
	n := 0
	err := db.Transaction(func(tx *gorm.DB) error {
		if db.Postgres {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(7264001)").Error; err != nil {
				return err
			}
		}
		if err := tx.AutoMigrate(&SchemaMigration{}); err != nil {
			return fmt.Errorf("unable to create schema_migrations: %w", err)
		}
		var done []int
		if err := tx.Model(&SchemaMigration{}).Pluck("version", &done).Error; err != nil {
			return fmt.Errorf("unable to read schema_migrations: %w", err)
		}
		applied := map[int]bool{}
		for _, v := range done {
			applied[v] = true
		}
		for _, m := range migrations {
			if applied[m.version] {
				continue
			}
			if err := m.up(tx); err != nil {
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
