package app

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"convene/models"
)

// hybridEvent makes a published hybrid event of the fixture's organisation.
func hybridEvent(t *testing.T, f *fixture, slug string, capacity, online int) *models.Event {
	t.Helper()
	s := func(v string) *string { return &v }
	start := f.now.Add(5 * 24 * time.Hour)
	pub, yes := models.StatusPublished, true
	return must(models.CreateEvent(f.db.DB, models.EventInput{Slug: s(slug), Title: s("Hybrid " + slug), Kind: s(models.KindMeeting),
		Status: &pub, StartsAt: &start, InPerson: &yes, Online: &yes, CapacitySet: true, Capacity: &capacity,
		OnlineCapacitySet: true, OnlineCapacity: &online, MaxGuests: func(n int) *int { return &n }(2),
		StreamURL: s("https://stream.example.org/x"), Venue: &models.VenueInput{Name: s("Hall"), Address: s("1 High St")},
		Hosts: &[]models.HostInput{{Organisation: "open-doors"}}}, nil, nil, f.now))
}

func (f *fixture) registerAs(ev *models.Event, email string, guests int, mode string) (*models.Registration, string) {
	f.t.Helper()
	res := must(models.Register(f.db.DB, f.app.tok, ev.ID, models.RegisterInput{Name: "Person " + email, Email: email,
		Guests: guests, Attendance: mode, Consent: true}, f.now))
	return res.Registration, "/r/" + f.app.tok.ManageToken(res.Registration)
}

// TestManageSwitchAttendance: the manage page of a hybrid event offers the
// other way of attending; a full mode keeps the place and offers its
// waitlist; the switch is done through the models' rules.
func TestManageSwitchAttendance(t *testing.T) {
	f := newFixture(t, nil)
	ev := hybridEvent(t, f, "hybrid", 5, 1)
	_, full := f.registerAs(ev, "online@example.org", 0, models.Online) // online is now full
	reg, manage := f.registerAs(ev, "amira@example.org", 2, models.InPerson)

	res := f.do(request{method: "GET", path: manage})
	page := readBody(t, res)
	for _, want := range []string{"Join online instead?", "Full: waitlist open", "the places of your 2 guests are given up", `action="` + manage + `/attendance"`} {
		if !strings.Contains(page, want) {
			t.Errorf("manage page lacks %q", want)
		}
	}
	tests := []struct {
		name       string
		form       url.Values
		noCSRF     bool
		status     int
		want       string
		attendance string
		regStatus  string
	}{
		{"no CSRF token", url.Values{"attendance": {"online"}}, true, http.StatusForbidden, "", models.InPerson, models.RegConfirmed},
		{"a way the event does not offer", url.Values{"attendance": {"by_pigeon"}}, false, 422, "Choose in person or online", models.InPerson, models.RegConfirmed},
		{"online is full: the place is kept", url.Values{"attendance": {"online"}}, false, 409, "you keep your place in person", models.InPerson, models.RegConfirmed},
		{"the waitlist, chosen", url.Values{"attendance": {"online"}, "if_full": {"waitlist"}}, false, 303, "", models.Online, models.RegWaitlisted},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.do(request{method: "POST", path: manage + "/attendance", form: tt.form, noCSRF: tt.noCSRF})
			body := readBody(t, res)
			if res.StatusCode != tt.status || !strings.Contains(body, tt.want) {
				t.Fatalf("%d, want %d with %q: %.300s", res.StatusCode, tt.status, tt.want, body)
			}
			got := must(models.RegistrationByID(f.db.DB, reg.ID))
			if got.Attendance != tt.attendance || got.Status != tt.regStatus {
				t.Fatalf("registration %s %s, want %s %s", got.Attendance, got.Status, tt.attendance, tt.regStatus)
			}
		})
	}
	if strings.Contains(page, "Give up my place") {
		t.Error("the waitlist was offered before the person tried")
	}
	res = f.do(request{method: "GET", path: manage + "?switched=1"})
	page = readBody(t, res)
	if !strings.Contains(page, "You now take part online") || !strings.Contains(page, "You are on the waitlist") || !strings.Contains(page, "Come in person instead?") {
		t.Errorf("after the switch the page does not say so: %.2000s", page)
	}
	// The one online person goes in person: a place frees, and Amira
	// (waiting online) gets it.
	if res := f.do(request{method: "POST", path: full + "/attendance", form: url.Values{"attendance": {"in_person"}}}); res.StatusCode != 303 {
		t.Fatalf("switch to in person: %d", res.StatusCode)
	}
	if got := must(models.RegistrationByID(f.db.DB, reg.ID)); got.Status != models.RegConfirmed || got.Attendance != models.Online {
		t.Fatalf("not promoted into the freed online place: %s %s", got.Attendance, got.Status)
	}
}

