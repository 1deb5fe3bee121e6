package models

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
	"gorm.io/gorm"
)

// EventFilter selects events for lists and feeds.
type EventFilter struct {
	Kind         string
	Organisation string // slug
	Series       string // slug
	From, To     *time.Time
	// Statuses to include; empty means published and postponed.
	Statuses []string
	// CancelledSince also includes events cancelled after this time.
	CancelledSince *time.Time
	Limit          int
}

// ListEvents returns events matching f in start order, with hosts and series.
func ListEvents(db *gorm.DB, f EventFilter) ([]Event, error) {
	q := db.Model(&Event{}).Preload("Hosts", func(d *gorm.DB) *gorm.DB { return d.Order("position, id") }).
		Preload("Hosts.Organisation").Preload("Series")
	statuses := f.Statuses
	if len(statuses) == 0 {
		statuses = []string{StatusPublished, StatusPostponed}
	}
	if f.CancelledSince != nil {
		q = q.Where("(status IN ? OR (status = ? AND updated_at >= ?))", statuses, StatusCancelled, *f.CancelledSince)
	} else {
		q = q.Where("status IN ?", statuses)
	}
	if f.Kind != "" {
		q = q.Where("kind = ?", f.Kind)
	}
	if f.From != nil {
		q = q.Where("ends_at >= ?", *f.From)
	}
	if f.To != nil {
		q = q.Where("starts_at < ?", *f.To)
	}
	if f.Organisation != "" {
		q = q.Where("id IN (SELECT event_hosts.event_id FROM event_hosts JOIN organisations ON organisations.id = event_hosts.organisation_id WHERE organisations.slug = ?)", f.Organisation)
	}
	if f.Series != "" {
		q = q.Where("series_id IN (SELECT id FROM series WHERE slug = ?)", f.Series)
	}
	if f.Limit > 0 {
		q = q.Limit(f.Limit)
	}
	var evs []Event
	err := q.Order("starts_at, id").Find(&evs).Error
	return evs, err
}

// FindEvent returns the event with slug, with hosts, series and questions.
func FindEvent(db *gorm.DB, slug string) (*Event, error) {
	var ev Event
	err := db.Preload("Hosts", func(d *gorm.DB) *gorm.DB { return d.Order("position, id") }).
		Preload("Hosts.Organisation").Preload("Series").
		Preload("Questions", func(d *gorm.DB) *gorm.DB { return d.Order("position, id") }).
		Where("slug = ?", slug).Take(&ev).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	return &ev, err
}

// Public reports whether anyone may see the event.
func (e *Event) Public() bool { return e.Status != StatusDraft }

// HostNames lists the hosting organisations' names.
func (e *Event) HostNames() []string {
	var out []string
	for _, h := range e.Hosts {
		out = append(out, h.Organisation.Name)
	}
	return out
}

// Location loads the event's time zone (UTC if unknown).
func (e *Event) Location() *time.Location {
	loc, _ := Zone(e.Timezone)
	return loc
}

// VenueInput is the venue part of an EventInput.
type VenueInput struct {
	Name              *string  `json:"name"`
	Address           *string  `json:"address"`
	Latitude          *float64 `json:"latitude"`
	Longitude         *float64 `json:"longitude"`
	AccessNotes       *string  `json:"access_notes"`
	AddressVisibility *string  `json:"address_visibility"`
}

// HostInput names a hosting organisation by slug.
type HostInput struct {
	Organisation string `json:"organisation"`
	Role         string `json:"role"`
}

// QuestionInput is one of an event's own questions.
type QuestionInput struct {
	Key      string   `json:"key"`
	Label    string   `json:"label"`
	Hint     string   `json:"hint"`
	Kind     string   `json:"kind"`
	Options  []string `json:"options"`
	Required bool     `json:"required"`
}

