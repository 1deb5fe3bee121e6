package models

import (
	"fmt"
	"os"
	"time"

	"gorm.io/gorm"
)

// PurgeResult counts what Purge changed.
type PurgeResult struct {
	Registrations int64
	Mails         int64
}

// Purge applies the retention policy: registrations of events that ended
// more than days ago lose their personal data (name, email, answers, needs),
// keeping only counts; sent and failed mails older than days are deleted.
func Purge(db *gorm.DB, now time.Time, days int) (PurgeResult, error) {
	var out PurgeResult
	cutoff := now.AddDate(0, 0, -days)
	err := db.Transaction(func(tx *gorm.DB) error {
		res := tx.Exec(`UPDATE registrations SET name = 'Removed', email = 'removed-' || id || '@invalid',
			email_norm = 'removed-' || id || '@invalid', answers = '{}', dietary_other = '', access_needs = '', updated_at = ?
			WHERE email_norm NOT LIKE 'removed-%' AND event_id IN (SELECT id FROM events WHERE ends_at < ?)`, now, cutoff)
		if res.Error != nil {
			return res.Error
		}
		out.Registrations = res.RowsAffected
		res = tx.Where("status IN ? AND updated_at < ?", []string{MailSent, MailFailed, MailHeld}, cutoff).Delete(&OutboxMail{})
		if res.Error != nil {
			return res.Error
		}
		out.Mails = res.RowsAffected
		return nil
	})
	return out, err
}

// Backup writes a consistent copy of a live SQLite database to path.
func Backup(db *DB, path string) error {
	if db.Postgres {
		return fmt.Errorf("models: backup is for SQLite; use pg_dump for PostgreSQL")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("models: %s already exists; choose a new file", path)
	}
	if err := db.Exec("VACUUM INTO ?", path).Error; err != nil {
		return fmt.Errorf("models: unable to back up to %s: %w", path, err)
	}
	return nil
}
