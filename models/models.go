package models

import (
	"time"
)

// Event kinds.
const (
	KindMeeting    = "meeting"
	KindIftar      = "iftar"
	KindLivestream = "livestream"
	KindMemorial   = "memorial"
)

// Kinds lists every event kind in display order.
var Kinds = []string{KindMeeting, KindIftar, KindLivestream, KindMemorial}

// Event statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
	StatusPostponed = "postponed"
	StatusCancelled = "cancelled"
)

// Statuses lists every event status.
var Statuses = []string{StatusDraft, StatusPublished, StatusPostponed, StatusCancelled}

// Attendance modes of a registration.
const (
	InPerson = "in_person"
	Online   = "online"
)

// Registration statuses. An unconfirmed request waits for its address to
// be confirmed by mail; a pending one for an organiser's approval; neither
// holds a place, and neither does a declined one.
const (
	RegUnconfirmed = "unconfirmed"
	RegPending     = "pending"
	RegConfirmed   = "confirmed"
	RegWaitlisted  = "waitlisted"
	RegDeclined    = "declined"
	RegCancelled   = "cancelled"
)

// RegStatuses lists every registration status, in the order of a lifecycle.
var RegStatuses = []string{RegUnconfirmed, RegPending, RegConfirmed, RegWaitlisted, RegDeclined, RegCancelled}

// activeStatuses are the statuses that hold an address's one registration
// for an event (the partial unique index idx_registrations_active_email):
// unconfirmed requests and cancellations do not, so neither blocks a later
// request from the same address. A declined request does: the organisers
// have decided, and asking again does not reach their queue.
var activeStatuses = []string{RegPending, RegConfirmed, RegWaitlisted, RegDeclined}

// heldStatuses are the registrations people count on: a place, a waitlist
// place or a request an organiser will decide on. They are told of changes.
var heldStatuses = []string{RegPending, RegConfirmed, RegWaitlisted}

// Registration modes of an event (SPEC §3a).
const (
	// ModeInstant confirms or waitlists a registration at once.
	ModeInstant = "instant"
	// ModeConfirmEmail waits for the address to be confirmed by mail.
	ModeConfirmEmail = "confirm_email"
	// ModeApproval waits for the address, then for an organiser.
	ModeApproval = "approval"
)

// RegistrationModes lists every registration mode.
var RegistrationModes = []string{ModeInstant, ModeConfirmEmail, ModeApproval}

// Address visibility of a venue.
const (
	AddressPublic      = "public"
	AddressRegistrants = "registrants"
)

// Host roles.
const (
	RoleHost   = "host"
	RoleCoHost = "co-host"
)

// Dietary choices offered for in-person places.
var DietaryChoices = []string{"none", "vegetarian", "vegan", "halal", "kosher", "other"}

// Organisation is a charity, synagogue, mosque, church, community group or
// media partner that hosts events.
type Organisation struct {
	ID          uint   `gorm:"primaryKey"`
	Slug        string `gorm:"size:80;uniqueIndex;not null"`
	Name        string `gorm:"size:200;not null"`
	Kind        string `gorm:"size:40"`
	Description string `gorm:"type:text"`
	Website     string `gorm:"size:300"`
	Email       string `gorm:"size:254"`
	Timezone    string `gorm:"size:64;not null;default:Europe/London"`
	// The home place times the organisation's calendar and its online
	// events (in Timezone); without coordinates it is London.
	HomePlace     string `gorm:"size:100"`
	HomeLatitude  *float64
	HomeLongitude *float64
	// IftarMethod is the calendar.Method code that times its iftars;
	// empty is the default.
	IftarMethod string `gorm:"size:30"`
	// HijriOffset shifts its Ramadan and Eid estimates by a day (-1, 0, 1).
	HijriOffset int `gorm:"not null;default:0"`
	// Revision goes up by one on every change (see Event.Revision).
	Revision  int64     `gorm:"not null;default:0"`
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt time.Time `gorm:"autoUpdateTime:false"`
}

// Series groups events, such as a coalition's week of action.
type Series struct {
	ID          uint   `gorm:"primaryKey"`
	Slug        string `gorm:"size:80;uniqueIndex;not null"`
	Title       string `gorm:"size:200;not null"`
	Description string `gorm:"type:text"`
	// Revision goes up by one on every change (see Event.Revision).
	Revision  int64     `gorm:"not null;default:0"`
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt time.Time `gorm:"autoUpdateTime:false"`
}