// TestLostLink: "Lost your link?" answers the same, in words and status,
// whether or not the address is registered; mails the link only to a
// registered address; refuses a malformed one with a message; needs the
// CSRF token and is rate-limited.
func TestLostLink(t *testing.T) {
	f := newFixture(t, map[string]string{"RATE_LIMIT_PER_MINUTE": "6"})
	ev := f.ev
	page := readBody(t, f.do(request{method: "GET", path: "/events/" + ev.Slug}))
	if !strings.Contains(page, "Lost your link?") || !strings.Contains(page, `action="/events/`+ev.Slug+`/lost-link"`) {
		t.Fatal("the event page has no lost-link form")
	}
	mails := func() int64 {
		var n int64
		f.db.Model(&models.OutboxMail{}).Where("kind = ? AND data LIKE ?", models.MailDuplicate, "%lost_link%").Count(&n)
		return n
	}
	var answers []string
	tests := []struct {
		name   string
		email  string
		noCSRF bool
		status int
		want   string
		mails  int64
	}{
		{"registered", "amira.haddad@example.net", false, 200, "If this address holds a registration", 1},
		// Asked again at once (typed otherwise): the same answer, and no
		// second mail within ten minutes, so that nobody floods an inbox.
		{"registered, asked again at once", " Amira.Haddad@Example.NET ", false, 200, "If this address holds a registration", 0},
		{"not registered", "nobody@example.net", false, 200, "If this address holds a registration", 0},
		{"empty", "", false, 422, "Enter the email address you registered with", 0},
		{"malformed", "amira-at-example", false, 422, "Enter an email address in the correct format", 0},
		{"no CSRF token", "amira.haddad@example.net", true, http.StatusForbidden, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := mails()
			res := f.do(request{method: "POST", path: "/events/" + ev.Slug + "/lost-link", form: url.Values{"email": {tt.email}}, noCSRF: tt.noCSRF})
			body := readBody(t, res)
			f.app.lostLinks.idle()
			if res.StatusCode != tt.status || !strings.Contains(body, tt.want) {
				t.Fatalf("%d, want %d with %q", res.StatusCode, tt.status, tt.want)
			}
			if got := mails() - before; got != tt.mails {
				t.Errorf("%d mails queued, want %d", got, tt.mails)
			}
			if tt.status == 422 && !strings.Contains(body, fmt.Sprintf(`value="%s"`, strings.TrimSpace(tt.email))) {
				t.Error("what was typed is lost")
			}
			if tt.status == 200 {
				answers = append(answers, body)
			}
		})
	}
	for _, a := range answers[1:] {
		if a != answers[0] {
			t.Fatal("the answer differs between a registered and an unregistered address")
		}
	}
	// The limit: six a minute per client (the requests above made five).
	var last int
	for range 3 {
		res := f.do(request{method: "POST", path: "/events/" + ev.Slug + "/lost-link", form: url.Values{"email": {"x@example.net"}}})
		last = res.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("no rate limit: %d", last)
	}
	f.app.lostLinks.idle()
}

// TestManageChangeMailsOnce: changing several things at once on the manage
// page (guests, food, access needs) is one change and one mail.
func TestManageChangeMailsOnce(t *testing.T) {
	f := newFixture(t, nil)
	ev := hybridEvent(t, f, "several", 5, 5)
	reg, manage := f.registerAs(ev, "amira@example.org", 0, models.InPerson)
	form := url.Values{"guests": {"1"}, "dietary": {"vegan"}, "guest_dietary.0.dietary": {"halal"}, "access_needs": {"Step-free, please"}}
	if res := f.do(request{method: "POST", path: manage, form: form}); res.StatusCode != 303 {
		t.Fatalf("change: %d %.500s", res.StatusCode, readBody(t, res))
	}
	got := must(models.RegistrationByID(f.db.DB, reg.ID))
	if got.Guests != 1 || got.Dietary != "vegan" || got.AccessNeeds != "Step-free, please" {
		t.Fatalf("not changed: %+v", got)
	}
	var mails int64
	f.db.Model(&models.OutboxMail{}).Where("kind = ? AND registration_id = ?", models.MailChanged, reg.ID).Count(&mails)
	if mails != 1 {
		t.Errorf("%d registration-changed mails, want 1", mails)
	}
}
