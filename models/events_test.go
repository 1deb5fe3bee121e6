package models_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"convene/calendar"
	"convene/models"
	"convene/models/modelstest"
)

var london = mustLoad("Europe/London")

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

func validEventInput() models.EventInput {
	return models.EventInput{Title: sp("A meeting"), Kind: sp(models.KindMeeting),
		StartsAt: tp(now.Add(48 * time.Hour)), EndsAt: tp(now.Add(50 * time.Hour))}
}

func TestCreateEventValidation(t *testing.T) {
	cases := []struct {
		name   string
		change func(*models.EventInput)
		field  string
	}{
		{"no title", func(in *models.EventInput) { in.Title = sp("  ") }, "title"},
		{"title too long", func(in *models.EventInput) { in.Title = sp(strings.Repeat("t", 201)) }, "title"},
		{"no kind", func(in *models.EventInput) { in.Kind = nil }, "kind"},
		{"unknown kind", func(in *models.EventInput) { in.Kind = sp("party") }, "kind"},
		{"unknown status", func(in *models.EventInput) { in.Status = sp("live") }, "status"},
		{"bad timezone", func(in *models.EventInput) { in.Timezone = sp("Mars/Olympus_Mons") }, "timezone"},
		{"Local timezone", func(in *models.EventInput) { in.Timezone = sp("Local") }, "timezone"},
		{"empty timezone", func(in *models.EventInput) { in.Timezone = sp("") }, "timezone"},
		{"no start", func(in *models.EventInput) { in.StartsAt, in.EndsAt = nil, nil }, "starts_at"},
		{"end before start", func(in *models.EventInput) { in.EndsAt = tp(in.StartsAt.Add(-time.Minute)) }, "ends_at"},
		{"end at start", func(in *models.EventInput) { in.EndsAt = tp(*in.StartsAt) }, "ends_at"},
		{"start in year 1999", func(in *models.EventInput) {
			in.StartsAt, in.EndsAt = tp(time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)), tp(time.Date(1999, 1, 1, 2, 0, 0, 0, time.UTC))
		}, "starts_at"},
		{"slug with spaces", func(in *models.EventInput) { in.Slug = sp("my event") }, "slug"},
		{"slug upper case", func(in *models.EventInput) { in.Slug = sp("My-Event") }, "slug"},
		{"slug double hyphen", func(in *models.EventInput) { in.Slug = sp("my--event") }, "slug"},
		{"slug leading hyphen", func(in *models.EventInput) { in.Slug = sp("-event") }, "slug"},
		{"slug with slash", func(in *models.EventInput) { in.Slug = sp("a/b") }, "slug"},
		{"slug too long", func(in *models.EventInput) { in.Slug = sp(strings.Repeat("a", 81)) }, "slug"},
		{"duplicate slug", func(in *models.EventInput) { in.Slug = sp("taken-slug") }, "slug"},
		{"livestream in person", func(in *models.EventInput) { in.Kind = sp(models.KindLivestream); in.InPerson = bp(true) }, "in_person"},
		{"neither in person nor online", func(in *models.EventInput) { in.InPerson = bp(false) }, "online"},
		{"unknown host", func(in *models.EventInput) { in.Hosts = &[]models.HostInput{{Organisation: "no-such-org"}} }, "hosts.0"},
		{"second host unknown", func(in *models.EventInput) {
			in.Hosts = &[]models.HostInput{{Organisation: "open-doors"}, {Organisation: "nobody"}}
		}, "hosts.1"},
		{"bad host role", func(in *models.EventInput) {
			in.Hosts = &[]models.HostInput{{Organisation: "open-doors", Role: "owner"}}
		}, "hosts.0"},
		{"unknown series", func(in *models.EventInput) { in.Series = sp("no-such-series") }, "series"},
		{"negative capacity", func(in *models.EventInput) { in.CapacitySet, in.Capacity = true, ip(-1) }, "capacity"},
		{"negative online capacity", func(in *models.EventInput) { in.OnlineCapacitySet, in.OnlineCapacity = true, ip(-1) }, "online_capacity"},
		{"too many guests", func(in *models.EventInput) { in.MaxGuests = ip(51) }, "max_guests"},
		{"negative guests", func(in *models.EventInput) { in.MaxGuests = ip(-1) }, "max_guests"},
		{"stream URL not http", func(in *models.EventInput) { in.StreamURL = sp("javascript:alert(1)") }, "stream_url"},
		{"latitude out of range", func(in *models.EventInput) { in.Venue = &models.VenueInput{Latitude: fp(91), Longitude: fp(0)} }, "venue.latitude"},
		{"longitude out of range", func(in *models.EventInput) { in.Venue = &models.VenueInput{Latitude: fp(0), Longitude: fp(-181)} }, "venue.longitude"},
		{"bad address visibility", func(in *models.EventInput) { in.Venue = &models.VenueInput{AddressVisibility: sp("friends")} }, "venue.address_visibility"},
		{"sunset without venue position", func(in *models.EventInput) { in.StartRule, in.Date = sp("sunset"), sp("2026-03-10") }, "venue.latitude"},
		{"sunset without date", func(in *models.EventInput) {
			in.StartRule, in.Venue = sp("sunset"), &models.VenueInput{Latitude: fp(51.5), Longitude: fp(-0.1)}
		}, "date"},
		{"sunset bad date", func(in *models.EventInput) { in.StartRule, in.Date = sp("sunset"), sp("10/03/2026") }, "date"},
		{"sunset that never comes", func(in *models.EventInput) {
			in.StartRule, in.Date = sp("sunset"), sp("2026-06-21")
			in.Venue = &models.VenueInput{Latitude: fp(78.22), Longitude: fp(15.65)}
		}, "date"},
		{"unknown start rule", func(in *models.EventInput) { in.StartRule = sp("moonrise") }, "start_rule"},
		{"choice question with one option", func(in *models.EventInput) {
			in.Questions = &[]models.QuestionInput{{Label: "Pick", Kind: models.QuestionSingle, Options: []string{"Only"}}}
		}, "questions.0"},
		{"question kind unknown", func(in *models.EventInput) {
			in.Questions = &[]models.QuestionInput{{Label: "Pick", Kind: "dropdown"}}
		}, "questions.0"},
		{"questions with same key", func(in *models.EventInput) {
			in.Questions = &[]models.QuestionInput{{Label: "Name?", Kind: models.QuestionShortText}, {Label: "Name?", Kind: models.QuestionShortText}}
		}, "questions.1"},
		{"reminder too far ahead", func(in *models.EventInput) { in.ReminderHours = ip(337) }, "reminder_hours"},
	}
	db := modelstest.Open(t)
	org := models.Organisation{Slug: "open-doors", Name: "Open Doors"}
	if err := db.DB.Create(&org).Error; err != nil {
		t.Fatal(err)
	}
	first := validEventInput()
	first.Slug = sp("taken-slug")
	newEvent(t, db, first)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := validEventInput()
			tc.change(&in)
			before := count(t, db, &models.Event{}, "1 = 1")
			_, err := models.CreateEvent(db.DB, in, nil, nil, now)
			fieldErr(t, err, tc.field)
			if after := count(t, db, &models.Event{}, "1 = 1"); after != before {
				t.Fatalf("refused event stored: %d events, was %d", after, before)
			}
		})
	}
	t.Run("valid (control)", func(t *testing.T) {
		in := validEventInput()
		in.Hosts = &[]models.HostInput{{Organisation: "open-doors"}}
		ev, err := models.CreateEvent(db.DB, in, nil, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Slug != "a-meeting" || ev.Status != models.StatusDraft || !ev.InPerson || ev.Online || !ev.Waitlist ||
			ev.ReminderHours != 24 || ev.Timezone != "Europe/London" || len(ev.Hosts) != 1 || ev.Hosts[0].Role != models.RoleHost {
			t.Fatalf("defaults: %+v", ev)
		}
	})
}

