package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The outbox is the only way Convene sends mail. Rows are written in the
// transaction of the change that causes them (see EnqueueMail); a sender
// claims due rows, sends them and records the outcome. States:
//
//	pending → sending → sent
//	                  → pending (temporary failure, NextAttemptAt later)
//	                  → failed  (permanent failure, or retries exhausted)
//	pending → held    (no mail server configured)
//	held, failed → pending (an admin resends)
//
// A row in the sending state carries a lease (ClaimedBy, ClaimedUntil). A
// sender only marks rows it still holds; a crashed sender's rows become due
// again when the lease runs out.

// More mail kinds: reminders before an event and organisers' messages.
const (
	MailReminder = "reminder"
	MailMessage  = "organiser_message"
)

// MailSending is the state of a row claimed by a sender.
const MailSending = "sending"

// MailStatuses lists every outbox state, for filters.
var MailStatuses = []string{MailPending, MailSending, MailHeld, MailSent, MailFailed}

// dueMail selects rows a sender may take: pending and due, or sending with
// a lease that ran out.
func dueMail(tx *gorm.DB, now time.Time) *gorm.DB {
	return tx.Model(&OutboxMail{}).
		Where("(status = ? AND next_attempt_at <= ?) OR (status = ? AND claimed_until < ?)", MailPending, now, MailSending, now)
}

// skipLocked makes a SELECT lock its rows and skip rows other transactions
// hold, on PostgreSQL. SQLite needs nothing: its write transactions start
// IMMEDIATE and so run one at a time.
func skipLocked(tx *gorm.DB) *gorm.DB {
	if tx.Dialector.Name() == "postgres" {
		return tx.Clauses(clause.Locking{Strength: "UPDATE", Options: "SKIP LOCKED"})
	}
	return tx
}

// HasDueMail reports cheaply whether any row waits for a sender (or, with
// held, for holding); senders ask it on the read pool before claiming.
func HasDueMail(db *gorm.DB, now time.Time) (bool, error) {
	var ids []uint
	err := dueMail(db, now).Limit(1).Pluck("id", &ids).Error
	return len(ids) > 0, err
}

