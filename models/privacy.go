package models

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// The privacy lifecycle. Dietary choices and access needs reveal religion
// and health (GDPR Art. 9), so an attendee can download everything held
// about their registration and erase it, and an admin can do both for every
// registration of an address. Erasing is a cancellation while the event is
// ahead (the place goes to the waitlist, as CancelRegistration says), then
// the anonymisation the retention policy applies (Purge): the row stays,
// marked purged, so that counts add up, and its mails and links go.

// EraseResult says what erasing a registration did.
type EraseResult struct {
	EventID uint
	// Already: the registration was erased or purged before; nothing
	// changed.
	Already bool
	// Cancelled: it held a place, a waitlist place or a request for one,
	// which it gave up first (places freed, the waitlist promoted).
	Cancelled bool
	// Deleted: an unconfirmed request, which held nothing, was deleted
	// outright, as its expiry would have.
	Deleted bool
}

// EraseRegistration erases the personal data of a registration: at its
// holder's request (userID nil) or an admin's. Before the event ends, a
// registration that holds a place, a waitlist place or a request is
// cancelled first, exactly as CancelRegistration would (freed places
// promote the waitlist), unless its holder was checked in: then, as after
// the event, its places stay counted and its catering headcount moves to
// the tallies. Its answers, name and address are then erased, its outbox
// mails deleted and its private links stop working; its address feed goes
// if no other registration uses it. Erasing twice changes nothing.
func EraseRegistration(db *gorm.DB, regID uint, userID *uint, now time.Time) (EraseResult, error) {
	by := "at the attendee's request"
	if userID != nil {
		by = "by an admin"
	}
	return eraseRegistration(db, regID, userID, by, now)
}

// eraseRegistration erases as EraseRegistration says; by says who asked,
// for the activity log.
func eraseRegistration(db *gorm.DB, regID uint, userID *uint, by string, now time.Time) (EraseResult, error) {
	var out EraseResult
	err := db.Transaction(func(tx *gorm.DB) error {
		r, ev, err := lockRegistration(tx, regID)
		if err != nil {
			return err
		}
		out, err = eraseLocked(tx, &r, ev, userID, by, now)
		return err
	})
	return out, err
}

func eraseLocked(tx *gorm.DB, r *Registration, ev *Event, userID *uint, by string, now time.Time) (EraseResult, error) {
	out := EraseResult{EventID: ev.ID}
	if r.PurgedAt != nil {
		out.Already = true
		return out, nil
	}
	if r.Status == RegUnconfirmed {
		if err := tx.Where("registration_id = ?", r.ID).Delete(&OutboxMail{}).Error; err != nil {
			return out, err
		}
		if err := tx.Delete(&Registration{}, r.ID).Error; err != nil {
			return out, err
		}
		if _, err := deleteOrphanFeeds(tx, []string{r.EmailNorm}); err != nil {
			return out, err
		}
		out.Deleted = true
		return out, logActivity(tx, ev.ID, nil, userID, "erased", "an unconfirmed request deleted "+by, now)
	}
	if slices.Contains(heldStatuses, r.Status) && ev.EndsAt.After(now) && r.CheckedInAt == nil {
		if err := cancelLocked(tx, r, ev, userID, now); err != nil {
			return out, err
		}
		out.Cancelled = true
	}
	one := func(tx *gorm.DB) *gorm.DB { return tx.Model(&Registration{}).Where("id = ?", r.ID) }
	if _, err := eraseAnswers(tx, one, now); err != nil {
		return out, err
	}
	if err := tx.Where("registration_id = ?", r.ID).Delete(&OutboxMail{}).Error; err != nil {
		return out, err
	}
	if _, err := anonymise(tx, one, now); err != nil {
		return out, err
	}
	if _, err := deleteOrphanFeeds(tx, []string{r.EmailNorm}); err != nil {
		return out, err
	}
	return out, logActivity(tx, ev.ID, &r.ID, userID, "erased", "personal data erased "+by, now)
}

// AddressErasure says what EraseAddress did.
type AddressErasure struct {
	Registrations int // erased now (unconfirmed requests deleted included)
	Cancelled     int // of which gave up a place, a waitlist place or a request
	// OrganiserAccount: the address is also an organiser account's, which
	// is not erased here (its roles are taken away on its page).
	OrganiserAccount bool
	// EventIDs are the events whose registrations changed.
	EventIDs []uint
}

