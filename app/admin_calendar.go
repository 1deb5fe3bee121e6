package app

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"convene/calendar"
	"convene/feeds"
	"convene/models"
)

// planning is what the editor and the organiser calendar show to help pick
// a date: the coming Ramadan and Eids (estimated) and the memorial days and
// anniversaries of the next twelve months, for one organisation.
type planning struct {
	Org        *models.Organisation
	Place      calendar.Place
	Method     calendar.Method
	Offset     int
	Estimate   *calendar.IslamicEstimate
	Memorials  []calendar.Observance
	EstimateOf string // "Umm al-Qura", with the community's shift
}

func (a *App) planning(c *fiber.Ctx, org *models.Organisation) (planning, error) {
	p := planning{Org: org, Place: org.CalendarPlace(), Method: org.CalendarOptions().Method, Offset: org.HijriOffset}
	today := calendar.DateOf(a.now().In(p.Place.Zone))
	if e, ok := calendar.NextEstimate(today, org.HijriOffset); ok {
		p.Estimate = &e
	}
	var anns []models.Anniversary
	if org.ID != 0 {
		var err error
		if anns, err = models.Anniversaries(a.dbc(c).Read, org.ID); err != nil {
			return p, err
		}
	}
	p.Memorials = calendar.Memorials(today, today.AddDays(365), models.CalendarAnniversaries(anns))
	p.EstimateOf = "the Umm al-Qura calendar"
	switch org.HijriOffset {
	case 1:
		p.EstimateOf += ", a day later for your community"
	case -1:
		p.EstimateOf += ", a day earlier for your community"
	}
	return p, nil
}

// editorHost is the organisation whose settings time the event in the
// editor: its main host, or the host chosen on a new event's form.
func (a *App) editorHost(c *fiber.Ctx, d eventEditor) *models.Organisation {
	if d.Preview != nil && len(d.Preview.Hosts) > 0 {
		return &d.Preview.Hosts[0].Organisation
	}
	if d.Event != nil && len(d.Event.Hosts) > 0 {
		return &d.Event.Hosts[0].Organisation
	}
	if d.Form.Host != "" {
		if o, err := models.OrganisationBySlug(a.dbc(c).Read, d.Form.Host); err == nil {
			return o
		}
	}
	return &models.Organisation{Name: "London", Timezone: "Europe/London"}
}

// iftarLine says when an iftar breaks the fast, for pages: "Iftar at sunset
// — 17:27". It takes an event or an EventView, as templates hold either.
func iftarLine(v any) string {
	var ev *models.Event
	switch e := v.(type) {
	case *models.Event:
		ev = e
	case EventView:
		ev = e.Event
	case *EventView:
		ev = e.Event
	}
	if ev == nil {
		return ""
	}
	if c := ev.IftarClock(); c != "" {
		return "Iftar at sunset — " + c
	}
	return ""
}

// checkEvent shows the editor with the iftar time and the clashes of the
// form as typed, without saving (the "Check the time and dates" button).
func (a *App) checkEvent(c *fiber.Ctx, d eventEditor, slug string, in models.EventInput, qRows []int, defaultHost *uint) error {
	ev, err := models.PreviewEvent(a.dbc(c).Read, slug, in, defaultHost)
	if fields := validationFields(err); fields != nil {
		for k, m := range fields {
			d.Errors[editorField(k, qRows)] = m
		}
		return a.renderEditor(c, 422, d)
	}
	if err != nil {
		return err
	}
	d.Preview, d.Checked = ev, true
	d.Warnings = a.eventWarnings(ev)
	return a.renderEditor(c, 200, d)
}

// calendarMonth is the organiser calendar page.
type calendarMonth struct {
	Plan       planning
	Orgs       []models.Organisation
	Month      time.Time
	Prev, Next string
	Weeks      [][]calendarDay
	// FeedURL is a new private feed address, shown on this answer only.
	FeedURL    string
	FeedWebcal string
	HasFeed    bool
	Methods    []calendar.Method
}

// calendarDay is one square of the month.
type calendarDay struct {
	Date    calendar.Date
	InMonth bool
	Today   bool
	Events  []models.Event
	Entries []calendar.Entry
}