func TestCreateEventStoresWhatWasAsked(t *testing.T) {
	// Zero values must survive the insert, not be replaced by column defaults.
	db := modelstest.Open(t)
	cases := []struct {
		name  string
		in    models.EventInput
		check func(*models.Event) bool
	}{
		{"livestream is online only", models.EventInput{Kind: sp(models.KindLivestream)},
			func(e *models.Event) bool {
				return !e.InPerson && e.Online && e.Modes()[0] == models.Online && len(e.Modes()) == 1
			}},
		{"online only meeting", models.EventInput{InPerson: bp(false), Online: bp(true)},
			func(e *models.Event) bool { return !e.InPerson && e.Online }},
		{"hybrid", models.EventInput{InPerson: bp(true), Online: bp(true)},
			func(e *models.Event) bool { return e.InPerson && e.Online && e.Hybrid() }},
		{"waitlist off", models.EventInput{Waitlist: bp(false)}, func(e *models.Event) bool { return !e.Waitlist }},
		{"no reminder", models.EventInput{ReminderHours: ip(0)}, func(e *models.Event) bool { return e.ReminderHours == 0 }},
		{"capacity zero", models.EventInput{CapacitySet: true, Capacity: ip(0)}, func(e *models.Event) bool { return e.Capacity != nil && *e.Capacity == 0 }},
		{"capacity unlimited", models.EventInput{}, func(e *models.Event) bool { return e.Capacity == nil && e.OnlineCapacity == nil }},
		{"time zone of the event", models.EventInput{Timezone: sp("America/New_York")}, func(e *models.Event) bool { return e.Timezone == "America/New_York" }},
		{"times stored in UTC", models.EventInput{StartsAt: tp(time.Date(2026, 5, 1, 19, 0, 0, 0, london)), EndsAt: tp(time.Date(2026, 5, 1, 21, 0, 0, 0, london))},
			func(e *models.Event) bool {
				return e.StartsAt.Equal(time.Date(2026, 5, 1, 18, 0, 0, 0, time.UTC)) && e.StartsAt.Location() == time.UTC
			}},
		{"end defaults to two hours", models.EventInput{StartsAt: tp(now.Add(time.Hour)), EndsAt: nil},
			func(e *models.Event) bool { return e.EndsAt.Sub(e.StartsAt) == 2*time.Hour }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev := newEvent(t, db, tc.in)
			if !tc.check(ev) {
				t.Fatalf("returned event: %+v", ev)
			}
			if stored := loadEvent(t, db, ev.ID); !tc.check(stored) {
				t.Fatalf("stored event: %+v", stored)
			}
		})
	}
}