// EventInput creates or changes an event; nil fields are left as they are.
// Capacities use Set flags because null (unlimited) is a value.
type EventInput struct {
	Slug                  *string
	Title                 *string
	Summary               *string
	Description           *string
	Kind                  *string
	Status                *string
	Tentative             *bool
	StartsAt              *time.Time
	EndsAt                *time.Time
	Timezone              *string
	StartRule             *string
	Date                  *string
	SunsetOffsetMinutes   *int
	DurationMinutes       *int
	InPerson              *bool
	Online                *bool
	Venue                 *VenueInput
	StreamURL             *string
	CapacitySet           bool
	Capacity              *int
	OnlineCapacitySet     bool
	OnlineCapacity        *int
	MaxGuests             *int
	Waitlist              *bool
	RegistrationMode      *string
	RegistrationOpensSet  bool
	RegistrationOpensAt   *time.Time
	RegistrationClosesSet bool
	RegistrationClosesAt  *time.Time
	Series                *string
	Hosts                 *[]HostInput
	Questions             *[]QuestionInput
	CancelMessage         *string
	ReminderHours         *int
	AnswersRetentionDays  *int
}

var slugRe = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// Slugify makes a readable URL slug from a title.
func Slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range norm.NFKD.String(strings.ToLower(s)) {
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dash = false
		case unicode.Is(unicode.Mn, r):
		default:
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	out := strings.Trim(b.String(), "-")
	if len(out) > 60 {
		out = strings.Trim(out[:60], "-")
	}
	if out == "" {
		out = "event"
	}
	return out
}

// eventSnapshot holds what calendars show of an event: a change to it bumps
// the event's Sequence.
type eventSnapshot struct {
	Title, Status, Timezone, VenueName, VenueAddress string
	StartsAt, EndsAt                                 time.Time
	Tentative                                        bool
	// Where feeds may show the address (LOCATION, GEO), how to attend, and
	// the stream link of private feeds.
	AddressVisibility, Coordinates, StreamURL string
	InPerson, Online                          bool
	// IftarAt is the iftar time: registrants are told when it moves.
	IftarAt time.Time
}

func snapshot(e *Event) eventSnapshot {
	coords := ""
	if e.Latitude != nil && e.Longitude != nil {
		coords = fmt.Sprint(*e.Latitude, ";", *e.Longitude)
	}
	var iftar time.Time
	if e.IftarAt != nil {
		iftar = e.IftarAt.UTC()
	}
	return eventSnapshot{e.Title, e.Status, e.Timezone, e.VenueName, e.VenueAddress, e.StartsAt, e.EndsAt, e.Tentative,
		e.AddressVisibility, coords, e.StreamURL, e.InPerson, e.Online, iftar}
}

// CreateEvent validates in and stores a new event hosted as in.Hosts says
// (or, when empty, by defaultHost if given).
func CreateEvent(db *gorm.DB, in EventInput, userID *uint, defaultHost *uint, now time.Time) (*Event, error) {
	ev := &Event{Status: StatusDraft, Waitlist: true, InPerson: true, AddressVisibility: AddressPublic, RegistrationMode: ModeInstant,
		Timezone: "Europe/London", ReminderHours: 24, AnswersRetentionDays: DefaultAnswersRetentionDays, CreatedByID: userID, CreatedAt: now, UpdatedAt: now, Revision: 1}
	v := &ValidationError{}
	if in.Title == nil || strings.TrimSpace(*in.Title) == "" {
		v.Add("title", "Enter a title")
	}
	if in.Kind == nil {
		v.Add("kind", "Choose a kind: "+strings.Join(Kinds, ", "))
	}
	if in.Kind != nil && *in.Kind == KindLivestream {
		if in.InPerson == nil {
			f := false
			in.InPerson = &f
		}
		if in.Online == nil {
			t := true
			in.Online = &t
		}
	}
	if in.StartsAt == nil && (in.StartRule == nil || *in.StartRule == "") {
		v.Add("starts_at", "Enter when the event starts")
	}
	if defaultHost != nil && in.Hosts == nil {
		// The default host times the event (its zone, iftar method, home
		// place) as the hosts it will be given.
		var org Organisation
		if db.First(&org, *defaultHost).Error == nil {
			if in.Timezone == nil && org.Timezone != "" {
				in.Timezone = &org.Timezone
			}
			ev.Hosts = []EventHost{{OrganisationID: org.ID, Organisation: org, Role: RoleHost}}
		}
	}
	var out *Event
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := applyEventInput(tx, ev, in, v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		if ev.Slug == "" {
			ev.Slug = uniqueSlug(tx, Slugify(ev.Title))
		}
		hosts := ev.Hosts
		ev.Hosts = nil
		answersDays := ev.AnswersRetentionDays
		if err := tx.Create(ev).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return Invalid("slug", "That address is already used by another event")
			}
			return err
		}
		if answersDays == 0 {
			// GORM leaves a zero value out of an INSERT when the column
			// has a default (7): write the 0 days asked for.
			if err := tx.Model(ev).UpdateColumn("answers_retention_days", 0).Error; err != nil {
				return err
			}
		}
		if len(hosts) == 0 && defaultHost != nil {
			hosts = []EventHost{{OrganisationID: *defaultHost, Role: RoleHost}}
		}
		if err := replaceHosts(tx, ev, hosts); err != nil {
			return err
		}
		if in.Questions != nil {
			if err := replaceQuestions(tx, ev, *in.Questions); err != nil {
				return err
			}
		}
		if err := logActivity(tx, ev.ID, nil, userID, "event_created", ev.Title, now); err != nil {
			return err
		}
		var err error
		out, err = FindEvent(tx, ev.Slug)
		return err
	})
	return out, err
}

