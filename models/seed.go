package models

import (
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"

	"convene/calendar"
)

// Demo organiser account created by Seed (development only).
const (
	DemoEmail    = "organiser@example.org"
	DemoPassword = "convene-demo-2026"
)

// nextIftarDate picks an evening inside the next Ramadan that has not ended
// (the Umm al-Qura estimate; many UK communities start a day later), or a
// month ahead outside the calendar's tables.
func nextIftarDate(now time.Time) time.Time {
	today := calendar.DateOf(now.UTC())
	e, ok := calendar.NextEstimate(today, 0)
	if !ok {
		return now.AddDate(0, 1, 0)
	}
	tenth := e.RamadanStart.AddDays(9)
	switch {
	case today.AddDays(1).Before(tenth):
		return tenth.In(time.UTC)
	case today.AddDays(1).Before(e.RamadanEnd):
		return now.AddDate(0, 0, 2)
	}
	// This Ramadan is all but over: the next one.
	if next, ok := calendar.NextEstimate(e.EidAlAdha.AddDays(1), 0); ok {
		return next.RamadanStart.AddDays(9).In(time.UTC)
	}
	return now.AddDate(0, 1, 0)
}

// nextHMD is the next Holocaust Memorial Day (27 January) still ahead.
func nextHMD(now time.Time) time.Time {
	d := time.Date(now.Year(), time.January, 27, 0, 0, 0, 0, time.UTC)
	if !d.After(now) {
		d = d.AddDate(1, 0, 0)
	}
	return d
}

// seedLock is the PostgreSQL advisory lock that makes instances seeding
// at once take turns (Migrate's is 7264001).
const seedLock = 7264002

// Seed loads demo data: a year of a small human-rights charity and its
// partners, and reports whether it did. It is idempotent: when the demo
// data is there already it does nothing. It runs in one transaction, so
// instances that start together on a new database seed it once (on
// PostgreSQL they take turns on an advisory lock; SQLite writes one
// transaction at a time), and a failure leaves nothing half made.
func Seed(db *gorm.DB, tok Tokens, now time.Time) (bool, error) {
	var seeded bool
	err := db.Transaction(func(tx *gorm.DB) error {
		if tx.Dialector.Name() == "postgres" {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(?)", seedLock).Error; err != nil {
				return err
			}
		}
		var err error
		seeded, err = seed(tx, tok, now)
		return err
	})
	return seeded, err
}