// EraseAddress erases every registration of an address, across events, as
// EraseRegistration does, at the request of the admin userID (nil: an
// operator at the command line). The audit log records it under the
// address's digest (AddressDigest), never the address itself.
func EraseAddress(db *gorm.DB, tok Tokens, email string, userID *uint, now time.Time) (AddressErasure, error) {
	var out AddressErasure
	norm := NormaliseEmail(email)
	if err := validAddress(norm); err != nil {
		return out, err
	}
	var ids []uint
	if err := db.Model(&Registration{}).Where("email_norm = ? AND purged_at IS NULL", norm).Order("id").Pluck("id", &ids).Error; err != nil {
		return out, err
	}
	by := "by an admin"
	if userID == nil {
		by = "by an operator (convene privacy erase)"
	}
	for _, id := range ids {
		res, err := eraseRegistration(db, id, userID, by, now)
		if errors.Is(err, ErrNotFound) { // an unconfirmed request expired meanwhile
			continue
		}
		if err != nil {
			return out, err
		}
		if res.Already {
			continue
		}
		out.Registrations++
		if res.Cancelled {
			out.Cancelled++
		}
		if !slices.Contains(out.EventIDs, res.EventID) {
			out.EventIDs = append(out.EventIDs, res.EventID)
		}
	}
	var users int64
	if err := db.Model(&User{}).Where("email = ?", norm).Count(&users).Error; err != nil {
		return out, err
	}
	out.OrganiserAccount = users > 0
	// The address's feed, even without registrations left to erase.
	if err := db.Where("email_norm = ?", norm).Delete(&AttendeeFeed{}).Error; err != nil {
		return out, err
	}
	detail := "address " + AddressDigest(tok, norm) + ": " + strconv.Itoa(out.Registrations) + Plural(out.Registrations, " registration", " registrations") + " erased"
	return out, LogAccountActivity(db, userID, "privacy_erased", detail, now)
}

// AuditAddressExport records in the audit log that the admin userID (nil:
// an operator) exported what is held about an address, named by its digest.
func AuditAddressExport(db *gorm.DB, tok Tokens, email string, userID *uint, now time.Time) error {
	return LogAccountActivity(db, userID, "privacy_exported", "address "+AddressDigest(tok, email), now)
}

// AddressDigest names an address in the audit log without revealing it: a
// keyed hash (with SECRET_KEY), so that an admin who knows an address can
// find its entries, while a copy of the database alone cannot.
func AddressDigest(tok Tokens, email string) string {
	return tok.derive("address:", NormaliseEmail(email))[:16]
}

func validAddress(norm string) error {
	if norm == "" || !strings.Contains(norm, "@") || len(norm) > 254 {
		return Invalid("email", "Enter an email address, like name@example.org")
	}
	return nil
}

// RegistrationExport is everything held about one registration, for its
// holder: the registration with its answers, what happened to it, the
// mails written to its address and when what is left will be erased. No
// other person's data (which organiser did what) and no internal hashes or
// nonces.
type RegistrationExport struct {
	Event        ExportedEvent        `json:"event"`
	Registration ExportedRegistration `json:"registration"`
	Activity     []ExportedActivity   `json:"activity"`
	Mails        []ExportedMail       `json:"mails"`
	Retention    ExportedRetention    `json:"retention"`
}

// ExportedEvent names the event of an exported registration.
type ExportedEvent struct {
	Slug     string    `json:"slug"`
	Title    string    `json:"title"`
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	Timezone string    `json:"timezone"`
}

// RegistrationFacts are what a registration says of its holder and their
// party, as the holder's data export (ExportedRegistration) and the API
// (app.RegistrationJSON) both show them, embedded in that order: one
// definition, so the two cannot drift apart.
type RegistrationFacts struct {
	Name             string `json:"name"`
	Email            string `json:"email"`
	Guests           int    `json:"guests"`
	Places           int    `json:"places"`
	Attendance       string `json:"attendance"`
	Status           string `json:"status"`
	WaitlistPosition *int   `json:"waitlist_position"`
	Dietary          string `json:"dietary"`
}

// FactsOf is r's facts; pos is its place on the waitlist, shown only while
// it waits.
func FactsOf(r *Registration, pos int) RegistrationFacts {
	f := RegistrationFacts{Name: r.Name, Email: r.Email, Guests: r.Guests, Places: r.Places(), Attendance: r.Attendance,
		Status: r.Status, Dietary: r.Dietary}
	if r.Status == RegWaitlisted {
		f.WaitlistPosition = &pos
	}
	return f
}