// UpdateEvent applies in to the event with slug. Capacity changes follow the
// capacity rules; a change to time, place, title or status bumps Sequence and
// mails the registrants.
func UpdateEvent(db *gorm.DB, slug string, in EventInput, userID *uint, now time.Time) (*Event, error) {
	var out *Event
	err := db.Transaction(func(tx *gorm.DB) error {
		cur, err := FindEvent(tx, slug)
		if err != nil {
			return err
		}
		ev, err := lockEvent(tx, cur.ID)
		if err != nil {
			return err
		}
		ev.Hosts, ev.Questions, ev.Series = cur.Hosts, cur.Questions, cur.Series
		before := snapshot(ev)
		capIn, onlineIn := in.CapacitySet, in.OnlineCapacitySet
		in.CapacitySet, in.OnlineCapacitySet = false, false // applied below, under the rules
		v := &ValidationError{}
		if err := applyEventInput(tx, ev, in, v); err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		for mode, offered := range map[string]bool{InPerson: ev.InPerson, Online: ev.Online} {
			if offered || !contains(cur.Modes(), mode) {
				continue
			}
			var active int64
			if err := tx.Model(&Registration{}).Where("event_id = ? AND attendance = ? AND status IN ?", ev.ID, mode, heldStatuses).Count(&active).Error; err != nil {
				return err
			}
			if active > 0 {
				what := map[string]string{InPerson: "in person", Online: "online"}[mode]
				v.Add(map[string]string{InPerson: "in_person", Online: "online"}[mode],
					fmt.Sprintf("%d registrations are for attending %s: cancel them before you stop offering it", active, what))
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		after := snapshot(ev)
		if before != after {
			ev.Sequence++
		}
		if before.Status != after.Status {
			ev.StatusChangeAt = &now
		}
		ev.UpdatedAt = now
		ev.Revision++ // the row is locked: no other writer can have bumped it
		hosts := ev.Hosts
		if err := tx.Model(ev).Select("*").Omit("id", "created_at", "taken", "online_taken", "waitlist_seq", "capacity", "online_capacity", "Hosts", "Questions", "Series").Updates(ev).Error; err != nil {
			if errors.Is(err, gorm.ErrDuplicatedKey) {
				return Invalid("slug", "That address is already used by another event")
			}
			return err
		}
		if in.Hosts != nil {
			if err := replaceHosts(tx, ev, hosts); err != nil {
				return err
			}
		}
		if in.Questions != nil {
			if err := replaceQuestions(tx, ev, *in.Questions); err != nil {
				return err
			}
		}
		if capIn {
			if err := setCapacityLocked(tx, ev, InPerson, in.Capacity, userID, now); err != nil {
				return err
			}
		}
		if onlineIn {
			if err := setCapacityLocked(tx, ev, Online, in.OnlineCapacity, userID, now); err != nil {
				return err
			}
		}
		if before.Status == StatusCancelled && ev.Status != StatusCancelled {
			// Places freed while it was cancelled go to the waitlist now.
			if _, err := (ledger{tx, ev}).promoteAll(now); err != nil {
				return err
			}
		}
		if before != after {
			if err := notifyEventChange(tx, ev, before, userID, now); err != nil {
				return err
			}
		}
		out, err = FindEvent(tx, ev.Slug)
		return err
	})
	return out, err
}

// notifyEventChange records the change and mails the active registrants.
func notifyEventChange(tx *gorm.DB, ev *Event, before eventSnapshot, userID *uint, now time.Time) error {
	kind := ""
	switch {
	case ev.Status == StatusCancelled && before.Status != StatusCancelled:
		kind = MailEventCancel
	case ev.Status == StatusPostponed && before.Status != StatusPostponed:
		kind = MailPostponed
	case ev.Status == StatusDraft || before.Status == StatusDraft:
		kind = ""
	case !before.StartsAt.Equal(ev.StartsAt) || !before.EndsAt.Equal(ev.EndsAt) ||
		before.VenueName != ev.VenueName || before.VenueAddress != ev.VenueAddress || !before.IftarAt.Equal(snapshot(ev).IftarAt):
		kind = MailEventChanged
	}
	detail := fmt.Sprintf("sequence %d", ev.Sequence)
	if before.Status != ev.Status {
		detail = fmt.Sprintf("status %s → %s", before.Status, ev.Status)
	}
	if err := logActivity(tx, ev.ID, nil, userID, "event_changed", detail, now); err != nil {
		return err
	}
	if kind == "" {
		return nil
	}
	var regs []Registration
	if err := tx.Where("event_id = ? AND status IN ?", ev.ID, heldStatuses).Find(&regs).Error; err != nil {
		return err
	}
	extra := map[string]string{"previous_starts_at": before.StartsAt.Format(time.RFC3339),
		"previous_ends_at": before.EndsAt.Format(time.RFC3339), "previous_venue": before.VenueName, "message": ev.CancelMessage}
	if !before.IftarAt.IsZero() {
		extra["previous_iftar_at"] = before.IftarAt.Format(time.RFC3339)
	}
	for i := range regs {
		if err := EnqueueMail(tx, kind, ev, &regs[i], extra, now); err != nil {
			return err
		}
	}
	return nil
}

func uniqueSlug(tx *gorm.DB, base string) string {
	slug := base
	for i := 2; ; i++ {
		var n int64
		tx.Model(&Event{}).Where("slug = ?", slug).Count(&n)
		if n == 0 {
			return slug
		}
		slug = fmt.Sprintf("%s-%d", base, i)
	}
}

func replaceHosts(tx *gorm.DB, ev *Event, hosts []EventHost) error {
	if err := tx.Where("event_id = ?", ev.ID).Delete(&EventHost{}).Error; err != nil {
		return err
	}
	for i := range hosts {
		hosts[i].ID = 0
		hosts[i].EventID = ev.ID
		hosts[i].Position = i
		if err := tx.Omit("Organisation").Create(&hosts[i]).Error; err != nil {
			return err
		}
	}
	return nil
}

func replaceQuestions(tx *gorm.DB, ev *Event, qs []QuestionInput) error {
	if err := tx.Where("event_id = ?", ev.ID).Delete(&Question{}).Error; err != nil {
		return err
	}
	for i, q := range qs {
		row := Question{EventID: ev.ID, Key: q.Key, Label: q.Label, Hint: q.Hint, Kind: q.Kind,
			Options: strings.Join(q.Options, "\n"), Required: q.Required, Position: i}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
	}
	return nil
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

// applyEventInput copies in onto ev, recording problems in v. It returns an
// error only for storage failures.
func applyEventInput(tx *gorm.DB, ev *Event, in EventInput, v *ValidationError) error {
	texts := map[string]*string{"slug": in.Slug, "title": in.Title, "summary": in.Summary, "description": in.Description,
		"kind": in.Kind, "status": in.Status, "timezone": in.Timezone, "stream_url": in.StreamURL, "series": in.Series,
		"cancel_message": in.CancelMessage, "date": in.Date, "start_rule": in.StartRule, "registration_mode": in.RegistrationMode}
	if vin := in.Venue; vin != nil {
		texts["venue.name"], texts["venue.address"], texts["venue.access_notes"], texts["venue.address_visibility"] =
			vin.Name, vin.Address, vin.AccessNotes, vin.AddressVisibility
		for field, f := range map[string]*float64{"venue.latitude": vin.Latitude, "venue.longitude": vin.Longitude} {
			if f != nil && (math.IsNaN(*f) || math.IsInf(*f, 0)) {
				v.Add(field, "Enter a number of degrees")
			}
		}
	}
	for field, p := range texts {
		if p != nil && !CleanText(*p) {
			v.Add(field, "Remove the invisible or broken characters from this field")
		}
	}
	// Every problem is named at once: a field already named keeps its
	// first message.
	if in.Title != nil {
		ev.Title = str(in.Title)
		switch {
		case ev.Title == "":
			v.Add("title", "Enter a title")
		case len([]rune(ev.Title)) > 200:
			v.Add("title", "Title must be 200 characters or fewer")
		case !CleanName(ev.Title):
			v.Add("title", NameMessage)
		}
	}
	if in.Slug != nil {
		s := str(in.Slug)
		if s != "" && (!slugRe.MatchString(s) || len(s) > 80) {
			v.Add("slug", "Use lower-case letters, digits and single hyphens (at most 80)")
		}
		if s != "" {
			ev.Slug = s
		}
	}
	if in.Summary != nil {
		ev.Summary = str(in.Summary)
		switch {
		case len([]rune(ev.Summary)) > 500:
			v.Add("summary", "Summary must be 500 characters or fewer")
		case !CleanName(ev.Summary):
			v.Add("summary", NameMessage)
		}
	}
	if in.Description != nil {
		ev.Description = strings.TrimSpace(*in.Description)
		if utf8.RuneCountInString(ev.Description) > 50000 {
			v.Add("description", "Description must be 50,000 characters or fewer")
		}
	}
	if in.Kind != nil {
		if !contains(Kinds, *in.Kind) {
			v.Add("kind", "Choose a kind: "+strings.Join(Kinds, ", "))
		} else {
			ev.Kind = *in.Kind
		}
	}
	if in.Status != nil {
		if !contains(Statuses, *in.Status) {
			v.Add("status", "Choose a status: "+strings.Join(Statuses, ", "))
		} else {
			ev.Status = *in.Status
			if ev.Status == StatusPostponed {
				ev.Tentative = true
			}
		}
	}
	if in.Tentative != nil {
		ev.Tentative = *in.Tentative
	}
	if in.Timezone != nil {
		tz := str(in.Timezone)
		if _, ok := Zone(tz); !ok {
			v.Add("timezone", "Use an IANA time zone such as Europe/London")
		} else {
			ev.Timezone = tz
		}
	}
	if in.InPerson != nil {
		ev.InPerson = *in.InPerson
	}
	if in.Online != nil {
		ev.Online = *in.Online
	}
	if ev.Kind == KindLivestream && ev.InPerson {
		v.Add("in_person", "A livestream is online only")
	}
	if !ev.InPerson && !ev.Online {
		v.Add("online", "An event must be in person, online or both")
	}
	if vin := in.Venue; vin != nil {
		if vin.Name != nil {
			ev.VenueName = str(vin.Name)
			if !CleanName(ev.VenueName) {
				v.Add("venue.name", NameMessage)
			}
		}
		if vin.Address != nil {
			ev.VenueAddress = str(vin.Address)
		}
		if vin.Latitude != nil {
			if *vin.Latitude < -90 || *vin.Latitude > 90 {
				v.Add("venue.latitude", "Latitude must be between -90 and 90")
			}
			ev.Latitude = vin.Latitude
		}
		if vin.Longitude != nil {
			if *vin.Longitude < -180 || *vin.Longitude > 180 {
				v.Add("venue.longitude", "Longitude must be between -180 and 180")
			}
			ev.Longitude = vin.Longitude
		}
		if vin.AccessNotes != nil {
			ev.AccessNotes = strings.TrimSpace(*vin.AccessNotes)
		}
		if vin.AddressVisibility != nil {
			av := str(vin.AddressVisibility)
			if av != AddressPublic && av != AddressRegistrants {
				v.Add("venue.address_visibility", "Choose public or registrants")
			} else {
				ev.AddressVisibility = av
			}
		}
		if utf8.RuneCountInString(ev.VenueName) > 200 {
			v.Add("venue.name", "Venue name must be 200 characters or fewer")
		}
		if utf8.RuneCountInString(ev.VenueAddress) > 500 {
			v.Add("venue.address", "Venue address must be 500 characters or fewer")
		}
	}
	if in.StreamURL != nil {
		ev.StreamURL = str(in.StreamURL)
		if ev.StreamURL != "" {
			u, err := url.Parse(ev.StreamURL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				v.Add("stream_url", "Enter a web address starting with https://")
			}
		}
	}
	if in.CapacitySet {
		if in.Capacity != nil && *in.Capacity < 0 {
			v.Add("capacity", "Capacity cannot be negative")
		}
		ev.Capacity = in.Capacity
	}
	if in.OnlineCapacitySet {
		if in.OnlineCapacity != nil && *in.OnlineCapacity < 0 {
			v.Add("online_capacity", "Capacity cannot be negative")
		}
		ev.OnlineCapacity = in.OnlineCapacity
	}
	if in.MaxGuests != nil {
		if *in.MaxGuests < 0 || *in.MaxGuests > 50 {
			v.Add("max_guests", "Guests per registration must be between 0 and 50")
		} else {
			ev.MaxGuests = *in.MaxGuests
		}
	}
	if in.Waitlist != nil {
		ev.Waitlist = *in.Waitlist
	}
	if in.RegistrationMode != nil {
		if m := str(in.RegistrationMode); contains(RegistrationModes, m) {
			ev.RegistrationMode = m
		} else {
			v.Add("registration_mode", "Choose how people register: "+strings.Join(RegistrationModes, ", "))
		}
	}
	if in.RegistrationOpensSet {
		ev.RegistrationOpensAt = utcPtr(in.RegistrationOpensAt)
	}
	if in.RegistrationClosesSet {
		ev.RegistrationClosesAt = utcPtr(in.RegistrationClosesAt)
	}
	if ev.RegistrationOpensAt != nil && ev.RegistrationClosesAt != nil && !ev.RegistrationOpensAt.Before(*ev.RegistrationClosesAt) {
		v.Add("registration_closes_at", "Registration must close after it opens")
	}
	if in.CancelMessage != nil {
		ev.CancelMessage = strings.TrimSpace(*in.CancelMessage)
	}
	if in.ReminderHours != nil {
		if *in.ReminderHours < 0 || *in.ReminderHours > 24*14 {
			v.Add("reminder_hours", "Reminder must be between 0 and 336 hours before")
		} else {
			ev.ReminderHours = *in.ReminderHours
		}
	}
	if in.AnswersRetentionDays != nil {
		if d := *in.AnswersRetentionDays; d < 0 || d > MaxAnswersRetentionDays {
			v.Add("answers_retention_days", fmt.Sprintf("Enter a number of days from 0 to %d", MaxAnswersRetentionDays))
		} else {
			ev.AnswersRetentionDays = d
		}
	}
	applyTimes(ev, in, v)
	if in.Series != nil {
		s := str(in.Series)
		if s == "" {
			ev.SeriesID = nil
		} else {
			var se Series
			if err := tx.Where("slug = ?", s).Take(&se).Error; err != nil {
				if !errors.Is(err, gorm.ErrRecordNotFound) {
					return err
				}
				v.Add("series", "No series has that slug")
			} else {
				ev.SeriesID = &se.ID
			}
		}
	}
	if in.Hosts != nil {
		var hosts []EventHost
		seen := map[string]bool{}
		for i, h := range *in.Hosts {
			var org Organisation
			if err := tx.Where("slug = ?", strings.TrimSpace(h.Organisation)).Take(&org).Error; err != nil {
				if !errors.Is(err, gorm.ErrRecordNotFound) {
					return err
				}
				v.Add(fmt.Sprintf("hosts.%d", i), "No organisation has the slug "+h.Organisation)
				continue
			}
			role := h.Role
			if role == "" {
				role = RoleHost
				if i > 0 {
					role = RoleCoHost
				}
			}
			if role != RoleHost && role != RoleCoHost {
				v.Add(fmt.Sprintf("hosts.%d", i), "Role must be host or co-host")
			}
			if seen[org.Slug] {
				continue
			}
			seen[org.Slug] = true
			hosts = append(hosts, EventHost{OrganisationID: org.ID, Organisation: org, Role: role})
		}
		ev.Hosts = hosts
	}
	if in.Questions != nil {
		keys := map[string]bool{}
		for i := range *in.Questions {
			q := &(*in.Questions)[i]
			field := fmt.Sprintf("questions.%d", i)
			q.Label = strings.TrimSpace(q.Label)
			if q.Key == "" {
				q.Key = Slugify(q.Label)
			}
			switch {
			case q.Label == "":
				v.Add(field, "Each question needs a label")
			case !CleanName(q.Label) || !CleanName(q.Hint):
				v.Add(field, NameMessage)
			}
			for _, o := range q.Options {
				if !CleanName(o) {
					v.Add(field, "Each option: "+NameMessage)
				}
			}
			switch q.Kind {
			case QuestionShortText, QuestionLongText, QuestionCheckbox:
			case QuestionSingle, QuestionMultiple:
				if len(q.Options) < 2 {
					v.Add(field, "A choice question needs at least two options")
				}
			default:
				v.Add(field, "Kind must be short_text, long_text, single_choice, multiple_choice or checkbox")
			}
			if keys[q.Key] {
				v.Add(field, "Two questions have the same key")
			}
			keys[q.Key] = true
		}
	}
	applyIftar(ev, v)
	return nil
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// applyTimes reads the start rule and sets StartsAt and EndsAt from
// explicit times; a start that follows the sun is set by applyIftar.
func applyTimes(ev *Event, in EventInput, v *ValidationError) {
	if in.StartRule != nil {
		switch r := str(in.StartRule); r {
		case "", "fixed":
			ev.StartRule = ""
		case "sunset":
			ev.StartRule = r
		default:
			v.Add("start_rule", "Start rule must be fixed or sunset")
		}
	}
	if in.Date != nil {
		d := str(in.Date)
		if _, err := time.Parse("2006-01-02", d); err != nil {
			v.Add("date", "Enter the date as YYYY-MM-DD")
		} else {
			ev.LocalDate = d
		}
	}
	if in.SunsetOffsetMinutes != nil {
		if *in.SunsetOffsetMinutes < -180 || *in.SunsetOffsetMinutes > 180 {
			v.Add("sunset_offset_minutes", "Offset must be within three hours of sunset")
		} else {
			ev.SunsetOffsetMinutes = *in.SunsetOffsetMinutes
		}
	}
	if in.DurationMinutes != nil {
		if *in.DurationMinutes < 1 || *in.DurationMinutes > 60*24*14 {
			v.Add("duration_minutes", "Duration must be between 1 minute and 14 days")
		} else {
			ev.DurationMinutes = *in.DurationMinutes
		}
	}
	if ev.StartRule == "sunset" {
		return // timed by applyIftar once the hosts are known
	}
	if in.StartsAt != nil {
		ev.StartsAt = in.StartsAt.UTC()
	}
	if in.EndsAt != nil {
		ev.EndsAt = in.EndsAt.UTC()
	} else if in.StartsAt != nil && (ev.EndsAt.IsZero() || !ev.EndsAt.After(ev.StartsAt)) {
		dur := ev.DurationMinutes
		if dur == 0 {
			dur = 120
		}
		ev.EndsAt = ev.StartsAt.Add(time.Duration(dur) * time.Minute)
	}
	if !ev.StartsAt.IsZero() && !ev.EndsAt.After(ev.StartsAt) {
		v.Add("ends_at", "The end must be after the start")
	}
	if !ev.StartsAt.IsZero() && (ev.StartsAt.Year() < 2000 || ev.StartsAt.Year() > 2200) {
		v.Add("starts_at", "Enter a start between the years 2000 and 2200")
	}
}
