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
// it keeps ev's counters (and the allocations it read) in step with what it
// writes.
type ledger struct {
	tx *gorm.DB
	ev *Event
	// allocs are the event's allocations read so far, by ID (nil: none).
	allocs map[uint]*Allocation
}

func newLedger(tx *gorm.DB, ev *Event) *ledger {
	return &ledger{tx: tx, ev: ev, allocs: map[uint]*Allocation{}}
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

// allocation returns the event's allocation id, read once per ledger, or
// nil when the event has none with that ID.
func (l *ledger) allocation(id uint) (*Allocation, error) {
	if a, ok := l.allocs[id]; ok {
		return a, nil
	}
	var rows []Allocation
	if err := l.tx.Where("id = ? AND event_id = ?", id, l.ev.ID).Limit(1).Find(&rows).Error; err != nil {
		return nil, err
	}
	var a *Allocation
	if len(rows) == 1 {
		a = &rows[0]
	}
	l.allocs[id] = a
	return a, nil
}

// reservedFor is the allocation whose reserved places r may use, and how
// many it holds free: none for online places or without an allocation.
func (l *ledger) reservedFor(r *Registration) (*Allocation, int, error) {
	if r.AllocationID == nil || r.Attendance != InPerson {
		return nil, 0, nil
	}
	a, err := l.allocation(*r.AllocationID)
	if err != nil || a == nil {
		return nil, 0, err
	}
	return a, a.Free(), nil
}

// placesLeftFor is how many places r could take now: the public places of
// its mode plus what its allocation holds free; nil means unlimited.
func (l *ledger) placesLeftFor(r *Registration) (*int, error) {
	left := l.ev.PlacesLeft(r.Attendance)
	if left == nil {
		return nil, nil
	}
	_, free, err := l.reservedFor(r)
	n := *left + free
	return &n, err
}

// leftAfterRefusal is how many places r could take now, for the answer to
// a take that was refused (so a limit applies: unlimited reads as 0).
func (l *ledger) leftAfterRefusal(r *Registration) (int, error) {
	p, err := l.placesLeftFor(r)
	if err != nil || p == nil {
		return 0, err
	}
	return *p, nil
}

// take adds n confirmed places for r in its attendance mode, from its
// allocation's reserved places first, then from the public places, refusing
// to pass the capacity: the guard keeps taken + reserved within it. It
// reports whether the places were taken; refused, it has written nothing.
func (l *ledger) take(r *Registration, n int) (bool, error) {
	mode := r.Attendance
	if mode == Online {
		changed, err := exec(l.tx, takeOnlineSQL, n, l.ev.ID, n)
		if err != nil || changed != 1 {
			return false, err
		}
		l.ev.OnlineTaken += n
		return true, nil
	}
	a, free, err := l.reservedFor(r)
	if err != nil {
		return false, err
	}
	k := min(n, free) // from the allocation
	changed, err := exec(l.tx, takeInPersonSQL, n, k, l.ev.ID, k, n-k)
	if err != nil || changed != 1 {
		return false, err
	}
	l.ev.Taken += n
	l.ev.Reserved -= k
	if k == 0 {
		return true, nil
	}
	if err := l.allocated(a, r, k); err != nil {
		return false, err
	}
	return true, nil
}

// allocated moves k of r's places into (k > 0) or out of (k < 0) its
// allocation's count.
func (l *ledger) allocated(a *Allocation, r *Registration, k int) error {
	res := l.tx.Exec("UPDATE allocations SET taken = taken + ? WHERE id = ? AND taken + ? >= 0 AND taken + ? <= places", k, a.ID, k, k)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("models: allocation %d cannot count %+d places", a.ID, k)
	}
	a.Taken += k
	r.Allocated += k
	return l.tx.Exec("UPDATE registrations SET allocated = ? WHERE id = ?", r.Allocated, r.ID).Error
}

// free gives back n of r's confirmed places; r.Places() must still be what
// it held before. Public places go first, then its allocation's, which
// return to the allocation while it is not released. It does not promote:
// the caller does, once its own changes are written.
func (l *ledger) free(r *Registration, n int) error {
	mode := r.Attendance
	if mode == Online {
		res := l.tx.Exec("UPDATE events SET online_taken = online_taken - ? WHERE id = ? AND online_taken >= ?", n, l.ev.ID, n)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			// The counter disagrees with the registrations: refuse rather than drift.
			return fmt.Errorf("models: event %d has fewer than %d online places taken", l.ev.ID, n)
		}
		l.ev.OnlineTaken -= n
		return nil
	}
	fromAlloc := max(0, n-(r.Places()-r.Allocated))
	var a *Allocation
	back := 0
	if fromAlloc > 0 {
		var err error
		if r.AllocationID != nil {
			a, err = l.allocation(*r.AllocationID)
		}
		if err != nil {
			return err
		}
		if a == nil {
			return fmt.Errorf("models: registration %d holds places of a missing allocation", r.ID)
		}
		if a.ReleasedAt == nil {
			back = fromAlloc
		}
	}
	res := l.tx.Exec("UPDATE events SET taken = taken - ?, reserved = reserved + ? WHERE id = ? AND taken >= ?", n, back, l.ev.ID, n)
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return fmt.Errorf("models: event %d has fewer than %d in-person places taken", l.ev.ID, n)
	}
	l.ev.Taken -= n
	l.ev.Reserved += back
	if fromAlloc == 0 {
		return nil
	}
	return l.allocated(a, r, -fromAlloc)
}