// ExportedRegistration is a registration as stored.
type ExportedRegistration struct {
	ID uint `json:"id"`
	RegistrationFacts
	DietaryOther    string           `json:"dietary_other"`
	GuestDietary    []PersonDiet     `json:"guest_dietary"`
	AccessNeeds     string           `json:"access_needs"`
	Answers         []ExportedAnswer `json:"answers"`
	ConsentAt       time.Time        `json:"consent_at"`
	CheckedInAt     *time.Time       `json:"checked_in_at"`
	PromotedAt      *time.Time       `json:"promoted_at"`
	CancelledAt     *time.Time       `json:"cancelled_at"`
	AnswersErasedAt *time.Time       `json:"answers_erased_at"`
	ErasedAt        *time.Time       `json:"erased_at"`
	Created         time.Time        `json:"created_at"`
	Updated         time.Time        `json:"updated_at"`
}

// ExportedAnswer is the answer to one of the event's questions.
type ExportedAnswer struct {
	Key      string `json:"key"`
	Question string `json:"question"`
	Answer   string `json:"answer"`
}

// ExportedActivity is one line of what happened to the registration.
type ExportedActivity struct {
	At     time.Time `json:"at"`
	Action string    `json:"action"`
	Detail string    `json:"detail"`
}

// ExportedMail is a mail written to the registration's address.
type ExportedMail struct {
	Kind   string         `json:"kind"`
	To     string         `json:"to"`
	Status string         `json:"status"`
	Queued time.Time      `json:"created_at"`
	SentAt *time.Time     `json:"sent_at"`
	Data   map[string]any `json:"data,omitempty"`
}

// ExportedRetention says when the data still held will be erased.
type ExportedRetention struct {
	AnswersErasedAfter      time.Time `json:"answers_erased_after"`
	PersonalDataErasedAfter time.Time `json:"personal_data_erased_after"`
}

// ExportRegistration gathers everything held about a registration;
// retentionDays is RETENTION_DAYS. A purged registration exports what is
// left of it: no name, address or answers.
func ExportRegistration(db *gorm.DB, regID uint, retentionDays int) (*RegistrationExport, error) {
	r, err := RegistrationByID(db, regID)
	if err != nil {
		return nil, err
	}
	ev, err := EventByID(db, r.EventID)
	if err != nil {
		return nil, err
	}
	return exportRegistration(db, r, ev, retentionDays)
}

