package models

import (
	"errors"
	"fmt"

	"gorm.io/gorm"
)

// The lookups handlers need. Each answers ErrNotFound for a row that is not
// there and wraps any other failure, so a broken database is never shown to
// people as "not found".

// notFound turns GORM's missing row into ErrNotFound and wraps other errors.
func notFound(what string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return ErrNotFound
	default:
		return fmt.Errorf("models: unable to load %s: %w", what, err)
	}
}

// OrganisationBySlug returns the organisation with slug.
func OrganisationBySlug(db *gorm.DB, slug string) (*Organisation, error) {
	var o Organisation
	if err := db.Where("slug = ?", slug).Take(&o).Error; err != nil {
		return nil, notFound("organisation", err)
	}
	return &o, nil
}

// OrganisationByID returns the organisation with id.
func OrganisationByID(db *gorm.DB, id uint) (*Organisation, error) {
	var o Organisation
	if err := db.Take(&o, id).Error; err != nil {
		return nil, notFound("organisation", err)
	}
	return &o, nil
}

// Organisations lists every organisation by name.
func Organisations(db *gorm.DB) ([]Organisation, error) {
	var out []Organisation
	if err := db.Order("name, id").Find(&out).Error; err != nil {
		return nil, notFound("organisations", err)
	}
	return out, nil
}

// SeriesBySlug returns the series with slug.
func SeriesBySlug(db *gorm.DB, slug string) (*Series, error) {
	var s Series
	if err := db.Where("slug = ?", slug).Take(&s).Error; err != nil {
		return nil, notFound("series", err)
	}
	return &s, nil
}

// AllSeries lists every series by title.
func AllSeries(db *gorm.DB) ([]Series, error) {
	var out []Series
	if err := db.Order("title, id").Find(&out).Error; err != nil {
		return nil, notFound("series", err)
	}
	return out, nil
}

// UserByID returns the account with id and its memberships.
func UserByID(db *gorm.DB, id uint) (*User, error) {
	var u User
	if err := db.Preload("Memberships").Take(&u, id).Error; err != nil {
		return nil, notFound("account", err)
	}
	return &u, nil
}

// UserByEmail returns the account with email (matched as addresses are).
func UserByEmail(db *gorm.DB, email string) (*User, error) {
	var u User
	if err := db.Where("email = ?", NormaliseEmail(email)).Take(&u).Error; err != nil {
		return nil, notFound("account", err)
	}
	return &u, nil
}

// Users lists every account with its memberships, by email.
func Users(db *gorm.DB) ([]User, error) {
	var out []User
	if err := db.Preload("Memberships").Order("email").Find(&out).Error; err != nil {
		return nil, notFound("accounts", err)
	}
	return out, nil
}

// EventByID returns the event with id, with hosts, series and questions,
// as FindEvent does by slug.
func EventByID(db *gorm.DB, id uint) (*Event, error) {
	var ev Event
	err := db.Preload("Hosts", func(d *gorm.DB) *gorm.DB { return d.Order("position, id") }).
		Preload("Hosts.Organisation").Preload("Series").
		Preload("Questions", func(d *gorm.DB) *gorm.DB { return d.Order("position, id") }).
		Take(&ev, id).Error
	if err != nil {
		return nil, notFound("event", err)
	}
	return &ev, nil
}

// EventRefs returns the slug and title of each event of ids, by id: enough
// to link to them from lists of mails. Unknown ids are left out.
func EventRefs(db *gorm.DB, ids []uint) (map[uint]Event, error) {
	out := map[uint]Event{}
	if len(ids) == 0 {
		return out, nil
	}
	var evs []Event
	if err := db.Select("id", "slug", "title").Where("id IN ?", ids).Find(&evs).Error; err != nil {
		return nil, notFound("events", err)
	}
	for _, e := range evs {
		out[e.ID] = e
	}
	return out, nil
}

// EventRegistration returns the registration id of the event eventID; one
// of another event is ErrNotFound.
func EventRegistration(db *gorm.DB, eventID, id uint) (*Registration, error) {
	var r Registration
	if err := db.Where("id = ? AND event_id = ?", id, eventID).Take(&r).Error; err != nil {
		return nil, notFound("registration", err)
	}
	return &r, nil
}

// RegistrationByID returns the registration with id.
func RegistrationByID(db *gorm.DB, id uint) (*Registration, error) {
	var r Registration
	if err := db.Take(&r, id).Error; err != nil {
		return nil, notFound("registration", err)
	}
	return &r, nil
}

// EventCounts are an event's live numbers: places taken and offered, and
// the waitlist of each mode. Revision tells a cached event whether it is
// still the row's.
type EventCounts struct {
	Taken, OnlineTaken         int
	Capacity, OnlineCapacity   *int
	Revision                   int64
	WaitlistIn, WaitlistOnline int
}

// LiveCounts reads an event's counts in one query.
func LiveCounts(db *gorm.DB, id uint) (EventCounts, error) {
	var c EventCounts
	res := db.Raw(`SELECT taken, online_taken, capacity, online_capacity, revision,
		(SELECT COUNT(*) FROM registrations WHERE event_id = events.id AND status = 'waitlisted' AND attendance = 'in_person') AS waitlist_in,
		(SELECT COUNT(*) FROM registrations WHERE event_id = events.id AND status = 'waitlisted' AND attendance = 'online') AS waitlist_online
		FROM events WHERE id = ?`, id).Scan(&c)
	if res.Error != nil {
		return c, notFound("event counts", res.Error)
	}
	if res.RowsAffected == 0 {
		return c, ErrNotFound
	}
	return c, nil
}

// CoverByName returns the cover image served under name.
func CoverByName(db *gorm.DB, name string) (*CoverImage, error) {
	var c CoverImage
	if err := db.Where("name = ?", name).Take(&c).Error; err != nil {
		return nil, notFound("cover image", err)
	}
	return &c, nil
}
