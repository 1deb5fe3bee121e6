package models

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// Registration requests in the confirm_email and approval modes (SPEC §3a).
// A request is stored as unconfirmed and holds nothing; its mail's link
// confirms the address (ConfirmRegistration), and only then does it take a
// place or join the waitlist, in the order of confirmation, or, in the
// approval mode, wait as pending for an organiser (ApproveRegistration,
// DeclineRegistration). The person's answer never says whether the address
// was registered already.

// UnconfirmedTTL is how long a request waits for its address to be
// confirmed; ExpireRequests then deletes it.
const UnconfirmedTTL = 24 * time.Hour

// Mail kinds of requests.
const (
	MailConfirmRequest   = "confirm_request"
	MailAwaitingApproval = "awaiting_approval"
	MailDeclined         = "registration_declined"
)

// ErrLinkExpired refuses a confirmation link older than UnconfirmedTTL.
var ErrLinkExpired = errors.New("this confirmation link has expired")

// StateError refuses an action that does not fit a registration's status,
// such as declining a confirmed registration.
type StateError struct{ Msg string }

func (e *StateError) Error() string { return e.Msg }

// activeRegistration returns the address's active registration for the
// event (see activeStatuses), or nil.
func activeRegistration(tx *gorm.DB, eventID uint, email string) (*Registration, error) {
	var rows []Registration
	err := tx.Where("event_id = ? AND email_norm = ? AND status IN ?", eventID, NormaliseEmail(email), activeStatuses).
		Limit(1).Find(&rows).Error
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	return &rows[0], nil
}

// requestLocked stores a request in an event that tx has locked and mails
// the link that confirms it, or, when the address already holds a
// registration, mails that one's link instead. Both answers are CheckEmail.
// A party that does not fit the free places now is refused as at once
// (a *PlacesError) when the waitlist is off or not wanted: that answer
// depends on the event only, never on the address.
func requestLocked(tx *gorm.DB, tok Tokens, ev *Event, in RegisterInput, now time.Time) (*RegisterResult, error) {
	l := newLedger(tx, ev)
	if err := l.releaseIfDue(now); err != nil {
		return nil, err
	}
	left, err := l.placesLeftFor(&Registration{Attendance: in.Attendance, AllocationID: in.AllocationID})
	if err != nil {
		return nil, err
	}
	if left != nil && *left < 1+in.Guests && (!ev.Waitlist || in.IfFull == IfFullReject) {
		return nil, &PlacesError{Attendance: in.Attendance, PlacesLeft: *left, Party: 1 + in.Guests, Waitlist: ev.Waitlist}
	}
	existing, err := activeRegistration(tx, ev.ID, in.Email)
	if err != nil {
		return nil, err
	}
	if existing != nil {
		return &RegisterResult{Registration: existing, Duplicate: true, CheckEmail: true}, mailLinkAgain(tx, ev, existing, nil, now)
	}
	reg, _, err := in.row(tok, ev, now)
	if err != nil {
		return nil, err
	}
	reg.Status = RegUnconfirmed
	if err := tx.Create(reg).Error; err != nil {
		return nil, err
	}
	return &RegisterResult{Registration: reg, CheckEmail: true}, enqueue(tx, MailConfirmRequest, ev, reg, now)
}

// setStatus writes a registration's status, waitlist place and update time.
func setStatus(tx *gorm.DB, r *Registration, now time.Time) error {
	r.UpdatedAt = now
	return tx.Model(&Registration{}).Where("id = ?", r.ID).UpdateColumns(map[string]any{
		"status": r.Status, "waitlist_seq": r.WaitlistSeq, "updated_at": now}).Error
}

// seat gives a registration that holds no place a place when its party
// fits, else the end of the waitlist, else ErrFull (nothing changed). It
// writes the status and returns the kind of mail that tells the person.
func seat(tx *gorm.DB, ev *Event, r *Registration, now time.Time) (string, error) {
	l := newLedger(tx, ev)
	if err := l.releaseIfDue(now); err != nil {
		return "", err
	}
	ok, err := l.take(r, r.Places())
	if err != nil {
		return "", err
	}
	switch {
	case ok:
		r.Status = RegConfirmed
		return MailConfirmation, setStatus(tx, r, now)
	case ev.Waitlist:
		return MailWaitlisted, l.joinWaitlist(r, now)
	default:
		return "", ErrFull
	}
}

// ConfirmResult is the outcome of ConfirmRegistration.
type ConfirmResult struct {
	Registration *Registration
	// Used is true when the link had been used already: nothing changed.
	Used bool
	// Duplicate is true when the address had meanwhile registered by
	// another request: this one is removed, and Registration is the other
	// one, whose link has been mailed.
	Duplicate bool
	// Position is the place in the waitlist when waitlisted.
	Position int
}

