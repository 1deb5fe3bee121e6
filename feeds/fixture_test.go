package feeds_test

import (
	"strings"
	"testing"
	"time"

	"convene/feeds"
	"convene/feeds/feedstest"
	"convene/models"
)

const baseURL = "https://events.example.org"

// stream is the stream link of the fixture: it must never be in a public feed.
const stream = "https://stream.example.org/live/voices?key=a;b,c"

// privateAddress is the fixture's registrants-only address.
const privateAddress = "12 Hill Rise, London N8 7QP"

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func f64(v float64) *float64 { return &v }

func org(slug, name string) models.EventHost {
	return models.EventHost{Organisation: models.Organisation{Slug: slug, Name: name}}
}

// fixture is a small year of events covering every case a feed must handle.
func fixture() []models.Event {
	changed := utc("2026-09-01 10:00")
	created := utc("2026-08-01 09:00")
	week := &models.Series{Slug: "week-of-action", Title: "Week of Action Against Hate"}
	return []models.Event{
		{ID: 1, Slug: "public-meeting", Title: "Public Meeting: Standing Together, Against Hate; Always", Kind: models.KindMeeting,
			Summary: "Councillors, police and community leaders answer your questions.", Status: models.StatusPublished,
			StartsAt: utc("2026-12-08 19:00"), EndsAt: utc("2026-12-08 21:00"), Timezone: "Europe/London",
			InPerson: true, VenueName: "Friends Meeting House", VenueAddress: "173 Euston Road, London NW1 2BJ",
			Latitude: f64(51.5275), Longitude: f64(-0.1303), AddressVisibility: models.AddressPublic,
			AccessNotes: "Step-free entrance; hearing loop.", Hosts: []models.EventHost{org("open-doors", "Open Doors Human Rights")},
			Sequence: 2, CreatedAt: created, UpdatedAt: changed},
		{ID: 2, Slug: "solidarity-iftar", Title: "Solidarity Iftar: Breaking Bread Together", Kind: models.KindIftar,
			Summary: "Break the fast with neighbours of every faith and none, at sunset.", Status: models.StatusPublished, Tentative: true,
			StartsAt: utc("2027-02-17 17:18"), EndsAt: utc("2027-02-17 19:48"), Timezone: "Europe/London",
			InPerson: true, VenueName: "Northside Synagogue Hall", VenueAddress: privateAddress,
			Latitude: f64(51.5862), Longitude: f64(-0.1235), AddressVisibility: models.AddressRegistrants,
			Hosts:     []models.EventHost{org("al-noor-mosque", "Al-Noor Mosque"), org("northside", "Northside Synagogue")},
			CreatedAt: created, UpdatedAt: changed.Add(time.Hour)},
		{ID: 3, Slug: "voices-of-uyghur-women", Title: "Livestream: Voices of Uyghur Women", Kind: models.KindLivestream,
			Summary: "Testimony and conversation,\r\nbroadcast live.", Status: models.StatusPublished,
			StartsAt: utc("2026-12-15 18:30"), EndsAt: utc("2026-12-15 20:00"), Timezone: "Europe/London",
			Online: true, StreamURL: stream,
			Hosts:     []models.EventHost{org("open-doors", "Open Doors Human Rights"), org("friends", `Friends, Families \ Neighbours`)},
			CreatedAt: created, UpdatedAt: changed},
		{ID: 4, Slug: "hmd-memorial", Title: "Holocaust Memorial Day: An Interfaith Commemoration", Kind: models.KindMemorial,
			Summary: "Survivor testimony, prayers and candle lighting.", Status: models.StatusPublished,
			StartsAt: utc("2027-01-27 18:00"), EndsAt: utc("2027-01-27 19:30"), Timezone: "Europe/London",
			InPerson: true, Online: true, VenueName: "St Mary's Church", VenueAddress: "Upper Street, London N1 2TX",
			Latitude: f64(51.5393), Longitude: f64(-0.1028), AddressVisibility: models.AddressPublic, StreamURL: stream,
			Hosts:     []models.EventHost{org("northside", "Northside Synagogue"), org("al-noor-mosque", "Al-Noor Mosque")},
			CreatedAt: created, UpdatedAt: changed},
		{ID: 5, Slug: "week-of-action-vigil", Title: "Week of Action: Overnight Vigil", Kind: models.KindMemorial,
			Summary: "Through the night as the clocks go forward.", Status: models.StatusPublished, Series: week,
			StartsAt: utc("2027-03-27 22:00"), EndsAt: utc("2027-03-28 06:00"), Timezone: "Europe/London",
			InPerson: true, VenueName: "St Mary's Churchyard", VenueAddress: "Upper Street, London N1 2TX", AddressVisibility: models.AddressPublic,
			Hosts: []models.EventHost{org("open-doors", "Open Doors Human Rights")}, CreatedAt: created, UpdatedAt: changed},
		{ID: 6, Slug: "week-of-action-panel", Title: "Week of Action: Press Freedom in Exile", Kind: models.KindMeeting,
			Summary: "A panel.", Status: models.StatusCancelled, Series: week, CancelMessage: "Our speakers could not travel.",
			StartsAt: utc("2027-03-25 19:00"), EndsAt: utc("2027-03-25 20:30"), Timezone: "Europe/London",
			InPerson: true, VenueName: "Conway Hall", VenueAddress: "25 Red Lion Square, London WC1R 4RL", AddressVisibility: models.AddressPublic,
			Hosts: []models.EventHost{org("open-doors", "Open Doors Human Rights")}, Sequence: 1, CreatedAt: created, UpdatedAt: changed},
		{ID: 7, Slug: "new-york-teach-in", Title: "Teach-in with our New York partners", Kind: models.KindMeeting,
			Status: models.StatusPostponed, Tentative: true,
			StartsAt: utc("2026-11-01 14:00"), EndsAt: utc("2026-11-01 16:00"), Timezone: "America/New_York",
			InPerson: true, VenueName: "Community Hall", VenueAddress: "1 Main Street, Brooklyn, NY", AddressVisibility: models.AddressPublic,
			Hosts: []models.EventHost{org("open-doors", "Open Doors Human Rights")}, Sequence: 3, CreatedAt: created, UpdatedAt: changed},
		{ID: 8, Slug: "online-briefing-utc", Title: "Online briefing", Kind: models.KindLivestream, Status: models.StatusPublished,
			StartsAt: utc("2026-12-01 12:00"), EndsAt: utc("2026-12-01 13:00"), Timezone: "UTC", Online: true, StreamURL: stream,
			Hosts: []models.EventHost{org("open-doors", "Open Doors Human Rights")}, CreatedAt: created, UpdatedAt: changed},
	}
}

func items(evs []models.Event) []feeds.Item {
	out := make([]feeds.Item, len(evs))
	for i := range evs {
		out[i] = feeds.Item{Event: &evs[i]}
	}
	return out
}

func kindLabel(k string) string { return strings.ToUpper(k[:1]) + k[1:] }

func public() feeds.Options { return feeds.Options{BaseURL: baseURL, KindLabel: kindLabel} }

func private() feeds.Options {
	return feeds.Options{BaseURL: baseURL, Private: true, KindLabel: kindLabel}
}

// lint fails the test on any RFC problem and returns the parsed calendar.
func lint(t *testing.T, body []byte) *feedstest.Component {
	t.Helper()
	cal, errs := feedstest.Lint(body)
	for _, err := range errs {
		t.Error(err)
	}
	if cal == nil {
		t.FailNow()
	}
	return cal
}

// only returns the single VEVENT of a calendar.
func only(t *testing.T, cal *feedstest.Component) *feedstest.Component {
	t.Helper()
	evs := cal.Sub("VEVENT")
	if len(evs) != 1 {
		t.Fatalf("%d VEVENTs, want 1", len(evs))
	}
	return evs[0]
}

func loadZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}
