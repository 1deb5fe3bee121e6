package app

import (
	"bytes"
	"fmt"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"convene/models"
)

// Availability says how a mode of an event stands, for people.
type Availability struct {
	Mode       string
	Capacity   *int
	PlacesLeft *int
	Waitlist   int
	// State is open, waitlist or full.
	State string
	Label string
}

// EventView is an event with what pages and the API derive from it.
type EventView struct {
	*models.Event
	URL       string
	ICSURL    string
	Open      bool
	ClosedWhy string
	// Past says the event has ended: no places, no registering, no
	// "add to calendar" any more.
	Past     bool
	InPerson *Availability
	Online   *Availability
	Waitlist map[string]int
}

func (a *App) eventView(ev *models.Event, waitlist map[string]int) EventView {
	v := EventView{Event: ev, URL: a.cfg.BaseURL + "/events/" + ev.Slug, ICSURL: a.cfg.BaseURL + "/events/" + ev.Slug + ".ics", Waitlist: waitlist}
	v.Past = !ev.EndsAt.After(a.now())
	if err := models.OpenForRegistration(ev, a.now()); err != nil {
		v.ClosedWhy = err.Error()
	} else {
		v.Open = true
	}
	if ev.InPerson {
		v.InPerson = availability(ev, models.InPerson, ev.PlacesLeft(models.InPerson), waitlist)
	}
	if ev.Online {
		v.Online = availability(ev, models.Online, ev.PlacesLeft(models.Online), waitlist)
	}
	return v
}

// availability describes the places of a mode, left of them free (nil:
// unlimited) for whoever is looking.
func availability(ev *models.Event, mode string, left *int, waitlist map[string]int) *Availability {
	av := &Availability{Mode: mode, Capacity: ev.CapacityFor(mode), PlacesLeft: left, Waitlist: waitlist[mode]}
	switch {
	case av.PlacesLeft == nil:
		av.State, av.Label = "open", "Places available"
	case *av.PlacesLeft > 0:
		av.State, av.Label = "open", fmt.Sprintf("%d %s left", *av.PlacesLeft, models.Plural(*av.PlacesLeft, "place", "places"))
	case ev.Waitlist:
		av.State, av.Label = "waitlist", "Full: waitlist open"
	default:
		av.State, av.Label = "full", "Full"
	}
	return av
}

// ShowAddress reports whether the venue address is public.
func (v EventView) ShowAddress() bool {
	return v.AddressVisibility != models.AddressRegistrants
}

// Current says the event is neither over nor cancelled: it has places,
// a registration form and a place in people's calendars.
func (v EventView) Current() bool {
	return !v.Past && v.Status != models.StatusCancelled
}

// WaitlistOnly says every way of attending is full with a waitlist open:
// registering means joining the waitlist.
func (v EventView) WaitlistOnly() bool {
	for _, av := range []*Availability{v.InPerson, v.Online} {
		if av != nil && av.State != "waitlist" {
			return false
		}
	}
	return v.InPerson != nil || v.Online != nil
}

// ClosedText says, for people, why the event takes no registrations.
func (v EventView) ClosedText() string {
	switch {
	case v.Status == models.StatusCancelled:
		return "This event has been cancelled."
	case v.Past:
		return "This event has ended."
	case v.Open:
		return ""
	}
	return "Registration is closed: " + v.ClosedWhy + "."
}

