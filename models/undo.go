package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// CancelUndoWindow is how long an organiser's cancellation of a
// registration can be undone; the cancellation mail waits as long.
const CancelUndoWindow = 10 * time.Minute

// UndoOutcome says what undoing a cancellation did: the registration as it
// is now (confirmed, or waitlisted when its places had been taken), and
// whether the cancellation mail was withdrawn before it went out (else the
// person is mailed that their registration stands).
type UndoOutcome struct {
	Registration  Registration
	MailWithdrawn bool
}

// Undoable reports whether an organiser may still undo r's cancellation at
// now (UndoCancellation checks the rest: the places, a new registration).
func (r *Registration) Undoable(now time.Time) bool {
	return r.Status == RegCancelled && r.CancelledByID != nil && r.CancelledAt != nil && r.PurgedAt == nil &&
		now.Sub(*r.CancelledAt) <= CancelUndoWindow
}

// UndoCancellation puts back a registration an organiser cancelled less than
// CancelUndoWindow ago, as the capacity rules allow, never overselling:
//   - it was confirmed: its places if they are still free; otherwise (the
//     waitlist took them, or a new registration) first on the waitlist, if
//     the event has one; without a waitlist nothing changes and the refusal
//     says why;
//   - it was waitlisted: back to its own place in the line (then promoted if
//     places are free, as the rules say), or pending: back in the queue.
//
// A cancellation by the registrant, an old one, one whose person registered
// again since, or one of a cancelled event is refused with a message on
// "status". The undo is recorded as an activity, like the cancellation.
func UndoCancellation(db *gorm.DB, regID uint, userID *uint, now time.Time) (*UndoOutcome, error) {
	var out UndoOutcome
	err := db.Transaction(func(tx *gorm.DB) error {
		r, ev, err := lockRegistration(tx, regID)
		if err != nil {
			return err
		}
		switch {
		case r.Status != RegCancelled:
			return Invalid("status", "This registration is not cancelled: there is nothing to undo")
		case r.CancelledByID == nil:
			return Invalid("status", "The person cancelled this registration themselves: only an organiser's cancellation can be undone")
		case r.CancelledAt == nil || now.Sub(*r.CancelledAt) > CancelUndoWindow:
			return Invalid("status", fmt.Sprintf("A cancellation can be undone for %d minutes only: add the registration again instead", int(CancelUndoWindow/time.Minute)))
		case r.PurgedAt != nil:
			return Invalid("status", "This registration's details have been removed")
		case ev.Status == StatusCancelled:
			return Invalid("status", "The event has been cancelled")
		case r.CancelledFrom != RegConfirmed && r.CancelledFrom != RegWaitlisted && r.CancelledFrom != RegPending:
			return Invalid("status", "Only a confirmed, waitlisted or pending registration's cancellation can be undone")
		}
		var again int64
		if err := tx.Model(&Registration{}).Where("event_id = ? AND email_norm = ? AND id <> ? AND status IN ?", r.EventID, r.EmailNorm, r.ID, activeStatuses).
			Count(&again).Error; err != nil {
			return err
		}
		if again > 0 {
			return Invalid("status", "This person has registered again since the cancellation: their new registration stands")
		}
		l := newLedger(tx, ev)
		status := r.CancelledFrom
		if status == RegConfirmed {
			ok, err := l.take(&r, r.Places())
			if err != nil {
				return err
			}
			switch {
			case ok:
			case !ev.Waitlist:
				left, err := l.leftAfterRefusal(&r)
				if err != nil {
					return err
				}
				return Invalid("status", fmt.Sprintf("Its places have been taken since and the event has no waitlist, so the registration stays cancelled (%d %s free, it needs %d)",
					left, Plural(left, "place is", "places are"), r.Places()))
			default:
				// Its place went to someone else meanwhile: first in line.
				status = RegWaitlisted
				if err := l.waitlistFirst(&r); err != nil {
					return err
				}
			}
		}
		r.Status, r.CancelledAt, r.CancelledByID, r.CancelledFrom, r.UpdatedAt = status, nil, nil, "", now
		if err := tx.Model(&Registration{}).Where("id = ?", r.ID).Updates(map[string]any{"status": status, "waitlist_seq": r.WaitlistSeq,
			"cancelled_at": nil, "cancelled_by_id": nil, "cancelled_from": "", "updated_at": now}).Error; err != nil {
			return err
		}
		if status == RegWaitlisted {
			// Back in line: places may be free for it (or, passed over, for
			// smaller parties behind it), as the rules say.
			if _, err := l.promote(r.Attendance, now); err != nil {
				return err
			}
			if err := tx.First(&r, r.ID).Error; err != nil {
				return err
			}
		}
		promoted := status == RegWaitlisted && r.Status == RegConfirmed // and mailed so
		detail := "cancellation undone: " + r.Status
		if r.Status == RegWaitlisted {
			pos, err := WaitlistPosition(tx, &r)
			if err != nil {
				return err
			}
			detail = fmt.Sprintf("cancellation undone: waitlisted, number %d", pos)
		}
		if err := logActivity(tx, ev.ID, &r.ID, userID, "cancellation_undone", detail, now); err != nil {
			return err
		}
		// The cancellation mail, if it has not gone out, is withdrawn;
		// otherwise the person hears that their registration stands.
		res := tx.Where("kind = ? AND registration_id = ? AND status IN ?", MailCancelled, r.ID, []string{MailPending, MailHeld}).Delete(&OutboxMail{})
		if res.Error != nil {
			return res.Error
		}
		out.MailWithdrawn = res.RowsAffected > 0
		if !out.MailWithdrawn && !promoted {
			kind := MailConfirmation
			switch r.Status {
			case RegWaitlisted:
				kind = MailWaitlisted
			case RegPending:
				kind = MailAwaitingApproval
			}
			if err := enqueue(tx, kind, ev, &r, now); err != nil {
				return err
			}
		}
		out.Registration = r
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// waitlistFirst puts r at the head of its mode's waitlist: a party whose
// cancellation was undone after its place went to someone else.
func (l *ledger) waitlistFirst(r *Registration) error {
	var head struct{ Seq *int64 }
	if err := l.tx.Model(&Registration{}).Select("MIN(waitlist_seq) AS seq").
		Where("event_id = ? AND attendance = ? AND status = ?", l.ev.ID, r.Attendance, RegWaitlisted).Scan(&head).Error; err != nil {
		return err
	}
	if head.Seq == nil {
		l.ev.WaitlistSeq++
		r.WaitlistSeq = l.ev.WaitlistSeq
		return l.tx.Exec("UPDATE events SET waitlist_seq = waitlist_seq + 1 WHERE id = ?", l.ev.ID).Error
	}
	r.WaitlistSeq = *head.Seq - 1
	return nil
}
