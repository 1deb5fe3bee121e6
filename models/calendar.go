package models

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"gorm.io/gorm"

	"convene/calendar"
)

// Anniversary is a date an organisation remembers every year, shown on its
// calendar and suggested in the event editor.
type Anniversary struct {
	ID             uint      `gorm:"primaryKey"`
	OrganisationID uint      `gorm:"not null;index"`
	Title          string    `gorm:"size:200;not null"`
	Month          int       `gorm:"not null"`
	Day            int       `gorm:"not null"`
	Year           int       `gorm:"not null;default:0"` // the first year, or 0
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
}

// CalendarPlace is the organisation's home place: where its calendar and
// its online events are timed. Without coordinates it is London.
func (o *Organisation) CalendarPlace() calendar.Place {
	p := calendar.London
	if o.HomeLatitude != nil && o.HomeLongitude != nil {
		p = calendar.Place{Name: o.HomePlace, Latitude: *o.HomeLatitude, Longitude: *o.HomeLongitude}
	}
	if o.HomePlace != "" {
		p.Name = o.HomePlace
	}
	if loc, ok := Zone(o.Timezone); ok {
		p.Zone = loc
	}
	return p
}

// CalendarOptions are the organisation's Maghrib method and its shift of
// the Ramadan and Eid estimates.
func (o *Organisation) CalendarOptions() calendar.Options {
	m, _ := calendar.MethodByCode(o.IftarMethod)
	return calendar.Options{Method: m, HijriOffset: o.HijriOffset}
}

// defaultOrganisation stands in for an event without hosts: London, the
// default method.
var defaultOrganisation = Organisation{Timezone: "Europe/London"}

// mainHost is the event's first host, or the default organisation.
func mainHost(ev *Event) *Organisation {
	if len(ev.Hosts) > 0 && ev.Hosts[0].Organisation.ID != 0 {
		return &ev.Hosts[0].Organisation
	}
	d := defaultOrganisation
	return &d
}

// EventPlace is where an event's times are computed: the venue when people
// come in person and its coordinates are known, else the main host's home
// place. Times are written in the event's zone at the venue, in the home
// place's zone otherwise. The venue is named after the home place when it
// is near it, else after the nearest known city, else the venue itself.
func EventPlace(ev *Event) calendar.Place {
	org := mainHost(ev)
	home := org.CalendarPlace()
	if !ev.InPerson || ev.Latitude == nil || ev.Longitude == nil {
		return home
	}
	p := calendar.Place{Latitude: *ev.Latitude, Longitude: *ev.Longitude, Zone: ev.Location()}
	switch {
	case calendar.CheckCoordinates(p.Latitude, p.Longitude) != nil:
	case near(p, home):
		p.Name = home.Name
	default:
		p.Name = calendar.NearestCity(p.Latitude, p.Longitude, 30)
		if p.Name == "" {
			p.Name = ev.VenueName
		}
	}
	return p
}

func near(a, b calendar.Place) bool {
	// An equirectangular approximation is plenty for "within about 30 km".
	x := (a.Longitude - b.Longitude) * math.Cos((a.Latitude+b.Latitude)/2*math.Pi/180)
	y := a.Latitude - b.Latitude
	return math.Sqrt(x*x+y*y)*111.2 < 30
}

// EventClashes lists the religious and memorial days the event overlaps at
// its place, by its main host's settings. They never stop it being saved.
func EventClashes(ev *Event) []calendar.Warning {
	if ev.StartsAt.IsZero() || !ev.EndsAt.After(ev.StartsAt) {
		return []calendar.Warning{}
	}
	return calendar.Clashes(EventPlace(ev), ev.StartsAt, ev.EndsAt, ev.Kind == KindIftar, mainHost(ev).CalendarOptions())
}