// AvailabilityText is the one-line availability for lists.
func (v EventView) AvailabilityText() string {
	switch {
	case v.Status == models.StatusCancelled:
		return "Cancelled"
	case v.Past:
		return "Ended"
	case !v.Open:
		return "Registration closed"
	}
	var parts []string
	for _, av := range []*Availability{v.InPerson, v.Online} {
		if av == nil {
			continue
		}
		label := av.Label
		if v.Hybrid() {
			label += " " + models.ModeWords(av.Mode)
		}
		parts = append(parts, label)
	}
	if len(parts) == 2 {
		return parts[0] + " · " + parts[1]
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return ""
}

type listPage struct {
	Heading string
	Intro   string
	Kind    string
	Kinds   []string
	Events  []EventView
	FeedURL string
	// Feed is FeedURL as a subscription (webcal) and for Google Calendar.
	Feed   feedLink
	Org    *models.Organisation
	Series *models.Series
}

func (a *App) upcoming(c *fiber.Ctx, f models.EventFilter) ([]EventView, error) {
	from := a.now()
	f.From = &from
	evs, err := models.ListEvents(a.dbc(c).Read, f)
	if err != nil {
		return nil, err
	}
	return a.eventViews(c, evs)
}

// home lists upcoming published events, optionally of one kind.
func (a *App) home(c *fiber.Ctx) error {
	kind := c.Query("kind")
	if kind != "" && !contains(models.Kinds, kind) {
		return fiber.NewError(fiber.StatusNotFound, "There is no such kind of event.")
	}
	evs, err := a.upcoming(c, models.EventFilter{Kind: kind})
	if err != nil {
		return err
	}
	feed := "/calendar.ics"
	if kind != "" {
		feed = "/calendar/" + kind + ".ics"
	}
	return a.render(c, 200, "home", Page{Title: "Upcoming events", Nav: "home",
		Description: "Public meetings, solidarity iftars, livestreams and interfaith memorials.",
		Data:        listPage{Heading: "Upcoming events", Kind: kind, Kinds: models.Kinds, Events: evs, FeedURL: feed, Feed: a.feedLink("", "", feed)}})
}

// eventPage shows one event and its registration form. The page is the same
// for everyone but for the CSRF token, so it is rendered once per version of
// the event (see eventCache) with a placeholder that each answer replaces.
func (a *App) eventPage(c *fiber.Ctx) error {
	slug := c.Params("slug")
	ev, wl, v, err := a.events.getVersion(c.UserContext(), slug)
	if err != nil {
		return err
	}
	if !ev.Public() {
		return models.ErrNotFound
	}
	if code := c.Query("code"); code != "" {
		// A community's private link: its own page, never cached or kept.
		c.Set(fiber.HeaderCacheControl, "no-store")
		return a.renderEventForm(c, 200, slug, registrationForm{Guests: "0", Code: code}, nil)
	}
	page, ok := a.pages.get(slug, v)
	if !ok {
		var buf bytes.Buffer
		p, err := a.eventPageData(c, ev, wl, registrationForm{Guests: "0"}, nil)
		if err != nil {
			return err
		}
		p.CSRF = a.pages.placeholder
		d := p.Data.(eventPageData)
		d.Stamp = a.pages.stampPlaceholder
		p.Data = d
		if err := a.renderTo(&buf, "event", p); err != nil {
			return err
		}
		page = a.pages.put(slug, v, buf.Bytes())
	}
	token, _ := c.Locals(csrfLocal).(string)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	page.writeTo(c.Response(), token, a.formStamp(a.now()))
	return nil
}

// pageCache keeps rendered event pages by slug and event version.
type pageCache struct {
	// placeholder and stampPlaceholder stand for the CSRF token and the
	// form's stamp, put in per request.
	placeholder      string
	stampPlaceholder string
	mu               sync.RWMutex
	m                map[string]renderedPage
}

// renderedPage is a page cut at its placeholders: parts[0], then the
// value of holes[0], then parts[1], and so on.
type renderedPage struct {
	v     eventVersion
	parts [][]byte
	holes []bool // true: the form stamp; false: the CSRF token
}

func newPageCache() *pageCache {
	return &pageCache{placeholder: "csrf-" + models.RandomString(24), stampPlaceholder: "stamp-" + models.RandomString(24), m: map[string]renderedPage{}}
}

func (p *pageCache) get(slug string, v eventVersion) (renderedPage, bool) {
	p.mu.RLock()
	r, ok := p.m[slug]
	p.mu.RUnlock()
	return r, ok && r.v == v
}

// put cuts html at its placeholders and keeps it.
func (p *pageCache) put(slug string, v eventVersion, html []byte) renderedPage {
	r := renderedPage{v: v}
	csrf, stamp := []byte(p.placeholder), []byte(p.stampPlaceholder)
	for {
		i, j := bytes.Index(html, csrf), bytes.Index(html, stamp)
		if i < 0 && j < 0 {
			break
		}
		isStamp := i < 0 || (j >= 0 && j < i)
		at, n := i, len(csrf)
		if isStamp {
			at, n = j, len(stamp)
		}
		r.parts, r.holes = append(r.parts, html[:at]), append(r.holes, isStamp)
		html = html[at+n:]
	}
	r.parts = append(r.parts, html)
	p.mu.Lock()
	if len(p.m) > 10000 {
		clear(p.m)
	}
	p.m[slug] = r
	p.mu.Unlock()
	return r
}

// writeTo writes the page with its placeholders filled into the response's
// own (pooled) body buffer: no copy of the page per request.
func (r renderedPage) writeTo(res *fasthttp.Response, csrf, stamp string) {
	res.ResetBody()
	for i, part := range r.parts {
		res.AppendBody(part)
		if i < len(r.holes) {
			if r.holes[i] {
				res.AppendBodyString(stamp)
			} else {
				res.AppendBodyString(csrf)
			}
		}
	}
}

type eventPageData struct {
	Event   EventView
	Form    registrationForm
	Errors  map[string]string
	Diets   []string
	ErrList []fieldError
	// Reserved is set when the person came through an allocation's link.
	Reserved *reservedView
	// Stamp is the form's signed time (formstamp.go).
	Stamp   string
	Privacy privacyNotice
}

type fieldError struct{ Field, Message string }

func (a *App) eventPageData(c *fiber.Ctx, ev *models.Event, wl map[string]int, form registrationForm, errs map[string]string) (Page, error) {
	title := ev.Title
	if len(errs) > 0 {
		title = "Error: " + title
	}
	v := a.eventView(ev, wl)
	reserved, err := a.withCode(c, &v, ev, form.Code)
	if err != nil {
		return Page{}, err
	}
	return Page{Title: title, Description: ev.Summary, Social: a.eventSocial(v), Data: eventPageData{
		Event: v, Form: form, Errors: errs, Diets: models.DietaryChoices, ErrList: formErrors(errs, fieldOrder),
		Reserved: reserved, Stamp: a.formStamp(a.now()), Privacy: a.privacyNotice(ev)}}, nil
}

// fieldOrder is the order of fields on the registration form, for the error
// summary at the top of the page.
var fieldOrder = []string{"name", "email", "attendance", "guests", "dietary", "dietary_other", "access_needs", "consent"}

func (a *App) seriesPage(c *fiber.Ctx) error {
	s, err := models.SeriesBySlug(a.dbc(c).Read, c.Params("slug"))
	if err != nil {
		return err
	}
	evs, err := a.upcoming(c, models.EventFilter{Series: s.Slug})
	if err != nil {
		return err
	}
	return a.render(c, 200, "home", Page{Title: s.Title, Description: s.Description,
		Data: listPage{Heading: s.Title, Intro: s.Description, Events: evs, Series: s, FeedURL: "/series/" + s.Slug + ".ics", Feed: a.feedLink("", "", "/series/"+s.Slug+".ics")}})
}

func (a *App) organisationPage(c *fiber.Ctx) error {
	o, err := models.OrganisationBySlug(a.dbc(c).Read, c.Params("slug"))
	if err != nil {
		return err
	}
	evs, err := a.upcoming(c, models.EventFilter{Organisation: o.Slug})
	if err != nil {
		return err
	}
	return a.render(c, 200, "home", Page{Title: o.Name, Description: o.Description,
		Data: listPage{Heading: o.Name, Intro: o.Description, Events: evs, Org: o, FeedURL: "/organisations/" + o.Slug + ".ics", Feed: a.feedLink("", "", "/organisations/"+o.Slug+".ics")}})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
