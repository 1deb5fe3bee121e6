package models

import (
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
// sunset rule, and the same hosts, venue, capacities and questions. It
// creates all copies or none.
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
