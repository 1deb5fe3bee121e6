// Package feeds builds Convene's iCalendar feeds (RFC 5545, with the calendar
// properties of RFC 7986) from events, without HTTP or storage: the same
// events always give the same bytes, so a hash of them is a good ETag.
//
// Public feeds carry only what the public event page shows. Private feeds
// (an attendee's own registrations) add the registration's status, the venue
// address and the stream link once the place is confirmed, and a reminder.
package feeds

import (
	"bytes"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"convene/models"
)

// ProductID is the PRODID of every feed.
const ProductID = "-//Convene//Convene calendar feeds//EN"

// RefreshInterval is how often clients are asked to fetch a feed again.
const RefreshInterval = "PT1H"

// ReminderTrigger is when the private feed's alarm goes off: an hour before.
const ReminderTrigger = "-PT1H"

// Meta names a feed to subscribe to; a Single file of one event has no name.
type Meta struct {
	Name        string // NAME and X-WR-CALNAME
	Description string // DESCRIPTION and X-WR-CALDESC of the calendar
	URL         string // the web page of the feed, absolute
}

// Options say how a feed is built.
type Options struct {
	// BaseURL is the site's absolute address without a trailing slash: it
	// makes event links and the domain of UIDs.
	BaseURL string
	// Private is the attendee's own feed: registration status, the address
	// and stream link once confirmed, a reminder. Without it no stream link,
	// private address or registration detail is ever written.
	Private bool
	// Single is a file of one event to import ("Add to calendar", a mail's
	// attachment), not a calendar to subscribe to: no calendar name or
	// refresh hint (Outlook opens a file with X-WR-CALNAME as a new
	// calendar), no METHOD (an iTIP PUBLISH needs an ORGANIZER, which public
	// files must not have), and busy time. Public feeds of many events are
	// otherwise marked free time (TRANSP:TRANSPARENT): subscribing to them
	// does not make anyone busy.
	Single bool
	// KindLabel names an event kind for people (a CATEGORIES value); nil
	// writes the kind itself.
	KindLabel func(kind string) string
}

// Item is one event of a feed and, in a private feed, the registration.
type Item struct {
	Event        *models.Event
	Registration *models.Registration
}

// Build returns the feed as iCalendar bytes with CRLF line ends. Items are
// written in the order given; items without an event are skipped.
func Build(meta Meta, items []Item, opts Options) []byte {
	host := opts.BaseURL
	if u, err := url.Parse(opts.BaseURL); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	cal := ics.NewCalendarFor("Convene")
	cal.SetProductId(ProductID)
	cal.SetCalscale("GREGORIAN")
	if !opts.Single {
		cal.SetName(line(meta.Name))
		if meta.Description != "" {
			cal.SetDescription(text(meta.Description))
			cal.SetXWRCalDesc(text(meta.Description))
		}
		if meta.URL != "" {
			cal.SetUrl(meta.URL)
		}
		cal.SetRefreshInterval(RefreshInterval)
		cal.SetXPublishedTTL(RefreshInterval)
	}

	for _, tz := range timezones(items) {
		cal.AddVTimezone(tz)
	}
	for _, it := range items {
		if it.Event == nil {
			continue
		}
		if !opts.Private {
			it.Registration = nil
		}
		cal.AddVEvent(vevent(it, host, opts))
	}
	var b bytes.Buffer
	b.Grow(1024 + 1024*len(items))
	_ = cal.SerializeTo(&b, ics.WithNewLineWindows) // a bytes.Buffer never fails
	return b.Bytes()
}

// timezones makes one VTIMEZONE per zone the items use, covering the whole
// years from the earliest start to the latest end, sorted by TZID.
func timezones(items []Item) []*ics.VTimezone {
	type span struct {
		loc         *time.Location
		first, last int
	}
	spans := map[string]*span{}
	for _, it := range items {
		ev := it.Event
		if ev == nil {
			continue
		}
		loc := loadLocation(ev.Timezone)
		if isUTC(loc) {
			continue
		}
		first, last := ev.StartsAt.In(loc).Year(), ev.EndsAt.In(loc).Year()
		s, ok := spans[loc.String()]
		if !ok {
			spans[loc.String()] = &span{loc, first, last}
			continue
		}
		s.first, s.last = min(s.first, first), max(s.last, last)
	}
	ids := make([]string, 0, len(spans))
	for id := range spans {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]*ics.VTimezone, len(ids))
	for i, id := range ids {
		s := spans[id]
		out[i] = VTimezone(s.loc, s.first, s.last)
	}
	return out
}