func seed(db *gorm.DB, tok Tokens, now time.Time) (bool, error) {
	var n int64
	if err := db.Model(&Event{}).Where("slug = ?", "hmd-interfaith-memorial").Count(&n).Error; err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	now = now.UTC()
	london, _ := time.LoadLocation("Europe/London")
	orgs := []Organisation{
		{Slug: "open-doors", Name: "Open Doors Human Rights", Kind: "charity", Website: "https://opendoors.example.org", Email: "events@opendoors.example.org",
			Description: "A small human-rights charity bringing communities together against hatred."},
		{Slug: "northside-synagogue", Name: "Northside Synagogue", Kind: "synagogue", Description: "A welcoming Reform community in north London."},
		{Slug: "al-noor-mosque", Name: "Al-Noor Mosque", Kind: "mosque", Description: "A neighbourhood mosque and community centre."},
		{Slug: "st-marys-church", Name: "St Mary's Church", Kind: "church", Description: "A parish church with a long tradition of interfaith work."},
		{Slug: "riverside-radio", Name: "Riverside Community Radio", Kind: "media", Description: "Community broadcaster and livestream partner."},
	}
	ids := map[string]uint{}
	for i := range orgs {
		orgs[i].Timezone = "Europe/London"
		orgs[i].CreatedAt, orgs[i].UpdatedAt, orgs[i].Revision = now, now, 1
		if err := db.Where(Organisation{Slug: orgs[i].Slug}).FirstOrCreate(&orgs[i]).Error; err != nil {
			return false, err
		}
		ids[orgs[i].Slug] = orgs[i].ID
	}
	series := Series{Slug: "week-of-action", Title: "Week of Action Against Hate",
		Description: "A coalition week of talks, workshops and vigils across three organisations.",
		CreatedAt:   now, UpdatedAt: now, Revision: 1}
	if err := db.Where(Series{Slug: series.Slug}).FirstOrCreate(&series).Error; err != nil {
		return false, err
	}

	user, _, err := EnsureUser(db, DemoEmail, "Demo Organiser", true, "", now)
	if err != nil {
		return false, err
	}
	if user.PasswordHash == "" {
		h, err := HashPassword(DemoPassword)
		if err != nil {
			return false, err
		}
		if err := db.Model(user).Update("password_hash", h).Error; err != nil {
			return false, err
		}
	}
	for _, slug := range []string{"open-doors", "northside-synagogue", "al-noor-mosque"} {
		m := Membership{UserID: user.ID, OrganisationID: ids[slug], Role: "organiser"}
		if err := db.Where(Membership{UserID: user.ID, OrganisationID: ids[slug]}).FirstOrCreate(&m).Error; err != nil {
			return false, err
		}
	}

	at := func(day time.Time, hour, min int) time.Time {
		y, m, d := day.Date()
		return time.Date(y, m, d, hour, min, 0, 0, london)
	}
	ip := func(n int) *int { return &n }
	s := func(v string) *string { return &v }
	b := func(v bool) *bool { return &v }
	f := func(v float64) *float64 { return &v }
	tm := func(t time.Time) *time.Time { return &t }
	hosts := func(slugs ...string) *[]HostInput {
		var out []HostInput
		for i, sl := range slugs {
			role := RoleHost
			if i > 0 {
				role = RoleCoHost
			}
			out = append(out, HostInput{Organisation: sl, Role: role})
		}
		return &out
	}
	day := func(days int) time.Time { return now.In(london).AddDate(0, 0, days) }
	iftar := nextIftarDate(now)
	hmd := nextHMD(now)

	type demo struct {
		in     EventInput
		people int // registrations to add (single people, some with guests)
		online int // online registrations
		status string
	}
	demos := []demo{
		{in: EventInput{Slug: s("past-vigil-for-refugees"), Title: s("Vigil for Refugees Lost at Sea"), Kind: s(KindMemorial),
			Summary: s("A candlelit vigil remembering those who died seeking safety."), StartsAt: tm(at(day(-40), 18, 0)), EndsAt: tm(at(day(-40), 19, 30)),
			Venue:    &VenueInput{Name: s("Riverside Gardens"), Address: s("Riverside Walk, London SE1 9PX"), Latitude: f(51.5072), Longitude: f(-0.1088)},
			Capacity: ip(200), CapacitySet: true, Hosts: hosts("open-doors", "st-marys-church")}, people: 30, status: StatusPublished},
		{in: EventInput{Slug: s("public-meeting-hate-crime"), Title: s("Public Meeting: Standing Together Against Hate Crime"), Kind: s(KindMeeting),
			Summary:     s("Local councillors, police and community leaders answer your questions."),
			Description: s("Hate crime reports have risen across the borough. Join us to hear from those working to stop it, and to say what you need.\n\n**Speakers**\n\n- A borough councillor\n- The local policing team\n- Faith and community leaders\n\nTea and coffee from 6:30pm. Step-free access throughout."),
			StartsAt:    tm(at(day(12), 19, 0)), EndsAt: tm(at(day(12), 21, 0)),
			Venue:    &VenueInput{Name: s("Friends Meeting House"), Address: s("173 Euston Road, London NW1 2BJ"), Latitude: f(51.5275), Longitude: f(-0.1303), AccessNotes: s("Step-free entrance on Euston Road; hearing loop in the main hall.")},
			Capacity: ip(80), CapacitySet: true, MaxGuests: ip(2), Hosts: hosts("open-doors")}, people: 62, status: StatusPublished},
		{in: EventInput{Slug: s("solidarity-iftar"), Title: s("Solidarity Iftar: Breaking Bread Together"), Kind: s(KindIftar),
			Summary:     s("Break the fast with neighbours of every faith and none, at sunset."),
			Description: s("Northside Synagogue and Al-Noor Mosque invite you to a shared iftar. We break the fast at sunset with dates and water, pray, then eat together.\n\nPlease tell us your dietary needs: all food is halal and kosher-supervised, with vegetarian and vegan dishes."),
			StartRule:   s("sunset"), Date: s(iftar.Format("2006-01-02")), DurationMinutes: ip(150),
			Venue:    &VenueInput{Name: s("Northside Synagogue Hall"), Address: s("12 Hill Rise, London N8 7QP"), Latitude: f(51.5862), Longitude: f(-0.1235), AccessNotes: s("Ramp at the side door; accessible toilet."), AddressVisibility: s(AddressRegistrants)},
			Capacity: ip(120), CapacitySet: true, MaxGuests: ip(4), Tentative: b(true), Hosts: hosts("al-noor-mosque", "northside-synagogue")}, people: 40, status: StatusPublished},
		{in: EventInput{Slug: s("livestream-voices-of-uyghur-women"), Title: s("Livestream: Voices of Uyghur Women"), Kind: s(KindLivestream),
			Summary:  s("Testimony and conversation, broadcast live with Riverside Community Radio."),
			StartsAt: tm(at(day(19), 18, 30)), EndsAt: tm(at(day(19), 20, 0)), StreamURL: s("https://stream.riverside-radio.example.org/live/voices"),
			OnlineCapacity: ip(500), OnlineCapacitySet: true, Hosts: hosts("open-doors", "riverside-radio")}, online: 25, status: StatusPublished},
		{in: EventInput{Slug: s("hmd-interfaith-memorial"), Title: s("Holocaust Memorial Day: An Interfaith Commemoration"), Kind: s(KindMemorial),
			Summary:     s("Survivor testimony, prayers and candle lighting, in person and online."),
			Description: s("Northside Synagogue and Al-Noor Mosque come together to remember the six million Jews murdered in the Holocaust, and the victims of Nazi persecution and of later genocides.\n\nThe commemoration is also streamed for those who cannot attend."),
			StartsAt:    tm(at(hmd, 18, 0)), EndsAt: tm(at(hmd, 19, 30)), Online: b(true),
			Venue:     &VenueInput{Name: s("St Mary's Church"), Address: s("Upper Street, London N1 2TX"), Latitude: f(51.5393), Longitude: f(-0.1028)},
			StreamURL: s("https://stream.riverside-radio.example.org/live/hmd"),
			Capacity:  ip(150), CapacitySet: true, OnlineCapacity: ip(300), OnlineCapacitySet: true, MaxGuests: ip(3),
			Hosts: hosts("northside-synagogue", "al-noor-mosque", "st-marys-church")}, people: 35, online: 20, status: StatusPublished},
		{in: EventInput{Slug: s("week-of-action-opening-rally"), Title: s("Week of Action: Opening Rally"), Kind: s(KindMeeting), Series: s("week-of-action"),
			StartsAt: tm(at(day(33), 18, 0)), EndsAt: tm(at(day(33), 19, 30)),
			Venue: &VenueInput{Name: s("Town Hall Square"), Address: s("Town Hall Square, London N1 1AA")},
			Hosts: hosts("open-doors")}, people: 15, status: StatusPublished},
		{in: EventInput{Slug: s("week-of-action-bystander-workshop"), Title: s("Week of Action: Bystander Intervention Workshop"), Kind: s(KindMeeting), Series: s("week-of-action"),
			Summary:  s("Practical training: what to do when you witness harassment."),
			StartsAt: tm(at(day(35), 14, 0)), EndsAt: tm(at(day(35), 16, 0)),
			Venue:    &VenueInput{Name: s("Al-Noor Community Centre"), Address: s("40 Green Lanes, London N4 2BL")},
			Capacity: ip(20), CapacitySet: true, MaxGuests: ip(1), Hosts: hosts("al-noor-mosque", "open-doors")}, people: 23, status: StatusPublished},
		{in: EventInput{Slug: s("week-of-action-closing-vigil"), Title: s("Week of Action: Closing Vigil"), Kind: s(KindMemorial), Series: s("week-of-action"),
			StartsAt: tm(at(day(38), 17, 0)), EndsAt: tm(at(day(38), 18, 0)),
			Venue: &VenueInput{Name: s("St Mary's Churchyard"), Address: s("Upper Street, London N1 2TX")},
			Hosts: hosts("st-marys-church", "northside-synagogue")}, people: 8, status: StatusPublished},
		{in: EventInput{Slug: s("panel-on-press-freedom"), Title: s("Panel: Press Freedom in Exile"), Kind: s(KindMeeting),
			Summary: s("Cancelled: the speakers could not travel."), CancelMessage: s("We are very sorry: our speakers could not travel. We hope to reschedule in the spring."),
			StartsAt: tm(at(day(26), 19, 0)), EndsAt: tm(at(day(26), 20, 30)),
			Venue:    &VenueInput{Name: s("Conway Hall"), Address: s("25 Red Lion Square, London WC1R 4RL")},
			Capacity: ip(60), CapacitySet: true, Hosts: hosts("open-doors", "riverside-radio")}, people: 5, status: StatusCancelled},
	}
	// First names and family names combine into a different person for
	// every registration of an event (17 × 13 names, both counts prime).
	first := []string{"Amira", "Daniel", "Fatima", "Grace", "Hannah", "Ibrahim", "Jonah", "Khadija", "Liam",
		"Maryam", "Noah", "Olivia", "Rahel", "Samuel", "Tamar", "Yusuf", "Zainab"}
	family := []string{"Haddad", "Cohen", "Begum", "Okafor", "Levi", "Yusuf", "Stern", "Ali", "O'Connor",
		"Siddiqui", "Friedman", "Mensah", "Demir"}
	diets := []string{"none", "vegetarian", "halal", "kosher", "vegan", "none"}
	for di, d := range demos {
		in := d.in
		published := StatusPublished
		in.Status = &published
		uid := user.ID
		ev, err := CreateEvent(db, in, &uid, nil, now)
		if err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				return false, fmt.Errorf("seed %s: %v", *d.in.Slug, ve.Fields)
			}
			return false, fmt.Errorf("seed %s: %w", *d.in.Slug, err)
		}
		// Registrations are added as if made before the event (and before
		// a past event closed), through the same capacity rules.
		regAt := now
		if ev.StartsAt.Before(now) {
			regAt = ev.StartsAt.Add(-72 * time.Hour)
		}
		add := func(i int, mode string) error {
			name := first[(i+di)%len(first)] + " " + family[(i+di)%len(family)]
			guests := 0
			if i%4 == 1 && ev.MaxGuests > 0 && mode == InPerson {
				guests = 1
			}
			diet := ""
			var guestDiets []PersonDiet
			if mode == InPerson && ev.AsksDietary() {
				diet = diets[i%len(diets)]
				if guests > 0 {
					guestDiets = []PersonDiet{{Dietary: diets[(i+2)%len(diets)]}}
				}
			}
			_, err := Register(db, tok, ev.ID, RegisterInput{Name: name, Email: fmt.Sprintf("guest%03d.%s@example.org", i, ev.Slug[:8]),
				Guests: guests, Attendance: mode, Dietary: diet, GuestDietary: guestDiets, Consent: true}, regAt)
			if errors.Is(err, ErrFull) {
				return nil
			}
			return err
		}
		for i := 0; i < d.people; i++ {
			if err := add(i, InPerson); err != nil {
				return false, fmt.Errorf("seed %s: %w", ev.Slug, err)
			}
		}
		for i := 0; i < d.online; i++ {
			if err := add(1000+i, Online); err != nil {
				return false, fmt.Errorf("seed %s: %w", ev.Slug, err)
			}
		}
		if d.status != StatusPublished {
			st := d.status
			if _, err := UpdateEvent(db, ev.Slug, EventInput{Status: &st}, &uid, now); err != nil {
				return false, err
			}
		}
	}
	// Demo mails are not real: hold them rather than send them anywhere.
	if err := db.Model(&OutboxMail{}).Where("status = ?", MailPending).Update("status", MailHeld).Error; err != nil {
		return false, err
	}
	return true, nil
}
