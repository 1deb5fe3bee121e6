package app

import (
	"encoding/json"
	"html/template"
	"time"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// socialMeta is what a page tells link previews (Open Graph, Twitter
// cards) and search engines (schema.org JSON-LD) about itself. Only what
// the public page shows goes in: never a stream link or a private address.
type socialMeta struct {
	Title       string
	Description string
	URL         string
	Image       string
	ImageAlt    string
	ImageWidth  int
	ImageHeight int
	// JSONLD is the schema.org description, JSON escaped for a <script>
	// block (see eventJSONLD).
	JSONLD template.JS
}

// eventSocial describes an event page for link previews and search engines.
func (a *App) eventSocial(v EventView) *socialMeta {
	m := &socialMeta{Title: v.Title, Description: v.Summary, URL: v.URL}
	if v.Status == models.StatusCancelled {
		m.Title = "Cancelled: " + v.Title
	}
	if m.Description == "" {
		m.Description = formatWhen(v.StartsAt, v.EndsAt, v.Timezone)
	}
	if v.CoverName != "" {
		m.Image, m.ImageAlt = a.cfg.BaseURL+"/media/covers/"+v.CoverName, v.CoverAlt
		m.ImageWidth, m.ImageHeight = v.CoverWidth, v.CoverHeight
	}
	ld, err := eventJSONLD(v, a.cfg.BaseURL)
	if err != nil {
		// Only a coordinate that is not a number could do this: the page
		// goes without its JSON-LD rather than not at all.
		a.log.Warn("event JSON-LD", "event", v.ID, "err", err)
	}
	m.JSONLD = ld
	return m
}

// schema.org terms of an Event (https://schema.org/Event).
type ldEvent struct {
	Context             string    `json:"@context"`
	Type                string    `json:"@type"`
	Name                string    `json:"name"`
	Description         string    `json:"description,omitempty"`
	URL                 string    `json:"url"`
	StartDate           string    `json:"startDate"`
	PreviousStartDate   string    `json:"previousStartDate,omitempty"`
	EndDate             string    `json:"endDate"`
	EventStatus         string    `json:"eventStatus"`
	EventAttendanceMode string    `json:"eventAttendanceMode"`
	Location            []any     `json:"location"`
	Organizer           []ldOrg   `json:"organizer,omitempty"`
	Image               []string  `json:"image,omitempty"`
	SuperEvent          *ldSeries `json:"superEvent,omitempty"`
	IsAccessibleForFree bool      `json:"isAccessibleForFree"`
}

type ldPlace struct {
	Type    string `json:"@type"`
	Name    string `json:"name,omitempty"`
	Address string `json:"address,omitempty"`
	Geo     *ldGeo `json:"geo,omitempty"`
}

type ldGeo struct {
	Type      string  `json:"@type"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

type ldVirtual struct {
	Type string `json:"@type"`
	URL  string `json:"url"`
}

type ldOrg struct {
	Type string `json:"@type"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

type ldSeries struct {
	Type string `json:"@type"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// eventJSONLD is the schema.org Event of a public event page, as JSON safe
// to put between <script type="application/ld+json"> and </script>:
// encoding/json writes <, > and & as \u003c, \u003e and \u0026 (and U+2028,
// U+2029 escaped), so no title can close the script block or open a
// comment, and the text reads back unchanged. Its online location is the
// public event page itself, never the stream; the place has its address and
// coordinates only when the address is public.
func eventJSONLD(v EventView, baseURL string) (template.JS, error) {
	ld := ldEvent{
		Context: "https://schema.org", Type: "Event",
		Name: v.Title, Description: v.Summary, URL: v.URL,
		StartDate:           inZone(v.StartsAt, v.Timezone).Format(time.RFC3339),
		EndDate:             inZone(v.EndsAt, v.Timezone).Format(time.RFC3339),
		EventStatus:         "https://schema.org/" + ldStatus(v.Event),
		IsAccessibleForFree: true,
	}
	ev := v.Event
	if ev.Rescheduled() {
		ld.PreviousStartDate = inZone(*ev.PreviousStartsAt, v.Timezone).Format(time.RFC3339)
	}
	switch {
	case ev.InPerson && ev.Online:
		ld.EventAttendanceMode = "https://schema.org/MixedEventAttendanceMode"
	case ev.Online:
		ld.EventAttendanceMode = "https://schema.org/OnlineEventAttendanceMode"
	default:
		ld.EventAttendanceMode = "https://schema.org/OfflineEventAttendanceMode"
	}
	if ev.InPerson {
		p := ldPlace{Type: "Place", Name: v.VenueName}
		if v.ShowAddress() {
			p.Address = v.VenueAddress
			if v.Latitude != nil && v.Longitude != nil {
				p.Geo = &ldGeo{Type: "GeoCoordinates", Latitude: *v.Latitude, Longitude: *v.Longitude}
			}
		}
		ld.Location = append(ld.Location, p)
	}
	if ev.Online {
		ld.Location = append(ld.Location, ldVirtual{Type: "VirtualLocation", URL: v.URL})
	}
	for _, h := range v.Hosts {
		ld.Organizer = append(ld.Organizer, ldOrg{Type: "Organization", Name: h.Organisation.Name, URL: baseURL + "/organisations/" + h.Organisation.Slug})
	}
	if v.CoverName != "" {
		ld.Image = []string{baseURL + "/media/covers/" + v.CoverName}
	}
	if s := v.Series; s != nil {
		ld.SuperEvent = &ldSeries{Type: "EventSeries", Name: s.Title, URL: baseURL + "/series/" + s.Slug}
	}
	b, err := json.Marshal(ld)
	if err != nil {
		return "", err
	}
	return template.JS(b), nil //nolint:gosec // encoding/json escapes <, > and & (see above)
}

// ldStatus is the schema.org EventStatusType of an event.
func ldStatus(ev *models.Event) string {
	switch ev.Status {
	case models.StatusCancelled:
		return "EventCancelled"
	case models.StatusPostponed:
		return "EventPostponed"
	}
	if ev.Rescheduled() {
		return "EventRescheduled"
	}
	return "EventScheduled"
}

// posterData is a printable poster of an event.
type posterData struct {
	Event EventView
	QR    template.HTML
}

// posterPage is /events/{slug}/poster: an A4 poster with the event's
// title, time (its zone named), place and a QR code of its public address,
// to print and pin up. It shows only what the public page shows.
func (a *App) posterPage(c *fiber.Ctx) error {
	ev, wl, err := a.events.get(c.UserContext(), c.Params("slug"))
	if err != nil {
		return err
	}
	if !ev.Public() {
		return models.ErrNotFound
	}
	v := a.eventView(ev, wl)
	qr, err := qrSVG(v.URL, "QR code of the event's address, "+v.URL)
	if err != nil {
		return err
	}
	return a.render(c, 200, "poster", Page{Title: "Poster: " + ev.Title, Description: ev.Summary, Data: posterData{Event: v, QR: qr}})
}
