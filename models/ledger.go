package models

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The no-oversell rule lives in this file, and only here. Every change of
// places — register, confirm, approve, cancel, change guests, change
// capacity, promote — runs in one transaction that first locks the event
// row (lockEvent: SELECT … FOR UPDATE on PostgreSQL; on SQLite the single
// writer connection whose transactions begin IMMEDIATE) and then changes
// the counters Event.Taken and Event.OnlineTaken through a ledger: take
// adds places with a guarded UPDATE that refuses to pass the capacity, free
// gives them back, promote hands free places to the waitlist in order.
// Nothing else writes those counters, so even a logic error elsewhere
// cannot oversell.

// ledger changes the places of one event that its transaction has locked;
// it keeps ev's counters in step with what it writes.
type ledger struct {
	tx *gorm.DB
	ev *Event
}

// lockEvent reads the event row and, on PostgreSQL, locks it until the
// transaction ends. SQLite needs no row lock: write transactions are
// IMMEDIATE on the single writer connection.
func lockEvent(tx *gorm.DB, eventID uint) (*Event, error) {
	var ev Event
	if st := prepared(tx, selectEventSQL); st != nil { // SQLite, kept compiled
		if err := scanPrepared(tx, st, &ev, eventID); err != nil {
			return nil, err
		}
		return &ev, nil
	}
	q := tx
	if tx.Dialector.Name() == "postgres" {
		q = tx.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	if err := q.First(&ev, eventID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	return &ev, nil
}

func takenColumn(mode string) string {
	if mode == Online {
		return "online_taken"
	}
	return "taken"
}

func capacityColumn(mode string) string {
	if mode == Online {
		return "online_capacity"
	}
	return "capacity"
}

// take adds n confirmed places for r in its attendance mode, refusing to
// pass the capacity. It reports whether the places were taken; refused, it
// has written nothing.
func (l ledger) take(r *Registration, n int) (bool, error) {
	mode := r.Attendance
	q, ok := takeSQL[mode]
	if !ok {
		q = takeSQL[InPerson]
	}
	changed, err := exec(l.tx, q, n, l.ev.ID, n) // prepared: it runs on every registration
	if err != nil {
		return false, err
	}
	if changed != 1 {
		return false, nil
	}
	if mode == Online {
		l.ev.OnlineTaken += n
	} else {
		l.ev.Taken += n
	}
	return true, nil
}

// free gives back n of r's confirmed places. It does not promote: the
// caller does, once its own changes are written.
func (l ledger) free(r *Registration, n int) error {
	mode := r.Attendance
	col := takenColumn(mode)
	res := l.tx.Exec("UPDATE events SET "+col+" = "+col+" - ? WHERE id = ? AND "+col+" >= ?", n, l.ev.ID, n)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		// The counter disagrees with the registrations: refuse rather than drift.
		return fmt.Errorf("models: event %d has fewer than %d %s places taken", l.ev.ID, n, mode)
	}
	if mode == Online {
		l.ev.OnlineTaken -= n
	} else {
		l.ev.Taken -= n
	}
	return nil
}

// joinWaitlist puts r at the end of the event's waitlist.
func (l ledger) joinWaitlist(r *Registration, now time.Time) error {
	if err := l.tx.Exec("UPDATE events SET waitlist_seq = waitlist_seq + 1 WHERE id = ?", l.ev.ID).Error; err != nil {
		return err
	}
	l.ev.WaitlistSeq++
	r.Status, r.WaitlistSeq, r.UpdatedAt = RegWaitlisted, l.ev.WaitlistSeq, now
	return l.tx.Exec("UPDATE registrations SET status = ?, waitlist_seq = ?, updated_at = ? WHERE id = ?", r.Status, r.WaitlistSeq, now, r.ID).Error
}

// promote confirms waitlisted registrations of mode, in order of arrival,
// while places are free. A party too big for the free places is passed over
// but keeps its place for the next time places are freed. Nobody is promoted
// into a cancelled event (UpdateEvent promotes if it is reinstated). Every
// promotion is recorded and mailed.
func (l ledger) promote(mode string, now time.Time) ([]Registration, error) {
	ev := l.ev
	if ev.Status == StatusCancelled {
		return nil, nil
	}
	left := ev.PlacesLeft(mode)
	if left != nil && *left <= 0 {
		return nil, nil
	}
	var waiting []Registration
	if err := l.tx.Where("event_id = ? AND attendance = ? AND status = ?", ev.ID, mode, RegWaitlisted).
		Order("waitlist_seq").Find(&waiting).Error; err != nil {
		return nil, err
	}
	var promoted []Registration
	for i := range waiting {
		r := &waiting[i]
		if left := ev.PlacesLeft(mode); left != nil && *left < r.Places() {
			if *left == 0 {
				break
			}
			continue
		}
		ok, err := l.take(r, r.Places())
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		r.Status, r.PromotedAt, r.UpdatedAt = RegConfirmed, &now, now
		if err := l.tx.Model(r).Select("status", "promoted_at", "updated_at").Updates(r).Error; err != nil {
			return nil, err
		}
		if err := logActivity(l.tx, ev.ID, &r.ID, nil, "promoted", fmt.Sprintf("promoted from the waitlist (%d places)", r.Places()), now); err != nil {
			return nil, err
		}
		if err := enqueue(l.tx, MailPromoted, ev, r, now); err != nil {
			return nil, err
		}
		promoted = append(promoted, *r)
	}
	return promoted, nil
}

// promoteAll promotes in both attendance modes.
func (l ledger) promoteAll(now time.Time) ([]Registration, error) {
	var out []Registration
	for _, mode := range []string{InPerson, Online} {
		p, err := l.promote(mode, now)
		if err != nil {
			return nil, err
		}
		out = append(out, p...)
	}
	return out, nil
}
