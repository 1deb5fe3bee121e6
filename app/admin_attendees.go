package app

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// attendeesData is the attendees page of an event.
type attendeesData struct {
	Event     *models.Event
	Filter    models.AttendeeFilter
	Regs      []models.Registration
	Positions map[uint]int
	Summary   models.AttendeeSummary
	PlacesIn  *int
	PlacesOn  *int
	Statuses  []string
	Notice    string
	Error     string
	Done      *regDone
	// Now and UndoMinutes: which cancellations can still be undone.
	Now         time.Time
	UndoMinutes int
	// Reserved splits the registrations by the allocation they came
	// through; Through names each such registration's allocation.
	Reserved []models.AllocationTally
	Through  map[uint]string
}

func attendeeFilter(c *fiber.Ctx) models.AttendeeFilter {
	f := models.AttendeeFilter{Query: c.Query("q")}
	if s := c.Query("status"); contains(models.RegStatuses, s) {
		f.Status = s
	}
	if s := c.Query("attendance"); s == models.InPerson || s == models.Online {
		f.Attendance = s
	}
	if s := c.Query("checked_in"); s == "yes" || s == "no" {
		f.CheckedIn = s
	}
	return f
}

// attendeeNotices are the messages shown after an action on the list.
var attendeeNotices = map[string]string{
	"added":    "The registration has been added.",
	"promoted": "The registration has been moved up from the waitlist and the person emailed.",
}

func (a *App) attendeesPage(c *fiber.Ctx) error {
	ev, _, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	notice := attendeeNotices[c.Query("done")]
	if notice == "" {
		notice = requestNotice(c)
	}
	d := attendeesData{Notice: notice}
	if notice == "" {
		if d.Done, err = a.doneWith(c, ev); err != nil {
			return err
		}
	}
	return a.renderAttendees(c, 200, ev, d)
}

// doneWith is what was just done to one registration (?done=…&reg=ID), to
// say so by name, with an undo button after a cancellation.
func (a *App) doneWith(c *fiber.Ctx, ev *models.Event) (*regDone, error) {
	what := c.Query("done")
	switch what {
	case "cancelled", "undone", "undone-mailed":
	default:
		return nil, nil
	}
	id, err := strconv.ParseUint(c.Query("reg"), 10, 32)
	if err != nil {
		return nil, nil
	}
	r, err := models.EventRegistration(a.dbc(c).Read, ev.ID, uint(id))
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	d := &regDone{What: what, Reg: r}
	if what != "cancelled" {
		d.Position, err = models.WaitlistPosition(a.dbc(c).Read, r)
	}
	return d, err
}

// regDone is a registration just cancelled, or whose cancellation was
// just undone.
type regDone struct {
	What     string // cancelled; undone (its mail withdrawn) or undone-mailed (told it stands)
	Reg      *models.Registration
	Position int // on the waitlist, after an undo
}

func (a *App) renderAttendees(c *fiber.Ctx, status int, ev *models.Event, d attendeesData) error {
	all, err := models.EventRegistrations(a.dbc(c).Read, ev.ID)
	if err != nil {
		return err
	}
	f := attendeeFilter(c)
	regs, err := models.FindAttendees(a.dbc(c).Read, ev.ID, f)
	if err != nil {
		return err
	}
	purged, err := models.CateringTallies(a.dbc(c).Read, ev.ID)
	if err != nil {
		return err
	}
	allocs, err := models.EventAllocations(a.dbc(c).Read, ev.ID)
	if err != nil {
		return err
	}
	d.Event, d.Filter, d.Regs, d.Summary, d.Positions = ev, f, regs, models.SummariseAttendees(all, purged), waitlistPositions(all)
	d.PlacesIn, d.PlacesOn, d.Statuses, d.Now = ev.PlacesLeft(models.InPerson), ev.PlacesLeft(models.Online), models.RegStatuses, a.now()
	d.UndoMinutes = int(models.CancelUndoWindow / time.Minute)
	d.Reserved, d.Through = models.TallyAllocations(allocs, all), allocationLabels(allocs, all)
	title := "Attendees: " + ev.Title
	if d.Error != "" {
		title = "Error: " + title
	}
	return a.renderAdmin(c, status, "admin_attendees", title, "events", d)
}

// allocationLabels names, for each registration that came through an
// allocation's link, that allocation.
func allocationLabels(allocs []models.Allocation, regs []models.Registration) map[uint]string {
	labels := map[uint]string{}
	for _, al := range allocs {
		labels[al.ID] = al.Label
	}
	out := map[uint]string{}
	for _, r := range regs {
		if r.AllocationID != nil {
			out[r.ID] = labels[*r.AllocationID]
		}
	}
	return out
}

