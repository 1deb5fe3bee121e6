package models

import (
	"fmt"
	"time"

	"gorm.io/gorm"
)

// SwitchResult is the outcome of SwitchAttendance.
type SwitchResult struct {
	Registration *Registration
	// Position is the place in the new mode's waitlist when waitlisted.
	Position int
}

// SwitchAttendance moves a registration of a hybrid event to the other way
// of attending, by the capacity rules of each mode: a confirmed place moves
// only when the new mode has room for the party (guests come in person
// only, so a switch to online leaves them out, and food is not asked
// online); otherwise, with ifFull IfFullWaitlist and a waitlist, the place
// is given up for the end of the new mode's waitlist, and with
// IfFullReject (the default) a *PlacesError says how many places are free
// and nothing changes. A waitlisted registration takes a free place in the
// new mode, or the end of its waitlist on the same terms. Freed places go to
// the old mode's waitlist. The change is recorded and mailed.
func SwitchAttendance(db *gorm.DB, regID uint, to, ifFull string, now time.Time) (*SwitchResult, error) {
	var out *SwitchResult
	err := db.Transaction(func(tx *gorm.DB) error {
		var (
			mail mailChange
			err  error
		)
		if out, mail, err = switchAttendance(tx, regID, to, ifFull, now); err != nil {
			return err
		}
		return mail.enqueue(tx)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// mailChange is the "registration changed" mail of a change, queued once
// when the change is complete (a switch of attendance followed by other
// changes is one mail). The zero value queues nothing.
type mailChange struct {
	ev    *Event
	reg   *Registration
	extra map[string]string // what the registration was before
	at    time.Time
}

func (m mailChange) enqueue(tx *gorm.DB) error {
	if m.reg == nil {
		return nil
	}
	return EnqueueMail(tx, MailChanged, m.ev, m.reg, m.extra, m.at)
}

// switchAttendance is SwitchAttendance within tx, returning the mail it
// calls for instead of queuing it.
func switchAttendance(tx *gorm.DB, regID uint, to, ifFull string, now time.Time) (*SwitchResult, mailChange, error) {
	out := &SwitchResult{}
	var mail mailChange
	err := func() error {
		r, ev, err := lockRegistration(tx, regID)
		if err != nil {
			return err
		}
		switch {
		case r.Status == RegCancelled:
			return Invalid("status", "This registration has been cancelled")
		case r.Status == RegDeclined:
			return Invalid("status", "This request was declined")
		case ev.Status == StatusCancelled:
			return ErrEventCancelled
		case !now.Before(ev.EndsAt):
			return ErrRegistrationClosed
		case to != InPerson && to != Online:
			return Invalid("attendance", "Choose in person or online")
		case !contains(ev.Modes(), to):
			return Invalid("attendance", "This event does not offer that way of attending")
		}
		switch ifFull {
		case "", IfFullReject, IfFullWaitlist:
		default:
			return Invalid("if_full", `Choose "waitlist" or "reject"`)
		}
		out.Registration = &r
		from := r.Attendance
		if from == to {
			return nil // nothing to change
		}
		before := r // as it stood: its places are freed in its old mode
		r.Attendance = to
		if to == Online {
			r.Guests = 0
			r.Dietary, r.DietaryOther, r.GuestDietary = "", "", "[]"
		}
		l := newLedger(tx, ev)
		toWaitlist := false
		switch r.Status {
		case RegConfirmed, RegWaitlisted:
			ok, err := l.take(&r, r.Places())
			if err != nil {
				return err
			}
			switch {
			case ok:
				r.Status, r.WaitlistSeq = RegConfirmed, 0
			case ev.Waitlist && ifFull == IfFullWaitlist:
				// The end of the new mode's waitlist (joinWaitlist, below).
				r.Status, toWaitlist = RegWaitlisted, true
			default:
				left, err := l.leftAfterRefusal(&r)
				if err != nil {
					return err
				}
				return &PlacesError{Attendance: to, PlacesLeft: left, Party: r.Places(), Waitlist: ev.Waitlist}
			}
			if before.Status == RegConfirmed {
				if err := l.free(&before, before.Places()); err != nil {
					return err
				}
			}
		}
		r.UpdatedAt = now
		if err := tx.Model(&Registration{}).Where("id = ?", r.ID).UpdateColumns(map[string]any{
			"attendance": r.Attendance, "guests": r.Guests, "status": r.Status, "waitlist_seq": r.WaitlistSeq,
			"dietary": r.Dietary, "dietary_other": r.DietaryOther, "guest_dietary": r.GuestDietary, "updated_at": now,
		}).Error; err != nil {
			return err
		}
		if toWaitlist {
			if err := l.joinWaitlist(&r, now); err != nil {
				return err
			}
		}
		detail := fmt.Sprintf("attendance changed from %s to %s (%s)", ModeWords(from), ModeWords(to), r.Status)
		if err := logActivity(tx, ev.ID, &r.ID, nil, "attendance_changed", detail, now); err != nil {
			return err
		}
		mail = mailChange{ev: ev, reg: out.Registration, at: now,
			extra: map[string]string{"previous_attendance": from, "previous_guests": fmt.Sprint(before.Guests), "previous_status": before.Status}}
		if _, err := l.promote(from, now); err != nil {
			return err
		}
		if out.Position, err = WaitlistPosition(tx, &r); err != nil {
			return err
		}
		return tx.First(out.Registration, r.ID).Error
	}()
	if err != nil {
		return nil, mailChange{}, err
	}
	return out, mail, nil
}

// ModeWords names a way of attending in a sentence: "online" or "in
// person".
func ModeWords(mode string) string {
	if mode == Online {
		return "online"
	}
	return "in person"
}

// SendManageLink mails the manage link of the address's registration for
// an event ("Lost your link?"), and does nothing when the address holds
// none: the person who asked is told the same either way, so the answer
// never shows whether an address is registered (the caller must not wait
// for this, or the time it takes would; see app.linkMailer).
func SendManageLink(db *gorm.DB, eventID uint, email string, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		r, err := activeRegistration(tx, eventID, email)
		if err != nil || r == nil {
			return err
		}
		return mailLinkAgain(tx, &Event{ID: eventID}, r, map[string]string{"reason": "lost_link"}, now)
	})
}

// linkResendAfter is how long after a mail with a registration's link
// (its manage link again) another is not sent: asking again and again, or
// registering the address again and again, must not flood its inbox.
const linkResendAfter = 10 * time.Minute

// mailLinkAgain queues the mail that gives reg's holder its link again
// (MailDuplicate), unless one was queued less than linkResendAfter before
// now and has not failed (a failed one is no reason to withhold the next).
func mailLinkAgain(tx *gorm.DB, ev *Event, reg *Registration, extra map[string]string, now time.Time) error {
	var n int64
	err := tx.Model(&OutboxMail{}).Where("registration_id = ? AND kind = ? AND created_at > ? AND status <> ?",
		reg.ID, MailDuplicate, now.Add(-linkResendAfter), MailFailed).Count(&n).Error
	if err != nil || n > 0 {
		return err
	}
	return EnqueueMail(tx, MailDuplicate, ev, reg, extra, now)
}