// Status is the STATUS of an event in a feed: the event's own, made
// tentative when the date is not final or, in a private feed, while the
// registration waits for a place.
func Status(ev *models.Event, reg *models.Registration) ics.ObjectStatus {
	switch {
	case ev.Status == models.StatusCancelled:
		return ics.ObjectStatusCancelled
	case ev.Status == models.StatusPostponed, ev.Tentative:
		return ics.ObjectStatusTentative
	case reg != nil && reg.Status == models.RegWaitlisted:
		return ics.ObjectStatusTentative
	}
	return ics.ObjectStatusConfirmed
}

// Title is the SUMMARY: the event's title, prefixed when it is cancelled or
// postponed (Google Calendar drops cancelled events from subscribed feeds
// without a word, so the prefix is what its users see), or while the
// registration of a private feed is on the waitlist.
func Title(ev *models.Event, reg *models.Registration) string {
	switch {
	case ev.Status == models.StatusCancelled:
		return "Cancelled: " + ev.Title
	case ev.Status == models.StatusPostponed:
		return "Postponed: " + ev.Title
	case reg != nil && reg.Status == models.RegWaitlisted:
		return "Waitlist: " + ev.Title
	}
	return ev.Title
}

// UID is the stable identifier of an event in every feed.
func UID(ev *models.Event, host string) string {
	return "event-" + strconv.FormatUint(uint64(ev.ID), 10) + "@" + host
}

// EventURL is the public page of an event.
func EventURL(baseURL string, ev *models.Event) string {
	return baseURL + "/events/" + ev.Slug
}

// PublicLocation is the LOCATION of an event in a public feed, or "".
func PublicLocation(ev *models.Event) string { return location(ev, detailsOf(ev, nil)) }

// details says what a feed may show of an event for a registration (nil in
// public feeds).
type details struct {
	inPerson bool // the venue concerns the reader: in person, not online
	address  bool // the venue's address (public, or confirmed in person)
	stream   bool // the stream link (confirmed online)
	alarm    bool
}

func detailsOf(ev *models.Event, reg *models.Registration) details {
	d := details{inPerson: ev.InPerson && (reg == nil || reg.Attendance != models.Online),
		address: ev.AddressVisibility == models.AddressPublic}
	if reg == nil || reg.Status != models.RegConfirmed {
		return d
	}
	if reg.Attendance == models.Online {
		d.stream = ev.StreamURL != ""
	} else {
		d.address = true
	}
	// No reminder for an event that will not happen on this date.
	d.alarm = ev.Status != models.StatusCancelled && ev.Status != models.StatusPostponed
	return d
}

