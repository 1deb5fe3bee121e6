package app

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"convene/models"
)

// EventJSON is the API's event object. It never holds the stream URL, and
// the venue address only when the address is public.
type EventJSON struct {
	Slug                 string         `json:"slug"`
	Title                string         `json:"title"`
	Summary              string         `json:"summary"`
	Description          string         `json:"description"`
	Kind                 string         `json:"kind"`
	Status               string         `json:"status"`
	Tentative            bool           `json:"tentative"`
	StartsAt             string         `json:"starts_at"`
	EndsAt               string         `json:"ends_at"`
	Timezone             string         `json:"timezone"`
	StartRule            string         `json:"start_rule"`
	Date                 string         `json:"date,omitempty"`
	SunsetOffsetMinutes  int            `json:"sunset_offset_minutes"`
	IftarAt              *string        `json:"iftar_at"`
	Venue                *VenueJSON     `json:"venue"`
	InPerson             bool           `json:"in_person"`
	Online               bool           `json:"online"`
	Format               string         `json:"format"`
	Capacity             *int           `json:"capacity"`
	PlacesLeft           *int           `json:"places_left"`
	OnlineCapacity       *int           `json:"online_capacity"`
	OnlinePlacesLeft     *int           `json:"online_places_left"`
	Waitlist             bool           `json:"waitlist"`
	AskDietary           bool           `json:"ask_dietary"`
	WaitlistLength       int            `json:"waitlist_length"`
	OnlineWaitlistLength int            `json:"online_waitlist_length"`
	MaxGuests            int            `json:"max_guests"`
	RegistrationMode     string         `json:"registration_mode"`
	AnswersRetentionDays int            `json:"answers_retention_days"`
	RegistrationOpen     bool           `json:"registration_open"`
	RegistrationOpensAt  *string        `json:"registration_opens_at"`
	RegistrationClosesAt string         `json:"registration_closes_at"`
	Hosts                []HostJSON     `json:"hosts"`
	Series               *SeriesJSON    `json:"series"`
	Questions            []QuestionJSON `json:"questions"`
	Sequence             int            `json:"sequence"`
	URL                  string         `json:"url"`
	ICSURL               string         `json:"ics_url"`
	// CoverURL is the cover image's address (/media/covers/{name}), nil
	// without one. Read only: event bodies do not take it.
	CoverURL *string `json:"cover_url"`
	// PreviousStartsAt is the first announced start of a published event
	// that has been moved (Event.Rescheduled), nil otherwise. Read only.
	PreviousStartsAt *string `json:"previous_starts_at"`
	UpdatedAt        string  `json:"updated_at"`
	// Organiser-only fields.
	StreamURL   *string           `json:"stream_url,omitempty"`
	Allocations *[]AllocationJSON `json:"allocations,omitempty"`
	Warnings    *[]Warning        `json:"warnings,omitempty"`
}

// VenueJSON is an event's venue.
type VenueJSON struct {
	Name              string   `json:"name"`
	Address           *string  `json:"address,omitempty"`
	Latitude          *float64 `json:"latitude,omitempty"`
	Longitude         *float64 `json:"longitude,omitempty"`
	AccessNotes       string   `json:"access_notes"`
	AddressVisibility string   `json:"address_visibility"`
}

// HostJSON is a hosting organisation.
type HostJSON struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
	Role string `json:"role"`
	URL  string `json:"url"`
}