// ClaimMail moves up to limit due rows to the sending state, leased to
// claimant until now+lease, counts the attempt, and returns them. Several
// senders on one database never claim the same row: on PostgreSQL the
// SELECT … FOR UPDATE SKIP LOCKED passes over rows another claim holds.
func ClaimMail(db *gorm.DB, claimant string, lease time.Duration, limit int, now time.Time) ([]OutboxMail, error) {
	now = now.UTC()
	var out []OutboxMail
	err := db.Transaction(func(tx *gorm.DB) error {
		var ids []uint
		if err := skipLocked(dueMail(tx, now)).Order("next_attempt_at, id").Limit(limit).Pluck("id", &ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		until := now.Add(lease)
		if err := tx.Model(&OutboxMail{}).Where("id IN ?", ids).Updates(map[string]any{
			"status": MailSending, "claimed_by": claimant, "claimed_until": until,
			"attempts": gorm.Expr("attempts + 1"), "updated_at": now,
		}).Error; err != nil {
			return err
		}
		return tx.Where("id IN ?", ids).Order("next_attempt_at, id").Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("models: unable to claim mail: %w", err)
	}
	return out, nil
}

// finishMail changes a row that claimant still holds; it reports false when
// the lease was lost (the row was reclaimed after it ran out).
func finishMail(db *gorm.DB, id uint, claimant string, set map[string]any) (bool, error) {
	set["claimed_by"], set["claimed_until"] = "", nil
	res := db.Model(&OutboxMail{}).Where("id = ? AND status = ? AND claimed_by = ?", id, MailSending, claimant).Updates(set)
	if res.Error != nil {
		return false, fmt.Errorf("models: unable to update mail %d: %w", id, res.Error)
	}
	return res.RowsAffected == 1, nil
}

// MarkMailSent records that claimant delivered mail id.
func MarkMailSent(db *gorm.DB, id uint, claimant string, now time.Time) (bool, error) {
	now = now.UTC()
	return finishMail(db, id, claimant, map[string]any{"status": MailSent, "sent_at": now, "last_error": "", "updated_at": now})
}

// RetryMail puts mail id back in the queue for another attempt at next.
func RetryMail(db *gorm.DB, id uint, claimant, lastError string, next, now time.Time) (bool, error) {
	return finishMail(db, id, claimant, map[string]any{"status": MailPending, "next_attempt_at": next.UTC(),
		"last_error": truncate(lastError, 500), "updated_at": now.UTC()})
}

// FailMail marks mail id as failed for good; admins see it and may resend.
func FailMail(db *gorm.DB, id uint, claimant, lastError string, now time.Time) (bool, error) {
	return finishMail(db, id, claimant, map[string]any{"status": MailFailed, "last_error": truncate(lastError, 500), "updated_at": now.UTC()})
}

// ReleaseMail hands claimed rows that were not attempted back to the queue,
// uncounting the attempt (a sender stopping, or a lease about to run out).
func ReleaseMail(db *gorm.DB, ids []uint, claimant string, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	err := db.Model(&OutboxMail{}).Where("id IN ? AND status = ? AND claimed_by = ?", ids, MailSending, claimant).
		Updates(map[string]any{"status": MailPending, "claimed_by": "", "claimed_until": nil,
			"attempts": gorm.Expr("attempts - 1"), "updated_at": now.UTC()}).Error
	if err != nil {
		return fmt.Errorf("models: unable to release mail: %w", err)
	}
	return nil
}

// HoldMail moves every pending row (and every row of a lapsed claim) to the
// held state, for when no mail server is configured, and returns them.
func HoldMail(db *gorm.DB, now time.Time) ([]OutboxMail, error) {
	now = now.UTC()
	var out []OutboxMail
	err := db.Transaction(func(tx *gorm.DB) error {
		q := tx.Model(&OutboxMail{}).Where("status = ? OR (status = ? AND claimed_until < ?)", MailPending, MailSending, now)
		var ids []uint
		if err := skipLocked(q).Order("id").Limit(500).Pluck("id", &ids).Error; err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		if err := tx.Model(&OutboxMail{}).Where("id IN ?", ids).Updates(map[string]any{
			"status": MailHeld, "claimed_by": "", "claimed_until": nil, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		return tx.Where("id IN ?", ids).Order("id").Find(&out).Error
	})
	if err != nil {
		return nil, fmt.Errorf("models: unable to hold mail: %w", err)
	}
	return out, nil
}

// ResendMail puts a failed or held mail back in the queue with a fresh set
// of attempts.
func ResendMail(db *gorm.DB, id uint, now time.Time) (*OutboxMail, error) {
	now = now.UTC()
	var m OutboxMail
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Take(&m, id).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return err
		}
		if m.Status != MailFailed && m.Status != MailHeld {
			return Invalid("status", "Only failed or held mail can be sent again")
		}
		res := tx.Model(&OutboxMail{}).Where("id = ? AND status IN ?", id, []string{MailFailed, MailHeld}).Updates(map[string]any{
			"status": MailPending, "attempts": 0, "next_attempt_at": now, "claimed_by": "", "claimed_until": nil, "updated_at": now,
		})
		if res.Error != nil {
			return res.Error
		}
		return tx.Take(&m, id).Error
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// ResendHeldMail puts every held mail back in the queue, for when a mail
// server has been configured since they were written.
func ResendHeldMail(db *gorm.DB, now time.Time) (int64, error) {
	now = now.UTC()
	res := db.Model(&OutboxMail{}).Where("status = ?", MailHeld).Updates(map[string]any{
		"status": MailPending, "attempts": 0, "next_attempt_at": now, "updated_at": now,
	})
	return res.RowsAffected, res.Error
}

// FindOutboxMail returns one outbox row.
func FindOutboxMail(db *gorm.DB, id uint) (*OutboxMail, error) {
	var m OutboxMail
	err := db.Take(&m, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &m, err
}

// ListOutbox returns one page (from 1) of outbox rows, newest first, with
// status when it is not empty, and how many rows match in all.
func ListOutbox(db *gorm.DB, status string, page, perPage int) ([]OutboxMail, int64, error) {
	q := db.Model(&OutboxMail{})
	if status != "" {
		q = q.Where("status = ?", status)
	}
	var total int64
	if err := q.Count(&total).Error; err != nil {
		return nil, 0, err
	}
	page = max(page, 1)
	var out []OutboxMail
	err := q.Order("id DESC").Limit(perPage).Offset((page - 1) * perPage).Find(&out).Error
	return out, total, err
}

// reminderKey is the dedupe key of the reminder of a registration for an
// event starting at start: a new start time earns a new reminder.
func reminderKey(regID uint, start time.Time) string {
	return fmt.Sprintf("reminder:%d:%d", regID, start.Unix())
}

// EnqueueReminders writes the reminders that are due at now: to confirmed
// registrants of published events that start within their ReminderHours
// (0 = no reminder), except those who registered or were promoted after the
// reminder time, since their confirmation is fresh. It is idempotent, also
// across instances: a unique dedupe key guards each reminder.
func EnqueueReminders(db *gorm.DB, now time.Time) (int, error) {
	now = now.UTC()
	var events []Event
	err := db.Where("status = ? AND reminder_hours > 0 AND starts_at > ? AND starts_at <= ?",
		StatusPublished, now, now.Add(14*24*time.Hour+time.Hour)).Find(&events).Error
	if err != nil {
		return 0, fmt.Errorf("models: unable to find events for reminders: %w", err)
	}
	n := 0
	for _, ev := range events {
		remindAt := ev.StartsAt.Add(-time.Duration(ev.ReminderHours) * time.Hour)
		if now.Before(remindAt) {
			continue
		}
		var regs []Registration
		err := db.Where("event_id = ? AND status = ? AND created_at <= ? AND (promoted_at IS NULL OR promoted_at <= ?)",
			ev.ID, RegConfirmed, remindAt, remindAt).Find(&regs).Error
		if err != nil {
			return n, fmt.Errorf("models: unable to find registrations for reminders: %w", err)
		}
		var sent []string
		err = db.Model(&OutboxMail{}).Where("event_id = ? AND kind = ? AND dedupe_key LIKE ?", ev.ID, MailReminder, "reminder:%").
			Pluck("dedupe_key", &sent).Error
		if err != nil {
			return n, fmt.Errorf("models: unable to find reminders: %w", err)
		}
		done := map[string]bool{}
		for _, k := range sent {
			done[k] = true
		}
		var rows []OutboxMail
		for i := range regs {
			key := reminderKey(regs[i].ID, ev.StartsAt)
			if done[key] {
				continue
			}
			rows = append(rows, OutboxMail{Kind: MailReminder, EventID: &ev.ID, RegistrationID: &regs[i].ID, To: regs[i].Email,
				Data: "{}", Status: MailPending, NextAttemptAt: now, DedupeKey: &key, CreatedAt: now, UpdatedAt: now})
		}
		if len(rows) == 0 {
			continue
		}
		// Another instance may insert the same reminders meanwhile: the
		// unique key turns the second insert into nothing.
		res := db.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&rows, 200)
		if res.Error != nil {
			return n, fmt.Errorf("models: unable to enqueue reminders: %w", res.Error)
		}
		n += int(res.RowsAffected)
	}
	return n, nil
}

// MessageRegistrants writes an organiser's message about an event to every
// registrant whose status is in statuses (confirmed and waitlisted when
// empty), in one transaction, and reports how many mails it wrote.
func MessageRegistrants(db *gorm.DB, eventID uint, subject, body string, statuses []string, userID *uint, now time.Time) (int, error) {
	now = now.UTC()
	v := &ValidationError{}
	subject, body = cleanMessage(subject, body, v)
	if len(statuses) == 0 {
		statuses = []string{RegConfirmed, RegWaitlisted}
	}
	for _, s := range statuses {
		if s != RegConfirmed && s != RegWaitlisted {
			v.Add("statuses", "Choose confirmed or waitlisted registrants")
		}
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	n := 0
	err := db.Transaction(func(tx *gorm.DB) error {
		ev, err := lockEvent(tx, eventID)
		if err != nil {
			return err
		}
		var regs []Registration
		if err := tx.Where("event_id = ? AND status IN ? AND purged_at IS NULL", ev.ID, statuses).Order("id").Find(&regs).Error; err != nil {
			return err
		}
		extra := map[string]string{"subject": subject, "body": body}
		for i := range regs {
			if err := EnqueueMail(tx, MailMessage, ev, &regs[i], extra, now); err != nil {
				return err
			}
		}
		n = len(regs)
		return logActivity(tx, ev.ID, nil, userID, "message_sent", fmt.Sprintf("%q to %d registrants", subject, n), now)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// truncate shortens s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// OutboxCounts counts outbox rows per state.
func OutboxCounts(db *gorm.DB) (map[string]int64, error) {
	var rows []struct {
		Status string
		N      int64
	}
	err := db.Model(&OutboxMail{}).Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error
	out := map[string]int64{}
	for _, r := range rows {
		out[r.Status] = r.N
	}
	return out, err
}

// Mail kinds written to the outbox.
const (
	MailConfirmation = "confirmation"
	MailWaitlisted   = "waitlisted"
	MailPromoted     = "promoted"
	MailDuplicate    = "manage_link"
	MailCancelled    = "registration_cancelled"
	MailChanged      = "registration_changed"
	MailEventChanged = "event_changed"
	MailPostponed    = "event_postponed"
	MailEventCancel  = "event_cancelled"
)

// enqueue writes a mail about reg to the outbox inside tx.
func enqueue(tx *gorm.DB, kind string, ev *Event, reg *Registration, now time.Time) error {
	return EnqueueMail(tx, kind, ev, reg, nil, now)
}

// EnqueueMail writes a mail about reg (and ev) with optional extra template
// data to the outbox, in the caller's transaction; none for a purged
// registration, which has no address any more.
func EnqueueMail(tx *gorm.DB, kind string, ev *Event, reg *Registration, extra map[string]string, now time.Time) error {
	if reg.PurgedAt != nil {
		return nil // no address left: the retention policy removed it
	}
	data := "{}"
	if len(extra) > 0 {
		b, err := json.Marshal(extra)
		if err != nil {
			return err
		}
		data = string(b)
	}
	var eventID *uint
	if ev != nil {
		eventID = &ev.ID
	}
	// Written on every registration: a plain INSERT, without reflection,
	// kept prepared.
	_, err := exec(tx, insertMailSQL, kind, eventID, reg.ID, reg.Email, data, MailPending, now, now, now)
	return err
}