// Label is the day for screen readers and narrow screens: "Friday 4 December".
func (d calendarDay) Label() string { return d.Date.In(time.UTC).Format("Monday 2 January") }

// Weekday is the short day name, shown on narrow screens.
func (d calendarDay) Weekday() string { return d.Date.In(time.UTC).Format("Mon") }

// parseMonth reads ?month=2026-12; anything else is the month of now.
func parseMonth(s string, now time.Time) time.Time {
	if t, err := time.Parse("2006-01", strings.TrimSpace(s)); err == nil && t.Year() >= 2000 && t.Year() <= 2200 {
		return t
	}
	return time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
}

func (a *App) calendarMonthData(c *fiber.Ctx) (calendarMonth, error) {
	u := staff(c)
	org, orgs, err := models.CalendarHost(a.dbc(c).Read, u, c.Query("org"))
	if err != nil {
		return calendarMonth{}, err
	}
	plan, err := a.planning(c, org)
	if err != nil {
		return calendarMonth{}, err
	}
	loc := plan.Place.Zone
	now := a.now().In(loc)
	month := parseMonth(c.Query("month"), now)
	first := calendar.Date{Year: month.Year(), Month: month.Month(), Day: 1}
	last := first.AddDays(32)
	last = calendar.Date{Year: last.Year, Month: last.Month, Day: 1}.AddDays(-1)
	// Whole weeks, Monday first.
	start := first.AddDays(-((int(first.Weekday()) + 6) % 7))
	end := last.AddDays((7 - int(last.Weekday())) % 7)
	var anns []models.Anniversary
	if org.ID != 0 {
		if anns, err = models.Anniversaries(a.dbc(c).Read, org.ID); err != nil {
			return calendarMonth{}, err
		}
	}
	days := calendar.Days(plan.Place, start, end, org.CalendarOptions(), models.CalendarAnniversaries(anns))
	var evs []models.Event
	if org.ID != 0 {
		if evs, err = models.OrganisationEvents(a.dbc(c).Read, org.ID, start.In(loc), end.AddDays(1).In(loc)); err != nil {
			return calendarMonth{}, err
		}
	}
	today := calendar.DateOf(now)
	d := calendarMonth{Plan: plan, Orgs: orgs, Month: month, Methods: calendar.Methods,
		Prev: month.AddDate(0, -1, 0).Format("2006-01"), Next: month.AddDate(0, 1, 0).Format("2006-01")}
	var week []calendarDay
	for _, day := range days {
		cd := calendarDay{Date: day.Date, InMonth: day.Date.Month == month.Month(), Today: day.Date == today, Entries: day.Entries}
		for _, ev := range evs {
			if calendar.DateOf(ev.StartsAt.In(loc)) == day.Date {
				cd.Events = append(cd.Events, ev)
			}
		}
		week = append(week, cd)
		if len(week) == 7 {
			d.Weeks = append(d.Weeks, week)
			week = nil
		}
	}
	if org.ID != 0 {
		if d.HasFeed, err = models.HasCalendarFeed(a.dbc(c).Read, u.ID, org.ID); err != nil {
			return d, err
		}
	}
	return d, nil
}

func (a *App) calendarMonthPage(c *fiber.Ctx) error {
	d, err := a.calendarMonthData(c)
	if err != nil {
		return err
	}
	return a.renderAdmin(c, 200, "admin_calendar", "Calendar: "+d.Month.Format("January 2006"), "calendar", d)
}