func TestCreateEventSlugsAndHosts(t *testing.T) {
	db := modelstest.Open(t)
	for _, o := range []models.Organisation{{Slug: "al-noor-mosque", Name: "Al-Noor"}, {Slug: "northside-synagogue", Name: "Northside"}} {
		if err := db.DB.Create(&o).Error; err != nil {
			t.Fatal(err)
		}
	}
	var slugs []string
	for i := 0; i < 3; i++ {
		slugs = append(slugs, newEvent(t, db, models.EventInput{Title: sp("Solidarity Iftar!")}).Slug)
	}
	if strings.Join(slugs, " ") != "solidarity-iftar solidarity-iftar-2 solidarity-iftar-3" {
		t.Fatalf("slugs %v", slugs)
	}
	hosts := []models.HostInput{{Organisation: "al-noor-mosque"}, {Organisation: " northside-synagogue "}, {Organisation: "al-noor-mosque"}}
	ev := newEvent(t, db, models.EventInput{Hosts: &hosts})
	if len(ev.Hosts) != 2 || ev.Hosts[0].Organisation.Slug != "al-noor-mosque" || ev.Hosts[0].Role != models.RoleHost ||
		ev.Hosts[1].Organisation.Slug != "northside-synagogue" || ev.Hosts[1].Role != models.RoleCoHost {
		t.Fatalf("hosts %+v", ev.Hosts)
	}
	var org models.Organisation
	db.DB.Where("slug = ?", "northside-synagogue").Take(&org)
	def, err := models.CreateEvent(db.DB, validEventInput(), nil, &org.ID, now)
	if err != nil || len(def.Hosts) != 1 || def.Hosts[0].OrganisationID != org.ID {
		t.Fatalf("default host: %v %+v", err, def)
	}
	// Renaming onto another event's slug is refused and changes nothing.
	_, err = models.UpdateEvent(db.DB, "solidarity-iftar-2", models.EventInput{Slug: sp("solidarity-iftar"), Title: sp("Other")}, nil, now)
	fieldErr(t, err, "slug")
	if got, err := models.FindEvent(db.DB, "solidarity-iftar-2"); err != nil || got.Title != "Solidarity Iftar!" {
		t.Fatalf("after refused rename: %v %+v", err, got)
	}
	if _, err := models.UpdateEvent(db.DB, "no-such-event", models.EventInput{}, nil, now); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("unknown slug: %v", err)
	}
	if _, err := models.FindEvent(db.DB, "no-such-event"); !errors.Is(err, models.ErrNotFound) {
		t.Fatalf("FindEvent unknown slug: %v", err)
	}
}

