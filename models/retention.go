package models

import (
	"fmt"
	"os"
	"time"

	"gorm.io/gorm"
)

// Retention of answers (dietary choices, access needs, answers to an
// event's questions): the default and the most an event may set.
const (
	DefaultAnswersRetentionDays = 7
	MaxAnswersRetentionDays     = 365
)

// PurgeResult counts what Purge changed.
type PurgeResult struct {
	Answers       int64 // registrations whose answers were erased
	Registrations int64 // anonymised
	Feeds         int64 // address feeds deleted
	Mails         int64 // outbox mails deleted
}

// CateringTally keeps the catering headcount of registrations whose answers
// were erased: the people of confirmed in-person registrations of an event
// by dietary choice (DietNotStated for none), so that the totals organisers
// saw survive while no registration holds a dietary choice any more.
type CateringTally struct {
	ID      uint   `gorm:"primaryKey"`
	EventID uint   `gorm:"not null;uniqueIndex:idx_catering_tally"`
	Diet    string `gorm:"size:20;not null;uniqueIndex:idx_catering_tally"`
	People  int    `gorm:"not null"`
}

// Purge applies the retention policy. The answers of registrations (dietary
// choice and details, access needs, answers to the event's questions) are
// erased once their event ended more than its AnswersRetentionDays ago; the
// catering headcount they made moves to CateringTally first. Registrations
// of events that ended more than days ago (RETENTION_DAYS) lose the rest of
// their personal data too: name, address and the hashes their private links
// are checked against; they are marked purged (purged_at), keep their status
// and party size so that places still add up. Their outbox mails are
// deleted, and so is the feed of every address left without a registration
// that is not purged. Sent, failed and held mails older than days are
// deleted.
//
// Each event is done in a transaction that locks its row, so that instances
// sharing a database and purging together never count a headcount twice.
func Purge(db *gorm.DB, now time.Time, days int) (PurgeResult, error) {
	var out PurgeResult
	cutoff := now.AddDate(0, 0, -days)
	var due []struct {
		ID                   uint
		EndsAt               time.Time
		AnswersRetentionDays int
	}
	if err := db.Model(&Event{}).Select("id, ends_at, answers_retention_days").
		Where("ends_at < ? AND EXISTS (SELECT 1 FROM registrations WHERE registrations.event_id = events.id AND registrations.purged_at IS NULL)", now).
		Order("id").Scan(&due).Error; err != nil {
		return out, err
	}
	for _, ev := range due {
		answersDue := ev.EndsAt.AddDate(0, 0, ev.AnswersRetentionDays).Before(now)
		allDue := ev.EndsAt.Before(cutoff)
		if !answersDue && !allDue {
			continue
		}
		err := db.Transaction(func(tx *gorm.DB) error {
			if _, err := lockEvent(tx, ev.ID); err != nil {
				return err
			}
			regs := func(tx *gorm.DB) *gorm.DB {
				return tx.Model(&Registration{}).Where("event_id = ? AND purged_at IS NULL", ev.ID)
			}
			n, err := eraseAnswers(tx, regs, now)
			if err != nil {
				return err
			}
			out.Answers += n
			if !allDue {
				return nil
			}
			res := tx.Where("registration_id IN (?)", regs(tx).Select("id")).Delete(&OutboxMail{})
			if res.Error != nil {
				return res.Error
			}
			out.Mails += res.RowsAffected
			n, err = anonymise(tx, regs, now)
			out.Registrations += n
			return err
		})
		if err != nil {
			return out, err
		}
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		n, err := deleteOrphanFeeds(tx, nil)
		if err != nil {
			return err
		}
		out.Feeds = n
		res := tx.Where("status IN ? AND updated_at < ?", []string{MailSent, MailFailed, MailHeld}, cutoff).Delete(&OutboxMail{})
		out.Mails += res.RowsAffected
		return res.Error
	})
	return out, err
}

// eraseAnswers erases the dietary choices, access needs and answers of the
// registrations regs selects that still hold them, their catering headcount
// moving to CateringTally. The caller holds the lock of their event.
func eraseAnswers(tx *gorm.DB, regs func(*gorm.DB) *gorm.DB, now time.Time) (int64, error) {
	held := func(tx *gorm.DB) *gorm.DB { return regs(tx).Where("answers_purged_at IS NULL") }
	if err := tallyCatering(tx, held(tx)); err != nil {
		return 0, err
	}
	res := held(tx).Updates(map[string]any{"answers": "{}", "dietary": "", "dietary_other": "", "guest_dietary": "[]", "access_needs": "",
		"answers_purged_at": now, "updated_at": now})
	return res.RowsAffected, res.Error
}

// anonymise removes the rest of the personal data of the registrations regs
// selects (after eraseAnswers): name, address, and the nonces and hashes
// their private links and check-in code are made from and checked against,
// so that the links stop working. The rows stay,
// marked purged, so that places and counts still add up.
func anonymise(tx *gorm.DB, regs func(*gorm.DB) *gorm.DB, now time.Time) (int64, error) {
	res := regs(tx).Where("purged_at IS NULL").Updates(map[string]any{
		"name": "Removed", "email": gorm.Expr("'removed-' || id || '@invalid'"), "email_norm": gorm.Expr("'removed-' || id || '@invalid'"),
		"answers": "{}", "dietary": "", "dietary_other": "", "guest_dietary": "[]", "access_needs": "", "token_hash": "", "feed_token_hash": "",
		"token_nonce": "", "feed_nonce": "", "purged_at": now, "updated_at": now})
	return res.RowsAffected, res.Error
}

// deleteOrphanFeeds deletes the address feeds (of the addresses given, or
// of all) that no registration holding personal data uses any more.
func deleteOrphanFeeds(tx *gorm.DB, addresses []string) (int64, error) {
	q := tx.Where("email_norm NOT IN (?)", tx.Model(&Registration{}).Select("email_norm").Where("purged_at IS NULL"))
	if addresses != nil {
		q = q.Where("email_norm IN ?", addresses)
	}
	res := q.Delete(&AttendeeFeed{})
	return res.RowsAffected, res.Error
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