// SeriesJSON names an event's series.
type SeriesJSON struct {
	Slug  string `json:"slug"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// QuestionJSON is one of an event's questions.
type QuestionJSON struct {
	Key      string   `json:"key"`
	Label    string   `json:"label"`
	Hint     string   `json:"hint,omitempty"`
	Kind     string   `json:"kind"`
	Options  []string `json:"options,omitempty"`
	Required bool     `json:"required"`
}

// Warning is advice about an event that does not stop it being saved.
type Warning struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func rfc3339(t time.Time, tz string) string { return inZone(t, tz).Format(time.RFC3339) }

func (a *App) eventJSON(v EventView, organiser bool) EventJSON {
	ev := v.Event
	j := EventJSON{Slug: ev.Slug, Title: ev.Title, Summary: ev.Summary, Description: ev.Description, Kind: ev.Kind,
		Status: ev.Status, Tentative: ev.Tentative, StartsAt: rfc3339(ev.StartsAt, ev.Timezone), EndsAt: rfc3339(ev.EndsAt, ev.Timezone),
		Timezone: ev.Timezone, StartRule: ev.StartRule, SunsetOffsetMinutes: ev.SunsetOffsetMinutes,
		InPerson: ev.InPerson, Online: ev.Online,
		Capacity: ev.Capacity, OnlineCapacity: ev.OnlineCapacity, Waitlist: ev.Waitlist, AskDietary: !ev.SkipDietary,
		WaitlistLength: v.Waitlist[models.InPerson], OnlineWaitlistLength: v.Waitlist[models.Online],
		MaxGuests: ev.MaxGuests, RegistrationMode: ev.RegistrationMode, AnswersRetentionDays: ev.AnswersRetentionDays, RegistrationOpen: v.Open, RegistrationClosesAt: rfc3339(ev.RegistrationCloses(), ev.Timezone),
		Hosts: []HostJSON{}, Questions: []QuestionJSON{}, Sequence: ev.Sequence, URL: v.URL, ICSURL: v.ICSURL,
		UpdatedAt: ev.UpdatedAt.UTC().Format(time.RFC3339)}
	if ev.StartRule == "sunset" {
		j.Date = ev.LocalDate
	}
	if ev.IftarAt != nil {
		s := rfc3339(*ev.IftarAt, ev.Timezone)
		j.IftarAt = &s
	}
	if ev.Rescheduled() {
		s := rfc3339(*ev.PreviousStartsAt, ev.Timezone)
		j.PreviousStartsAt = &s
	}
	switch {
	case ev.Hybrid():
		j.Format = "hybrid"
	case ev.Online:
		j.Format = "online"
	default:
		j.Format = "in_person"
	}
	if ev.InPerson {
		j.PlacesLeft = ev.PlacesLeft(models.InPerson)
	} else {
		zero := 0
		j.Capacity, j.PlacesLeft = &zero, &zero
	}
	if ev.Online {
		j.OnlinePlacesLeft = ev.PlacesLeft(models.Online)
	} else {
		zero := 0
		j.OnlineCapacity, j.OnlinePlacesLeft = &zero, &zero
	}
	if ev.RegistrationOpensAt != nil {
		s := rfc3339(*ev.RegistrationOpensAt, ev.Timezone)
		j.RegistrationOpensAt = &s
	}
	if ev.InPerson || ev.VenueName != "" {
		vj := &VenueJSON{Name: ev.VenueName, AccessNotes: ev.AccessNotes, AddressVisibility: ev.AddressVisibility}
		if ev.AddressVisibility == models.AddressPublic || organiser {
			addr := ev.VenueAddress
			vj.Address, vj.Latitude, vj.Longitude = &addr, ev.Latitude, ev.Longitude
		}
		j.Venue = vj
	}
	for _, h := range ev.Hosts {
		j.Hosts = append(j.Hosts, HostJSON{Slug: h.Organisation.Slug, Name: h.Organisation.Name, Role: h.Role, URL: a.cfg.BaseURL + "/organisations/" + h.Organisation.Slug})
	}
	if ev.Series != nil {
		j.Series = &SeriesJSON{Slug: ev.Series.Slug, Title: ev.Series.Title, URL: a.cfg.BaseURL + "/series/" + ev.Series.Slug}
	}
	for _, q := range ev.Questions {
		j.Questions = append(j.Questions, QuestionJSON{Key: q.Key, Label: q.Label, Hint: q.Hint, Kind: q.Kind, Options: q.Choices(), Required: q.Required})
	}
	if ev.CoverName != "" {
		u := a.cfg.BaseURL + "/media/covers/" + ev.CoverName
		j.CoverURL = &u
	}
	if organiser {
		s := ev.StreamURL
		j.StreamURL = &s
	}
	return j
}

// parseTimeParam reads a from or to parameter: an RFC 3339 time, or a date
// (midnight UTC). For to, a date means the whole day: the result is the
// next midnight, as events are listed when they start before to.
func parseTimeParam(s string, to bool) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return &t, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return nil, err
	}
	if to {
		t = t.AddDate(0, 0, 1)
	}
	return &t, nil
}

func (a *App) apiListEvents(c *fiber.Ctx) error {
	v := &models.ValidationError{}
	f := models.EventFilter{Kind: c.Query("kind"), Organisation: c.Query("organisation"), Series: c.Query("series")}
	if f.Kind != "" && !contains(models.Kinds, f.Kind) {
		v.Add("kind", "Unknown kind: use one of "+strings.Join(models.Kinds, ", "))
	}
	var err error
	if f.From, err = parseTimeParam(c.Query("from"), false); err != nil {
		v.Add("from", "Use a date (2026-12-01) or an RFC 3339 time")
	}
	if f.To, err = parseTimeParam(c.Query("to"), true); err != nil {
		v.Add("to", "Use a date (2026-12-31) or an RFC 3339 time")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if f.From == nil {
		now := a.now()
		f.From = &now
	}
	evs, err := models.ListEvents(a.dbc(c).Read, f)
	if err != nil {
		return err
	}
	views, err := a.eventViews(c, evs)
	if err != nil {
		return err
	}
	out := make([]EventJSON, len(views))
	for i := range views {
		out[i] = a.eventJSON(views[i], false)
	}
	return c.JSON(fiber.Map{"events": out})
}

func (a *App) apiGetEvent(c *fiber.Ctx) error {
	ev, wl, err := a.events.get(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	u, _ := c.Locals(userLocal).(*models.User)
	organiser := u != nil && models.Authorize(a.dbc(c).Read, u, ev, models.ActManage) == nil
	if !ev.Public() && !organiser {
		return models.ErrNotFound
	}
	j := a.eventJSON(a.eventView(ev, wl), organiser)
	if organiser {
		allocs, err := a.allocationsJSON(c, ev)
		if err != nil {
			return err
		}
		j.Allocations = &allocs
	}
	return c.JSON(j)
}

// eventBody is the JSON body of POST and PATCH /api/v1/events. Raw fields
// distinguish "absent" from null where null means something (capacity).
type eventBody struct {
	Slug                 *string                 `json:"slug"`
	Title                *string                 `json:"title"`
	Summary              *string                 `json:"summary"`
	Description          *string                 `json:"description"`
	Kind                 *string                 `json:"kind"`
	Status               *string                 `json:"status"`
	Tentative            *bool                   `json:"tentative"`
	StartsAt             *string                 `json:"starts_at"`
	EndsAt               *string                 `json:"ends_at"`
	Timezone             *string                 `json:"timezone"`
	StartRule            *string                 `json:"start_rule"`
	Date                 *string                 `json:"date"`
	SunsetOffsetMinutes  *int                    `json:"sunset_offset_minutes"`
	DurationMinutes      *int                    `json:"duration_minutes"`
	InPerson             *bool                   `json:"in_person"`
	Online               *bool                   `json:"online"`
	Format               *string                 `json:"format"`
	Venue                *models.VenueInput      `json:"venue"`
	StreamURL            *string                 `json:"stream_url"`
	Capacity             json.RawMessage         `json:"capacity"`
	OnlineCapacity       json.RawMessage         `json:"online_capacity"`
	MaxGuests            *int                    `json:"max_guests"`
	Waitlist             *bool                   `json:"waitlist"`
	AskDietary           *bool                   `json:"ask_dietary"`
	RegistrationMode     *string                 `json:"registration_mode"`
	RegistrationOpensAt  json.RawMessage         `json:"registration_opens_at"`
	RegistrationClosesAt json.RawMessage         `json:"registration_closes_at"`
	Series               *string                 `json:"series"`
	Hosts                *[]json.RawMessage      `json:"hosts"`
	Questions            *[]models.QuestionInput `json:"questions"`
	Allocations          *[]allocationBody       `json:"allocations"`
	CancelMessage        *string                 `json:"cancel_message"`
	ReminderHours        *int                    `json:"reminder_hours"`
	AnswersRetentionDays *int                    `json:"answers_retention_days"`
}

// hostObject is a host of eventBody given as an object (the schema's
// HostInput); slug is another name for organisation.
type hostObject struct {
	Organisation string `json:"organisation"`
	Slug         string `json:"slug"`
	Role         string `json:"role"`
}

func (b eventBody) input() (models.EventInput, error) {
	v := &models.ValidationError{}
	in := models.EventInput{Slug: b.Slug, Title: b.Title, Summary: b.Summary, Description: b.Description, Kind: b.Kind,
		Status: b.Status, Tentative: b.Tentative, Timezone: b.Timezone, StartRule: b.StartRule, Date: b.Date,
		SunsetOffsetMinutes: b.SunsetOffsetMinutes, DurationMinutes: b.DurationMinutes, InPerson: b.InPerson, Online: b.Online,
		Venue: b.Venue, StreamURL: b.StreamURL, MaxGuests: b.MaxGuests, Waitlist: b.Waitlist, AskDietary: b.AskDietary, RegistrationMode: b.RegistrationMode, Series: b.Series,
		Questions: b.Questions, CancelMessage: b.CancelMessage, ReminderHours: b.ReminderHours,
		AnswersRetentionDays: b.AnswersRetentionDays}
	parseT := func(field string, s *string) *time.Time {
		if s == nil {
			return nil
		}
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(*s))
		if err != nil {
			v.Add(field, "Use an RFC 3339 time with offset, like 2026-12-10T19:00:00Z")
			return nil
		}
		return &t
	}
	in.StartsAt = parseT("starts_at", b.StartsAt)
	in.EndsAt = parseT("ends_at", b.EndsAt)
	if b.Format != nil {
		t, f := true, false
		switch *b.Format {
		case "in_person":
			in.InPerson, in.Online = &t, &f
		case "online":
			in.InPerson, in.Online = &f, &t
		case "hybrid":
			in.InPerson, in.Online = &t, &t
		default:
			v.Add("format", "Format must be in_person, online or hybrid")
		}
	}
	capacity := func(field string, raw json.RawMessage) (bool, *int) {
		if raw == nil {
			return false, nil
		}
		if string(raw) == "null" {
			return true, nil
		}
		var n int
		if err := json.Unmarshal(raw, &n); err != nil {
			v.Add(field, models.EventLimit(field).Message)
			return false, nil
		}
		return true, &n
	}
	in.CapacitySet, in.Capacity = capacity("capacity", b.Capacity)
	in.OnlineCapacitySet, in.OnlineCapacity = capacity("online_capacity", b.OnlineCapacity)
	timeOrNull := func(field string, raw json.RawMessage) (bool, *time.Time) {
		if raw == nil {
			return false, nil
		}
		if string(raw) == "null" {
			return true, nil
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			v.Add(field, "Use an RFC 3339 time or null")
			return false, nil
		}
		t := parseT(field, &s)
		return t != nil, t
	}
	if b.Allocations != nil {
		list := allocationInputs(*b.Allocations, v)
		in.Allocations = &list
	}
	in.RegistrationOpensSet, in.RegistrationOpensAt = timeOrNull("registration_opens_at", b.RegistrationOpensAt)
	in.RegistrationClosesSet, in.RegistrationClosesAt = timeOrNull("registration_closes_at", b.RegistrationClosesAt)
	if b.Hosts != nil {
		hosts := []models.HostInput{}
		for i, raw := range *b.Hosts {
			var slug string
			if json.Unmarshal(raw, &slug) == nil {
				hosts = append(hosts, models.HostInput{Organisation: slug})
				continue
			}
			var h hostObject
			if err := json.Unmarshal(raw, &h); err != nil {
				v.Add(fmt.Sprintf("hosts.%d", i), "A host is an organisation slug or {\"organisation\",\"role\"}")
				continue
			}
			if h.Organisation == "" {
				h.Organisation = h.Slug
			}
			hosts = append(hosts, models.HostInput{Organisation: h.Organisation, Role: h.Role})
		}
		in.Hosts = &hosts
	}
	for field, msg := range validationFields(models.CheckEventLimits(in)) {
		v.Add(field, msg)
	}
	return in, v.Err()
}

func (a *App) apiCreateEvent(c *fiber.Ctx) error {
	u := c.Locals(userLocal).(*models.User)
	if !u.IsOrganiser() {
		return fiber.NewError(fiber.StatusForbidden, "Only organisers can create events; this account checks people in at the door.")
	}
	var b eventBody
	p, err := a.decodeBody(c, &b)
	if err != nil {
		return err
	}
	in, err := b.input()
	found := &models.ValidationError{}
	_ = addFields(found, err)
	// Without hosts, the event is hosted by the user's first organisation
	// (or, for an account without one, is the user's own).
	if in.Hosts != nil && len(*in.Hosts) > 0 {
		if err := addFields(found, models.CheckHosts(a.dbc(c).Read, u, *in.Hosts)); err != nil {
			return err
		}
	}
	var defaultHost *uint
	if ids := u.OrganisationIDs(); len(ids) > 0 {
		defaultHost = &ids[0]
	}
	var ev *models.Event
	create := func(db *gorm.DB) (err error) {
		ev, err = models.CreateEvent(db, in, &u.ID, defaultHost, a.now())
		return err
	}
	if !p.none() || found.Err() != nil {
		return refuse(p, found.Err(), a.dryRun(c, create))
	}
	err = create(a.dbc(c).DB)
	a.events.reset()
	if err != nil {
		return err
	}
	return a.writeEvent(c, 201, ev)
}

func (a *App) writeEvent(c *fiber.Ctx, status int, ev *models.Event) error {
	wl, err := models.WaitlistLength(a.dbc(c).DB, ev.ID)
	if err != nil {
		return err
	}
	j := a.eventJSON(a.eventView(ev, wl), true)
	allocs, err := a.allocationsJSON(c, ev)
	if err != nil {
		return err
	}
	j.Allocations = &allocs
	warnings := a.eventWarnings(ev)
	j.Warnings = &warnings
	c.Location("/api/v1/events/" + ev.Slug)
	return c.Status(status).JSON(j)
}

// eventWarnings gives advice on an event: the religious and memorial days
// it clashes with at its place (see the calendar package), then practical
// matters. Warnings never stop a save.
func (a *App) eventWarnings(ev *models.Event) []Warning {
	w := []Warning{}
	for _, c := range models.EventClashes(ev) {
		w = append(w, Warning{Code: c.Code, Message: c.Message})
	}
	if ev.Status == models.StatusPublished && ev.StartsAt.Before(a.now()) {
		w = append(w, Warning{Code: "in_the_past", Message: "This event starts in the past."})
	}
	if ev.Online && ev.StreamURL == "" {
		w = append(w, Warning{Code: "no_stream_url", Message: "Online places are offered but no stream link is set yet."})
	}
	return w
}

func (a *App) apiUpdateEvent(c *fiber.Ctx) error {
	cur, u, err := a.organiserEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	var b eventBody
	p, err := a.decodeBody(c, &b)
	if err != nil {
		return err
	}
	in, err := b.input()
	found := &models.ValidationError{}
	_ = addFields(found, err)
	if in.Hosts != nil {
		if err := addFields(found, models.CheckHosts(a.dbc(c).Read, u, *in.Hosts)); err != nil {
			return err
		}
	}
	var ev *models.Event
	update := func(db *gorm.DB) (err error) {
		ev, err = models.UpdateEvent(db, cur.Slug, in, &u.ID, a.now())
		return err
	}
	if !p.none() || found.Err() != nil {
		return refuse(p, found.Err(), a.dryRun(c, update))
	}
	err = update(a.dbc(c).DB)
	a.events.reset()
	if err != nil {
		return err
	}
	return a.writeEvent(c, 200, ev)
}