func TestUpdateEventValidation(t *testing.T) {
	cases := []struct {
		name  string
		in    models.EventInput
		field string
	}{
		{"bad timezone", models.EventInput{Timezone: sp("Europe/Atlantis")}, "timezone"},
		{"end before start", models.EventInput{EndsAt: tp(now)}, "ends_at"},
		{"unknown kind", models.EventInput{Kind: sp("concert")}, "kind"},
		{"livestream while in person", models.EventInput{Kind: sp(models.KindLivestream)}, "in_person"},
		{"bad slug", models.EventInput{Slug: sp("Bad Slug")}, "slug"},
		{"unknown host", models.EventInput{Hosts: &[]models.HostInput{{Organisation: "ghost"}}}, "hosts.0"},
		{"empty title", models.EventInput{Title: sp("")}, "title"},
		{"negative capacity", models.EventInput{CapacitySet: true, Capacity: ip(-5)}, "capacity"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := modelstest.Open(t)
			ev := newEvent(t, db, models.EventInput{})
			in := tc.in
			in.Summary = sp("changed alongside")
			_, err := models.UpdateEvent(db.DB, ev.Slug, in, nil, now)
			fieldErr(t, err, tc.field)
			got := loadEvent(t, db, ev.ID)
			if got.Summary != "" || got.Sequence != ev.Sequence || got.Kind != ev.Kind || got.Slug != ev.Slug {
				t.Fatalf("refused update changed the event: %+v", got)
			}
		})
	}
	t.Run("livestream made online only", func(t *testing.T) {
		db := modelstest.Open(t)
		ev := newEvent(t, db, models.EventInput{})
		got, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Kind: sp(models.KindLivestream), InPerson: bp(false), Online: bp(true)}, nil, now)
		if err != nil || got.InPerson || !got.Online {
			t.Fatalf("%v %+v", err, got)
		}
	})
}