func exportRegistration(db *gorm.DB, r *Registration, ev *Event, retentionDays int) (*RegistrationExport, error) {
	out := &RegistrationExport{
		Event: ExportedEvent{Slug: ev.Slug, Title: ev.Title, StartsAt: ev.StartsAt.UTC(), EndsAt: ev.EndsAt.UTC(), Timezone: ev.Timezone},
		Registration: ExportedRegistration{ID: r.ID, DietaryOther: r.DietaryOther, GuestDietary: r.GuestDiets(), AccessNeeds: r.AccessNeeds,
			Answers: []ExportedAnswer{}, ConsentAt: r.ConsentAt.UTC(), CheckedInAt: utcPtr(r.CheckedInAt), PromotedAt: utcPtr(r.PromotedAt),
			CancelledAt: utcPtr(r.CancelledAt), AnswersErasedAt: utcPtr(r.AnswersPurgedAt), ErasedAt: utcPtr(r.PurgedAt),
			Created: r.CreatedAt.UTC(), Updated: r.UpdatedAt.UTC()},
		Activity: []ExportedActivity{},
		Mails:    []ExportedMail{},
		Retention: ExportedRetention{AnswersErasedAfter: ev.EndsAt.UTC().AddDate(0, 0, ev.AnswersRetentionDays),
			PersonalDataErasedAfter: ev.EndsAt.UTC().AddDate(0, 0, retentionDays)},
	}
	pos, err := WaitlistPosition(db, r)
	if err != nil {
		return nil, err
	}
	out.Registration.RegistrationFacts = FactsOf(r, pos)
	if r.PurgedAt != nil {
		// What is left is not about a person any more: no address to match
		// mails by, nothing to add.
		out.Registration.Name, out.Registration.Email = "", ""
	}
	answers := map[string]string{}
	_ = json.Unmarshal([]byte(r.Answers), &answers)
	for _, q := range ev.Questions {
		if a, ok := answers[q.Key]; ok {
			out.Registration.Answers = append(out.Registration.Answers, ExportedAnswer{Key: q.Key, Question: q.Label, Answer: a})
			delete(answers, q.Key)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(answers)) { // answers to questions since removed
		out.Registration.Answers = append(out.Registration.Answers, ExportedAnswer{Key: k, Answer: answers[k]})
	}
	var acts []Activity
	if err := db.Where("registration_id = ?", r.ID).Order("id").Find(&acts).Error; err != nil {
		return nil, err
	}
	for _, a := range acts {
		out.Activity = append(out.Activity, ExportedActivity{At: a.CreatedAt.UTC(), Action: a.Action, Detail: a.Detail})
	}
	var mails []OutboxMail
	if err := db.Where("registration_id = ?", r.ID).Order("id").Find(&mails).Error; err != nil {
		return nil, err
	}
	for _, m := range mails {
		em := ExportedMail{Kind: m.Kind, To: m.To, Status: m.Status, Queued: m.CreatedAt.UTC(), SentAt: utcPtr(m.SentAt)}
		if m.Status == MailSending {
			em.Status = MailPending
		}
		var data map[string]any
		if json.Unmarshal([]byte(m.Data), &data) == nil && len(data) > 0 {
			em.Data = data
		}
		out.Mails = append(out.Mails, em)
	}
	return out, nil
}

// AddressExport is everything held about one email address.
type AddressExport struct {
	Email         string               `json:"email"`
	Registrations []RegistrationExport `json:"registrations"`
	// AddressFeed is when the private feed of all of the address's
	// registrations was made, if it exists.
	AddressFeedCreatedAt *time.Time `json:"address_feed_created_at"`
	// OrganiserAccount is the organiser account of the address, if any.
	OrganiserAccount *ExportedAccount `json:"organiser_account"`
}

// ExportedAccount is an organiser account, without its password hash,
// sessions or tokens.
type ExportedAccount struct {
	Name          string    `json:"name"`
	Email         string    `json:"email"`
	Admin         bool      `json:"admin"`
	Disabled      bool      `json:"disabled"`
	Organisations []string  `json:"organisations"`
	Created       time.Time `json:"created_at"`
}

// ExportAddress gathers everything held about an address across events:
// its registrations (ExportRegistration), its address feed and its
// organiser account. An address erased before has nothing left.
func ExportAddress(db *gorm.DB, email string, retentionDays int) (*AddressExport, error) {
	norm := NormaliseEmail(email)
	if err := validAddress(norm); err != nil {
		return nil, err
	}
	out := &AddressExport{Email: norm, Registrations: []RegistrationExport{}}
	var regs []Registration
	if err := db.Where("email_norm = ? AND purged_at IS NULL", norm).Order("id").Find(&regs).Error; err != nil {
		return nil, err
	}
	for i := range regs {
		ev, err := EventByID(db, regs[i].EventID)
		if err != nil {
			return nil, err
		}
		x, err := exportRegistration(db, &regs[i], ev, retentionDays)
		if err != nil {
			return nil, err
		}
		out.Registrations = append(out.Registrations, *x)
	}
	var feed AttendeeFeed
	if err := db.Where("email_norm = ?", norm).Limit(1).Find(&feed).Error; err != nil {
		return nil, err
	}
	if feed.ID != 0 {
		t := feed.CreatedAt.UTC()
		out.AddressFeedCreatedAt = &t
	}
	var u User
	if err := db.Preload("Memberships.Organisation").Where("email = ?", norm).Limit(1).Find(&u).Error; err != nil {
		return nil, err
	}
	if u.ID != 0 {
		acc := &ExportedAccount{Name: u.Name, Email: u.Email, Admin: u.Admin, Disabled: u.Disabled, Organisations: []string{}, Created: u.CreatedAt.UTC()}
		for _, m := range u.Memberships {
			acc.Organisations = append(acc.Organisations, m.Organisation.Slug+" ("+m.Role+")")
		}
		out.OrganiserAccount = acc
	}
	return out, nil
}

// Empty reports whether nothing is held about the address.
func (x *AddressExport) Empty() bool {
	return len(x.Registrations) == 0 && x.AddressFeedCreatedAt == nil && x.OrganiserAccount == nil
}