// Event is a meeting, iftar, livestream or memorial. Times are stored in UTC
// and shown in Timezone. Taken and OnlineTaken count the confirmed places and
// change only inside the capacity transactions of this package.
type Event struct {
	ID          uint      `gorm:"primaryKey"`
	Slug        string    `gorm:"size:80;uniqueIndex;not null"`
	Title       string    `gorm:"size:200;not null"`
	Summary     string    `gorm:"size:500"`
	Description string    `gorm:"type:text"`
	Kind        string    `gorm:"size:20;not null;index"`
	Status      string    `gorm:"size:20;not null;index"`
	Tentative   bool      `gorm:"not null;default:false"`
	StartsAt    time.Time `gorm:"not null;index"`
	EndsAt      time.Time `gorm:"not null"`
	Timezone    string    `gorm:"size:64;not null"`
	// StartRule is "" (fixed time) or "sunset": StartsAt follows the sunset
	// at the venue on LocalDate plus SunsetOffsetMinutes.
	StartRule           string `gorm:"size:20"`
	LocalDate           string `gorm:"size:10"`
	SunsetOffsetMinutes int
	DurationMinutes     int
	// IftarAt is Maghrib at the event's place on its date, by the main
	// host's method: set for iftars, whatever their start rule.
	IftarAt *time.Time
	// PreviousStartsAt is the start a public event was first announced
	// with, set when UpdateEvent moves its start and kept while it moves
	// on (nil if it never moved, or moved back to it): the event is then
	// rescheduled.
	PreviousStartsAt *time.Time

	InPerson          bool   `gorm:"not null"`
	Online            bool   `gorm:"not null;default:false"`
	VenueName         string `gorm:"size:200"`
	VenueAddress      string `gorm:"size:500"`
	Latitude          *float64
	Longitude         *float64
	AccessNotes       string `gorm:"type:text"`
	AddressVisibility string `gorm:"size:20;not null;default:public"`
	StreamURL         string `gorm:"size:500"`

	Capacity       *int
	OnlineCapacity *int
	Taken          int `gorm:"not null;default:0"`
	OnlineTaken    int `gorm:"not null;default:0"`
	// Reserved is the in-person places held for unreleased allocations and
	// not yet taken through them: the public cannot take them, and the
	// ledger keeps Taken + Reserved within Capacity.
	Reserved    int   `gorm:"not null;default:0"`
	WaitlistSeq int64 `gorm:"not null;default:0"`
	MaxGuests   int   `gorm:"not null;default:0"`
	Waitlist    bool  `gorm:"not null"`
	// SkipDietary turns the dietary question off (AsksDietary).
	SkipDietary bool `gorm:"not null;default:false"`
	// RegistrationMode is instant, confirm_email or approval.
	RegistrationMode string `gorm:"size:20;not null;default:instant"`

	RegistrationOpensAt  *time.Time
	RegistrationClosesAt *time.Time

	SeriesID      *uint `gorm:"index"`
	Series        *Series
	Hosts         []EventHost `gorm:"constraint:OnDelete:CASCADE"`
	Questions     []Question  `gorm:"constraint:OnDelete:CASCADE"`
	Sequence      int         `gorm:"not null;default:0"`
	CancelMessage string      `gorm:"type:text"`
	ReminderHours int         `gorm:"not null"`
	// AnswersRetentionDays: the dietary choices, access needs and answers
	// to the event's questions are erased this many days after it ends
	// (see Purge); names and addresses follow after RETENTION_DAYS.
	AnswersRetentionDays int `gorm:"not null;default:7"`
	CreatedByID          *uint
	// Revision goes up by one on every change to the event itself (not to
	// its counts of places): change detection (stale forms, feed and cache
	// fingerprints) compares revisions, never clocks. CreatedAt and
	// UpdatedAt are the times the caller passed in, for display and feeds.
	Revision       int64     `gorm:"not null;default:0"`
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt      time.Time `gorm:"autoUpdateTime:false"`
	StatusChangeAt *time.Time

	// CoverName is the name its cover image is served under
	// (/media/covers/{name}), empty without one; CoverAlt describes it.
	CoverName   string `gorm:"size:40"`
	CoverAlt    string `gorm:"size:300"`
	CoverWidth  int    `gorm:"not null;default:0"`
	CoverHeight int    `gorm:"not null;default:0"`
}