func TestUpdateEventSequenceAndMails(t *testing.T) {
	later := now.Add(8 * 24 * time.Hour)
	cases := []struct {
		name    string
		in      models.EventInput
		bump    bool
		mail    string // kind mailed to each active registrant, "" for none
		message string
	}{
		{"title", models.EventInput{Title: sp("New title")}, true, "", ""},
		{"same title", models.EventInput{Title: sp("Test event")}, false, "", ""},
		{"start and end", models.EventInput{StartsAt: tp(later), EndsAt: tp(later.Add(time.Hour))}, true, models.MailEventChanged, ""},
		{"end only", models.EventInput{EndsAt: tp(now.Add(7*24*time.Hour + 3*time.Hour))}, true, models.MailEventChanged, ""},
		{"venue name", models.EventInput{Venue: &models.VenueInput{Name: sp("Conway Hall")}}, true, models.MailEventChanged, ""},
		{"venue address", models.EventInput{Venue: &models.VenueInput{Address: sp("25 Red Lion Square")}}, true, models.MailEventChanged, ""},
		{"postponed", models.EventInput{Status: sp(models.StatusPostponed)}, true, models.MailPostponed, ""},
		{"cancelled", models.EventInput{Status: sp(models.StatusCancelled), CancelMessage: sp("The hall flooded.")}, true, models.MailEventCancel, "The hall flooded."},
		{"unpublished", models.EventInput{Status: sp(models.StatusDraft)}, true, "", ""},
		{"summary", models.EventInput{Summary: sp("New summary")}, false, "", ""},
		{"description", models.EventInput{Description: sp("New **description**")}, false, "", ""},
		{"capacity", models.EventInput{CapacitySet: true, Capacity: ip(50)}, false, "", ""},
		{"max guests", models.EventInput{MaxGuests: ip(3)}, false, "", ""},
		{"access notes", models.EventInput{Venue: &models.VenueInput{AccessNotes: sp("Ramp at the side")}}, false, "", ""},
		{"waitlist off", models.EventInput{Waitlist: bp(false)}, false, "", ""},
		{"nothing", models.EventInput{}, false, "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			db := modelstest.Open(t)
			ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(2), MaxGuests: ip(1)})
			a := register(t, db, ev.ID, "a@example.org", 0, models.InPerson).Registration
			b := register(t, db, ev.ID, "b@example.org", 0, models.InPerson).Registration
			w := register(t, db, ev.ID, "w@example.org", 0, models.InPerson).Registration
			c := register(t, db, ev.ID, "c@example.org", 1, models.InPerson).Registration
			if _, err := models.CancelRegistration(db.DB, c.ID, nil, now); err != nil {
				t.Fatal(err)
			}
			before := loadEvent(t, db, ev.ID)
			got, err := models.UpdateEvent(db.DB, ev.Slug, tc.in, nil, now.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			want := before.Sequence
			if tc.bump {
				want++
			}
			if got.Sequence != want || loadEvent(t, db, ev.ID).Sequence != want {
				t.Fatalf("sequence %d → %d, want %d", before.Sequence, got.Sequence, want)
			}
			for _, r := range []*models.Registration{a, b, w} {
				n := 0
				for _, kind := range []string{models.MailEventChanged, models.MailPostponed, models.MailEventCancel} {
					m := mails(t, db, kind, r.ID)
					if kind == tc.mail && m != 1 {
						t.Errorf("%s: %d %s mails, want 1", r.Email, m, kind)
					}
					n += m
				}
				if tc.mail == "" && n != 0 {
					t.Errorf("%s: %d event mails, want none", r.Email, n)
				}
			}
			if n := count(t, db, &models.OutboxMail{}, "registration_id = ? AND kind IN ?", c.ID,
				[]string{models.MailEventChanged, models.MailPostponed, models.MailEventCancel}); n != 0 {
				t.Errorf("cancelled registrant got %d event mails", n)
			}
			if tc.mail != "" {
				var m models.OutboxMail
				db.DB.Where("registration_id = ? AND kind = ?", a.ID, tc.mail).Take(&m)
				var data map[string]string
				if err := json.Unmarshal([]byte(m.Data), &data); err != nil {
					t.Fatal(err)
				}
				if prev, _ := time.Parse(time.RFC3339, data["previous_starts_at"]); !prev.Equal(before.StartsAt) || data["message"] != tc.message {
					t.Errorf("mail data %v", data)
				}
			}
			if (before.Status != got.Status) != (got.StatusChangeAt != nil) {
				t.Errorf("status %s → %s but status_change_at %v", before.Status, got.Status, got.StatusChangeAt)
			}
			if tc.bump && count(t, db, &models.Activity{}, "event_id = ? AND action = ?", ev.ID, "event_changed") != 1 {
				t.Errorf("no event_changed activity")
			}
			checkEvent(t, db, ev.ID)
		})
	}
}

func TestPostponedEventIsTentative(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{})
	got, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Status: sp(models.StatusPostponed)}, nil, now)
	if err != nil || !got.Tentative || got.Status != models.StatusPostponed {
		t.Fatalf("%v %+v", err, got)
	}
}

