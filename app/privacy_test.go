package app_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"convene/models"
)

// registerAs books a place through the models and returns the registration.
func (e *testEnv) registerAs(ev *models.Event, name, email string, guests int, diet, access string) *models.Registration {
	e.t.Helper()
	res, err := models.Register(e.db.DB, e.cfg.Tokens(), ev.ID, models.RegisterInput{Name: name, Email: email, Guests: guests,
		Attendance: models.InPerson, Dietary: diet, AccessNeeds: access, Consent: true, IfFull: models.IfFullWaitlist}, testNow)
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Registration
}

// TestAttendeeErasure: from the manage page an attendee downloads their data
// and erases it; the place goes to the waitlist and the link stops working
// with a page that says why.
func TestAttendeeErasure(t *testing.T) {
	e := newEnv(t, nil)
	ev := e.event("iftar", func(in *models.EventInput) { in.Capacity = ip(2) })
	amira := e.registerAs(ev, "Amira Haddad", "amira@example.org", 1, "halal", "wheelchair user")
	noor := e.registerAs(ev, "Noor Saleh", "noor@example.org", 0, "vegan", "hearing loop")
	if noor.Status != models.RegWaitlisted {
		t.Fatalf("noor is %s, want waitlisted", noor.Status)
	}
	tok := e.cfg.Tokens()
	manage, feed := models.ManagePath(tok.ManageToken(amira)), models.FeedPath(tok.FeedToken(amira))
	b := e.browser()

	_, page := b.get(manage)
	until := ev.EndsAt.AddDate(0, 0, 7).In(time.UTC).Format("2 January 2006")
	for _, want := range []string{"Your data", manage + "/data.json", manage + "/erase", "erased 7 days after the event (by " + until + ")", "30 days after the event"} {
		if !strings.Contains(page, want) {
			t.Errorf("manage page lacks %q", want)
		}
	}

	r, js := b.get(manage + "/data.json")
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("export: %d %v", r.StatusCode, r.Header)
	}
	var doc struct {
		Data models.RegistrationExport `json:"data"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	if x := doc.Data.Registration; x.Email != "amira@example.org" || x.Dietary != "halal" || x.AccessNeeds != "wheelchair user" || len(doc.Data.Mails) != 1 {
		t.Errorf("export: %s", js)
	}
	for _, leak := range []string{"noor", "Noor", "hearing loop", amira.TokenHash, amira.TokenNonce, amira.FeedNonce} {
		if strings.Contains(js, leak) {
			t.Errorf("export holds %q", leak)
		}
	}

	_, page = b.get(manage + "/erase")
	for _, want := range []string{"Erase your registration?", "Yes, erase my registration", "next person on the waitlist", manage + "/data.json"} {
		if !strings.Contains(page, want) {
			t.Errorf("erase confirmation lacks %q", want)
		}
	}
	if r, _ := b.post(manage+"/erase", url.Values{"_csrf": {"forged"}}); r.StatusCode != 403 {
		t.Fatalf("erase with a forged CSRF token: %d", r.StatusCode)
	}
	if s := e.status(amira.ID); s != models.RegConfirmed {
		t.Fatalf("a refused erase changed the registration: %s", s)
	}
	r, page = b.post(manage+"/erase", url.Values{})
	if r.StatusCode != 200 || !strings.Contains(page, "Your registration is erased") || !strings.Contains(page, "Your place is freed") {
		t.Fatalf("erase: %d %s", r.StatusCode, page)
	}
	if s := e.status(noor.ID); s != models.RegConfirmed {
		t.Errorf("the freed places did not go to the waitlist: noor is %s", s)
	}

	// The link, its pages and the private feed stop working; erasing twice
	// is answered with the same page and changes nothing.
	for _, req := range []struct{ method, path string }{{"GET", manage}, {"GET", manage + "/data.json"}, {"GET", manage + "/erase"},
		{"POST", manage + "/erase"}, {"GET", manage + "/cancel"}, {"POST", manage}} {
		res, page := b.get(req.path)
		if req.method == "POST" {
			res, page = b.post(req.path, url.Values{})
		}
		if res.StatusCode != 404 || !strings.Contains(page, "This link does not work") || strings.Contains(page, "Amira") {
			t.Errorf("%s %s after erasing: %d %s", req.method, req.path, res.StatusCode, page)
		}
	}
	if r, _ := e.get(feed); r.StatusCode != 404 {
		t.Errorf("private feed after erasing: %d", r.StatusCode)
	}
	var row models.Registration
	e.db.Take(&row, amira.ID)
	if row.PurgedAt == nil || row.Name != "Removed" || row.Status != models.RegCancelled {
		t.Errorf("erased row %+v", row)
	}
}

func (e *testEnv) status(id uint) string {
	e.t.Helper()
	r, err := models.RegistrationByID(e.db.DB, id)
	if err != nil {
		e.t.Fatal(err)
	}
	return r.Status
}

// TestPrivacyNotice: the registration form says what is kept, why and for
// how long, from the event's answers_retention_days and RETENTION_DAYS.
func TestPrivacyNotice(t *testing.T) {
	// The events end on 6 December 2026.
	for _, tc := range []struct {
		name      string
		days      *int
		retention string
		want      []string
	}{
		{"defaults", nil, "", []string{"erased 7 days after the event (by 13 December 2026)", "erased 30 days after the event (by 5 January 2027)"}},
		{"answers at once", ip(0), "45", []string{"erased as soon as the event ends", "erased 45 days after the event (by 20 January 2027)"}},
		{"a day", ip(1), "", []string{"erased a day after the event (by 7 December 2026)"}},
		{"answers kept longer than names", ip(60), "10", []string{"are erased 10 days after the event (by 16 December 2026)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, map[string]string{"RETENTION_DAYS": tc.retention})
			ev := e.event("notice", func(in *models.EventInput) { in.AnswersRetentionDays = tc.days })
			_, page := e.get("/events/" + ev.Slug)
			for _, want := range append(tc.want, "How your details are used", "Other attendees never see who is registered", `aria-describedby="privacy-notice"`) {
				if !strings.Contains(page, want) {
					t.Errorf("event page lacks %q", want)
				}
			}
		})
	}
}

// TestNoPageShowsOtherRegistrants: no page, feed or API answer an
// attendee or the public can reach names another registrant or their
// answers; the attendee's own pages show only their own.
func TestNoPageShowsOtherRegistrants(t *testing.T) {
	e := seeded(t)
	ev := e.event("gathering", func(in *models.EventInput) { in.Capacity = ip(3) })
	mine := e.registerAs(ev, "Amira Haddad", "amira@example.org", 0, "halal", "")
	e.registerAs(ev, "Zebulon Quartermain", "zebulon@example.org", 0, "kosher", "needs a ramp")
	e.registerAs(ev, "Waiting Xanthippe", "xanthippe@example.org", 2, "vegan", "")
	tok := e.cfg.Tokens()
	manage := models.ManagePath(tok.ManageToken(mine))
	for _, path := range []string{"/", "/events/" + ev.Slug, "/calendar", "/calendar.ics", "/events/" + ev.Slug + ".ics",
		manage, manage + "/data.json", manage + "/erase", manage + "/cancel", models.FeedPath(tok.FeedToken(mine)),
		"/api/v1/events", "/api/v1/events/" + ev.Slug, "/api/v1/registrations/" + tok.ManageToken(mine)} {
		r, page := e.get(path)
		if r.StatusCode != 200 {
			t.Errorf("%s: %d", path, r.StatusCode)
			continue
		}
		for _, other := range []string{"Zebulon", "zebulon@", "needs a ramp", "Xanthippe", "xanthippe@"} {
			if strings.Contains(page, other) {
				t.Errorf("%s shows another registrant: %q", path, other)
			}
		}
	}
}