// CoverImage is the bytes of an event's cover, as the app encoded them (see
// package images): never the file that was uploaded. A name is random and
// its bytes never change, so it may be cached for ever.
type CoverImage struct {
	ID          uint      `gorm:"primaryKey"`
	Name        string    `gorm:"size:40;uniqueIndex;not null"`
	EventID     uint      `gorm:"not null;index"`
	ContentType string    `gorm:"size:40;not null"`
	Data        []byte    `gorm:"not null"`
	CreatedAt   time.Time `gorm:"autoCreateTime:false"`
}

// EventHost links an event to a hosting organisation.
type EventHost struct {
	ID             uint `gorm:"primaryKey"`
	EventID        uint `gorm:"not null;uniqueIndex:idx_event_host"`
	OrganisationID uint `gorm:"not null;uniqueIndex:idx_event_host;index"`
	Organisation   Organisation
	Role           string `gorm:"size:20;not null;default:host"`
	Position       int    `gorm:"not null;default:0"`
}

// Question kinds for an event's own questions.
const (
	QuestionShortText = "short_text"
	QuestionLongText  = "long_text"
	QuestionSingle    = "single_choice"
	QuestionMultiple  = "multiple_choice"
	QuestionCheckbox  = "checkbox"
)

// Question is one of an event's own questions to registrants.
type Question struct {
	ID       uint   `gorm:"primaryKey"`
	EventID  uint   `gorm:"not null;index"`
	Key      string `gorm:"size:60;not null"`
	Label    string `gorm:"size:300;not null"`
	Hint     string `gorm:"size:300"`
	Kind     string `gorm:"size:20;not null"`
	Options  string `gorm:"type:text"` // newline-separated choices
	Required bool   `gorm:"not null;default:false"`
	Position int    `gorm:"not null;default:0"`
}

// Registration is one attendee's booking for an event, with their guests.
type Registration struct {
	ID           uint   `gorm:"primaryKey"`
	EventID      uint   `gorm:"not null"`
	Event        *Event `gorm:"constraint:OnDelete:CASCADE"`
	Name         string `gorm:"size:200;not null"`
	Email        string `gorm:"size:254;not null"`
	EmailNorm    string `gorm:"size:254;not null"`
	Guests       int    `gorm:"not null;default:0"`
	Attendance   string `gorm:"size:20;not null"`
	Status       string `gorm:"size:20;not null"`
	WaitlistSeq  int64  `gorm:"not null;default:0"`
	Answers      string `gorm:"type:text"` // JSON object: question key → answer
	Dietary      string `gorm:"size:20"`
	DietaryOther string `gorm:"size:200"`
	// GuestDietary is a JSON list of PersonDiet, one per guest in order
	// (fewer when not stated); see GuestDiets.
	GuestDietary string `gorm:"type:text;not null;default:'[]'"`
	AccessNeeds  string `gorm:"type:text"`
	ConsentAt    time.Time
	// Manage and feed tokens are "<id>_<secret>", the secret derived from a
	// random nonce and the server's secret key (see Tokens); only the
	// secret's SHA-256 is stored, and checked after finding the row by ID.
	TokenNonce    string `gorm:"size:32;not null"`
	TokenHash     string `gorm:"size:64;not null"`
	FeedNonce     string `gorm:"size:32;not null"`
	FeedTokenHash string `gorm:"size:64;not null"`
	// AllocationID is the allocation whose code the registration came
	// through, if any; Allocated is how many of its confirmed places come
	// from that allocation's reserved places (the rest from the public).
	AllocationID *uint
	Allocated    int `gorm:"not null;default:0"`
	// CheckedInAt is when the first of the party arrived; CheckedInPeople
	// how many of its Places() have arrived so far (see Arrived).
	CheckedInAt     *time.Time
	CheckedInPeople int `gorm:"not null;default:0"`
	PromotedAt      *time.Time
	CancelledAt     *time.Time
	// CancelledByID is the staff account that cancelled (nil when the
	// registrant did) and CancelledFrom the status before: together they
	// let an organiser undo a cancellation for a while (UndoCancellation).
	CancelledByID *uint
	CancelledFrom string `gorm:"size:20"`
	// PurgedAt is when the retention policy removed the personal data
	// (see Purge); nil while the registration holds it.
	PurgedAt *time.Time
	// AnswersPurgedAt is when the dietary choice, access needs and answers
	// were erased (the event's AnswersRetentionDays after it, or with the
	// rest); the catering headcount is then in CateringTally.
	AnswersPurgedAt *time.Time
	CreatedAt       time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt       time.Time `gorm:"autoUpdateTime:false"`
}

