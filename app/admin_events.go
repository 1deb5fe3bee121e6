package app

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"convene/calendar"
	"convene/models"
)

// questionForm is one row of the custom questions in the event editor.
type questionForm struct {
	Key, Label, Hint, Kind, Options string
	Required                        bool
}

// eventForm holds the event editor's fields as typed, so that a form with
// errors shows them again. Times are local to the event's time zone, in the
// format of <input type="datetime-local">.
type eventForm struct {
	Version                                                          string
	Slug, Title, Summary, Description, Kind                          string
	Tentative                                                        bool
	Timezone, StartsAt, EndsAt                                       string
	StartRule, Date, SunsetOffset, Duration                          string
	Format                                                           string
	VenueName, VenueAddress, Latitude, Longitude, AccessNotes, AddrV string
	StreamURL                                                        string
	Capacity, OnlineCapacity, MaxGuests                              string
	Waitlist                                                         bool
	AskDietary                                                       bool
	RegistrationMode                                                 string
	RegOpens, RegCloses                                              string
	Series, Host                                                     string
	CoHosts                                                          []string
	ReminderHours                                                    string
	AnswersDays                                                      string
	Questions                                                        []questionForm
}

// eventFieldOrder is the order of the editor's fields, for the error summary.
var eventFieldOrder = []string{"form", "title", "slug", "summary", "description", "kind", "host", "co_hosts", "series",
	"timezone", "start_rule", "starts_at", "ends_at", "date", "sunset_offset_minutes", "duration_minutes", "tentative",
	"format", "venue.name", "venue.address", "venue.latitude", "venue.longitude", "venue.access_notes",
	"venue.address_visibility", "stream_url", "capacity", "online_capacity", "max_guests", "waitlist",
	"registration_mode", "registration_opens_at", "registration_closes_at", "reminder_hours", "answers_retention_days"}

const localTimeLayout = "2006-01-02T15:04"

func localInput(t *time.Time, tz string) string {
	if t == nil || t.IsZero() {
		return ""
	}
	return inZone(*t, tz).Format(localTimeLayout)
}

