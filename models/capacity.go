package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// Registering: the input, its validation and Register. The places
// themselves are taken through the ledger (ledger.go).

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
}

// What a registration asks for when its party does not fit (RegisterInput.IfFull).
const (
	IfFullWaitlist = "waitlist"
	IfFullReject   = "reject"
)

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

// ValidateRegistration checks an attendee's input against the event and its
// questions, normalising it in place.
func ValidateRegistration(ev *Event, in *RegisterInput) error {
	v := &ValidationError{}
	for field, text := range map[string]string{"name": in.Name, "email": in.Email,
		"access_needs": in.AccessNeeds, "attendance": in.Attendance} {
		if !CleanText(text) {
			v.Add(field, "Remove the invisible or broken characters from this answer")
		}
	}
	for key, text := range in.Answers {
		if !CleanText(text) {
			v.Add("answers."+key, "Remove the invisible or broken characters from this answer")
		}
	}
	// Every problem is named at once: a field already named keeps its
	// first message.
	in.Name = strings.TrimSpace(in.Name)
	in.Email = strings.TrimSpace(in.Email)
	switch {
	case in.Name == "":
		v.Add("name", "Enter your name")
	case len([]rune(in.Name)) > 200:
		v.Add("name", "Name must be 200 characters or fewer")
	case !CleanName(in.Name):
		v.Add("name", NameMessage)
	}
	switch {
	case in.Email == "":
		v.Add("email", "Enter your email address")
	case len(in.Email) > 254 || !ValidEmail(in.Email):
		v.Add("email", "Enter an email address in the correct format, like name@example.org")
	}
	if in.Attendance == "" && len(ev.Modes()) == 1 {
		in.Attendance = ev.Modes()[0]
	}
	switch {
	case in.Attendance == "" && ev.Hybrid():
		v.Add("attendance", "Choose whether you will come in person or join online")
	case in.Attendance == InPerson && !ev.InPerson, in.Attendance == Online && !ev.Online:
		v.Add("attendance", "This event does not offer that way of attending")
	case in.Attendance != InPerson && in.Attendance != Online && in.Attendance != "":
		v.Add("attendance", "Choose in person or online")
	}
	switch in.IfFull {
	case "", IfFullWaitlist, IfFullReject:
	default:
		v.Add("if_full", `Choose "waitlist" (join the waitlist with the whole party) or "reject" (register only if the party fits)`)
	}
	switch {
	case in.Guests < 0:
		v.Add("guests", "Guests cannot be a negative number")
	case in.Guests > ev.MaxGuests:
		if ev.MaxGuests == 0 {
			v.Add("guests", "This event does not take guests")
		} else {
			v.Add("guests", fmt.Sprintf("You can bring at most %d guests", ev.MaxGuests))
		}
	}
	in.AccessNeeds = strings.TrimSpace(in.AccessNeeds)
	validateFood(ev, in, v)
	if len([]rune(in.AccessNeeds)) > 2000 {
		v.Add("access_needs", "Access needs must be 2,000 characters or fewer")
	}
	if !in.Consent {
		v.Add("consent", "Agree to us keeping your details for this event to register")
	}
	validateAnswers(ev.Questions, in, v)
	return v.Err()
}

func validateAnswers(qs []Question, in *RegisterInput, v *ValidationError) {
	clean := map[string]string{}
	for key := range in.Answers {
		if !slices.ContainsFunc(qs, func(q Question) bool { return q.Key == key }) {
			v.Add("answers."+key, "This event has no question with this key")
		}
	}
	for _, q := range qs {
		a := strings.TrimSpace(in.Answers[q.Key])
		field := "answers." + q.Key
		if a == "" {
			if q.Required {
				v.Add(field, "Answer this question: "+q.Label)
			}
			continue
		}
		switch q.Kind {
		case QuestionShortText:
			if len([]rune(a)) > 300 {
				v.Add(field, "Answer in 300 characters or fewer")
			}
		case QuestionLongText:
			if len([]rune(a)) > 4000 {
				v.Add(field, "Answer in 4,000 characters or fewer")
			}
		case QuestionSingle:
			if !contains(q.Choices(), a) {
				v.Add(field, "Choose one of the options")
			}
		case QuestionMultiple:
			for _, part := range strings.Split(a, "\n") {
				if !contains(q.Choices(), strings.TrimSpace(part)) {
					v.Add(field, "Choose from the options")
				}
			}
		case QuestionCheckbox:
			if a != "yes" && a != "no" {
				v.Add(field, "Answer yes or no")
			}
		}
		clean[q.Key] = a
	}
	in.Answers = clean
}

// Choices are the options of a choice question. The receiver is a value:
// templates call it on questions that are not addressable.
func (q Question) Choices() []string {
	var out []string
	for _, o := range strings.Split(q.Options, "\n") {
		if o = strings.TrimSpace(o); o != "" {
			out = append(out, o)
		}
	}
	return out
}

// CleanText reports whether s is valid UTF-8 without control characters
// (other than tab and line breaks): text that every database stores and
// every page, feed and mail shows as it was meant.
func CleanText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return false
		}
	}
	return true
}

// ValidEmail is a deliberately simple syntax check: one @, a dot in the
// domain, no spaces or angle brackets.
func ValidEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at < 1 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n<>,;\"()[]\\") {
		return false
	}
	domain := s[at+1:]
	return strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".") && !strings.Contains(s[:at], "@")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
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
	ev := &Event{ID: eventID}
	return &RegisterResult{Registration: existing, Duplicate: true, CheckEmail: true}, enqueue(tx, MailDuplicate, ev, existing, now)
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
	if in.Answers == nil {
		in.Answers = map[string]string{} // stored as {}, never null
	}
	if ev.RegistrationMode != ModeInstant && ev.RegistrationMode != "" && !in.ByOrganiser {
		return requestLocked(tx, tok, ev, in, now)
	}
	answers, err := json.Marshal(in.Answers)
	if err != nil {
		return nil, err
	}
	reg := &Registration{
		EventID: ev.ID, Name: in.Name, Email: in.Email, EmailNorm: NormaliseEmail(in.Email),
		Guests: in.Guests, Attendance: mode, Answers: string(answers), AllocationID: in.AllocationID,
		Dietary: in.Dietary, DietaryOther: in.DietaryOther, GuestDietary: encodeGuestDiets(in.GuestDietary), AccessNeeds: in.AccessNeeds,
		ConsentAt: now, TokenNonce: NewNonce(), FeedNonce: NewNonce(),
		CreatedAt: now, UpdatedAt: now,
	}
	// Insert first, as confirmed: a second active registration of the
	// address is refused here by the unique index before anything else is
	// written, so the caller needs no savepoint to undo it.
	reg.Status = RegConfirmed
	reg.TokenHash = HashToken(tok.Manage(reg.TokenNonce))
	reg.FeedTokenHash = HashToken(tok.Feed(reg.FeedNonce))
	// A plain INSERT … RETURNING (SQLite 3.35+, PostgreSQL): this is the
	// hottest statement of the app, so it skips the ORM and stays prepared.
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
		left := 0
		if p, err := l.placesLeftFor(reg); err != nil {
			return nil, err
		} else if p != nil {
			left = *p
		}
		return nil, &PlacesError{Attendance: mode, PlacesLeft: left, Party: reg.Places(), Waitlist: ev.Waitlist}
	}
	out := &RegisterResult{Registration: reg}
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