// Places is how many places the registration takes: the registrant and guests.
func (r *Registration) Places() int { return 1 + r.Guests }

// Arrived is how many of the party have been checked in: none before the
// first check-in, never more than the party (guests may have been taken
// off since). A check-in without a number (CheckedInPeople 0, as written
// before partial check-ins) is the whole party.
func (r *Registration) Arrived() int {
	switch {
	case r.CheckedInAt == nil:
		return 0
	case r.CheckedInPeople <= 0:
		return r.Places()
	}
	return min(r.CheckedInPeople, r.Places())
}

// User is an organiser account.
type User struct {
	ID           uint   `gorm:"primaryKey"`
	Email        string `gorm:"size:254;uniqueIndex;not null"`
	Name         string `gorm:"size:200"`
	PasswordHash string `gorm:"size:200"`
	Admin        bool   `gorm:"not null;default:false"`
	// Disabled accounts cannot sign in and their tokens stop working: an
	// admin disables an account by taking away all of its roles.
	Disabled    bool `gorm:"not null;default:false"`
	Memberships []Membership
	CreatedAt   time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt   time.Time `gorm:"autoUpdateTime:false"`
}

// Membership makes a user an organiser of an organisation.
type Membership struct {
	ID             uint `gorm:"primaryKey"`
	UserID         uint `gorm:"not null;uniqueIndex:idx_membership"`
	OrganisationID uint `gorm:"not null;uniqueIndex:idx_membership"`
	Organisation   Organisation
	Role           string `gorm:"size:20;not null;default:organiser"`
}

// APIToken is a bearer token of a user; only its SHA-256 is kept.
type APIToken struct {
	ID        uint `gorm:"primaryKey"`
	UserID    uint `gorm:"not null;index"`
	User      User
	Name      string `gorm:"size:100"`
	TokenHash string `gorm:"size:64;uniqueIndex;not null"`
	// Scope is ScopeRead, ScopeWrite or ScopeDoor: what the token may do,
	// within what its account may do.
	Scope string `gorm:"size:10;not null;default:read"`
	// ExpiresAt: the token stops working then (every token has one).
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
	CreatedAt  time.Time `gorm:"autoCreateTime:false"`
}

// Activity records something that happened to a registration or event
// (a promotion from the waitlist, a cancellation, a capacity change).
type Activity struct {
	ID             uint  `gorm:"primaryKey"`
	EventID        uint  `gorm:"index"`
	RegistrationID *uint `gorm:"index"`
	UserID         *uint
	Action         string    `gorm:"size:40;not null"`
	Detail         string    `gorm:"type:text"`
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
}

// Mail states in the outbox.
const (
	MailPending = "pending"
	MailHeld    = "held"
	MailSent    = "sent"
	MailFailed  = "failed"
)

// OutboxMail is a message waiting to be sent. It is written in the same
// transaction as the change that causes it, so none is lost or invented.
type OutboxMail struct {
	ID             uint   `gorm:"primaryKey"`
	Kind           string `gorm:"size:40;not null"`
	EventID        *uint
	RegistrationID *uint     `gorm:"index"`
	To             string    `gorm:"size:254;not null"`
	Data           string    `gorm:"type:text"` // JSON snapshot for the template
	Status         string    `gorm:"size:20;not null;index:idx_outbox_due"`
	Attempts       int       `gorm:"not null;default:0"`
	NextAttemptAt  time.Time `gorm:"index:idx_outbox_due"`
	LastError      string    `gorm:"size:500"`
	SentAt         *time.Time
	// ClaimedBy and ClaimedUntil lease a row to one sender while it is in
	// the sending state; a crashed sender's lease runs out and another
	// sender retries the row (see ClaimMail).
	ClaimedBy    string `gorm:"size:100"`
	ClaimedUntil *time.Time
	// DedupeKey, when set, makes a mail unique (a reminder per registration
	// and start time), so schedulers on several instances never double it.
	DedupeKey *string   `gorm:"size:120;uniqueIndex"`
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
	UpdatedAt time.Time `gorm:"autoUpdateTime:false"`
}