// ConfirmRegistration confirms the address of an unconfirmed request, as its
// mail's link does. In the approval mode the request becomes pending; in the
// others it takes a place or joins the waitlist now (the order of
// confirmation), as the event's mode is at the moment of confirming. A link
// used before changes nothing (Used); one older than UnconfirmedTTL is
// ErrLinkExpired; a closed or cancelled event refuses as at registration.
func ConfirmRegistration(db *gorm.DB, regID uint, now time.Time) (*ConfirmResult, error) {
	out := &ConfirmResult{}
	err := db.Transaction(func(tx *gorm.DB) error {
		r, ev, err := lockRegistration(tx, regID)
		if err != nil {
			return err
		}
		out.Registration = &r
		if r.Status != RegUnconfirmed {
			out.Used = true
			return nil
		}
		if !now.Before(r.CreatedAt.Add(UnconfirmedTTL)) {
			return ErrLinkExpired
		}
		if err := OpenForRegistration(ev, now); err != nil {
			return err
		}
		if !contains(ev.Modes(), r.Attendance) || r.Guests > ev.MaxGuests {
			return Invalid("attendance", "The event has changed since you asked for a place: register again")
		}
		existing, err := activeRegistration(tx, ev.ID, r.Email)
		if err != nil {
			return err
		}
		if existing != nil {
			out.Duplicate, out.Registration = true, existing
			if err := tx.Delete(&Registration{}, r.ID).Error; err != nil {
				return err
			}
			return mailLinkAgain(tx, ev, existing, nil, now)
		}
		kind := MailAwaitingApproval
		if ev.RegistrationMode == ModeApproval {
			r.Status = RegPending
			err = setStatus(tx, &r, now)
		} else {
			kind, err = seat(tx, ev, &r, now)
		}
		if err != nil {
			return err
		}
		if err := logActivity(tx, ev.ID, &r.ID, nil, "email_confirmed", "address confirmed: "+r.Status, now); err != nil {
			return err
		}
		if out.Position, err = WaitlistPosition(tx, &r); err != nil {
			return err
		}
		return enqueue(tx, kind, ev, &r, now)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// eventRegistrationLocked locks the event and reads registration regID of
// it; a registration of another event is ErrNotFound.
func eventRegistrationLocked(tx *gorm.DB, eventID, regID uint) (Registration, *Event, error) {
	r, ev, err := lockRegistration(tx, regID)
	if err == nil && r.EventID != eventID {
		err = ErrNotFound
	}
	return r, ev, err
}

// ApproveRegistration approves a pending request of an event (or one
// declined before, when the organisers change their mind): it takes a place
// when the party fits, else joins the waitlist (Position says where), and
// the person is mailed either way. Without a waitlist a full event refuses
// with ErrFull and the request stays pending. Approving an approved
// registration changes nothing.
func ApproveRegistration(db *gorm.DB, eventID, regID uint, userID *uint, now time.Time) (*Registration, int, error) {
	var out Registration
	pos := 0
	err := db.Transaction(func(tx *gorm.DB) error {
		r, ev, err := eventRegistrationLocked(tx, eventID, regID)
		if err != nil {
			return err
		}
		out = r
		switch r.Status {
		case RegConfirmed, RegWaitlisted:
			pos, err = WaitlistPosition(tx, &r)
			return err
		case RegPending, RegDeclined:
		case RegUnconfirmed:
			return &StateError{"This request's email address has not been confirmed yet: it can be approved once it is"}
		default:
			return &StateError{"This registration has been cancelled: it cannot be approved"}
		}
		if ev.Status == StatusCancelled {
			return ErrEventCancelled
		}
		kind, err := seat(tx, ev, &r, now)
		if err != nil {
			return err
		}
		if err := logActivity(tx, ev.ID, &r.ID, userID, "approved", "approved: "+r.Status, now); err != nil {
			return err
		}
		if pos, err = WaitlistPosition(tx, &r); err != nil {
			return err
		}
		out = r
		return EnqueueMail(tx, kind, ev, &r, map[string]string{"approved": "yes"}, now)
	})
	if err != nil {
		return nil, 0, err
	}
	return &out, pos, nil
}

// DeclineRegistration declines a pending request of an event and mails the
// person kindly; no reason is asked. Declining twice changes nothing.
func DeclineRegistration(db *gorm.DB, eventID, regID uint, userID *uint, now time.Time) (*Registration, error) {
	var out Registration
	err := db.Transaction(func(tx *gorm.DB) error {
		r, ev, err := eventRegistrationLocked(tx, eventID, regID)
		if err != nil {
			return err
		}
		out = r
		switch r.Status {
		case RegDeclined:
			return nil
		case RegPending:
		case RegConfirmed, RegWaitlisted:
			return &StateError{fmt.Sprintf("This registration is %s already: cancel it instead of declining it", r.Status)}
		case RegUnconfirmed:
			return &StateError{"This request's email address has not been confirmed yet: there is nothing to decline"}
		default:
			return &StateError{"This registration has been cancelled already"}
		}
		r.Status = RegDeclined
		if err := setStatus(tx, &r, now); err != nil {
			return err
		}
		if err := logActivity(tx, ev.ID, &r.ID, userID, "declined", "request declined", now); err != nil {
			return err
		}
		out = r
		return enqueue(tx, MailDeclined, ev, &r, now)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// PendingRequests lists an event's requests waiting for approval, oldest
// confirmation first.
func PendingRequests(db *gorm.DB, eventID uint) ([]Registration, error) {
	var regs []Registration
	err := db.Where("event_id = ? AND status = ?", eventID, RegPending).Order("updated_at, id").Find(&regs).Error
	return regs, err
}

// ExpireRequests deletes requests whose address was not confirmed within
// UnconfirmedTTL of now, with their mails (they held no place), and reports
// how many it deleted.
func ExpireRequests(db *gorm.DB, now time.Time) (int64, error) {
	var n int64
	err := db.Transaction(func(tx *gorm.DB) error {
		var ids []uint
		if err := tx.Model(&Registration{}).Where("status = ? AND created_at < ?", RegUnconfirmed, now.Add(-UnconfirmedTTL)).
			Pluck("id", &ids).Error; err != nil {
			return err
		}
		for len(ids) > 0 {
			batch := ids[:min(len(ids), 500)]
			ids = ids[len(batch):]
			if err := tx.Where("registration_id IN ?", batch).Delete(&OutboxMail{}).Error; err != nil {
				return err
			}
			res := tx.Where("id IN ? AND status = ?", batch, RegUnconfirmed).Delete(&Registration{})
			if res.Error != nil {
				return res.Error
			}
			n += res.RowsAffected
		}
		return nil
	})
	return n, err
}