func vevent(it Item, host string, opts Options) *ics.VEvent {
	ev, reg := it.Event, it.Registration
	d := detailsOf(ev, reg)
	// Properties are appended directly: the library's setters search the
	// list and give every property a parameter map, which a feed of
	// thousands of events pays for.
	e := &ics.VEvent{ComponentBase: ics.ComponentBase{Properties: make([]ics.IANAProperty, 0, 24)}}
	add := func(name ics.ComponentProperty, value string, params map[string][]string) {
		e.Properties = append(e.Properties, ics.IANAProperty{BaseProperty: ics.BaseProperty{IANAToken: string(name), Value: value, ICalParameters: params}})
	}
	changed := ev.UpdatedAt
	if reg != nil && reg.UpdatedAt.After(changed) {
		changed = reg.UpdatedAt
	}
	stamp := changed.UTC().Format(utcFormat)
	add(ics.ComponentPropertyUniqueId, UID(ev, host), nil)
	add(ics.ComponentPropertyDtstamp, stamp, nil)
	add(ics.ComponentPropertyCreated, ev.CreatedAt.UTC().Format(utcFormat), nil)
	add(ics.ComponentPropertyLastModified, stamp, nil)
	add(ics.ComponentPropertySequence, strconv.Itoa(ev.Sequence), nil)
	loc := loadLocation(ev.Timezone)
	add(timeProp(ics.ComponentPropertyDtStart, ev.StartsAt, loc))
	add(timeProp(ics.ComponentPropertyDtEnd, ev.EndsAt, loc))
	add(ics.ComponentPropertySummary, line(Title(ev, reg)), nil)
	add(ics.ComponentPropertyStatus, string(Status(ev, reg)), nil)
	pageURL := EventURL(opts.BaseURL, ev)
	add(ics.ComponentPropertyUrl, pageURL, nil)
	add(ics.ComponentPropertyDescription, text(description(ev, reg, d, pageURL)), nil)
	if where := location(ev, d); where != "" {
		add(ics.ComponentPropertyLocation, line(where), nil)
	}
	if d.address && d.inPerson && ev.Latitude != nil && ev.Longitude != nil {
		add(ics.ComponentPropertyGeo, geo(*ev.Latitude)+";"+geo(*ev.Longitude), nil)
	}
	for _, c := range categories(ev, opts.KindLabel) {
		add(ics.ComponentPropertyCategories, c, nil)
	}
	class := ics.ClassificationPublic
	if opts.Private {
		class = ics.ClassificationPrivate
	}
	add(ics.ComponentPropertyClass, string(class), nil)
	add(ics.ComponentPropertyTransp, string(Transparency(ev, opts)), nil)
	if d.stream {
		// RFC 7986; the link is in DESCRIPTION and LOCATION too, as client
		// support for CONFERENCE varies.
		add("CONFERENCE", ev.StreamURL, map[string][]string{"VALUE": {"URI"}, "FEATURE": {"AUDIO", "VIDEO"}, "LABEL": {"Livestream"}})
	}
	if d.alarm {
		a := e.AddAlarm()
		a.SetAction(ics.ActionDisplay)
		a.SetTrigger(ReminderTrigger)
		a.SetProperty(ics.ComponentPropertyDescription, text("Reminder: "+ev.Title))
	}
	return e
}

// Transparency is the TRANSP of an event: busy time (OPAQUE) in a private
// feed and a file of one event, free time (TRANSPARENT) in public feeds of
// many events, and always free time once the event is cancelled.
func Transparency(ev *models.Event, opts Options) ics.TimeTransparency {
	if (opts.Private || opts.Single) && ev.Status != models.StatusCancelled {
		return ics.TransparencyOpaque
	}
	return ics.TransparencyTransparent
}

// timeProp is a DTSTART or DTEND in local time with the event's TZID, or in
// UTC for a UTC event and for a local time that happens twice when clocks go
// back (parsers read it as the wrong one of the two).
func timeProp(name ics.ComponentProperty, t time.Time, loc *time.Location) (ics.ComponentProperty, string, map[string][]string) {
	if isUTC(loc) || ambiguousLocal(t, loc) {
		return name, t.UTC().Format(utcFormat), nil
	}
	return name, t.In(loc).Format(localFormat), map[string][]string{"TZID": {loc.String()}}
}

// location is the LOCATION: the venue with its address where the address
// may be shown, "Online" for an online-only event or an online place, or,
// in a private feed, the stream link of a confirmed online place. Nothing when the address is
// private: clients geocode LOCATION, and even a venue name can give it away.
func location(ev *models.Event, d details) string {
	switch {
	case d.stream:
		return ev.StreamURL
	case d.inPerson && d.address:
		return joinNonEmpty(", ", ev.VenueName, ev.VenueAddress)
	case !d.inPerson:
		return "Online"
	}
	return ""
}