func TestIftarFollowsTheSunset(t *testing.T) {
	db := modelstest.Open(t)
	in := models.EventInput{Title: sp("Solidarity iftar"), Kind: sp(models.KindIftar), Status: sp(models.StatusPublished),
		StartRule: sp("sunset"), Date: sp("2026-02-20"), SunsetOffsetMinutes: ip(5), DurationMinutes: ip(150),
		Venue: &models.VenueInput{Name: sp("Hall"), Latitude: fp(51.5074), Longitude: fp(-0.1278)}}
	ev, err := models.CreateEvent(db.DB, in, nil, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	uk, _ := calendar.MethodByCode(calendar.DefaultMethod)
	wantStart := func(date string, lat, lon float64, offset int) time.Time {
		d, _ := calendar.ParseDate(date)
		m, err := calendar.Maghrib(calendar.Place{Latitude: lat, Longitude: lon, Zone: london}, d, uk)
		if err != nil {
			t.Fatal(err)
		}
		return m.Add(time.Duration(offset) * time.Minute).UTC()
	}
	check := func(step string, ev *models.Event, start time.Time) {
		t.Helper()
		if !ev.StartsAt.Equal(start) || ev.EndsAt.Sub(ev.StartsAt) != 150*time.Minute {
			t.Fatalf("%s: %v – %v, want start %v and 150 minutes", step, ev.StartsAt, ev.EndsAt, start)
		}
		if l := ev.StartsAt.In(london); l.Hour() < 17 || l.Hour() > 18 {
			t.Fatalf("%s: iftar at %v local", step, l)
		}
	}
	check("created", ev, wantStart("2026-02-20", 51.5074, -0.1278, 5))
	seq := ev.Sequence

	ev, err = models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Date: sp("2026-03-10")}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	check("new date", ev, wantStart("2026-03-10", 51.5074, -0.1278, 5))
	if ev.Sequence != seq+1 {
		t.Fatalf("date change: sequence %d, want %d", ev.Sequence, seq+1)
	}
	// Manchester is west and north of London: a later sunset.
	before := ev.StartsAt
	ev, err = models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Venue: &models.VenueInput{Latitude: fp(53.4808), Longitude: fp(-2.2426)}}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	check("new venue", ev, wantStart("2026-03-10", 53.4808, -2.2426, 5))
	if !ev.StartsAt.After(before) {
		t.Fatalf("moving west did not make the iftar later: %v then %v", before, ev.StartsAt)
	}
	ev, err = models.UpdateEvent(db.DB, ev.Slug, models.EventInput{SunsetOffsetMinutes: ip(-10)}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	check("new offset", ev, wantStart("2026-03-10", 53.4808, -2.2426, -10))
	// Back to a fixed time: the explicit start wins.
	fixed := time.Date(2026, 3, 11, 18, 0, 0, 0, time.UTC)
	ev, err = models.UpdateEvent(db.DB, ev.Slug, models.EventInput{StartRule: sp("fixed"), StartsAt: &fixed, EndsAt: tp(fixed.Add(time.Hour))}, nil, now)
	if err != nil || !ev.StartsAt.Equal(fixed) || ev.StartRule != "" {
		t.Fatalf("fixed: %v %+v", err, ev)
	}
}

func TestSlugify(t *testing.T) {
	cases := []struct{ in, want string }{
		{"Solidarity Iftar: Breaking Bread Together", "solidarity-iftar-breaking-bread-together"},
		{"Week of Action — 2026!", "week-of-action-2026"},
		{"Café Crème & Co.", "cafe-creme-co"},
		{"  --Hello--World--  ", "hello-world"},
		{"Yom HaShoah / יום השואה", "yom-hashoah"},
		{"إفطار", "event"},
		{"", "event"},
		{"!!!", "event"},
		{"St Mary's Church", "st-mary-s-church"},
		{strings.Repeat("word ", 30), strings.TrimSuffix(strings.Repeat("word-", 12), "-")},
	}
	slug := regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got := models.Slugify(tc.in)
			if got != tc.want {
				t.Errorf("Slugify(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if !slug.MatchString(got) || len(got) > 60 {
				t.Errorf("Slugify(%q) = %q is not a valid slug", tc.in, got)
			}
		})
	}
}