func optionalInt(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func optionalFloat(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

// blankQuestions is how many empty question rows the editor offers.
const blankQuestions = 2

// formFromEvent fills the editor with an event as stored.
func formFromEvent(ev *models.Event) eventForm {
	f := eventForm{Version: models.EventVersion(ev), Slug: ev.Slug, Title: ev.Title, Summary: ev.Summary, Description: ev.Description,
		Kind: ev.Kind, Tentative: ev.Tentative, Timezone: ev.Timezone,
		StartsAt: localInput(&ev.StartsAt, ev.Timezone), EndsAt: localInput(&ev.EndsAt, ev.Timezone),
		StartRule: "fixed", Date: ev.LocalDate, SunsetOffset: strconv.Itoa(ev.SunsetOffsetMinutes),
		VenueName: ev.VenueName, VenueAddress: ev.VenueAddress, Latitude: optionalFloat(ev.Latitude), Longitude: optionalFloat(ev.Longitude),
		AccessNotes: ev.AccessNotes, AddrV: ev.AddressVisibility, StreamURL: ev.StreamURL,
		Capacity: optionalInt(ev.Capacity), OnlineCapacity: optionalInt(ev.OnlineCapacity), MaxGuests: strconv.Itoa(ev.MaxGuests),
		Waitlist: ev.Waitlist, AskDietary: !ev.SkipDietary, RegistrationMode: ev.RegistrationMode, RegOpens: localInput(ev.RegistrationOpensAt, ev.Timezone), RegCloses: localInput(ev.RegistrationClosesAt, ev.Timezone),
		ReminderHours: strconv.Itoa(ev.ReminderHours), AnswersDays: strconv.Itoa(ev.AnswersRetentionDays)}
	if ev.DurationMinutes > 0 {
		f.Duration = strconv.Itoa(ev.DurationMinutes)
	}
	if ev.StartRule == "sunset" {
		f.StartRule = "sunset"
	}
	switch {
	case ev.Hybrid():
		f.Format = "hybrid"
	case ev.Online:
		f.Format = "online"
	default:
		f.Format = "in_person"
	}
	if ev.Series != nil {
		f.Series = ev.Series.Slug
	}
	for i, h := range ev.Hosts {
		if i == 0 {
			f.Host = h.Organisation.Slug
		} else {
			f.CoHosts = append(f.CoHosts, h.Organisation.Slug)
		}
	}
	for _, q := range ev.Questions {
		f.Questions = append(f.Questions, questionForm{Key: q.Key, Label: q.Label, Hint: q.Hint, Kind: q.Kind, Options: q.Options, Required: q.Required})
	}
	f.Questions = append(f.Questions, make([]questionForm, blankQuestions)...)
	return f
}

// newEventForm is the editor for a new event hosted by host.
func newEventForm(host *models.Organisation) eventForm {
	f := eventForm{Kind: models.KindMeeting, Format: "in_person", StartRule: "fixed", Waitlist: true, AskDietary: true, MaxGuests: "0", RegistrationMode: models.ModeInstant,
		AddrV: models.AddressPublic, ReminderHours: "24", AnswersDays: strconv.Itoa(models.DefaultAnswersRetentionDays), SunsetOffset: "0", Timezone: "Europe/London",
		Questions: make([]questionForm, blankQuestions)}
	if host != nil {
		f.Host, f.Timezone = host.Slug, host.Timezone
	}
	return f
}

func checked(c *fiber.Ctx, name string) bool {
	switch c.FormValue(name) {
	case "on", "yes", "true", "1":
		return true
	}
	return false
}

// parseEventForm reads the editor's fields as typed.
func parseEventForm(c *fiber.Ctx) eventForm {
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	f := eventForm{Version: v("version"), Slug: v("slug"), Title: v("title"), Summary: v("summary"), Description: c.FormValue("description"),
		Kind: v("kind"), Tentative: checked(c, "tentative"), Timezone: v("timezone"), StartsAt: v("starts_at"), EndsAt: v("ends_at"),
		StartRule: v("start_rule"), Date: v("date"), SunsetOffset: v("sunset_offset_minutes"), Duration: v("duration_minutes"),
		Format: v("format"), VenueName: v("venue.name"), VenueAddress: v("venue.address"), Latitude: v("venue.latitude"),
		Longitude: v("venue.longitude"), AccessNotes: v("venue.access_notes"), AddrV: v("venue.address_visibility"),
		StreamURL: v("stream_url"), Capacity: v("capacity"), OnlineCapacity: v("online_capacity"), MaxGuests: v("max_guests"),
		Waitlist: checked(c, "waitlist"), AskDietary: checked(c, "ask_dietary"), RegistrationMode: v("registration_mode"), RegOpens: v("registration_opens_at"), RegCloses: v("registration_closes_at"),
		Series: v("series"), Host: v("host"), ReminderHours: v("reminder_hours"),
		AnswersDays: v("answers_retention_days")}
	for _, h := range c.Context().PostArgs().PeekMulti("co_hosts") {
		if s := strings.TrimSpace(string(h)); s != "" && s != f.Host {
			f.CoHosts = append(f.CoHosts, s)
		}
	}
	for i := 0; i < 50; i++ {
		p := fmt.Sprintf("questions.%d.", i)
		if !c.Context().PostArgs().Has(p + "kind") {
			break
		}
		f.Questions = append(f.Questions, questionForm{Key: v(p + "key"), Label: v(p + "label"), Hint: v(p + "hint"),
			Kind: v(p + "kind"), Options: c.FormValue(p + "options"), Required: checked(c, p+"required")})
	}
	return f
}

// input turns the form into an EventInput, with messages for what cannot
// be parsed. The model validates the rest. qRows maps the index of each
// question passed on to the form row it came from.
func (f eventForm) input(isNew bool) (in models.EventInput, qRows []int, errs map[string]string) {
	errs = map[string]string{}
	s := func(v string) *string { return &v }
	in = models.EventInput{Title: s(f.Title), Summary: s(f.Summary), Description: s(f.Description), Kind: s(f.Kind),
		Tentative: &f.Tentative, StreamURL: s(f.StreamURL), Waitlist: &f.Waitlist, AskDietary: &f.AskDietary, Series: s(f.Series)}
	if f.RegistrationMode != "" {
		in.RegistrationMode = s(f.RegistrationMode)
	}
	if f.Slug != "" || !isNew {
		in.Slug = s(f.Slug)
	}
	if f.Timezone != "" || !isNew {
		in.Timezone = s(f.Timezone)
	}
	loc, err := time.LoadLocation(f.Timezone)
	if err != nil || f.Timezone == "" {
		loc = time.UTC
	}
	// whole reads a whole number; its range is models.CheckEventLimits'
	// (below), whose message also tells what to type.
	whole := func(field, value string) *int {
		n, err := strconv.Atoi(value)
		if err != nil {
			errs[field] = models.EventLimit(field).Message
			return nil
		}
		return &n
	}
	localTime := func(field, value string) *time.Time {
		t, err := time.ParseInLocation(localTimeLayout, value, loc)
		if err != nil {
			errs[field] = "Enter a date and time, like 2027-02-20 19:00"
			return nil
		}
		return &t
	}
	t, fa := true, false
	switch f.Format {
	case "in_person":
		in.InPerson, in.Online = &t, &fa
	case "online":
		in.InPerson, in.Online = &fa, &t
	case "hybrid":
		in.InPerson, in.Online = &t, &t
	default:
		errs["format"] = "Choose in person, online or both"
	}
	if f.StartRule == "sunset" {
		in.StartRule, in.Date = s("sunset"), s(f.Date)
		in.SunsetOffsetMinutes = whole("sunset_offset_minutes", orZero(f.SunsetOffset))
		if f.Duration != "" {
			in.DurationMinutes = whole("duration_minutes", f.Duration)
		}
	} else {
		in.StartRule = s("fixed")
		if f.StartsAt == "" {
			errs["starts_at"] = "Enter when the event starts"
		} else {
			in.StartsAt = localTime("starts_at", f.StartsAt)
		}
		if f.EndsAt != "" {
			in.EndsAt = localTime("ends_at", f.EndsAt)
		}
	}
	venue := &models.VenueInput{Name: s(f.VenueName), Address: s(f.VenueAddress), AccessNotes: s(f.AccessNotes), AddressVisibility: s(f.AddrV)}
	coord := func(field, value string) *float64 {
		if value == "" {
			return nil
		}
		x, err := strconv.ParseFloat(value, 64)
		if err != nil {
			errs[field] = "Enter a number, like 51.5072"
			return nil
		}
		return &x
	}
	venue.Latitude, venue.Longitude = coord("venue.latitude", f.Latitude), coord("venue.longitude", f.Longitude)
	if venue.AddressVisibility != nil && *venue.AddressVisibility == "" {
		venue.AddressVisibility = s(models.AddressPublic)
	}
	in.Venue = venue
	capacity := func(field, value string) *int {
		if value == "" {
			return nil // unlimited
		}
		return whole(field, value)
	}
	in.CapacitySet, in.Capacity = true, capacity("capacity", f.Capacity)
	in.OnlineCapacitySet, in.OnlineCapacity = true, capacity("online_capacity", f.OnlineCapacity)
	in.MaxGuests = whole("max_guests", orZero(f.MaxGuests))
	in.ReminderHours = whole("reminder_hours", orZero(f.ReminderHours))
	if f.AnswersDays != "" { // empty: the default for a new event, unchanged for an old one
		in.AnswersRetentionDays = whole("answers_retention_days", f.AnswersDays)
	}
	in.RegistrationOpensSet, in.RegistrationClosesSet = true, true
	if f.RegOpens != "" {
		in.RegistrationOpensAt = localTime("registration_opens_at", f.RegOpens)
	}
	if f.RegCloses != "" {
		in.RegistrationClosesAt = localTime("registration_closes_at", f.RegCloses)
	}
	if f.Host == "" {
		errs["host"] = "Choose the hosting organisation"
	}
	hosts := []models.HostInput{{Organisation: f.Host, Role: models.RoleHost}}
	for _, h := range f.CoHosts {
		hosts = append(hosts, models.HostInput{Organisation: h, Role: models.RoleCoHost})
	}
	in.Hosts = &hosts
	qs := []models.QuestionInput{}
	for i, q := range f.Questions {
		if q.Label == "" && strings.TrimSpace(q.Options) == "" {
			continue // an empty row, or a question cleared to remove it
		}
		var opts []string
		for _, o := range strings.Split(q.Options, "\n") {
			if o = strings.TrimSpace(o); o != "" {
				opts = append(opts, o)
			}
		}
		qs = append(qs, models.QuestionInput{Key: q.Key, Label: q.Label, Hint: q.Hint, Kind: q.Kind, Options: opts, Required: q.Required})
		qRows = append(qRows, i)
	}
	in.Questions = &qs
	for field, msg := range validationFields(models.CheckEventLimits(in)) {
		if errs[field] == "" {
			errs[field] = msg
		}
	}
	return in, qRows, errs
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

// editorField maps a model's field name to the editor's input.
func editorField(field string, qRows []int) string {
	switch {
	case field == "in_person" || field == "online":
		return "format"
	case strings.HasPrefix(field, "hosts."):
		return "host"
	case strings.HasPrefix(field, "questions."):
		n, err := strconv.Atoi(strings.TrimPrefix(field, "questions."))
		if err == nil && n >= 0 && n < len(qRows) {
			return fmt.Sprintf("questions.%d.label", qRows[n])
		}
		return "questions.0.label"
	}
	return field
}

// eventEditor is the data of the event editor page.
type eventEditor struct {
	New      bool
	Event    *models.Event
	Form     eventForm
	Errors   map[string]string
	ErrList  []fieldError
	Kinds    []string
	Orgs     []models.Organisation
	Series   []models.Series
	Saved    bool
	Warnings []Warning
	QKinds   []string
	// Preview is the form applied but not saved ("Check the time and
	// dates"); Checked says the warnings are of the form as typed.
	Preview *models.Event
	Checked bool
	// Iftar is the iftar time of the event as saved or previewed, and Plan
	// the dates to consider, for the host's community.
	Iftar string
	Plan  planning
	// RetentionDays is RETENTION_DAYS, for the privacy hint.
	RetentionDays int
}

var questionKinds = []string{models.QuestionShortText, models.QuestionLongText, models.QuestionSingle, models.QuestionMultiple, models.QuestionCheckbox}

func (a *App) renderEditor(c *fiber.Ctx, status int, d eventEditor) error {
	var err error
	if d.Orgs, err = models.Organisations(a.dbc(c).Read); err != nil {
		return err
	}
	if d.Series, err = models.AllSeries(a.dbc(c).Read); err != nil {
		return err
	}
	d.Kinds, d.QKinds, d.RetentionDays = models.Kinds, questionKinds, a.cfg.RetentionDays
	d.ErrList = formErrors(d.Errors, eventFieldOrder)
	switch {
	case d.Preview != nil:
		d.Iftar = iftarLine(d.Preview)
	case d.Event != nil && len(d.Errors) == 0:
		d.Iftar = iftarLine(d.Event)
	}
	plan, err := a.planning(c, a.editorHost(c, d))
	if err != nil {
		return err
	}
	d.Plan = plan
	title := "New event"
	if !d.New {
		title = "Edit: " + d.Event.Title
	}
	if len(d.Errors) > 0 {
		title = "Error: " + title
	}
	return a.renderAdmin(c, status, "admin_event_form", title, "events", d)
}

// eventsList is the organiser's list of events.
type eventsList struct {
	Upcoming   []EventView
	Past       []models.Event
	Duplicated int
}

func (a *App) eventsPage(c *fiber.Ctx) error {
	u := staff(c)
	up, err := models.StaffEvents(a.dbc(c).Read, u, models.ActManage, a.now())
	if err != nil {
		return err
	}
	past, err := models.PastStaffEvents(a.dbc(c).Read, u, a.now(), 50)
	if err != nil {
		return err
	}
	views, err := a.eventViews(c, up)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(c.Query("duplicated"))
	return a.renderAdmin(c, 200, "admin_events", "Events", "events", eventsList{Upcoming: views, Past: past, Duplicated: n})
}

// eventViews adds availability and waitlists to events.
func (a *App) eventViews(c *fiber.Ctx, evs []models.Event) ([]EventView, error) {
	ids := make([]uint, len(evs))
	for i := range evs {
		ids[i] = evs[i].ID
	}
	wl, err := models.WaitlistLengths(a.dbc(c).Read, ids)
	if err != nil {
		return nil, err
	}
	out := make([]EventView, len(evs))
	for i := range evs {
		out[i] = a.eventView(&evs[i], wl[evs[i].ID])
	}
	return out, nil
}

// firstOwnOrg is the first organisation the user organises, if any.
func (a *App) firstOwnOrg(c *fiber.Ctx, u *models.User) *models.Organisation {
	for _, m := range u.Memberships {
		if m.Role == models.MemberDoor {
			continue
		}
		if o, err := models.OrganisationByID(a.dbc(c).Read, m.OrganisationID); err == nil {
			return o
		}
	}
	return nil
}

// newEventPage opens the editor for a new event; ?date=YYYY-MM-DD and
// ?kind= (from the suggestions of dates to consider) fill the form in.
func (a *App) newEventPage(c *fiber.Ctx) error {
	f := newEventForm(a.firstOwnOrg(c, staff(c)))
	if d, err := calendar.ParseDate(c.Query("date")); err == nil && d.Year >= 2000 && d.Year <= 2200 {
		f.Date, f.StartsAt = d.String(), d.String()+"T19:00"
	}
	if k := c.Query("kind"); contains(models.Kinds, k) {
		f.Kind = k
	}
	return a.renderEditor(c, 200, eventEditor{New: true, Form: f})
}

// checkHosts applies the host rule (models.CheckHosts) to the editor's
// hosts, with its message beside the host field.
func (a *App) checkHosts(c *fiber.Ctx, u *models.User, in models.EventInput, errs map[string]string) error {
	if in.Hosts == nil || errs["host"] != "" {
		return nil
	}
	err := models.CheckHosts(a.dbc(c).Read, u, *in.Hosts)
	var he *models.HostsError
	if errors.As(err, &he) {
		errs["host"] = he.Error()
		return nil
	}
	return err
}

func (a *App) createEvent(c *fiber.Ctx) error {
	u := staff(c)
	f := parseEventForm(c)
	var defaultHost *uint
	if host, err := models.OrganisationBySlug(a.dbc(c).Read, f.Host); err == nil {
		defaultHost = &host.ID
		if f.Timezone == "" {
			f.Timezone = host.Timezone // the times typed are the host's local times
		}
	}
	in, qRows, errs := f.input(true)
	if err := a.checkHosts(c, u, in, errs); err != nil {
		return err
	}
	if len(errs) > 0 {
		return a.renderEditor(c, 422, eventEditor{New: true, Form: f, Errors: errs})
	}
	if c.FormValue("check") != "" {
		return a.checkEvent(c, eventEditor{New: true, Form: f, Errors: errs}, "", in, qRows, defaultHost)
	}
	ev, err := models.CreateEvent(a.dbc(c).DB, in, &u.ID, defaultHost, a.now())
	a.events.reset()
	if fields := validationFields(err); fields != nil {
		for k, m := range fields {
			errs[editorField(k, qRows)] = m
		}
		return a.renderEditor(c, 422, eventEditor{New: true, Form: f, Errors: errs})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/events/"+ev.Slug+"/edit?saved=1", fiber.StatusSeeOther)
}

func (a *App) editEventPage(c *fiber.Ctx) error {
	ev, _, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	return a.renderEditor(c, 200, eventEditor{Event: ev, Form: formFromEvent(ev), Saved: c.Query("saved") == "1", Warnings: a.eventWarnings(ev)})
}

// conflictMessage explains a refused stale form.
const conflictMessage = "Someone else changed this event after you opened this page, so your changes have not been saved. Open the event again to see the latest version, then make your changes again."

// saveError shows an update's refusal on the editor: a stale form (409),
// a capacity below the confirmed places or invalid fields (422).
func (a *App) saveError(c *fiber.Ctx, ev *models.Event, f eventForm, qRows []int, errs map[string]string, err error) error {
	var ce *models.CapacityError
	status := 422
	switch {
	case errors.Is(err, models.ErrConflict):
		status = fiber.StatusConflict
		errs["form"] = conflictMessage
	case errors.As(err, &ce):
		field := "capacity"
		if ce.Attendance == models.Online {
			field = "online_capacity"
		}
		errs[field] = ce.Error()
	case validationFields(err) != nil:
		for k, m := range validationFields(err) {
			errs[editorField(k, qRows)] = m
		}
	default:
		return err
	}
	return a.renderEditor(c, status, eventEditor{Event: ev, Form: f, Errors: errs})
}

func (a *App) updateEvent(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	f := parseEventForm(c)
	in, qRows, errs := f.input(false)
	if err := a.checkHosts(c, u, in, errs); err != nil {
		return err
	}
	if len(errs) > 0 {
		return a.renderEditor(c, 422, eventEditor{Event: ev, Form: f, Errors: errs})
	}
	if c.FormValue("check") != "" {
		return a.checkEvent(c, eventEditor{Event: ev, Form: f, Errors: errs}, ev.Slug, in, qRows, nil)
	}
	updated, err := models.EditEvent(a.dbc(c).DB, ev.Slug, f.Version, in, &u.ID, a.now())
	a.events.reset()
	if err != nil {
		return a.saveError(c, ev, f, qRows, errs, err)
	}
	return c.Redirect("/admin/events/"+updated.Slug+"/edit?saved=1", fiber.StatusSeeOther)
}

// previewEvent shows the public page of an event, drafts included.
func (a *App) previewEvent(c *fiber.Ctx) error {
	ev, _, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	wl, err := models.WaitlistLength(a.dbc(c).Read, ev.ID)
	if err != nil {
		return err
	}
	p, err := a.eventPageData(c, ev, wl, registrationForm{Guests: "0"}, nil)
	if err != nil {
		return err
	}
	p.Title = "Preview: " + p.Title
	p.Flash = "Preview of the public page. This event is " + ev.Status + ": use your browser's back button to return to the editor."
	return a.render(c, 200, "event", p)
}

// statusActions are the status buttons of the editor.
var statusActions = map[string]string{"publish": models.StatusPublished, "unpublish": models.StatusDraft, "postpone": models.StatusPostponed}

func (a *App) changeEventStatus(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	status, ok := statusActions[c.FormValue("action")]
	if !ok {
		return fiber.NewError(fiber.StatusBadRequest, "Choose publish, unpublish or postpone.")
	}
	_, err = models.UpdateEventIfUnchanged(a.dbc(c).DB, ev.Slug, c.FormValue("version"), models.EventInput{Status: &status}, &u.ID, a.now())
	a.events.reset()
	if errors.Is(err, models.ErrConflict) {
		return fiber.NewError(fiber.StatusConflict, conflictMessage)
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/events/"+ev.Slug+"/edit?saved=1", fiber.StatusSeeOther)
}

// cancelForm is the page that confirms cancelling an event.
type cancelForm struct {
	Event   *models.Event
	Version string
	Message string
	People  int
	Errors  map[string]string
	ErrList []fieldError
}

func (a *App) cancelEventPage(c *fiber.Ctx) error {
	ev, _, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	return a.renderAdmin(c, 200, "admin_event_cancel", "Cancel "+ev.Title+"?", "events",
		cancelForm{Event: ev, Version: models.EventVersion(ev), Message: ev.CancelMessage, People: ev.Taken + ev.OnlineTaken})
}

func (a *App) cancelEvent(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	msg := strings.TrimSpace(c.FormValue("cancel_message"))
	if len([]rune(msg)) > 2000 {
		errs := map[string]string{"cancel_message": "The message must be 2,000 characters or fewer"}
		return a.renderAdmin(c, 422, "admin_event_cancel", "Error: cancel "+ev.Title+"?", "events",
			cancelForm{Event: ev, Version: c.FormValue("version"), Message: msg, People: ev.Taken + ev.OnlineTaken, Errors: errs, ErrList: formErrors(errs, nil)})
	}
	st := models.StatusCancelled
	_, err = models.UpdateEventIfUnchanged(a.dbc(c).DB, ev.Slug, c.FormValue("version"), models.EventInput{Status: &st, CancelMessage: &msg}, &u.ID, a.now())
	a.events.reset()
	if errors.Is(err, models.ErrConflict) {
		errs := map[string]string{"form": conflictMessage}
		return a.renderAdmin(c, 409, "admin_event_cancel", "Error: cancel "+ev.Title+"?", "events",
			cancelForm{Event: ev, Version: c.FormValue("version"), Message: msg, People: ev.Taken + ev.OnlineTaken, Errors: errs, ErrList: formErrors(errs, nil)})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/events/"+ev.Slug+"/edit?saved=1", fiber.StatusSeeOther)
}

// duplicateForm picks the dates of an event's copies.
type duplicateForm struct {
	Event   *models.Event
	Dates   []string
	Errors  map[string]string
	ErrList []fieldError
}

// duplicateRows is how many date inputs the duplicate page offers.
const duplicateRows = 7

func (a *App) duplicatePage(c *fiber.Ctx) error {
	ev, _, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	return a.renderAdmin(c, 200, "admin_event_duplicate", "Duplicate "+ev.Title, "events", duplicateForm{Event: ev, Dates: make([]string, duplicateRows)})
}

func (a *App) duplicateEvent(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	var typed, dates []string
	for _, d := range c.Context().PostArgs().PeekMulti("dates") {
		s := strings.TrimSpace(string(d))
		typed = append(typed, s)
		if s != "" {
			dates = append(dates, s)
		}
	}
	for len(typed) < duplicateRows {
		typed = append(typed, "")
	}
	copies, err := models.DuplicateEvent(a.dbc(c).DB, ev.Slug, dates, &u.ID, a.now())
	a.events.reset()
	if fields := validationFields(err); fields != nil {
		// A copy's own problem (no sunset that day) is about the dates too.
		var msgs []string
		for _, k := range sortedKeys(fields) {
			msgs = append(msgs, fields[k])
		}
		errs := map[string]string{"dates": strings.Join(msgs, ". ")}
		return a.renderAdmin(c, 422, "admin_event_duplicate", "Error: duplicate "+ev.Title, "events",
			duplicateForm{Event: ev, Dates: typed, Errors: errs, ErrList: formErrors(errs, nil)})
	}
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/admin/events?duplicated=%d", len(copies)), fiber.StatusSeeOther)
}