// createCalendarFeed makes the organiser a new private feed of the
// organisation's observances and shows its address on this answer only.
func (a *App) createCalendarFeed(c *fiber.Ctx) error {
	u := staff(c)
	org, _, err := models.CalendarHost(a.dbc(c).Read, u, c.FormValue("org"))
	if err != nil {
		return err
	}
	if org.ID == 0 {
		return fiber.NewError(fiber.StatusBadRequest, "You need an organisation to have a calendar feed.")
	}
	token, err := models.NewCalendarFeedToken(a.dbc(c).DB, u.ID, org.ID, a.now())
	if err != nil {
		return err
	}
	c.Request().URI().QueryArgs().Set("org", org.Slug)
	c.Request().URI().QueryArgs().Set("month", c.FormValue("month"))
	d, err := a.calendarMonthData(c)
	if err != nil {
		return err
	}
	d.FeedURL = a.cfg.BaseURL + "/calendar/observances/" + token + ".ics"
	d.FeedWebcal = "webcal" + strings.TrimPrefix(strings.TrimPrefix(d.FeedURL, "https"), "http")
	return a.renderAdmin(c, 201, "admin_calendar", "Calendar: "+d.Month.Format("January 2006"), "calendar", d)
}

// observanceFeed serves an organiser's private feed of observances: a month
// back to a year ahead at the organisation's home place.
func (a *App) observanceFeed(c *fiber.Ctx) error {
	org, err := models.CalendarFeedOrganisation(a.dbc(c).Read, c.Params("token"))
	if err != nil {
		return err
	}
	anns, err := models.Anniversaries(a.dbc(c).Read, org.ID)
	if err != nil {
		return err
	}
	place := org.CalendarPlace()
	today := calendar.DateOf(a.now().In(place.Zone))
	// From the first of last month, so the content changes once a month
	// rather than every day.
	from := calendar.Date{Year: today.Year, Month: today.Month, Day: 1}.AddDays(-1)
	from = calendar.Date{Year: from.Year, Month: from.Month, Day: 1}
	obs := calendar.Observances(place, from, from.AddDays(430), org.CalendarOptions(), models.CalendarAnniversaries(anns))
	body := feeds.Observances(feeds.Meta{Name: org.Name + ": dates to plan around",
		Description: "Shabbat, festivals, Ramadan and Eid (estimated), Christian feasts and memorial days at " + place.Label() + "."},
		obs, place, a.cfg.BaseURL)
	c.Set(fiber.HeaderCacheControl, "private, max-age=3600")
	c.Set("X-Robots-Tag", "noindex")
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	return c.Send(body)
}

// calendarSettings is the organisation's calendar settings form.
type calendarSettings struct {
	Org       *models.Organisation
	Place     string
	Latitude  string
	Longitude string
	Timezone  string
	Method    string
	Offset    string
	Anns      []anniversaryRow
	Methods   []calendar.Method
	Saved     bool
	Errors    map[string]string
	ErrList   []fieldError
}

// anniversaryRow is one anniversary as typed.
type anniversaryRow struct{ Title, Day, Month, Year string }

// blankAnniversaries is how many empty anniversary rows the form offers.
const blankAnniversaries = 3

var calendarFieldOrder = []string{"home_place.name", "home_place.latitude", "home_place.longitude", "home_place.timezone", "iftar_method", "hijri_offset_days"}

func (a *App) renderCalendarSettings(c *fiber.Ctx, status int, d calendarSettings) error {
	d.Methods = calendar.Methods
	d.ErrList = formErrors(d.Errors, calendarFieldOrder)
	title := "Calendar settings: " + d.Org.Name
	if len(d.Errors) > 0 {
		title = "Error: " + title
	}
	return a.renderAdmin(c, status, "admin_org_calendar", title, "orgs", d)
}

func (a *App) calendarSettingsPage(c *fiber.Ctx) error {
	o, err := a.ownOrganisation(c)
	if err != nil {
		return err
	}
	anns, err := models.Anniversaries(a.dbc(c).Read, o.ID)
	if err != nil {
		return err
	}
	p := o.CalendarPlace()
	d := calendarSettings{Org: o, Place: p.Name, Latitude: strconv.FormatFloat(p.Latitude, 'f', -1, 64),
		Longitude: strconv.FormatFloat(p.Longitude, 'f', -1, 64), Timezone: o.Timezone,
		Method: o.CalendarOptions().Method.Code, Offset: strconv.Itoa(o.HijriOffset), Saved: c.Query("saved") == "1"}
	for _, an := range anns {
		row := anniversaryRow{Title: an.Title, Day: strconv.Itoa(an.Day), Month: strconv.Itoa(an.Month)}
		if an.Year != 0 {
			row.Year = strconv.Itoa(an.Year)
		}
		d.Anns = append(d.Anns, row)
	}
	d.Anns = append(d.Anns, make([]anniversaryRow, blankAnniversaries)...)
	return a.renderCalendarSettings(c, 200, d)
}

