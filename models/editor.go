package models

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
)

// EventVersion identifies the state of an event as an editor last saw it.
// Every saved change bumps Revision (a registration does not), so a form
// carrying an older version was opened before someone else's change.
func EventVersion(ev *Event) string {
	return strconv.FormatInt(ev.Revision, 10)
}

// UpdateEventIfUnchanged is UpdateEvent for a form opened at version: when
// the event has changed since, nothing is saved and ErrConflict is returned.
// The check and the change happen in one transaction, under the event lock.
func UpdateEventIfUnchanged(db *gorm.DB, slug, version string, in EventInput, userID *uint, now time.Time) (*Event, error) {
	var out *Event
	err := db.Transaction(func(tx *gorm.DB) error {
		cur, err := FindEvent(tx, slug)
		if err != nil {
			return err
		}
		locked, err := lockEvent(tx, cur.ID)
		if err != nil {
			return err
		}
		if EventVersion(locked) != version {
			return ErrConflict
		}
		out, err = UpdateEvent(tx, slug, in, userID, now)
		return err
	})
	return out, err
}

// DuplicateEvent copies an event to each of dates (YYYY-MM-DD, in the
// event's time zone) as drafts with the same time of day, or the same
// sunset rule, and the same hosts, venue, capacities, questions and
// reserved places (copyAllocations). It creates all copies or none.
func DuplicateEvent(db *gorm.DB, slug string, dates []string, userID *uint, now time.Time) ([]*Event, error) {
	if len(dates) == 0 {
		return nil, Invalid("dates", "Enter at least one date")
	}
	if len(dates) > 60 {
		return nil, Invalid("dates", "Enter at most 60 dates at a time")
	}
	var out []*Event
	err := db.Transaction(func(tx *gorm.DB) error {
		src, err := FindEvent(tx, slug)
		if err != nil {
			return err
		}
		loc := src.Location()
		for i, d := range dates {
			day, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(d), loc)
			if err != nil {
				return Invalid("dates", fmt.Sprintf("Date %d is not a date like 2027-02-20", i+1))
			}
			in := copyInput(src)
			title := src.Title
			newSlug := uniqueSlug(tx, Slugify(src.Title+" "+day.Format("2006-01-02")))
			in.Slug, in.Title = &newSlug, &title
			if src.StartRule == "sunset" {
				ds := day.Format("2006-01-02")
				in.Date = &ds
			} else {
				st := src.StartsAt.In(loc)
				start := time.Date(day.Year(), day.Month(), day.Day(), st.Hour(), st.Minute(), 0, 0, loc)
				end := start.Add(src.EndsAt.Sub(src.StartsAt))
				in.StartsAt, in.EndsAt = &start, &end
			}
			ev, err := CreateEvent(tx, in, userID, nil, now)
			if err != nil {
				return err
			}
			if err := copyAllocations(tx, src, ev, userID, now); err != nil {
				return err
			}
			if err := logActivity(tx, ev.ID, nil, userID, "event_duplicated", "copied from "+src.Slug, now); err != nil {
				return err
			}
			out = append(out, ev)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// copyAllocations gives the copy ev the allocations of src: the same label,
// organisation, places and contact, none taken, a new private code (the
// source's links never reserve the copy's places), and a release time moved
// as far as the start moved. The ledger reserves their places
// (ReplaceAllocations): allocations that do not fit the copy's free places
// refuse the copy, naming the allocation.
func copyAllocations(tx *gorm.DB, src, ev *Event, userID *uint, now time.Time) error {
	list, err := EventAllocations(tx, src.ID)
	if err != nil || len(list) == 0 {
		return err
	}
	offset := ev.StartsAt.Sub(src.StartsAt)
	in := make([]AllocationInput, len(list))
	for i, a := range list {
		in[i] = AllocationInput{Label: a.Label, Places: a.Places, ContactEmail: a.ContactEmail}
		if a.Organisation != nil {
			in[i].Organisation = a.Organisation.Slug
		}
		if a.ReleaseAt != nil {
			t := a.ReleaseAt.Add(offset)
			in[i].ReleaseAt = &t
		}
	}
	locked, err := lockEvent(tx, ev.ID)
	if err != nil {
		return err
	}
	err = ReplaceAllocations(tx, locked, in, userID, now)
	var ve *ValidationError
	if errors.As(err, &ve) {
		out := &ValidationError{}
		for i, a := range list {
			for _, field := range []string{"places", "label", "organisation", "contact_email"} {
				if msg, ok := ve.Fields[fmt.Sprintf("allocations.%d.%s", i, field)]; ok {
					out.Add(fmt.Sprintf("allocations.%d.%s", i, field), fmt.Sprintf("The places reserved for %q cannot be copied: %s", a.Label, msg))
				}
			}
		}
		if out.Err() == nil {
			return err
		}
		return out.Err()
	}
	return err
}

// copyInput is the input that recreates src as a draft, without its dates.
func copyInput(src *Event) EventInput {
	draft := StatusDraft
	in := EventInput{
		Summary: &src.Summary, Description: &src.Description, Kind: &src.Kind, Status: &draft,
		Tentative: &src.Tentative, Timezone: &src.Timezone, InPerson: &src.InPerson, Online: &src.Online,
		StreamURL: &src.StreamURL, CapacitySet: true, Capacity: src.Capacity, OnlineCapacitySet: true,
		OnlineCapacity: src.OnlineCapacity, MaxGuests: &src.MaxGuests, Waitlist: &src.Waitlist, RegistrationMode: &src.RegistrationMode,
		ReminderHours: &src.ReminderHours, AnswersRetentionDays: &src.AnswersRetentionDays,
		Venue: &VenueInput{Name: &src.VenueName, Address: &src.VenueAddress, Latitude: src.Latitude, Longitude: src.Longitude,
			AccessNotes: &src.AccessNotes, AddressVisibility: &src.AddressVisibility},
	}
	if src.StartRule != "" {
		in.StartRule = &src.StartRule
		in.SunsetOffsetMinutes = &src.SunsetOffsetMinutes
		in.DurationMinutes = &src.DurationMinutes
	}
	if src.Series != nil {
		in.Series = &src.Series.Slug
	}
	hosts := []HostInput{}
	for _, h := range src.Hosts {
		hosts = append(hosts, HostInput{Organisation: h.Organisation.Slug, Role: h.Role})
	}
	in.Hosts = &hosts
	qs := []QuestionInput{}
	for _, q := range src.Questions {
		qs = append(qs, QuestionInput{Key: q.Key, Label: q.Label, Hint: q.Hint, Kind: q.Kind, Options: q.Choices(), Required: q.Required})
	}
	in.Questions = &qs
	return in
}

// EditEvent saves the organiser's editor: the change of
// UpdateEventIfUnchanged and, in the same transaction, an event_edited
// entry naming the fields an organiser sees changed (names only: values
// may be personal).
func EditEvent(db *gorm.DB, slug, version string, in EventInput, userID *uint, now time.Time) (*Event, error) {
	var out *Event
	err := db.Transaction(func(tx *gorm.DB) error {
		// Read before the lock: if anyone changes the event in between,
		// its revision no longer matches version and nothing is saved.
		before, err := FindEvent(tx, slug)
		if err != nil {
			return err
		}
		if out, err = UpdateEventIfUnchanged(tx, slug, version, in, userID, now); err != nil {
			return err
		}
		changed := viewOf(before).changes(viewOf(out))
		if len(changed) == 0 {
			return nil
		}
		return logActivity(tx, out.ID, nil, userID, "event_edited", "changed "+strings.Join(changed, ", "), now)
	})
	return out, err
}

// organiserView is an event as its organisers see it in the editor (its
// status is changed elsewhere); an edit is the fields two views differ in.
type organiserView struct {
	Title, Slug, Summary, Description, Kind, Hosts, Series, Timezone string
	StartRule, Date                                                  string
	StartsAt, EndsAt                                                 time.Time
	SunsetOffset, Duration                                           int
	Tentative, InPerson, Online                                      bool
	VenueName, VenueAddress, Latitude, Longitude, AccessNotes        string
	AddressVisibility, StreamURL, Capacity, OnlineCapacity           string
	MaxGuests, ReminderHours, AnswersRetentionDays                   int
	Waitlist                                                         bool
	RegistrationMode                                                 string
	RegistrationOpensAt, RegistrationClosesAt                        time.Time
	Questions                                                        string
}

func viewOf(e *Event) organiserView {
	v := organiserView{Title: e.Title, Slug: e.Slug, Summary: e.Summary, Description: e.Description, Kind: e.Kind,
		Timezone: e.Timezone, StartRule: e.StartRule, Date: e.LocalDate, StartsAt: e.StartsAt, EndsAt: e.EndsAt,
		SunsetOffset: e.SunsetOffsetMinutes, Duration: e.DurationMinutes, Tentative: e.Tentative, InPerson: e.InPerson,
		Online: e.Online, VenueName: e.VenueName, VenueAddress: e.VenueAddress, Latitude: optional(e.Latitude),
		Longitude: optional(e.Longitude), AccessNotes: e.AccessNotes, AddressVisibility: e.AddressVisibility,
		StreamURL: e.StreamURL, Capacity: optional(e.Capacity), OnlineCapacity: optional(e.OnlineCapacity),
		MaxGuests: e.MaxGuests, ReminderHours: e.ReminderHours, AnswersRetentionDays: e.AnswersRetentionDays,
		Waitlist: e.Waitlist, RegistrationMode: e.RegistrationMode}
	if e.RegistrationOpensAt != nil {
		v.RegistrationOpensAt = *e.RegistrationOpensAt
	}
	if e.RegistrationClosesAt != nil {
		v.RegistrationClosesAt = *e.RegistrationClosesAt
	}
	if e.Series != nil {
		v.Series = e.Series.Slug
	}
	var hosts, questions []string
	for _, h := range e.Hosts {
		hosts = append(hosts, h.Organisation.Slug+" "+h.Role)
	}
	for _, q := range e.Questions {
		questions = append(questions, fmt.Sprintf("%q %q %q %q %q %t", q.Key, q.Label, q.Hint, q.Kind, q.Options, q.Required))
	}
	v.Hosts, v.Questions = strings.Join(hosts, "\n"), strings.Join(questions, "\n")
	return v
}

// optional shows an optional number, "" when there is none.
func optional[T int | float64](p *T) string {
	if p == nil {
		return ""
	}
	return fmt.Sprint(*p)
}

// changes names the fields of the editor (as its inputs and the API name
// them) in which after differs from v, in the editor's order.
func (v organiserView) changes(after organiserView) []string {
	var out []string
	for _, f := range []struct {
		name    string
		changed bool
	}{
		{"title", v.Title != after.Title},
		{"slug", v.Slug != after.Slug},
		{"summary", v.Summary != after.Summary},
		{"description", v.Description != after.Description},
		{"kind", v.Kind != after.Kind},
		{"hosts", v.Hosts != after.Hosts},
		{"series", v.Series != after.Series},
		{"timezone", v.Timezone != after.Timezone},
		{"start_rule", v.StartRule != after.StartRule},
		{"starts_at", !v.StartsAt.Equal(after.StartsAt)},
		{"ends_at", !v.EndsAt.Equal(after.EndsAt)},
		{"date", v.Date != after.Date},
		{"sunset_offset_minutes", v.SunsetOffset != after.SunsetOffset},
		{"duration_minutes", v.Duration != after.Duration},
		{"tentative", v.Tentative != after.Tentative},
		{"format", v.InPerson != after.InPerson || v.Online != after.Online},
		{"venue.name", v.VenueName != after.VenueName},
		{"venue.address", v.VenueAddress != after.VenueAddress},
		{"venue.latitude", v.Latitude != after.Latitude},
		{"venue.longitude", v.Longitude != after.Longitude},
		{"venue.access_notes", v.AccessNotes != after.AccessNotes},
		{"venue.address_visibility", v.AddressVisibility != after.AddressVisibility},
		{"stream_url", v.StreamURL != after.StreamURL},
		{"capacity", v.Capacity != after.Capacity},
		{"online_capacity", v.OnlineCapacity != after.OnlineCapacity},
		{"max_guests", v.MaxGuests != after.MaxGuests},
		{"waitlist", v.Waitlist != after.Waitlist},
		{"registration_mode", v.RegistrationMode != after.RegistrationMode},
		{"registration_opens_at", !v.RegistrationOpensAt.Equal(after.RegistrationOpensAt)},
		{"registration_closes_at", !v.RegistrationClosesAt.Equal(after.RegistrationClosesAt)},
		{"reminder_hours", v.ReminderHours != after.ReminderHours},
		{"answers_retention_days", v.AnswersRetentionDays != after.AnswersRetentionDays},
		{"questions", v.Questions != after.Questions},
	} {
		if f.changed {
			out = append(out, f.name)
		}
	}
	return out
}