// reserve holds d more in-person places back for allocations (d < 0 gives
// them to the public), refusing to pass the capacity. It reports whether
// the change was made.
func (l *ledger) reserve(d int) (bool, error) {
	res := l.tx.Exec("UPDATE events SET reserved = reserved + ? WHERE id = ? AND reserved + ? >= 0 AND (capacity IS NULL OR taken + reserved + ? <= capacity)", d, l.ev.ID, d, d)
	if res.Error != nil || res.RowsAffected != 1 {
		return false, res.Error
	}
	l.ev.Reserved += d
	return true, nil
}

// releaseDue releases the event's allocations whose release time has come
// by now: their unused places join the public pool. The caller promotes. It
// reports how many it released.
func (l *ledger) releaseDue(now time.Time) (int, error) {
	var open []Allocation
	if err := l.tx.Where("event_id = ? AND released_at IS NULL", l.ev.ID).Order("id").Find(&open).Error; err != nil {
		return 0, err
	}
	n := 0
	for i := range open {
		a := &open[i]
		if cached, ok := l.allocs[a.ID]; ok && cached != nil {
			a = cached
		}
		if a.Open(l.ev, now) {
			continue
		}
		if err := l.release(a, nil, now); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// releaseIfDue releases due allocations while the event reserves places,
// and promotes the waitlist when it did: registrations need not wait for
// the minute's job (ReleaseAllocations) to reach released places.
func (l *ledger) releaseIfDue(now time.Time) error {
	if l.ev.Reserved == 0 {
		return nil
	}
	n, err := l.releaseDue(now)
	if err != nil || n == 0 {
		return err
	}
	_, err = l.promote(InPerson, now)
	return err
}

// release gives an allocation's unused places to the public pool now.
func (l *ledger) release(a *Allocation, userID *uint, now time.Time) error {
	held := a.Free()
	if held > 0 {
		if ok, err := l.reserve(-held); err != nil || !ok {
			if err == nil {
				err = fmt.Errorf("models: event %d reserves fewer than %d places", l.ev.ID, held)
			}
			return err
		}
	}
	a.ReleasedAt, a.UpdatedAt = &now, now
	if err := l.tx.Model(&Allocation{}).Where("id = ?", a.ID).UpdateColumns(map[string]any{"released_at": now, "updated_at": now}).Error; err != nil {
		return err
	}
	l.allocs[a.ID] = a
	return logActivity(l.tx, l.ev.ID, nil, userID, "allocation_released",
		fmt.Sprintf("%q: %d unused %s joined the public places", a.Label, held, Plural(held, "place", "places")), now)
}

// joinWaitlist puts r at the end of the event's waitlist.
func (l *ledger) joinWaitlist(r *Registration, now time.Time) error {
	if err := l.tx.Exec("UPDATE events SET waitlist_seq = waitlist_seq + 1 WHERE id = ?", l.ev.ID).Error; err != nil {
		return err
	}
	l.ev.WaitlistSeq++
	r.Status, r.WaitlistSeq, r.UpdatedAt = RegWaitlisted, l.ev.WaitlistSeq, now
	return l.tx.Exec("UPDATE registrations SET status = ?, waitlist_seq = ?, updated_at = ? WHERE id = ?", r.Status, r.WaitlistSeq, now, r.ID).Error
}

// promote confirms waitlisted registrations of mode, in order of arrival,
// while places are free: the public places, and for a registration through
// an allocation its allocation's too. A party too big for the places it may
// use is passed over but keeps its place for the next time places are
// freed. Nobody is promoted into a cancelled event (UpdateEvent promotes if
// it is reinstated). Every promotion is recorded and mailed.
func (l *ledger) promote(mode string, now time.Time) ([]Registration, error) {
	ev := l.ev
	if ev.Status == StatusCancelled {
		return nil, nil
	}
	// Reserved places free for some allocation's waitlisted parties.
	reserved := func() bool { return mode == InPerson && ev.Reserved > 0 }
	if left := ev.PlacesLeft(mode); left != nil && *left <= 0 && !reserved() {
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
		left, err := l.placesLeftFor(r)
		if err != nil {
			return nil, err
		}
		if left != nil && *left < r.Places() {
			if public := ev.PlacesLeft(mode); *public == 0 && !reserved() {
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
func (l *ledger) promoteAll(now time.Time) ([]Registration, error) {
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
