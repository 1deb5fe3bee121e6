package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"gorm.io/gorm"
)

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

func logActivity(tx *gorm.DB, eventID uint, regID *uint, userID *uint, action, detail string, now time.Time) error {
	return tx.Create(&Activity{EventID: eventID, RegistrationID: regID, UserID: userID, Action: action, Detail: detail, CreatedAt: now}).Error
}

// WaitlistPosition is reg's 1-based place among the waitlisted registrations
// of its event and attendance mode, or 0 when it is not waitlisted.
func WaitlistPosition(db *gorm.DB, reg *Registration) (int, error) {
	if reg.Status != RegWaitlisted {
		return 0, nil
	}
	var n int64
	err := db.Model(&Registration{}).
		Where("event_id = ? AND attendance = ? AND status = ? AND waitlist_seq <= ?", reg.EventID, reg.Attendance, RegWaitlisted, reg.WaitlistSeq).
		Count(&n).Error
	return int(n), err
}

// WaitlistLength counts the waitlisted registrations of an event per mode.
func WaitlistLength(db *gorm.DB, eventID uint) (map[string]int, error) {
	var rows []struct {
		Attendance string
		N          int
	}
	err := db.Model(&Registration{}).Select("attendance, COUNT(*) AS n").
		Where("event_id = ? AND status = ?", eventID, RegWaitlisted).
		Group("attendance").Scan(&rows).Error
	out := map[string]int{}
	for _, r := range rows {
		out[r.Attendance] = r.N
	}
	return out, err
}

// PromoteWaitlist confirms waitlisted registrations that fit the free places
// of both modes and returns them.
func PromoteWaitlist(db *gorm.DB, eventID uint, now time.Time) ([]Registration, error) {
	var out []Registration
	err := db.Transaction(func(tx *gorm.DB) error {
		ev, err := lockEvent(tx, eventID)
		if err != nil {
			return err
		}
		out, err = newLedger(tx, ev).promoteAll(now)
		return err
	})
	return out, err
}

// FindRegistrationByToken returns the registration whose manage token is token.
func FindRegistrationByToken(db *gorm.DB, token string) (*Registration, error) {
	id, secret, ok := splitToken(token)
	if !ok {
		return nil, ErrNotFound
	}
	var r Registration
	err := db.Take(&r, id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !sameHash(secret, r.TokenHash)) {
		return nil, ErrNotFound
	}
	return &r, err
}

// lockRegistration locks the event of a registration, then reads the
// registration under that lock (another transaction may have changed it
// between the first read, needed to find the event, and the lock).
func lockRegistration(tx *gorm.DB, regID uint) (Registration, *Event, error) {
	var r Registration
	if err := tx.First(&r, regID).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return r, nil, ErrNotFound
		}
		return r, nil, err
	}
	ev, err := lockEvent(tx, r.EventID)
	if err != nil {
		return r, nil, err
	}
	// Gone under the lock: an expired or duplicate request deleted meanwhile.
	if err = tx.First(&r, regID).Error; errors.Is(err, gorm.ErrRecordNotFound) {
		err = ErrNotFound
	}
	return r, ev, err
}