// applyIftar computes the iftar time of an iftar (Maghrib at its place on
// its date, by its main host's method) and, for a start that follows the
// sun (of any kind of event), the start and end from it.
func applyIftar(ev *Event, v *ValidationError) {
	if ev.StartRule == "sunset" {
		switch {
		case ev.LocalDate == "":
			v.Add("date", "Enter the date of the sunset start as YYYY-MM-DD")
			return
		case ev.InPerson && (ev.Latitude == nil || ev.Longitude == nil):
			v.Add("venue.latitude", "A sunset start needs the venue's latitude and longitude")
			return
		}
	}
	if ev.Kind != KindIftar {
		ev.IftarAt = nil
		if ev.StartRule != "sunset" {
			return
		}
	}
	place := EventPlace(ev)
	if calendar.CheckCoordinates(place.Latitude, place.Longitude) != nil {
		ev.IftarAt = nil
		return
	}
	var day calendar.Date
	if ev.StartRule == "sunset" {
		d, err := calendar.ParseDate(ev.LocalDate)
		if err != nil {
			return // reported by applyTimes
		}
		day = d
	} else if !ev.StartsAt.IsZero() {
		day = calendar.DateOf(ev.StartsAt.In(place.Zone))
	} else {
		return
	}
	method := mainHost(ev).CalendarOptions().Method
	m, err := calendar.Maghrib(place, day, method)
	if err != nil {
		ev.IftarAt = nil
		if ev.StartRule == "sunset" {
			if errors.Is(err, calendar.ErrNoSunset) {
				v.Add("date", fmt.Sprintf("The sun does not set at %s on %s (polar day or night), so there is no iftar time: choose a fixed time", placeWords(place), day))
			} else {
				v.Add("venue.latitude", "Check the venue's latitude and longitude")
			}
		}
		return
	}
	at := m.UTC()
	if ev.Kind == KindIftar {
		ev.IftarAt = &at
	}
	if ev.StartRule != "sunset" {
		return
	}
	dur := ev.DurationMinutes
	if dur == 0 {
		dur = int(ev.EndsAt.Sub(ev.StartsAt).Minutes())
	}
	if dur <= 0 {
		dur = 150
	}
	ev.DurationMinutes = dur
	ev.StartsAt = at.Add(time.Duration(ev.SunsetOffsetMinutes) * time.Minute)
	ev.EndsAt = ev.StartsAt.Add(time.Duration(dur) * time.Minute)
}

func placeWords(p calendar.Place) string {
	if p.Name != "" {
		return p.Name
	}
	return "the venue"
}

// CalendarSettingsInput changes an organisation's calendar settings.
type CalendarSettingsInput struct {
	HomePlace     *string
	HomeLatitude  *float64
	HomeLongitude *float64
	Timezone      *string
	IftarMethod   *string
	HijriOffset   *int
	// Anniversaries, when set, replace the organisation's list.
	Anniversaries *[]AnniversaryInput
}

// AnniversaryInput is one anniversary of an organisation.
type AnniversaryInput struct {
	Title string `json:"title"`
	Month int    `json:"month"`
	Day   int    `json:"day"`
	Year  int    `json:"year"`
}

// validate checks an anniversary, naming field as the problem's place.
func (a *AnniversaryInput) validate(field string, v *ValidationError) {
	a.Title = strings.TrimSpace(a.Title)
	switch {
	case a.Title == "":
		v.Add(field+".title", "Enter what the anniversary is of")
	case len([]rune(a.Title)) > 200:
		v.Add(field+".title", "The title must be 200 characters or fewer")
	case !CleanName(a.Title):
		v.Add(field+".title", NameMessage)
	}
	if a.Month < 1 || a.Month > 12 {
		v.Add(field+".month", "Enter a month from 1 to 12")
	} else if a.Day < 1 || a.Day > daysIn(time.Month(a.Month)) {
		v.Add(field+".day", fmt.Sprintf("Enter a day from 1 to %d", daysIn(time.Month(a.Month))))
	}
	if a.Year != 0 && (a.Year < 1000 || a.Year > 2200) {
		v.Add(field+".year", "Enter the first year, like 1995, or leave it empty")
	}
}

