package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Capacity: whether an event takes registrations now, its places in each
// mode, and changing its capacity. The places themselves are taken and
// given back through the ledger (ledger.go).

// OpenForRegistration says why ev does not take registrations at now, or nil.
func OpenForRegistration(ev *Event, now time.Time) error {
	switch ev.Status {
	case StatusCancelled:
		return ErrEventCancelled
	case StatusPublished, StatusPostponed:
	default:
		return ErrEventNotOpen
	}
	if ev.RegistrationOpensAt != nil && now.Before(*ev.RegistrationOpensAt) {
		return ErrNotYetOpen
	}
	if !now.Before(ev.RegistrationCloses()) {
		return ErrRegistrationClosed
	}
	return nil
}

// RegistrationCloses is when registration closes: the set time, or the start.
func (e *Event) RegistrationCloses() time.Time {
	if e.RegistrationClosesAt != nil {
		return *e.RegistrationClosesAt
	}
	return e.StartsAt
}

// Modes lists the attendance modes the event offers.
func (e *Event) Modes() []string {
	var m []string
	if e.InPerson {
		m = append(m, InPerson)
	}
	if e.Online {
		m = append(m, Online)
	}
	return m
}

// Hybrid reports whether both attendance modes are offered.
func (e *Event) Hybrid() bool { return e.InPerson && e.Online }

// CapacityFor is the capacity of a mode (nil = unlimited).
func (e *Event) CapacityFor(mode string) *int {
	if mode == Online {
		return e.OnlineCapacity
	}
	return e.Capacity
}

// TakenFor is the confirmed places of a mode.
func (e *Event) TakenFor(mode string) int {
	if mode == Online {
		return e.OnlineTaken
	}
	return e.Taken
}

// PlacesLeft is the free places of a mode that the public may take (not
// those reserved for allocations); nil means unlimited.
func (e *Event) PlacesLeft(mode string) *int {
	c := e.CapacityFor(mode)
	if c == nil {
		return nil
	}
	left := *c - e.TakenFor(mode)
	if mode != Online {
		left -= e.Reserved
	}
	if left < 0 {
		left = 0
	}
	return &left
}

// SetCapacity changes the capacity of a mode (nil = unlimited). Lowering it
// below the confirmed places is refused with a CapacityError; raising it
// promotes from the waitlist.
func SetCapacity(db *gorm.DB, eventID uint, mode string, capacity *int, userID *uint, now time.Time) (*Event, error) {
	var out *Event
	err := db.Transaction(func(tx *gorm.DB) error {
		ev, err := lockEvent(tx, eventID)
		if err != nil {
			return err
		}
		if err := setCapacityLocked(tx, ev, mode, capacity, userID, now); err != nil {
			return err
		}
		out = ev
		return nil
	})
	return out, err
}

func setCapacityLocked(tx *gorm.DB, ev *Event, mode string, capacity *int, userID *uint, now time.Time) error {
	if capacity != nil && *capacity < 0 {
		return Invalid(capacityField(mode), "Capacity cannot be negative")
	}
	reserved := 0
	if mode == InPerson {
		reserved = ev.Reserved
	}
	if capacity != nil && *capacity < ev.TakenFor(mode)+reserved {
		return &CapacityError{Attendance: mode, Confirmed: ev.TakenFor(mode), Reserved: reserved, Requested: *capacity}
	}
	if capacity == nil && reserved > 0 {
		return Invalid(capacityField(mode), fmt.Sprintf("%d in-person places are reserved for communities: an unlimited capacity has nothing to reserve. Release or remove the reserved places first", reserved))
	}
	old := ev.CapacityFor(mode)
	if sameCap(old, capacity) {
		return nil
	}
	col, taken := "capacity", "taken + reserved"
	if mode == Online {
		col, taken = "online_capacity", "online_taken"
	}
	// Guarded as the ledger's take is: the row refuses a capacity below
	// what is taken and reserved.
	q := tx.Exec("UPDATE events SET "+col+" = NULL, updated_at = ?, revision = revision + 1 WHERE id = ?", now, ev.ID)
	if capacity != nil {
		q = tx.Exec("UPDATE events SET "+col+" = ?, updated_at = ?, revision = revision + 1 WHERE id = ? AND "+taken+" <= ?", *capacity, now, ev.ID, *capacity)
	}
	if q.Error != nil {
		return q.Error
	}
	if q.RowsAffected != 1 {
		return fmt.Errorf("models: event %d holds more places than a capacity of %d", ev.ID, *capacity)
	}
	ev.UpdatedAt = now
	ev.Revision++
	if mode == Online {
		ev.OnlineCapacity = capacity
	} else {
		ev.Capacity = capacity
	}
	if err := logActivity(tx, ev.ID, nil, userID, "capacity_changed", fmt.Sprintf("%s capacity %s → %s", mode, capString(old), capString(capacity)), now); err != nil {
		return err
	}
	_, err := newLedger(tx, ev).promote(mode, now)
	return err
}

func capacityField(mode string) string {
	if mode == Online {
		return "online_capacity"
	}
	return "capacity"
}

func sameCap(a, b *int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

func capString(c *int) string {
	if c == nil {
		return "unlimited"
	}
	return fmt.Sprint(*c)
}