// CancelRegistration cancels a registration, frees its places and promotes
// from the waitlist. Cancelling a cancelled registration changes nothing.
// userID is the organiser who cancels (nil: the registrant): their
// cancellation can be undone within CancelUndoWindow (UndoCancellation), and
// its mail waits until then.
func CancelRegistration(db *gorm.DB, regID uint, userID *uint, now time.Time) (*Registration, error) {
	var out Registration
	err := db.Transaction(func(tx *gorm.DB) error {
		r, ev, err := lockRegistration(tx, regID)
		if err != nil {
			return err
		}
		out = r
		if r.Status == RegCancelled {
			return nil
		}
		if err := cancelLocked(tx, &r, ev, userID, now); err != nil {
			return err
		}
		out = r
		if userID == nil {
			return nil
		}
		// An organiser may undo this for a while: the mail waits as long,
		// so that an undo can withdraw it before the person is told.
		return tx.Model(&OutboxMail{}).Where("kind = ? AND registration_id = ? AND status = ? AND created_at = ?", MailCancelled, r.ID, MailPending, now).
			Update("next_attempt_at", now.Add(CancelUndoWindow)).Error
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// cancelLocked cancels r, whose event the caller holds locked: a confirmed
// registration's places are freed and go to the waitlist.
func cancelLocked(tx *gorm.DB, r *Registration, ev *Event, userID *uint, now time.Time) error {
	wasConfirmed := r.Status == RegConfirmed
	r.CancelledFrom, r.CancelledByID = r.Status, userID
	r.Status, r.CancelledAt, r.UpdatedAt = RegCancelled, &now, now
	if err := tx.Model(r).Select("status", "cancelled_at", "cancelled_by_id", "cancelled_from", "updated_at").Updates(r).Error; err != nil {
		return err
	}
	if err := logActivity(tx, ev.ID, &r.ID, userID, "cancelled", "registration cancelled", now); err != nil {
		return err
	}
	if err := enqueue(tx, MailCancelled, ev, r, now); err != nil {
		return err
	}
	if !wasConfirmed {
		return nil
	}
	l := newLedger(tx, ev)
	if err := l.free(r, r.Places()); err != nil {
		return err
	}
	_, err := l.promote(r.Attendance, now)
	return err
}

// RegistrationChange is what an attendee may change after registering.
type RegistrationChange struct {
	Guests       *int
	Answers      map[string]string
	Dietary      *string
	DietaryOther *string
	// GuestDietary replaces the guests' dietary requirements; nil keeps
	// those stored (for the guests who remain).
	GuestDietary *[]PersonDiet
	AccessNeeds  *string
}

// ChangeRegistration applies a change of guests or answers. More guests on a
// confirmed registration must fit the free places (else a ValidationError on
// "guests" saying how many fit, and nothing changes); fewer guests free
// places and promote from the waitlist.
func ChangeRegistration(db *gorm.DB, regID uint, ch RegistrationChange, now time.Time) (*Registration, error) {
	var out Registration
	err := db.Transaction(func(tx *gorm.DB) error {
		r, ev, err := lockRegistration(tx, regID)
		if err != nil {
			return err
		}
		if r.Status == RegCancelled {
			return Invalid("status", "This registration has been cancelled")
		}
		if r.Status == RegDeclined {
			return Invalid("status", "This request was declined")
		}
		if r.AnswersPurgedAt != nil {
			return Invalid("status", "The event is over and your answers have been erased, as its privacy notice said: nothing can be changed now")
		}
		if ev.Status == StatusCancelled {
			return ErrEventCancelled
		}
		if err := tx.Model(ev).Association("Questions").Find(&ev.Questions); err != nil {
			return err
		}
		// Validate the changed registration as a whole, as at registration.
		in := RegisterInput{Name: r.Name, Email: r.Email, Guests: r.Guests, Attendance: r.Attendance,
			Dietary: r.Dietary, DietaryOther: r.DietaryOther, AccessNeeds: r.AccessNeeds, Consent: true}
		// Stored answers to questions since removed are dropped, not refused.
		_ = json.Unmarshal([]byte(r.Answers), &in.Answers)
		for key := range in.Answers {
			if !slices.ContainsFunc(ev.Questions, func(q Question) bool { return q.Key == key }) {
				delete(in.Answers, key)
			}
		}
		if ch.Guests != nil {
			in.Guests = *ch.Guests
		}
		if ch.Answers != nil {
			in.Answers = ch.Answers
		}
		if ch.Dietary != nil {
			in.Dietary = *ch.Dietary
		}
		if ch.DietaryOther != nil {
			in.DietaryOther = *ch.DietaryOther
		}
		in.GuestDietary = r.GuestDiets()
		if in.Guests >= 0 && len(in.GuestDietary) > in.Guests {
			in.GuestDietary = in.GuestDietary[:in.Guests] // fewer guests: their answers go
		}
		if ch.GuestDietary != nil {
			in.GuestDietary = *ch.GuestDietary
		}
		if ch.AccessNeeds != nil {
			in.AccessNeeds = *ch.AccessNeeds
		}
		if err := ValidateRegistration(ev, &in); err != nil {
			return err
		}
		delta := in.Guests - r.Guests
		l := newLedger(tx, ev)
		if r.Status == RegConfirmed && delta > 0 {
			ok, err := l.take(&r, delta)
			if err != nil {
				return err
			}
			if !ok {
				left := 0
				if p, err := l.placesLeftFor(&r); err != nil {
					return err
				} else if p != nil {
					left = *p
				}
				return Invalid("guests", fmt.Sprintf("Only %d more places are free: you can bring at most %d guests", left, r.Guests+left))
			}
		}
		answers, err := json.Marshal(in.Answers)
		if err != nil {
			return err
		}
		guestDiets := encodeGuestDiets(in.GuestDietary)
		changed := in.Guests != r.Guests || string(answers) != r.Answers || in.Dietary != r.Dietary ||
			in.DietaryOther != r.DietaryOther || guestDiets != r.GuestDietary || in.AccessNeeds != r.AccessNeeds
		if r.Status == RegConfirmed && delta < 0 {
			// Before the guests change: the ledger frees from what r holds.
			if err := l.free(&r, -delta); err != nil {
				return err
			}
		}
		previousGuests := r.Guests
		r.Guests, r.Answers, r.Dietary, r.DietaryOther, r.GuestDietary, r.AccessNeeds, r.UpdatedAt =
			in.Guests, string(answers), in.Dietary, in.DietaryOther, guestDiets, in.AccessNeeds, now
		if err := tx.Model(&r).Select("guests", "answers", "dietary", "dietary_other", "guest_dietary", "access_needs", "updated_at").Updates(&r).Error; err != nil {
			return err
		}
		if delta != 0 {
			if err := logActivity(tx, ev.ID, &r.ID, nil, "guests_changed", fmt.Sprintf("guests changed by %+d", delta), now); err != nil {
				return err
			}
		}
		if changed {
			extra := map[string]string{"previous_guests": strconv.Itoa(previousGuests)}
			if err := EnqueueMail(tx, MailChanged, ev, &r, extra, now); err != nil {
				return err
			}
		}
		// A smaller waitlisted party may now fit, and freed places go on.
		if _, err := l.promote(r.Attendance, now); err != nil {
			return err
		}
		if err := tx.First(&out, r.ID).Error; err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
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

// WaitlistLengths counts waitlisted registrations for several events:
// event ID → mode → count.
func WaitlistLengths(db *gorm.DB, eventIDs []uint) (map[uint]map[string]int, error) {
	out := map[uint]map[string]int{}
	if len(eventIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		EventID    uint
		Attendance string
		N          int
	}
	err := db.Model(&Registration{}).Select("event_id, attendance, COUNT(*) AS n").
		Where("event_id IN ? AND status = ?", eventIDs, RegWaitlisted).
		Group("event_id, attendance").Scan(&rows).Error
	for _, r := range rows {
		if out[r.EventID] == nil {
			out[r.EventID] = map[string]int{}
		}
		out[r.EventID][r.Attendance] = r.N
	}
	return out, err
}