func (a *App) updateCalendarSettings(c *fiber.Ctx) error {
	o, err := a.ownOrganisation(c)
	if err != nil {
		return err
	}
	v := func(k string) string { return strings.TrimSpace(c.FormValue(k)) }
	d := calendarSettings{Org: o, Place: v("home_place.name"), Latitude: v("home_place.latitude"), Longitude: v("home_place.longitude"),
		Timezone: v("home_place.timezone"), Method: v("iftar_method"), Offset: v("hijri_offset_days"), Errors: map[string]string{}}
	in := models.CalendarSettingsInput{HomePlace: &d.Place, Timezone: &d.Timezone, IftarMethod: &d.Method}
	number := func(field, s string) *float64 {
		if s == "" {
			return nil
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			d.Errors[field] = "Enter a number of degrees, like 51.5072"
			return nil
		}
		return &x
	}
	in.HomeLatitude, in.HomeLongitude = number("home_place.latitude", d.Latitude), number("home_place.longitude", d.Longitude)
	if in.HomeLatitude == nil && in.HomeLongitude == nil && d.Errors["home_place.latitude"] == "" && d.Errors["home_place.longitude"] == "" {
		d.Errors["home_place.latitude"] = "Enter the latitude and longitude of your home place"
	}
	if n, err := strconv.Atoi(d.Offset); err == nil {
		in.HijriOffset = &n
	} else {
		d.Errors["hijri_offset_days"] = "Choose a day earlier, none, or a day later"
	}
	var anns []models.AnniversaryInput
	var rows []int
	for i := 0; i < 100; i++ {
		p := fmt.Sprintf("anniversaries.%d.", i)
		if !c.Context().PostArgs().Has(p + "title") {
			break
		}
		row := anniversaryRow{Title: v(p + "title"), Day: v(p + "day"), Month: v(p + "month"), Year: v(p + "year")}
		d.Anns = append(d.Anns, row)
		if row.Title == "" && row.Day == "" && row.Month == "" && row.Year == "" {
			continue
		}
		an := models.AnniversaryInput{Title: row.Title}
		var bad bool
		for _, f := range []struct {
			name, value string
			dst         *int
			optional    bool
		}{{"day", row.Day, &an.Day, false}, {"month", row.Month, &an.Month, false}, {"year", row.Year, &an.Year, true}} {
			if f.value == "" && f.optional {
				continue
			}
			n, err := strconv.Atoi(f.value)
			if err != nil {
				d.Errors[p+f.name] = "Enter the " + f.name + " as a number"
				bad = true
			}
			*f.dst = n
		}
		if !bad {
			anns = append(anns, an)
			rows = append(rows, i)
		}
	}
	in.Anniversaries = &anns
	if len(d.Errors) == 0 {
		_, err = models.SaveCalendarSettings(a.dbc(c).DB, o.ID, in, &staff(c).ID, a.now())
		a.events.reset()
		if err == nil {
			return c.Redirect("/admin/organisations/"+o.Slug+"/calendar?saved=1", fiber.StatusSeeOther)
		}
		fields := validationFields(err)
		if fields == nil {
			return err
		}
		for k, m := range fields {
			// anniversaries.N.field names the N-th filled row.
			if rest, ok := strings.CutPrefix(k, "anniversaries."); ok {
				if i := strings.IndexByte(rest, '.'); i > 0 {
					if n, err := strconv.Atoi(rest[:i]); err == nil && n < len(rows) {
						k = fmt.Sprintf("anniversaries.%d%s", rows[n], rest[i:])
					}
				}
			}
			d.Errors[k] = m
		}
	}
	d.Anns = append(d.Anns, make([]anniversaryRow, 1)...)
	return a.renderCalendarSettings(c, 422, d)
}
