package models

import (
	"fmt"
	"os"
	"time"

	"gorm.io/gorm"
)

// PurgeResult counts what Purge changed.
type PurgeResult struct {
	Registrations int64 // anonymised
	Feeds         int64 // address feeds deleted
	Mails         int64 // outbox mails deleted
}

// CateringTally keeps the catering headcount of registrations that were
// purged: the people of confirmed in-person registrations of an event by
// dietary choice (DietNotStated for none), so that the totals organisers
// saw survive while no registration holds a dietary choice any more.
type CateringTally struct {
	ID      uint   `gorm:"primaryKey"`
	EventID uint   `gorm:"not null;uniqueIndex:idx_catering_tally"`
	Diet    string `gorm:"size:20;not null;uniqueIndex:idx_catering_tally"`
	People  int    `gorm:"not null"`
}

// purgeable selects the registrations Purge anonymises: not purged yet, of
// events that ended before cutoff.
func purgeable(tx *gorm.DB, cutoff time.Time) *gorm.DB {
	return tx.Model(&Registration{}).Where("purged_at IS NULL AND event_id IN (SELECT id FROM events WHERE ends_at < ?)", cutoff)
}

// Purge applies the retention policy. Registrations of events that ended
// more than days ago lose their personal data: name, address, answers,
// dietary choice and details, access needs, and the hashes their private
// links are checked against; they are marked purged (purged_at), keep their
// status and party size so that places still add up, and their catering
// headcount moves to CateringTally. Their outbox mails are deleted, and so
// is the feed of every address left without a registration that is not
// purged. Sent, failed and held mails older than days are deleted.
func Purge(db *gorm.DB, now time.Time, days int) (PurgeResult, error) {
	var out PurgeResult
	cutoff := now.AddDate(0, 0, -days)
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tallyCatering(tx, purgeable(tx, cutoff)); err != nil {
			return err
		}
		res := tx.Where("registration_id IN (?)", purgeable(tx, cutoff).Select("id")).Delete(&OutboxMail{})
		if res.Error != nil {
			return res.Error
		}
		out.Mails = res.RowsAffected
		res = purgeable(tx, cutoff).Updates(map[string]any{
			"name": "Removed", "email": gorm.Expr("'removed-' || id || '@invalid'"), "email_norm": gorm.Expr("'removed-' || id || '@invalid'"),
			"answers": "{}", "dietary": "", "dietary_other": "", "guest_dietary": "[]", "access_needs": "", "token_hash": "", "feed_token_hash": "",
			"purged_at": now, "updated_at": now,
		})
		if res.Error != nil {
			return res.Error
		}
		out.Registrations = res.RowsAffected
		res = tx.Where("email_norm NOT IN (?)", tx.Model(&Registration{}).Select("email_norm").Where("purged_at IS NULL")).Delete(&AttendeeFeed{})
		if res.Error != nil {
			return res.Error
		}
		out.Feeds = res.RowsAffected
		res = tx.Where("status IN ? AND updated_at < ?", []string{MailSent, MailFailed, MailHeld}, cutoff).Delete(&OutboxMail{})
		if res.Error != nil {
			return res.Error
		}
		out.Mails += res.RowsAffected
		return nil
	})
	return out, err
}

// tallyCatering adds the catering headcount of the registrations regs
// selects to CateringTally, before their dietary choices are dropped.
func tallyCatering(tx *gorm.DB, regs *gorm.DB) error {
	// Each person of a party counts by their own choice, as on the
	// attendees page (SummariseAttendees).
	var people []Registration
	if err := regs.Select("event_id, guests, dietary, guest_dietary").
		Where("status = ? AND attendance = ?", RegConfirmed, InPerson).Find(&people).Error; err != nil {
		return err
	}
	type key struct {
		eventID uint
		diet    string
	}
	counts := map[key]int{}
	var order []key
	for i := range people {
		for _, d := range people[i].PartyDiets() {
			k := key{people[i].EventID, dietKey(d.Dietary)}
			if counts[k] == 0 {
				order = append(order, k)
			}
			counts[k]++
		}
	}
	for _, k := range order {
		res := tx.Model(&CateringTally{}).Where("event_id = ? AND diet = ?", k.eventID, k.diet).Update("people", gorm.Expr("people + ?", counts[k]))
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			if err := tx.Create(&CateringTally{EventID: k.eventID, Diet: k.diet, People: counts[k]}).Error; err != nil {
				return err
			}
		}
	}
	return nil
}

// CateringTallies returns the catering headcount kept of an event's purged
// registrations (see SummariseAttendees).
func CateringTallies(db *gorm.DB, eventID uint) ([]CateringTally, error) {
	var out []CateringTally
	err := db.Where("event_id = ?", eventID).Order("diet").Find(&out).Error
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