// description is the plain-text DESCRIPTION.
func description(ev *models.Event, reg *models.Registration, d details, pageURL string) string {
	var p []string
	if ev.Summary != "" {
		p = append(p, ev.Summary)
	}
	switch {
	case ev.Status == models.StatusCancelled:
		p = append(p, joinNonEmpty(" ", "This event has been cancelled.", ev.CancelMessage))
	case ev.Status == models.StatusPostponed:
		p = append(p, "This event has been postponed. The new date will be announced; registrations stay valid.")
	case ev.Tentative && ev.Kind == models.KindIftar:
		p = append(p, "The date is not final: it depends on the sighting of the moon.")
	case ev.Tentative:
		p = append(p, "The date is not final.")
	}
	if c := ev.IftarClock(); c != "" && ev.Status != models.StatusCancelled {
		p = append(p, "Iftar at sunset — "+c+".")
	}
	if hosts := ev.HostNames(); len(hosts) > 0 {
		p = append(p, "Hosted by "+models.AndList(hosts)+".")
	}
	if reg != nil && ev.Status != models.StatusCancelled {
		p = append(p, registrationLine(reg, ev))
	}
	if d.inPerson {
		switch {
		case d.address && (ev.VenueName != "" || ev.VenueAddress != ""):
			p = append(p, "Where: "+joinNonEmpty(", ", ev.VenueName, ev.VenueAddress))
		case d.address:
		case reg != nil:
			p = append(p, joinNonEmpty(" ", "Where:", ev.VenueName, "(the address is shown once your place is confirmed)"))
		default:
			p = append(p, joinNonEmpty(" ", "Where:", ev.VenueName, "(the address is sent to registered guests)"))
		}
		if ev.AccessNotes != "" {
			p = append(p, "Access: "+ev.AccessNotes)
		}
	}
	if ev.Online {
		switch {
		case d.stream:
			p = append(p, "Join online: "+ev.StreamURL)
		case reg == nil:
			p = append(p, "Online: the link is sent to registered guests.")
		}
	}
	switch {
	case reg != nil:
		p = append(p, "Event page: "+pageURL)
	case ev.Status == models.StatusCancelled:
		p = append(p, "Details: "+pageURL)
	default:
		p = append(p, "Details and registration: "+pageURL)
	}
	return strings.Join(p, "\n\n")
}

func registrationLine(reg *models.Registration, ev *models.Event) string {
	places := "1 place"
	if n := reg.Places(); n != 1 {
		places = strconv.Itoa(n) + " places"
	}
	mode := ""
	if ev.Hybrid() {
		mode = ", in person"
		if reg.Attendance == models.Online {
			mode = ", online"
		}
	}
	if reg.Status == models.RegWaitlisted {
		return "You are on the waitlist (" + places + mode + "). We will email you as soon as a place is yours."
	}
	return "Your registration is confirmed: " + places + mode + ". To change or cancel it, use the link in your confirmation email."
}

// categories are the kind and the hosts, one CATEGORIES property each: the
// library escapes commas inside a value, so a host named "Friends, Family"
// stays one category.
func categories(ev *models.Event, label func(string) string) []string {
	kind := ev.Kind
	if label != nil {
		kind = label(kind)
	}
	out := []string{line(kind)}
	seen := map[string]bool{out[0]: true}
	for _, h := range ev.HostNames() {
		h = line(h)
		if h != "" && !seen[h] {
			seen[h] = true
			out = append(out, h)
		}
	}
	return out
}

func geo(f float64) string { return strconv.FormatFloat(f, 'f', 6, 64) }

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// text makes a TEXT value safe to write: valid UTF-8, newlines as "\n" (the
// library escapes them, and a bare CR would end the content line) and no
// other control characters, which RFC 5545 does not allow.
func text(s string) string {
	if clean(s, true) {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\r':
			return '\n'
		case r == '\n' || r == '\t':
			return r
		case unicode.IsControl(r):
			return -1
		}
		return r
	}, s)
}

// line is text on one line (titles, places, categories), its runs of white
// space made single spaces.
func line(s string) string {
	if clean(s, false) {
		return s
	}
	return strings.Join(strings.Fields(text(s)), " ")
}

// clean reports whether s needs no change: valid UTF-8 without control
// characters (but newlines and tabs when multiline), and, on one line, no
// white space but single spaces between words.
func clean(s string, multiline bool) bool {
	if !utf8.ValidString(s) {
		return false
	}
	prev := ' '
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\t'):
		case unicode.IsControl(r):
			return false
		case !multiline && unicode.IsSpace(r) && (r != ' ' || prev == ' '):
			return false
		}
		prev = r
	}
	return multiline || prev != ' ' || s == ""
}
