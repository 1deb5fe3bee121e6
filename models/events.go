package models

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"

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

// Rescheduled reports whether a published event's start was moved after it
// was announced (PreviousStartsAt); postponed and cancelled events are not
// rescheduled, whatever their dates did.
func (e *Event) Rescheduled() bool {
	return e.Status == StatusPublished && e.PreviousStartsAt != nil && !e.PreviousStartsAt.Equal(e.StartsAt)
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

// ListSep is what goes before item i of a list of n in a sentence: nothing
// before the first, " and " before the last, ", " between the others, so
// that hosts read "A", "A and B", "A, B and C". Templates that link or
// isolate each name use it; AndList joins plain names with it.
func ListSep(i, n int) string {
	switch {
	case i <= 0:
		return ""
	case i == n-1:
		return " and "
	}
	return ", "
}

// AndList joins items into a sentence's list: "A, B and C".
func AndList(items []string) string {
	var b strings.Builder
	for i, s := range items {
		b.WriteString(ListSep(i, len(items)))
		b.WriteString(s)
	}
	return b.String()
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
	Slug                *string
	Title               *string
	Summary             *string
	Description         *string
	Kind                *string
	Status              *string
	Tentative           *bool
	StartsAt            *time.Time
	EndsAt              *time.Time
	Timezone            *string
	StartRule           *string
	Date                *string
	SunsetOffsetMinutes *int
	DurationMinutes     *int
	InPerson            *bool
	Online              *bool
	Venue               *VenueInput
	StreamURL           *string
	CapacitySet         bool
	Capacity            *int
	OnlineCapacitySet   bool
	OnlineCapacity      *int
	MaxGuests           *int
	Waitlist            *bool
	// AskDietary turns the dietary question on or off; turning it off
	// deletes the answers already given (nothing is kept that is not asked).
	AskDietary            *bool
	RegistrationMode      *string
	RegistrationOpensSet  bool
	RegistrationOpensAt   *time.Time
	RegistrationClosesSet bool
	RegistrationClosesAt  *time.Time
	Series                *string
	Hosts                 *[]HostInput
	Questions             *[]QuestionInput
	// Allocations replaces the event's reserved places (ReplaceAllocations).
	Allocations          *[]AllocationInput
	CancelMessage        *string
	ReminderHours        *int
	AnswersRetentionDays *int
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
	validateEventInput(in, v)
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
		if in.Allocations != nil {
			if err := ReplaceAllocations(tx, ev, *in.Allocations, userID, now); err != nil {
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
		askedDietary := !ev.SkipDietary
		v := &ValidationError{}
		validateEventInput(in, v) // capacities included, which are applied below
		capIn, onlineIn := in.CapacitySet, in.OnlineCapacitySet
		in.CapacitySet, in.OnlineCapacitySet = false, false // applied below, under the rules
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
				v.Add(map[string]string{InPerson: "in_person", Online: "online"}[mode],
					fmt.Sprintf("%d registrations are for attending %s: cancel them before you stop offering it", active, ModeWords(mode)))
			}
		}
		if !ev.InPerson && ev.Reserved > 0 {
			v.Add("in_person", fmt.Sprintf("%d in-person places are reserved for communities: release or remove them before you stop offering in-person places", ev.Reserved))
		}
		if err := v.Err(); err != nil {
			return err
		}
		after := snapshot(ev)
		if before != after {
			ev.Sequence++
		}
		recordMove(ev, before)
		if before.Status != after.Status {
			ev.StatusChangeAt = &now
		}
		ev.UpdatedAt = now
		ev.Revision++ // the row is locked: no other writer can have bumped it
		hosts := ev.Hosts
		if err := tx.Model(ev).Select("*").Omit("id", "created_at", "taken", "online_taken", "reserved", "waitlist_seq", "capacity", "online_capacity", "Hosts", "Questions", "Series").Updates(ev).Error; err != nil {
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
		if askedDietary && ev.SkipDietary {
			if err := tx.Model(&Registration{}).Where("event_id = ?", ev.ID).
				UpdateColumns(map[string]any{"dietary": "", "dietary_other": "", "guest_dietary": "[]"}).Error; err != nil {
				return err
			}
		}
		if in.Questions != nil {
			if err := replaceQuestions(tx, ev, *in.Questions); err != nil {
				return err
			}
		}
		// Allocations go first when the capacity is lowered (or made
		// unlimited), so that fewer reserved places can make room for it.
		allocFirst := capIn && (in.Capacity == nil || (ev.Capacity != nil && *in.Capacity < *ev.Capacity))
		if in.Allocations != nil && allocFirst {
			if err := ReplaceAllocations(tx, ev, *in.Allocations, userID, now); err != nil {
				return err
			}
		}
		if capIn {
			if err := setCapacityLocked(tx, ev, InPerson, in.Capacity, userID, now); err != nil {
				return err
			}
		}
		if in.Allocations != nil && !allocFirst {
			if err := ReplaceAllocations(tx, ev, *in.Allocations, userID, now); err != nil {
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
			if _, err := newLedger(tx, ev).promoteAll(now); err != nil {
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

// recordMove keeps the start a public event was first announced with once
// its start is moved (schema.org's previousStartDate), however often it
// moves; a draft's moves were never announced, and an event moved back to
// that first start is no longer moved.
func recordMove(ev *Event, before eventSnapshot) {
	switch {
	case before.Status == StatusDraft || before.StartsAt.Equal(ev.StartsAt):
	case ev.PreviousStartsAt == nil:
		first := before.StartsAt
		ev.PreviousStartsAt = &first
	case ev.PreviousStartsAt.Equal(ev.StartsAt):
		ev.PreviousStartsAt = nil
	}
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

// applyEventInput applies in to ev in three steps: the organisations and
// series it names are looked up, the values are copied onto ev, and the
// event they make is checked (times in order, a way to attend, iftar time).
// Every problem goes into v, after those validateEventInput found in the
// input itself (the caller runs it first); a value v already refuses is not
// applied, so the later steps reason only about accepted values. It returns
// an error only for storage failures; when v holds problems the caller
// discards ev.
func applyEventInput(tx *gorm.DB, ev *Event, in EventInput, v *ValidationError) error {
	refs, err := lookupEventRefs(tx, in, v)
	if err != nil {
		return err
	}
	copyEventInput(ev, in, refs, v)
	checkEvent(ev, v)
	applyIftar(ev, v)
	return nil
}

// eventRefs are the rows an EventInput names by slug.
type eventRefs struct {
	series *uint // nil: no series
	hosts  []EventHost
}

// lookupEventRefs finds the series and hosts in names; a slug that names
// nothing is a problem in v.
func lookupEventRefs(tx *gorm.DB, in EventInput, v *ValidationError) (eventRefs, error) {
	var refs eventRefs
	if s := str(in.Series); s != "" {
		var se Series
		if err := tx.Where("slug = ?", s).Take(&se).Error; err != nil {
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return refs, err
			}
			v.Add("series", "No series has that slug")
		} else {
			refs.series = &se.ID
		}
	}
	if in.Hosts == nil {
		return refs, nil
	}
	seen := map[string]bool{}
	for i, h := range *in.Hosts {
		var org Organisation
		if err := tx.Where("slug = ?", strings.TrimSpace(h.Organisation)).Take(&org).Error; err != nil {
			if !errors.Is(err, gorm.ErrRecordNotFound) {
				return refs, err
			}
			v.Add(fmt.Sprintf("hosts.%d", i), "No organisation has the slug "+h.Organisation)
			continue
		}
		if seen[org.Slug] {
			continue
		}
		seen[org.Slug] = true
		refs.hosts = append(refs.hosts, EventHost{OrganisationID: org.ID, Organisation: org, Role: hostRole(h, i)})
	}
	return refs, nil
}

// hostRole is the role of the i-th host: as given, else host for the
// first and co-host for the others.
func hostRole(h HostInput, i int) string {
	switch {
	case h.Role != "":
		return h.Role
	case i == 0:
		return RoleHost
	}
	return RoleCoHost
}

// copyEventInput copies the values of in that v does not refuse onto ev.
func copyEventInput(ev *Event, in EventInput, refs eventRefs, v *ValidationError) {
	ok := func(field string) bool {
		_, refused := v.Fields[field]
		return !refused
	}
	if in.Title != nil && ok("title") {
		ev.Title = str(in.Title)
	}
	if s := str(in.Slug); s != "" && ok("slug") {
		ev.Slug = s
	}
	if in.Summary != nil && ok("summary") {
		ev.Summary = str(in.Summary)
	}
	if in.Description != nil && ok("description") {
		ev.Description = strings.TrimSpace(*in.Description)
	}
	if in.Kind != nil && ok("kind") {
		ev.Kind = *in.Kind
	}
	if in.Status != nil && ok("status") {
		was := ev.Status
		ev.Status = *in.Status
		switch {
		case ev.Status == StatusPostponed:
			ev.Tentative = true // postponed: the date is not final
		case was == StatusPostponed && ev.Status == StatusPublished:
			ev.Tentative = false // published again: final, unless in says otherwise below
		}
	}
	if in.Tentative != nil {
		ev.Tentative = *in.Tentative
	}
	if in.Timezone != nil && ok("timezone") {
		ev.Timezone = str(in.Timezone)
	}
	if in.InPerson != nil {
		ev.InPerson = *in.InPerson
	}
	if in.Online != nil {
		ev.Online = *in.Online
	}
	if vin := in.Venue; vin != nil {
		if vin.Name != nil {
			ev.VenueName = str(vin.Name)
		}
		if vin.Address != nil {
			ev.VenueAddress = str(vin.Address)
		}
		if vin.Latitude != nil {
			ev.Latitude = vin.Latitude
		}
		if vin.Longitude != nil {
			ev.Longitude = vin.Longitude
		}
		if vin.AccessNotes != nil {
			ev.AccessNotes = strings.TrimSpace(*vin.AccessNotes)
		}
		if vin.AddressVisibility != nil && ok("venue.address_visibility") {
			ev.AddressVisibility = str(vin.AddressVisibility)
		}
	}
	if in.StreamURL != nil {
		ev.StreamURL = str(in.StreamURL)
	}
	if in.CapacitySet {
		ev.Capacity = in.Capacity
	}
	if in.OnlineCapacitySet {
		ev.OnlineCapacity = in.OnlineCapacity
	}
	if in.MaxGuests != nil && ok("max_guests") {
		ev.MaxGuests = *in.MaxGuests
	}
	if in.Waitlist != nil {
		ev.Waitlist = *in.Waitlist
	}
	if in.AskDietary != nil {
		ev.SkipDietary = !*in.AskDietary
	}
	if in.RegistrationMode != nil && ok("registration_mode") {
		ev.RegistrationMode = str(in.RegistrationMode)
	}
	if in.RegistrationOpensSet {
		ev.RegistrationOpensAt = utcPtr(in.RegistrationOpensAt)
	}
	if in.RegistrationClosesSet {
		ev.RegistrationClosesAt = utcPtr(in.RegistrationClosesAt)
	}
	if in.CancelMessage != nil {
		ev.CancelMessage = strings.TrimSpace(*in.CancelMessage)
	}
	if in.ReminderHours != nil && ok("reminder_hours") {
		ev.ReminderHours = *in.ReminderHours
	}
	if in.AnswersRetentionDays != nil && ok("answers_retention_days") {
		ev.AnswersRetentionDays = *in.AnswersRetentionDays
	}
	copyTimes(ev, in, ok, v)
	if in.Series != nil && ok("series") {
		ev.SeriesID = refs.series
	}
	if in.Hosts != nil {
		ev.Hosts = refs.hosts
	}
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// copyTimes sets the start rule and StartsAt and EndsAt from explicit
// times (an end left out follows the start by the event's duration, or two
// hours); a start that follows the sun is set by applyIftar. A start given
// without a rule for an event that followed the sun fixes its time; times
// given with the sunset rule, or an end alone for it, are refused in v
// rather than dropped.
func copyTimes(ev *Event, in EventInput, ok func(field string) bool, v *ValidationError) {
	switch {
	case in.StartRule != nil && ok("start_rule"):
		ev.StartRule = str(in.StartRule)
		if ev.StartRule == "fixed" {
			ev.StartRule = ""
		}
	case in.StartRule == nil && in.StartsAt != nil && ev.StartRule == "sunset":
		ev.StartRule = ""
	}
	if in.Date != nil && ok("date") {
		ev.LocalDate = str(in.Date)
	}
	if in.SunsetOffsetMinutes != nil && ok("sunset_offset_minutes") {
		ev.SunsetOffsetMinutes = *in.SunsetOffsetMinutes
	}
	if in.DurationMinutes != nil && ok("duration_minutes") {
		ev.DurationMinutes = *in.DurationMinutes
	}
	if ev.StartRule == "sunset" {
		// Timed by applyIftar once the hosts are known.
		if in.StartsAt != nil {
			v.Add("starts_at", "The start follows the sunset: leave starts_at out, or set start_rule to fixed")
		}
		if in.EndsAt != nil {
			v.Add("ends_at", "The end of a start that follows the sunset comes from duration_minutes: set that instead, or give a fixed start")
		}
		return
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
}