// waitlistPositions numbers waitlisted registrations per mode, in the
// order EventRegistrations gives them.
func waitlistPositions(regs []models.Registration) map[uint]int {
	out := map[uint]int{}
	n := map[string]int{}
	for _, r := range regs {
		if r.Status == models.RegWaitlisted {
			n[r.Attendance]++
			out[r.ID] = n[r.Attendance]
		}
	}
	return out
}

// attendeeForm is the organiser's form to add a registration by hand.
type attendeeForm struct {
	Event   *models.Event
	Form    registrationForm
	Errors  map[string]string
	ErrList []fieldError
	Diets   []string
}

func (a *App) newAttendeePage(c *fiber.Ctx) error {
	ev, _, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	return a.renderAdmin(c, 200, "admin_attendee_form", "Add a registration", "events",
		attendeeForm{Event: ev, Form: registrationForm{Guests: "0"}, Diets: models.DietaryChoices})
}

// addAttendee registers someone on their behalf, through the same capacity
// rules as the public form: confirmed if places fit, else waitlisted.
func (a *App) addAttendee(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	form, in, errs := parseRegistrationForm(c, ev)
	in.ByOrganiser = true // walk-ins at the door come after registration closes
	if err := models.ValidateRegistration(ev, &in); err != nil {
		fields := validationFields(err)
		if fields == nil {
			return err
		}
		for k, v := range fields {
			if _, ok := errs[k]; !ok {
				errs[k] = v
			}
		}
	}
	if len(errs) == 0 {
		var res *models.RegisterResult
		res, err = models.Register(a.dbc(c).DB, a.tok, ev.ID, in, a.now())
		a.events.touch(ev.ID)
		switch {
		case err == nil && res.Duplicate:
			errs["email"] = "This email address already holds a registration for this event"
		case err == nil:
			if err := models.RecordActivity(a.dbc(c).DB, ev.ID, &res.Registration.ID, &u.ID, "added_by_organiser", res.Registration.Status, a.now()); err != nil {
				return err
			}
			return c.Redirect("/admin/events/"+ev.Slug+"/attendees?done=added", fiber.StatusSeeOther)
		case validationFields(err) != nil:
			errs = validationFields(err)
		default:
			p, ok := problemOf(err)
			if !ok {
				return err
			}
			errs["form"] = p.Detail
		}
	}
	return a.renderAdmin(c, 422, "admin_attendee_form", "Error: add a registration", "events",
		attendeeForm{Event: ev, Form: form, Errors: errs, ErrList: formErrors(errs, fieldOrder), Diets: models.DietaryChoices})
}