func TestListEvents(t *testing.T) {
	db := modelstest.Open(t)
	meeting := newEvent(t, db, models.EventInput{Title: sp("Meeting")})
	newEvent(t, db, models.EventInput{Title: sp("Draft"), Status: sp(models.StatusDraft)})
	memorial := newEvent(t, db, models.EventInput{Title: sp("Memorial"), Kind: sp(models.KindMemorial),
		StartsAt: tp(now.Add(3 * 24 * time.Hour)), EndsAt: tp(now.Add(3*24*time.Hour + time.Hour))})
	gone := newEvent(t, db, models.EventInput{Title: sp("Gone")})
	if _, err := models.UpdateEvent(db.DB, gone.Slug, models.EventInput{Status: sp(models.StatusCancelled)}, nil, now); err != nil {
		t.Fatal(err)
	}
	slugs := func(f models.EventFilter) string {
		evs, err := models.ListEvents(db.DB, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range evs {
			out = append(out, e.Slug)
		}
		return strings.Join(out, " ")
	}
	if got := slugs(models.EventFilter{}); got != memorial.Slug+" "+meeting.Slug {
		t.Errorf("default list %q", got)
	}
	if got := slugs(models.EventFilter{Kind: models.KindMemorial}); got != memorial.Slug {
		t.Errorf("kind filter %q", got)
	}
	if got := slugs(models.EventFilter{From: tp(now.Add(5 * 24 * time.Hour))}); got != meeting.Slug {
		t.Errorf("from filter %q", got)
	}
	if got := slugs(models.EventFilter{CancelledSince: tp(now.Add(-time.Hour))}); got != memorial.Slug+" "+meeting.Slug+" "+gone.Slug {
		t.Errorf("with recent cancellations %q", got)
	}
}

func TestAndList(t *testing.T) {
	for _, c := range []struct {
		items []string
		want  string
	}{
		{nil, ""},
		{[]string{"A"}, "A"},
		{[]string{"A", "B"}, "A and B"},
		{[]string{"A", "B", "C"}, "A, B and C"},
		{[]string{"A", "B", "C", "D"}, "A, B, C and D"},
	} {
		if got := models.AndList(c.items); got != c.want {
			t.Errorf("AndList(%q) = %q, want %q", c.items, got, c.want)
		}
	}
	for _, c := range []struct {
		i, n int
		want string
	}{
		{0, 1, ""}, {0, 3, ""}, {1, 2, " and "}, {1, 3, ", "}, {2, 3, " and "}, {-1, 2, ""},
	} {
		if got := models.ListSep(c.i, c.n); got != c.want {
			t.Errorf("ListSep(%d, %d) = %q, want %q", c.i, c.n, got, c.want)
		}
	}
}

// TestMovedEventKeepsPreviousStart: moving a public event's start keeps the
// start it was first announced with, however often it moves (A→B→C→B is
// still moved from A); a draft's moves, and a move back to that first
// start, do not.
func TestMovedEventKeepsPreviousStart(t *testing.T) {
	db := modelstest.Open(t)
	first := now.Add(7 * 24 * time.Hour).Truncate(time.Hour)
	second, third := first.Add(24*time.Hour), first.Add(48*time.Hour)
	pub := newEvent(t, db, models.EventInput{StartsAt: &first})
	draft := newEvent(t, db, models.EventInput{Status: sp(models.StatusDraft), StartsAt: &first})
	move := func(to time.Time) models.EventInput {
		return models.EventInput{StartsAt: &to, EndsAt: tp(to.Add(2 * time.Hour))}
	}
	postpone := move(third)
	postpone.Status = sp(models.StatusPostponed)
	steps := []struct {
		name        string
		slug        string
		in          models.EventInput
		previous    *time.Time
		rescheduled bool
	}{
		{"a new title is no move", pub.Slug, models.EventInput{Title: sp("Renamed")}, nil, false},
		{"moved a day", pub.Slug, move(second), &first, true},
		{"moved again: still the first announced start", pub.Slug, move(third), &first, true},
		{"moved back to a later start: still moved from the first", pub.Slug, move(second), &first, true},
		{"moved back to the first start: no longer moved", pub.Slug, move(first), nil, false},
		{"moved, then postponed: postponed", pub.Slug, postpone, &first, false},
		{"published again with its new date: rescheduled", pub.Slug, models.EventInput{Status: sp(models.StatusPublished)}, &first, true},
		{"a draft's move was never announced", draft.Slug, move(second), nil, false},
	}
	for _, s := range steps {
		ev, err := models.UpdateEvent(db.DB, s.slug, s.in, nil, now)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		stored, err := models.FindEvent(db.DB, s.slug)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range []*models.Event{ev, stored} {
			if (e.PreviousStartsAt == nil) != (s.previous == nil) || (s.previous != nil && !e.PreviousStartsAt.Equal(*s.previous)) {
				t.Errorf("%s: previous start %v, want %v", s.name, e.PreviousStartsAt, s.previous)
			}
			if e.Rescheduled() != s.rescheduled {
				t.Errorf("%s: rescheduled %v, want %v", s.name, e.Rescheduled(), s.rescheduled)
			}
		}
	}
}

// TestSunsetStartTimes: a start given alone fixes the time of an event that
// followed the sunset; times given with the sunset rule, or an end alone,
// are refused by name rather than dropped.
func TestSunsetStartTimes(t *testing.T) {
	db := modelstest.Open(t)
	fixed := time.Date(2026, 3, 10, 19, 0, 0, 0, time.UTC)
	iftar := func(slug string) {
		newEvent(t, db, models.EventInput{Slug: sp(slug), Title: sp("Iftar"), Kind: sp(models.KindIftar), StartRule: sp("sunset"), Date: sp("2026-03-10"),
			DurationMinutes: ip(150), Venue: &models.VenueInput{Name: sp("Hall"), Latitude: fp(51.5072), Longitude: fp(-0.1276)}})
	}
	for _, tt := range []struct {
		name    string
		in      models.EventInput
		refused string // the field named, or "" when saved
	}{
		{"a start alone: fixed from now on", models.EventInput{StartsAt: &fixed}, ""},
		{"a start with the sunset rule", models.EventInput{StartRule: sp("sunset"), StartsAt: &fixed}, "starts_at"},
		{"an end alone", models.EventInput{EndsAt: tp(fixed.Add(3 * time.Hour))}, "ends_at"},
		{"a fixed rule with its start", models.EventInput{StartRule: sp("fixed"), StartsAt: &fixed}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			slug := fmt.Sprintf("iftar-%d", len(tt.name))
			iftar(slug)
			ev, err := models.UpdateEvent(db.DB, slug, tt.in, nil, now)
			var ve *models.ValidationError
			switch {
			case tt.refused != "" && (!errors.As(err, &ve) || ve.Fields[tt.refused] == ""):
				t.Fatalf("want %s refused, got %v", tt.refused, err)
			case tt.refused == "" && err != nil:
				t.Fatal(err)
			case tt.refused == "" && (ev.StartRule != "" || !ev.StartsAt.Equal(fixed)):
				t.Errorf("rule %q start %v, want a fixed start at %v", ev.StartRule, ev.StartsAt, fixed)
			}
		})
	}
}

// TestPublishedAgainAfterPostponing: postponing marks the date not final;
// publishing again makes it final unless the same change says otherwise.
func TestPublishedAgainAfterPostponing(t *testing.T) {
	db := modelstest.Open(t)
	for _, tt := range []struct {
		name      string
		in        models.EventInput
		tentative bool
	}{
		{"published again", models.EventInput{Status: sp(models.StatusPublished)}, false},
		{"published again, still tentative", models.EventInput{Status: sp(models.StatusPublished), Tentative: bp(true)}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ev := newEvent(t, db, models.EventInput{Slug: sp(fmt.Sprintf("p-%d", len(tt.name)))})
			ev, err := models.UpdateEvent(db.DB, ev.Slug, models.EventInput{Status: sp(models.StatusPostponed)}, nil, now)
			if err != nil || !ev.Tentative {
				t.Fatalf("postponed: tentative %v, %v", ev.Tentative, err)
			}
			if ev, err = models.UpdateEvent(db.DB, ev.Slug, tt.in, nil, now); err != nil || ev.Tentative != tt.tentative {
				t.Errorf("tentative %v (%v), want %v", ev.Tentative, err, tt.tentative)
			}
		})
	}
}
