package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// Registrations: registering (Register, through the Registrar), finding,
// changing and cancelling one. Places move through the ledger (ledger.go);
// the rules of the input are in validate.go.

// statusOrder sorts registrations for organisers: confirmed, waitlisted,
// pending, unconfirmed, declined, cancelled.
const statusOrder = "CASE status WHEN 'confirmed' THEN 0 WHEN 'waitlisted' THEN 1 WHEN 'pending' THEN 2 WHEN 'unconfirmed' THEN 3 WHEN 'declined' THEN 4 ELSE 5 END"

// EventRegistrations lists an event's registrations: confirmed and cancelled
// in order of arrival, waitlisted in waitlist order.
func EventRegistrations(db *gorm.DB, eventID uint) ([]Registration, error) {
	var regs []Registration
	err := db.Where("event_id = ?", eventID).
		Order(statusOrder + ", waitlist_seq, id").
		Find(&regs).Error
	return regs, err
}

// PromoteRegistration confirms one waitlisted registration ahead of its
// turn, when its places fit the free capacity; otherwise it says how many
// places are free. Confirmed registrations are left as they are.
func PromoteRegistration(db *gorm.DB, regID uint, userID *uint, now time.Time) (*Registration, error) {
	var r Registration
	err := db.Transaction(func(tx *gorm.DB) error {
		var ev *Event
		var err error
		if r, ev, err = lockRegistration(tx, regID); err != nil {
			return err
		}
		if r.Status != RegWaitlisted {
			return Invalid("status", "Only a registration on the waitlist can be moved up")
		}
		l := newLedger(tx, ev)
		ok, err := l.take(&r, r.Places())
		if err != nil {
			return err
		}
		if !ok {
			left, err := l.leftAfterRefusal(&r)
			if err != nil {
				return err
			}
			return Invalid("status", fmt.Sprintf("Only %d %s free: this registration needs %d", left, Plural(left, "place is", "places are"), r.Places()))
		}
		r.Status, r.PromotedAt, r.UpdatedAt = RegConfirmed, &now, now
		if err := tx.Model(&r).Select("status", "promoted_at", "updated_at").Updates(&r).Error; err != nil {
			return err
		}
		if err := logActivity(tx, ev.ID, &r.ID, userID, "promoted", fmt.Sprintf("moved up from the waitlist by an organiser (%d places)", r.Places()), now); err != nil {
			return err
		}
		return enqueue(tx, MailPromoted, ev, &r, now)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// RegisterInput is what an attendee submits.
type RegisterInput struct {
	Name         string
	Email        string
	Guests       int
	Attendance   string
	Answers      map[string]string
	Dietary      string
	DietaryOther string
	// GuestDietary holds each guest's dietary requirement, in order.
	GuestDietary []PersonDiet
	AccessNeeds  string
	Consent      bool
	// IfFull says what to do with a party bigger than the free places:
	// IfFullWaitlist ("" too) waitlists the whole party when the event has
	// a waitlist; IfFullReject refuses with a *PlacesError, storing nothing,
	// so that the person can choose fewer guests or the waitlist.
	IfFull string
	// AllocationID is the allocation whose code the person came through
	// (see AllocationByCode): its reserved places are used first.
	AllocationID *uint
	// ByOrganiser marks a registration added by an organiser (a phone
	// booking, a walk-in at the door): the registration window does not
	// apply, capacity and everything else still do.
	ByOrganiser bool
	// made is what the new row needs that does not depend on the event:
	// the Registrar makes it in the caller's goroutine, before its turn in
	// the one goroutine that writes (nil: made there).
	made *newRow
}

// newRow is the part of a new registration row made from the input alone:
// random nonces, the secrets derived from them and their stored hashes,
// and the encoded answers and dietary requirements. Making it costs four
// SHA-256 derivations and two random reads, so it is done before the
// registration's transaction, not in it.
type newRow struct {
	tokenNonce, feedNonce string
	// manage and feed are the secret parts of the manage and feed tokens.
	manage, feed             string
	tokenHash, feedTokenHash string
	answers, guestDietary    string
	emailNorm                string
}

// makeRow makes in's newRow with tok.
func makeRow(tok Tokens, in *RegisterInput) (*newRow, error) {
	answers := in.Answers
	if answers == nil {
		answers = map[string]string{} // stored as {}, never null
	}
	a, err := json.Marshal(answers)
	if err != nil {
		return nil, err
	}
	m := &newRow{tokenNonce: NewNonce(), feedNonce: NewNonce(), answers: string(a),
		guestDietary: encodeGuestDiets(in.GuestDietary), emailNorm: NormaliseEmail(in.Email)}
	m.manage, m.feed = tok.Manage(m.tokenNonce), tok.Feed(m.feedNonce)
	m.tokenHash, m.feedTokenHash = HashToken(m.manage), HashToken(m.feed)
	return m, nil
}

// row is the registration in of ev would store, made with m (nil: made
// now): status and places are for the caller to set.
func (in *RegisterInput) row(tok Tokens, ev *Event, now time.Time) (*Registration, *newRow, error) {
	m := in.made
	if m == nil {
		var err error
		if m, err = makeRow(tok, in); err != nil {
			return nil, nil, err
		}
	}
	return &Registration{
		EventID: ev.ID, Name: in.Name, Email: in.Email, EmailNorm: m.emailNorm,
		Guests: in.Guests, Attendance: in.Attendance, Answers: m.answers, AllocationID: in.AllocationID,
		Dietary: in.Dietary, DietaryOther: in.DietaryOther, GuestDietary: m.guestDietary, AccessNeeds: in.AccessNeeds,
		ConsentAt: now, TokenNonce: m.tokenNonce, TokenHash: m.tokenHash, FeedNonce: m.feedNonce, FeedTokenHash: m.feedTokenHash,
		CreatedAt: now, UpdatedAt: now,
	}, m, nil
}

// RegisterResult is the outcome of Register.
type RegisterResult struct {
	Registration *Registration
	// Duplicate is true when the email already held an active registration;
	// Registration is then that existing one (to mail its link, never to show).
	Duplicate bool
	// CheckEmail is true when the answer to the person is only "check your
	// email": a request waiting for its address to be confirmed (the event's
	// mode is confirm_email or approval), or a Duplicate. The answer must not
	// tell the two apart.
	CheckEmail bool
	// Position is the place in the waitlist (1-based) when waitlisted.
	Position int
	// ManageToken and FeedToken are the new registration's tokens (see
	// Tokens.ManageToken), for the answer to its holder; empty for a
	// Duplicate, whose links only go by mail.
	ManageToken, FeedToken string
}

// created is the result of registering reg, made with m.
func created(reg *Registration, m *newRow) *RegisterResult {
	id := strconv.FormatUint(uint64(reg.ID), 10)
	return &RegisterResult{Registration: reg, ManageToken: id + "_" + m.manage, FeedToken: id + "_" + m.feed}
}

// Register books places for an attendee: confirmed when the places fit,
// waitlisted when full and the waitlist is on, refused otherwise. The input
// must have passed ValidateRegistration against the same event.
func Register(db *gorm.DB, tok Tokens, eventID uint, in RegisterInput, now time.Time) (*RegisterResult, error) {
	for attempt := 1; ; attempt++ {
		var out *RegisterResult
		err := db.Transaction(func(tx *gorm.DB) error {
			ev, err := lockEvent(tx, eventID)
			if err != nil {
				return err
			}
			out, err = registerLocked(tx, tok, ev, in, now)
			return err
		})
		if errors.Is(err, errActiveRegistration) {
			err = db.Transaction(func(tx *gorm.DB) error {
				out, err = registeredAlready(tx, eventID, in.Email, now)
				return err
			})
			if errors.Is(err, errNoLongerActive) && attempt < 3 {
				continue // cancelled in between: register afresh
			}
		}
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}

// errNoLongerActive reports that the registration which made the unique
// index refuse a new one was cancelled before registeredAlready read it.
var errNoLongerActive = errors.New("models: the address's registration was cancelled meanwhile")

// errActiveRegistration reports that the unique index refused a second
// active registration of an address: the transaction (or savepoint) must be
// rolled back and registeredAlready run instead.
var errActiveRegistration = errors.New("models: address already registered")

// registeredAlready answers a registration from an address that already
// holds one: no place is taken, and its manage link is mailed again.
func registeredAlready(tx *gorm.DB, eventID uint, email string, now time.Time) (*RegisterResult, error) {
	existing, err := activeRegistration(tx, eventID, email)
	if err != nil {
		return nil, err
	}
	if existing == nil {
		return nil, errNoLongerActive
	}
	return &RegisterResult{Registration: existing, Duplicate: true, CheckEmail: true}, mailLinkAgain(tx, &Event{ID: eventID}, existing, nil, now)
}

// registerLocked registers on an event that tx has locked and read; it keeps
// ev's counters in step with what it writes. One active registration per
// address is left to the partial unique index: a second one fails with
// errActiveRegistration, so the common case needs no extra query. When it
// returns a refusal (see refusal) it has left nothing written; any other
// error may leave partial writes, and the transaction must be rolled back.
func registerLocked(tx *gorm.DB, tok Tokens, ev *Event, in RegisterInput, now time.Time) (*RegisterResult, error) {
	if err := OpenForRegistration(ev, now); err != nil {
		windowOnly := errors.Is(err, ErrRegistrationClosed) || errors.Is(err, ErrNotYetOpen)
		if !in.ByOrganiser || !windowOnly {
			return nil, err
		}
	}
	if in.Guests > ev.MaxGuests || in.Guests < 0 {
		return nil, Invalid("guests", fmt.Sprintf("You can bring at most %d guests", ev.MaxGuests))
	}
	mode := in.Attendance
	if !contains(ev.Modes(), mode) {
		return nil, Invalid("attendance", "This event does not offer that way of attending")
	}
	if ev.RegistrationMode != ModeInstant && ev.RegistrationMode != "" && !in.ByOrganiser {
		return requestLocked(tx, tok, ev, in, now)
	}
	reg, made, err := in.row(tok, ev, now)
	if err != nil {
		return nil, err
	}
	// Insert first, as confirmed: a second active registration of the
	// address is refused here by the unique index before anything else is
	// written, so the caller needs no savepoint to undo it.
	reg.Status = RegConfirmed
	// A plain INSERT (see insertID): this is the hottest statement of the
	// app, so it skips the ORM and stays prepared on SQLite.
	reg.ID, err = insertID(tx, insertRegistrationSQL,
		reg.EventID, reg.Name, reg.Email, reg.EmailNorm, reg.Guests, reg.Attendance, reg.Status, reg.WaitlistSeq,
		reg.Answers, reg.Dietary, reg.DietaryOther, reg.GuestDietary, reg.AccessNeeds, reg.ConsentAt, reg.TokenNonce, reg.TokenHash,
		reg.FeedNonce, reg.FeedTokenHash, reg.CreatedAt, reg.UpdatedAt, reg.AllocationID)
	if err != nil {
		if isUniqueViolation(err) {
			return nil, errActiveRegistration
		}
		return nil, err
	}
	l := newLedger(tx, ev)
	if err := l.releaseIfDue(now); err != nil {
		return nil, err
	}
	ok, err := l.take(reg, reg.Places())
	if err != nil {
		return nil, err
	}
	switch {
	case ok:
	case ev.Waitlist && in.IfFull != IfFullReject:
		if err := l.joinWaitlist(reg, now); err != nil {
			return nil, err
		}
	default:
		// Not waitlisted (none, or the registrant would rather choose): take
		// the row back out; nothing else was written.
		if err := tx.Exec("DELETE FROM registrations WHERE id = ?", reg.ID).Error; err != nil {
			return nil, err
		}
		left, err := l.leftAfterRefusal(reg)
		if err != nil {
			return nil, err
		}
		return nil, &PlacesError{Attendance: mode, PlacesLeft: left, Party: reg.Places(), Waitlist: ev.Waitlist}
	}
	out := created(reg, made)
	kind := MailConfirmation
	if reg.Status == RegWaitlisted {
		kind = MailWaitlisted
		if out.Position, err = WaitlistPosition(tx, reg); err != nil {
			return nil, err
		}
	}
	return out, enqueue(tx, kind, ev, reg, now)
}

// refusal reports whether err is an answer to the attendee (closed, full,
// invalid, already registered) rather than a failure of the database.
func refusal(err error) bool {
	var ve *ValidationError
	return errors.As(err, &ve) || errors.Is(err, ErrFull) || errors.Is(err, ErrEventCancelled) ||
		errors.Is(err, ErrEventNotOpen) || errors.Is(err, ErrRegistrationClosed) || errors.Is(err, ErrNotYetOpen) ||
		errors.Is(err, errActiveRegistration) || errors.Is(err, errNoLongerActive)
}

// isUniqueViolation recognises a unique-index refusal on either database.
func isUniqueViolation(err error) bool {
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "UNIQUE constraint failed") || strings.Contains(msg, "SQLSTATE 23505")
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
	// Attendance, when set, first switches the way of attending as
	// SwitchAttendance does (IfFull says what to do when the other way is
	// full); the other fields then change on the registration as switched.
	Attendance   *string
	IfFull       string
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
// places and promote from the waitlist. All of it is one change, mailed
// once, or nothing changes.
func ChangeRegistration(db *gorm.DB, regID uint, ch RegistrationChange, now time.Time) (*Registration, error) {
	var out Registration
	err := db.Transaction(func(tx *gorm.DB) error {
		var switched mailChange
		if ch.Attendance != nil {
			var err error
			if _, switched, err = switchAttendance(tx, regID, *ch.Attendance, ch.IfFull, now); err != nil {
				return err
			}
		}
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
				left, err := l.leftAfterRefusal(&r)
				if err != nil {
					return err
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
		// One mail says all that changed: after a switch, what the
		// registration was before it.
		mail := switched
		if changed && mail.reg == nil {
			mail = mailChange{ev: ev, reg: &r, extra: map[string]string{"previous_guests": strconv.Itoa(previousGuests)}, at: now}
		}
		if err := mail.enqueue(tx); err != nil {
			return err
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

// What a registration asks for when its party does not fit (RegisterInput.IfFull).
const (
	IfFullWaitlist = "waitlist"
	IfFullReject   = "reject"
)