func (a *App) promoteAttendee(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	r, err := a.eventRegistration(c, ev)
	if err != nil {
		return err
	}
	_, err = models.PromoteRegistration(a.dbc(c).DB, r.ID, &u.ID, a.now())
	a.events.touch(ev.ID)
	if fields := validationFields(err); fields != nil {
		fresh, ferr := models.FindEvent(a.dbc(c).Read, ev.Slug)
		if ferr != nil {
			return ferr
		}
		return a.renderAttendees(c, 409, fresh, attendeesData{Error: fields["status"]})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/events/"+ev.Slug+"/attendees?done=promoted", fiber.StatusSeeOther)
}

// cancelRegData is the page that asks an organiser to confirm a
// cancellation, naming the person and the party.
type cancelRegData struct {
	Event       *models.Event
	Reg         *models.Registration
	Position    int
	UndoMinutes int
}

// cancelAttendeePage asks before cancelling (no JavaScript needed: the
// list's Cancel is a link to this page).
func (a *App) cancelAttendeePage(c *fiber.Ctx) error {
	ev, _, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	r, err := a.eventRegistration(c, ev)
	if err != nil {
		return err
	}
	if r.Status == models.RegCancelled || r.Status == models.RegDeclined {
		return c.Redirect("/admin/events/"+ev.Slug+"/attendees#reg-"+strconv.FormatUint(uint64(r.ID), 10), fiber.StatusSeeOther)
	}
	pos, err := models.WaitlistPosition(a.dbc(c).Read, r)
	if err != nil {
		return err
	}
	return a.renderAdmin(c, 200, "admin_cancel_registration", "Cancel "+r.Name+"'s registration?", "events",
		cancelRegData{Event: ev, Reg: r, Position: pos, UndoMinutes: int(models.CancelUndoWindow / time.Minute)})
}

func (a *App) cancelAttendee(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	r, err := a.eventRegistration(c, ev)
	if err != nil {
		return err
	}
	if _, err := models.CancelRegistration(a.dbc(c).DB, r.ID, &u.ID, a.now()); err != nil {
		return err
	}
	a.events.touch(ev.ID)
	return c.Redirect(attendeesDone(ev, r, "cancelled"), fiber.StatusSeeOther)
}

// undoCancelAttendee puts back a registration the organisers cancelled in
// the last few minutes, as the capacity rules allow (models.UndoCancellation).
func (a *App) undoCancelAttendee(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	r, err := a.eventRegistration(c, ev)
	if err != nil {
		return err
	}
	out, err := models.UndoCancellation(a.dbc(c).DB, r.ID, &u.ID, a.now())
	a.events.touch(ev.ID)
	if fields := validationFields(err); fields != nil {
		fresh, ferr := models.FindEvent(a.dbc(c).Read, ev.Slug)
		if ferr != nil {
			return ferr
		}
		return a.renderAttendees(c, 409, fresh, attendeesData{Error: "The cancellation of " + r.Name + "'s registration was not undone: " + fields["status"] + "."})
	}
	if err != nil {
		return err
	}
	what := "undone"
	if !out.MailWithdrawn {
		what = "undone-mailed"
	}
	return c.Redirect(attendeesDone(ev, r, what), fiber.StatusSeeOther)
}

// attendeesDone is the attendees page saying what was done to r.
func attendeesDone(ev *models.Event, r *models.Registration, what string) string {
	id := strconv.FormatUint(uint64(r.ID), 10)
	return "/admin/events/" + ev.Slug + "/attendees?done=" + what + "&reg=" + id + "#reg-" + id
}

// exportAttendees sends every registration of an event as CSV for
// spreadsheets: UTF-8 with a byte-order mark (so Excel reads accents and
// Arabic or Hebrew names right), CRLF line ends, one column per custom
// question, and every cell that a spreadsheet could run as a formula made
// inert.
func (a *App) exportAttendees(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	regs, err := models.EventRegistrations(a.dbc(c).Read, ev.ID)
	if err != nil {
		return err
	}
	allocs, err := models.EventAllocations(a.dbc(c).Read, ev.ID)
	if err != nil {
		return err
	}
	body, err := attendeesCSV(ev, regs, allocationLabels(allocs, regs))
	if err != nil {
		return err
	}
	if err := models.RecordActivity(a.dbc(c).DB, ev.ID, nil, &u.ID, "exported", strconv.Itoa(len(regs))+" registrations as CSV", a.now()); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "text/csv; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+ev.Slug+`-registrations.csv"`)
	return c.Send(body)
}

// attendeesCSV renders the export; through names the allocation each
// registration came through (column "allocation", empty for the public).
func attendeesCSV(ev *models.Event, regs []models.Registration, through map[uint]string) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	// Times are the event's local times with their UTC offset; the header
	// names the zone, so a spreadsheet reader knows which clock they are on.
	zone := " (" + ev.Timezone + ")"
	header := []string{"id", "name", "email", "status", "waitlist_position", "attendance", "guests", "places",
		"dietary", "dietary_other", "guest_dietary", "access_needs", "checked_in_at" + zone, "checked_in_people", "registered_at" + zone, "allocation"}
	for _, q := range ev.Questions {
		header = append(header, q.Label)
	}
	if err := w.Write(neutralise(header)); err != nil {
		return nil, err
	}
	pos := waitlistPositions(regs)
	stamp := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return rfc3339(*t, ev.Timezone)
	}
	for i := range regs {
		r := &regs[i]
		answers := map[string]string{}
		_ = json.Unmarshal([]byte(r.Answers), &answers)
		wp := ""
		if p, ok := pos[r.ID]; ok {
			wp = strconv.Itoa(p)
		}
		row := []string{strconv.FormatUint(uint64(r.ID), 10), r.Name, r.Email, r.Status, wp, r.Attendance,
			strconv.Itoa(r.Guests), strconv.Itoa(r.Places()), r.Dietary, r.DietaryOther, guestDietCSV(r), r.AccessNeeds,
			stamp(r.CheckedInAt), strconv.Itoa(r.Arrived()), stamp(&r.CreatedAt), through[r.ID]}
		for _, q := range ev.Questions {
			row = append(row, answers[q.Key])
		}
		if err := w.Write(neutralise(row)); err != nil {
			return nil, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, errors.Join(errors.New("app: csv export"), err)
	}
	return buf.Bytes(), nil
}

// guestDietCSV is each guest's dietary requirement in one cell, in order:
// "vegan; other: no nuts; not stated".
func guestDietCSV(r *models.Registration) string {
	parts := make([]string, 0, r.Guests)
	for _, d := range r.PartyDiets()[1:] {
		switch {
		case d.Dietary == "":
			parts = append(parts, "not stated")
		case d.Other != "":
			parts = append(parts, d.Dietary+": "+d.Other)
		default:
			parts = append(parts, d.Dietary)
		}
	}
	return strings.Join(parts, "; ")
}

// neutralise makes cells inert in spreadsheets: a cell starting with = + -
// @, a tab or a carriage return could be read as a formula (CSV injection),
// so it gets a leading single quote, as OWASP advises.
func neutralise(cells []string) []string {
	for i, s := range cells {
		if s == "" {
			continue
		}
		switch s[0] {
		case '=', '+', '-', '@', '\t', '\r':
			cells[i] = "'" + s
		}
	}
	return cells
}