// daysIn is the most days a month can have (29 for February).
func daysIn(m time.Month) int {
	return time.Date(2024, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// SaveCalendarSettings validates and stores an organisation's calendar
// settings. When the home place, zone or method change, the upcoming iftars
// it hosts are timed again, and their registrants told if the time moves.
func SaveCalendarSettings(db *gorm.DB, orgID uint, in CalendarSettingsInput, userID *uint, now time.Time) (*Organisation, error) {
	var out *Organisation
	err := db.Transaction(func(tx *gorm.DB) error {
		var o Organisation
		if err := tx.First(&o, orgID).Error; err != nil {
			if errors.Is(err, gorm.ErrRecordNotFound) {
				return ErrNotFound
			}
			return err
		}
		before := o
		v := &ValidationError{}
		if in.HomePlace != nil {
			o.HomePlace = strings.TrimSpace(*in.HomePlace)
			switch {
			case len([]rune(o.HomePlace)) > 100:
				v.Add("home_place.name", "Enter a place name of 100 characters or fewer")
			case !CleanName(o.HomePlace):
				v.Add("home_place.name", NameMessage)
			}
		}
		if in.HomeLatitude != nil || in.HomeLongitude != nil {
			if (in.HomeLatitude == nil) != (in.HomeLongitude == nil) {
				v.Add("home_place.latitude", "Enter both the latitude and the longitude, or neither")
			}
			if in.HomeLatitude != nil && (math.IsNaN(*in.HomeLatitude) || *in.HomeLatitude < -90 || *in.HomeLatitude > 90) {
				v.Add("home_place.latitude", "Latitude must be between -90 and 90")
			}
			if in.HomeLongitude != nil && (math.IsNaN(*in.HomeLongitude) || *in.HomeLongitude < -180 || *in.HomeLongitude > 180) {
				v.Add("home_place.longitude", "Longitude must be between -180 and 180")
			}
		}
		o.HomeLatitude, o.HomeLongitude = in.HomeLatitude, in.HomeLongitude
		if in.HomeLatitude == nil && in.HomeLongitude == nil {
			o.HomeLatitude, o.HomeLongitude = before.HomeLatitude, before.HomeLongitude
		}
		if in.Timezone != nil {
			tz := strings.TrimSpace(*in.Timezone)
			if _, ok := Zone(tz); !ok {
				v.Add("home_place.timezone", "Use an IANA time zone such as Europe/London")
			} else {
				o.Timezone = tz
			}
		}
		if in.IftarMethod != nil {
			if _, ok := calendar.MethodByCode(*in.IftarMethod); !ok {
				v.Add("iftar_method", "Choose one of the methods listed")
			} else {
				o.IftarMethod = *in.IftarMethod
			}
		}
		if in.HijriOffset != nil {
			if *in.HijriOffset < -calendar.MaxOffset || *in.HijriOffset > calendar.MaxOffset {
				v.Add("hijri_offset_days", "Choose a day earlier, none, or a day later (-1, 0 or 1)")
			} else {
				o.HijriOffset = *in.HijriOffset
			}
		}
		if in.Anniversaries != nil {
			if len(*in.Anniversaries) > 100 {
				v.Add("anniversaries", "Keep at most 100 anniversaries")
			}
			for i := range *in.Anniversaries {
				(*in.Anniversaries)[i].validate(fmt.Sprintf("anniversaries.%d", i), v)
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		o.UpdatedAt = now
		o.Revision++
		if err := tx.Model(&o).Select("home_place", "home_latitude", "home_longitude", "timezone", "iftar_method", "hijri_offset", "updated_at", "revision").
			Updates(&o).Error; err != nil {
			return err
		}
		if in.Anniversaries != nil {
			if err := tx.Where("organisation_id = ?", o.ID).Delete(&Anniversary{}).Error; err != nil {
				return err
			}
			for _, a := range *in.Anniversaries {
				row := Anniversary{OrganisationID: o.ID, Title: a.Title, Month: a.Month, Day: a.Day, Year: a.Year, CreatedAt: now}
				if err := tx.Create(&row).Error; err != nil {
					return err
				}
			}
		}
		if err := LogAccountActivity(tx, userID, "calendar_settings_changed", o.Slug, now); err != nil {
			return err
		}
		if before.CalendarPlace() != o.CalendarPlace() || before.IftarMethod != o.IftarMethod {
			if err := retimeIftars(tx, o.ID, userID, now); err != nil {
				return err
			}
		}
		out = &o
		return nil
	})
	return out, err
}

// retimeIftars times again the upcoming iftars that orgID hosts first.
// Those whose time moves get an update with no changes, which recomputes the
// iftar from the host's settings, bumps the sequence and mails the
// registrants; the others are left alone (an update bumps the revision, so
// an open editor would have to start again).
func retimeIftars(tx *gorm.DB, orgID uint, userID *uint, now time.Time) error {
	var slugs []string
	err := tx.Model(&Event{}).
		Joins("JOIN event_hosts ON event_hosts.event_id = events.id AND event_hosts.position = 0").
		Where("event_hosts.organisation_id = ? AND events.kind = ? AND events.status <> ? AND events.ends_at > ?", orgID, KindIftar, StatusCancelled, now).
		Order("events.starts_at").Pluck("events.slug", &slugs).Error
	if err != nil {
		return err
	}
	for _, slug := range slugs {
		ev, err := FindEvent(tx, slug)
		if err != nil {
			return err
		}
		retimed := *ev
		applyIftar(&retimed, &ValidationError{})
		if snapshot(&retimed) == snapshot(ev) {
			continue
		}
		if _, err := UpdateEvent(tx, slug, EventInput{}, userID, now); err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				continue // an iftar that can no longer be timed keeps its time
			}
			return err
		}
	}
	return nil
}

// Anniversaries lists an organisation's anniversaries by date in the year.
func Anniversaries(db *gorm.DB, orgID uint) ([]Anniversary, error) {
	var out []Anniversary
	err := db.Where("organisation_id = ?", orgID).Order("month, day, id").Find(&out).Error
	return out, err
}

// CalendarAnniversaries are anniversaries as the calendar takes them.
func CalendarAnniversaries(as []Anniversary) []calendar.Anniversary {
	out := make([]calendar.Anniversary, len(as))
	for i, a := range as {
		out[i] = calendar.Anniversary{Title: a.Title, Month: time.Month(a.Month), Day: a.Day, Year: a.Year}
	}
	return out
}

// CalendarFeed is an organiser's private feed of the observances of one of
// their organisations. Its token is "<id>_<secret>"; only the secret's
// SHA-256 is kept.
type CalendarFeed struct {
	ID             uint      `gorm:"primaryKey"`
	UserID         uint      `gorm:"not null;uniqueIndex:idx_calendar_feed"`
	OrganisationID uint      `gorm:"not null;uniqueIndex:idx_calendar_feed"`
	TokenHash      string    `gorm:"size:64;not null"`
	CreatedAt      time.Time `gorm:"autoCreateTime:false"`
}

// NewCalendarFeedToken gives the user a new private observance feed of org,
// replacing any earlier one (whose address stops working at once).
func NewCalendarFeedToken(db *gorm.DB, userID, orgID uint, now time.Time) (string, error) {
	secret := RandomString(24) // 32 characters, as splitToken expects
	var token string
	err := db.Transaction(func(tx *gorm.DB) error {
		if err := tx.Where("user_id = ? AND organisation_id = ?", userID, orgID).Delete(&CalendarFeed{}).Error; err != nil {
			return err
		}
		row := CalendarFeed{UserID: userID, OrganisationID: orgID, TokenHash: HashToken(secret), CreatedAt: now}
		if err := tx.Create(&row).Error; err != nil {
			return err
		}
		token = fmt.Sprintf("%d_%s", row.ID, secret)
		return LogAccountActivity(tx, &userID, "calendar_feed_created", fmt.Sprint(orgID), now)
	})
	return token, err
}

// HasCalendarFeed reports whether the user has a feed of org.
func HasCalendarFeed(db *gorm.DB, userID, orgID uint) (bool, error) {
	var n int64
	err := db.Model(&CalendarFeed{}).Where("user_id = ? AND organisation_id = ?", userID, orgID).Count(&n).Error
	return n > 0, err
}

// CalendarFeedOrganisation resolves a feed token to its organisation. The
// feed stops when the account is disabled or leaves the organisation.
func CalendarFeedOrganisation(db *gorm.DB, token string) (*Organisation, error) {
	id, secret, ok := splitToken(token)
	if !ok {
		return nil, ErrNotFound
	}
	var feed CalendarFeed
	if err := db.Take(&feed, id).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	if !sameHash(secret, feed.TokenHash) {
		return nil, ErrNotFound
	}
	var u User
	if err := db.Preload("Memberships").Take(&u, feed.UserID).Error; err != nil || u.Disabled || !u.OrganisesOrg(feed.OrganisationID) {
		return nil, ErrNotFound
	}
	var o Organisation
	if err := db.Take(&o, feed.OrganisationID).Error; err != nil {
		return nil, ErrNotFound
	}
	return &o, nil
}

// PreviewEvent applies in to the event with slug (a new event when slug is
// empty, hosted by defaultHost unless in says otherwise) without saving
// anything, so that an editor can show the computed iftar time and the
// clashes before the organiser saves.
func PreviewEvent(db *gorm.DB, slug string, in EventInput, defaultHost *uint) (*Event, error) {
	ev := &Event{Status: StatusDraft, Waitlist: true, InPerson: true, AddressVisibility: AddressPublic, Timezone: "Europe/London", ReminderHours: 24, AnswersRetentionDays: DefaultAnswersRetentionDays}
	if slug != "" {
		cur, err := FindEvent(db, slug)
		if err != nil {
			return nil, err
		}
		ev = cur
	} else if defaultHost != nil && in.Hosts == nil {
		var org Organisation
		if db.First(&org, *defaultHost).Error == nil {
			ev.Hosts = []EventHost{{OrganisationID: org.ID, Organisation: org, Role: RoleHost}}
			if in.Timezone == nil && org.Timezone != "" {
				in.Timezone = &org.Timezone
			}
		}
	}
	v := &ValidationError{}
	validateEventInput(in, v)
	if err := applyEventInput(db, ev, in, v); err != nil {
		return nil, err
	}
	return ev, v.Err()
}

// CalendarHost is the organisation whose calendar settings apply to the
// user's pages: the one asked for by slug if the user organises it, else
// the user's first organisation, else the first of all (for admins).
func CalendarHost(db *gorm.DB, u *User, slug string) (*Organisation, []Organisation, error) {
	var all []Organisation
	if err := db.Order("name").Find(&all).Error; err != nil {
		return nil, nil, err
	}
	var mine []Organisation
	for _, o := range all {
		if u.OrganisesOrg(o.ID) {
			mine = append(mine, o)
		}
	}
	if len(mine) == 0 {
		d := defaultOrganisation
		d.Name = "London"
		return &d, nil, nil
	}
	for i := range mine {
		if mine[i].Slug == slug {
			return &mine[i], mine, nil
		}
	}
	for i := range mine {
		for _, m := range u.Memberships {
			if m.OrganisationID == mine[i].ID {
				return &mine[i], mine, nil
			}
		}
	}
	return &mine[0], mine, nil
}

// IftarClock is the iftar time in the event's zone, written as every time
// of an event is ("5:19pm", calendar.Clock), or "" for an event without one.
func (e *Event) IftarClock() string {
	if e.IftarAt == nil {
		return ""
	}
	return calendar.Clock(e.IftarAt.In(e.Location()))
}

// OrganisationEvents lists the events an organisation hosts (any role, any
// status) that overlap from to to, in start order.
func OrganisationEvents(db *gorm.DB, orgID uint, from, to time.Time) ([]Event, error) {
	var evs []Event
	err := db.Preload("Hosts", func(d *gorm.DB) *gorm.DB { return d.Order("position, id") }).Preload("Hosts.Organisation").
		Where("id IN (SELECT event_id FROM event_hosts WHERE organisation_id = ?) AND starts_at < ? AND ends_at > ?", orgID, to, from).
		Order("starts_at, id").Find(&evs).Error
	return evs, err
}
