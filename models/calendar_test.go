package models_test

import (
	"testing"
	"time"

	"convene/calendar"
	"convene/models"
	"convene/models/modelstest"
)

func newOrg(t *testing.T, db *models.DB, slug string) *models.Organisation {
	t.Helper()
	o, err := models.SaveOrganisation(db.DB, 0, models.OrganisationInput{Slug: slug, Name: "Org " + slug}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestCalendarSettingsValidation(t *testing.T) {
	db := modelstest.Open(t)
	org := newOrg(t, db, "al-noor")
	cases := []struct {
		name  string
		in    models.CalendarSettingsInput
		field string
	}{
		{"latitude out of range", models.CalendarSettingsInput{HomeLatitude: fp(90.5), HomeLongitude: fp(0)}, "home_place.latitude"},
		{"longitude out of range", models.CalendarSettingsInput{HomeLatitude: fp(51), HomeLongitude: fp(-180.5)}, "home_place.longitude"},
		{"latitude without longitude", models.CalendarSettingsInput{HomeLatitude: fp(51)}, "home_place.latitude"},
		{"unknown zone", models.CalendarSettingsInput{Timezone: sp("Mars/Olympus")}, "home_place.timezone"},
		{"unknown method", models.CalendarSettingsInput{IftarMethod: sp("guess")}, "iftar_method"},
		{"offset of two days", models.CalendarSettingsInput{HijriOffset: ip(2)}, "hijri_offset_days"},
		{"anniversary without title", models.CalendarSettingsInput{Anniversaries: &[]models.AnniversaryInput{{Month: 3, Day: 1}}}, "anniversaries.0.title"},
		{"anniversary on 30 February", models.CalendarSettingsInput{Anniversaries: &[]models.AnniversaryInput{{Title: "x", Month: 2, Day: 30}}}, "anniversaries.0.day"},
		{"anniversary in month 13", models.CalendarSettingsInput{Anniversaries: &[]models.AnniversaryInput{{Title: "x", Month: 13, Day: 1}}}, "anniversaries.0.month"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := models.SaveCalendarSettings(db.DB, org.ID, c.in, nil, now)
			fieldErr(t, err, c.field)
		})
	}
	saved, err := models.SaveCalendarSettings(db.DB, org.ID, models.CalendarSettingsInput{
		HomePlace: sp("Manchester"), HomeLatitude: fp(53.4808), HomeLongitude: fp(-2.2426), IftarMethod: sp("moonsighting"), HijriOffset: ip(1),
		Anniversaries: &[]models.AnniversaryInput{{Title: "Founding", Month: 2, Day: 29, Year: 2004}},
	}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	p := saved.CalendarPlace()
	if p.Name != "Manchester" || p.Latitude != 53.4808 || saved.CalendarOptions().Method.Code != "moonsighting" || saved.CalendarOptions().HijriOffset != 1 {
		t.Fatalf("saved %+v", saved)
	}
	// The general organisation form keeps the calendar settings.
	again, err := models.SaveOrganisation(db.DB, org.ID, models.OrganisationInput{Slug: "al-noor", Name: "Al-Noor Mosque"}, nil, now)
	if err != nil || again.HomePlace != "Manchester" || again.IftarMethod != "moonsighting" || again.HijriOffset != 1 {
		t.Fatalf("after the organisation form: %v %+v", err, again)
	}
	as, err := models.Anniversaries(db.DB, org.ID)
	if err != nil || len(as) != 1 || as[0].Day != 29 {
		t.Fatalf("anniversaries %v %+v", err, as)
	}
	var fresh models.Organisation
	db.DB.First(&fresh, newOrg(t, db, "fresh").ID)
	if p := fresh.CalendarPlace(); p.Name != "London" || p.Latitude != calendar.London.Latitude {
		t.Fatalf("default home place %+v", p)
	}
}

// TestIftarTimedByHostMethod: an iftar that follows the sun starts at
// Maghrib by its host's method; a change of method times it again and tells
// the registrants; a fixed-time iftar still knows its iftar time; an online
// iftar is timed at the host's home place.
func TestIftarTimedByHostMethod(t *testing.T) {
	db := modelstest.Open(t)
	org := newOrg(t, db, "al-noor")
	hosts := &[]models.HostInput{{Organisation: "al-noor"}}
	ev := newEvent(t, db, models.EventInput{Title: sp("Iftar"), Kind: sp(models.KindIftar), StartRule: sp("sunset"), Date: sp("2026-03-10"),
		DurationMinutes: ip(150), Hosts: hosts, Venue: &models.VenueInput{Name: sp("Hall"), Latitude: fp(51.5072), Longitude: fp(-0.1276)}})
	d := calendar.Date{Year: 2026, Month: time.March, Day: 10}
	want := func(code string) time.Time {
		m, _ := calendar.MethodByCode(code)
		at, err := calendar.Maghrib(calendar.London, d, m)
		if err != nil {
			t.Fatal(err)
		}
		return at.UTC()
	}
	if ev.IftarAt == nil || !ev.IftarAt.Equal(want(calendar.DefaultMethod)) || !ev.StartsAt.Equal(want(calendar.DefaultMethod)) {
		t.Fatalf("created: iftar %v start %v, want %v", ev.IftarAt, ev.StartsAt, want(calendar.DefaultMethod))
	}
	register(t, db, ev.ID, "fasting@example.org", 0, models.InPerson)
	seq := ev.Sequence

	if _, err := models.SaveCalendarSettings(db.DB, org.ID, models.CalendarSettingsInput{IftarMethod: sp("diyanet")}, nil, now); err != nil {
		t.Fatal(err)
	}
	got, _ := models.FindEvent(db.DB, ev.Slug)
	if !got.StartsAt.Equal(want("diyanet")) || !got.IftarAt.Equal(want("diyanet")) || got.Sequence != seq+1 {
		t.Fatalf("after the method change: start %v iftar %v seq %d, want %v and %d", got.StartsAt, got.IftarAt, got.Sequence, want("diyanet"), seq+1)
	}
	if n := count(t, db, &models.OutboxMail{}, "kind = ? AND event_id = ?", models.MailEventChanged, ev.ID); n != 1 {
		t.Fatalf("%d change mails, want 1", n)
	}
	// Saving the same method again moves nothing and mails nobody.
	if _, err := models.SaveCalendarSettings(db.DB, org.ID, models.CalendarSettingsInput{IftarMethod: sp("diyanet")}, nil, now); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, &models.OutboxMail{}, "kind = ? AND event_id = ?", models.MailEventChanged, ev.ID); n != 1 {
		t.Fatalf("%d change mails after saving the same method", n)
	}

	fixed := newEvent(t, db, models.EventInput{Title: sp("Fixed iftar"), Kind: sp(models.KindIftar), Hosts: hosts,
		StartsAt: tp(time.Date(2026, 3, 10, 17, 30, 0, 0, time.UTC)), EndsAt: tp(time.Date(2026, 3, 10, 20, 0, 0, 0, time.UTC)),
		Venue: &models.VenueInput{Name: sp("Hall"), Latitude: fp(51.5072), Longitude: fp(-0.1276)}})
	if fixed.IftarAt == nil || !fixed.IftarAt.Equal(want("diyanet")) || !fixed.StartsAt.Equal(time.Date(2026, 3, 10, 17, 30, 0, 0, time.UTC)) {
		t.Fatalf("fixed iftar: %v %v", fixed.IftarAt, fixed.StartsAt)
	}

	if _, err := models.SaveCalendarSettings(db.DB, org.ID, models.CalendarSettingsInput{HomePlace: sp("Glasgow"), HomeLatitude: fp(55.8642), HomeLongitude: fp(-4.2518)}, nil, now); err != nil {
		t.Fatal(err)
	}
	online := newEvent(t, db, models.EventInput{Title: sp("Online iftar"), Kind: sp(models.KindIftar), StartRule: sp("sunset"), Date: sp("2026-03-10"),
		InPerson: bp(false), Online: bp(true), Hosts: hosts})
	m, _ := calendar.MethodByCode("diyanet")
	glasgow, _ := calendar.Maghrib(calendar.Place{Latitude: 55.8642, Longitude: -4.2518, Zone: calendar.London.Zone}, d, m)
	if !online.StartsAt.Equal(glasgow.UTC()) {
		t.Fatalf("online iftar at %v, want Glasgow's %v", online.StartsAt, glasgow)
	}
	ws := models.EventClashes(online)
	if _, ok := hasWarning(ws, calendar.RamadanIftarTime); ok {
		t.Fatalf("an iftar warned about iftar time: %v", ws)
	}
	if len(ws) != 0 {
		t.Fatalf("Tuesday iftar: %v", ws)
	}
}

func hasWarning(ws []calendar.Warning, code string) (calendar.Warning, bool) {
	for _, w := range ws {
		if w.Code == code {
			return w, true
		}
	}
	return calendar.Warning{}, false
}

func TestEventClashesUseVenueOrHome(t *testing.T) {
	db := modelstest.Open(t)
	newOrg(t, db, "open-doors")
	fri := time.Date(2026, 11, 27, 18, 0, 0, 0, time.UTC)
	ev := newEvent(t, db, models.EventInput{Hosts: &[]models.HostInput{{Organisation: "open-doors"}}, StartsAt: &fri, EndsAt: tp(fri.Add(2 * time.Hour)),
		Venue: &models.VenueInput{Name: sp("Hall"), Latitude: fp(51.5072), Longitude: fp(-0.1276)}})
	w, ok := hasWarning(models.EventClashes(ev), calendar.Shabbat)
	if !ok || w.Message != "Shabbat in London: Fri 3:39pm – Sat 4:54pm" {
		t.Fatalf("London venue: %v", models.EventClashes(ev))
	}
	jer := newEvent(t, db, models.EventInput{Timezone: sp("Asia/Jerusalem"), StartsAt: &fri, EndsAt: tp(fri.Add(2 * time.Hour)),
		Venue: &models.VenueInput{Name: sp("YMCA"), Latitude: fp(31.7767), Longitude: fp(35.2245)}})
	if w, ok := hasWarning(models.EventClashes(jer), calendar.Shabbat); !ok || w.Message[:21] != "Shabbat in Jerusalem:" {
		t.Fatalf("Jerusalem venue: %v", models.EventClashes(jer))
	}
}

func TestCalendarFeedToken(t *testing.T) {
	db := modelstest.Open(t)
	org := newOrg(t, db, "open-doors")
	u, _, err := models.EnsureUser(db.DB, "org@example.org", "Organiser", false, "", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.DB.Create(&models.Membership{UserID: u.ID, OrganisationID: org.ID, Role: "organiser"}).Error; err != nil {
		t.Fatal(err)
	}
	first, err := models.NewCalendarFeedToken(db.DB, u.ID, org.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := models.CalendarFeedOrganisation(db.DB, first); err != nil || got.ID != org.ID {
		t.Fatalf("resolve: %v %+v", err, got)
	}
	second, _ := models.NewCalendarFeedToken(db.DB, u.ID, org.ID, now)
	if _, err := models.CalendarFeedOrganisation(db.DB, first); err != models.ErrNotFound {
		t.Fatalf("the old token still works: %v", err)
	}
	for _, bad := range []string{"", "x", second + "x", "1_" + second[2:]} {
		if _, err := models.CalendarFeedOrganisation(db.DB, bad); err != models.ErrNotFound {
			t.Errorf("%q: %v", bad, err)
		}
	}
	db.DB.Model(&models.User{}).Where("id = ?", u.ID).Update("disabled", true)
	if _, err := models.CalendarFeedOrganisation(db.DB, second); err != models.ErrNotFound {
		t.Fatalf("a disabled account's feed still works: %v", err)
	}
}
