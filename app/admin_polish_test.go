package app

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"convene/models"
)

// TestAccountPageGroupsPasswordAndTokens: the navigation has one entry for
// the account (so it fits a phone); the account page leads to the password
// and the API tokens, and names the roles.
func TestAccountPageGroupsPasswordAndTokens(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct {
		role     string
		wantRole string
	}{
		{roleAdmin, "Admin: every event"},
		{roleOrganiser, "Organiser of <bdi>Open Doors</bdi>"},
		{roleDoor, "Door volunteer for</dt><dd><bdi>Open Doors</bdi>"},
		{roleNoOrg, "Organiser of your own events"},
	}
	for _, tc := range cases {
		t.Run(tc.role, func(t *testing.T) {
			res := f.do(request{method: "GET", path: "/admin/account", role: tc.role})
			body := readBody(t, res)
			if res.StatusCode != 200 {
				t.Fatalf("status %d", res.StatusCode)
			}
			for _, want := range []string{`href="/admin/account/password"`, `href="/admin/tokens"`, tc.wantRole, tc.role + "@example.org",
				`<a href="/admin/account" aria-current="page">Your account</a>`} {
				if !strings.Contains(body, want) {
					t.Errorf("account page lacks %s", want)
				}
			}
			nav := regexp.MustCompile(`(?s)<nav class="admin-nav".*?</nav>`).FindString(body)
			for _, gone := range []string{`/admin/tokens"`, `/admin/account/password"`} {
				if strings.Contains(nav, gone) {
					t.Errorf("navigation still links %s: it belongs under the account", gone)
				}
			}
		})
	}
	// The password and tokens pages mark the account entry and lead back.
	for _, p := range []string{"/admin/account/password", "/admin/tokens"} {
		body := readBody(t, f.do(request{method: "GET", path: p, role: roleOrganiser}))
		if !strings.Contains(body, `<a href="/admin/account" aria-current="page">Your account</a>`) || !strings.Contains(body, `class="back-link"`) {
			t.Errorf("%s does not sit under the account", p)
		}
	}
}

// TestEditorHidesSunsetRowsForOtherKinds: the sunset start is only for
// iftars and the venue not for livestreams; the server hides them (no
// JavaScript needed), except where a field of theirs has an error to show.
func TestEditorHidesSunsetRowsForOtherKinds(t *testing.T) {
	f := newFixture(t, nil)
	sunsetRow := regexp.MustCompile(`<div class="field-row" data-kinds="iftar"( hidden)?>`)
	startRule := regexp.MustCompile(`data-kinds="iftar"( hidden)?>\s*<fieldset id="start_rule"`)
	venue := regexp.MustCompile(`<div data-kinds="meeting iftar memorial"( hidden)?>`)
	hidden := func(re *regexp.Regexp, body string) (found, hid bool) {
		m := re.FindStringSubmatch(body)
		return m != nil, m != nil && m[1] != ""
	}
	cases := []struct {
		name             string
		path             string
		form             url.Values
		sunset, venueHid bool
	}{
		{"new meeting", "/admin/events/new", nil, true, false},
		{"new iftar from the calendar", "/admin/events/new?kind=iftar", nil, false, false},
		{"new livestream", "/admin/events/new?kind=livestream", nil, true, true},
		{"memorial", "/admin/events/vigil/edit", nil, true, false},
		{"iftar", "/admin/events/iftar/edit", nil, false, false},
		{"checked as a livestream, no JavaScript", "/admin/events", url.Values{"check": {"1"}, "kind": {"livestream"}, "title": {"Talk"}, "format": {"online"}}, true, true},
		{"checked as an iftar", "/admin/events", url.Values{"check": {"1"}, "kind": {"iftar"}, "title": {"Iftar"}}, false, false},
		{"a meeting set to start at sunset shows the rule in effect", "/admin/events", url.Values{"kind": {"meeting"}, "title": {"Talk"}, "format": {"in_person"}, "start_rule": {"sunset"}, "date": {"31-02-2027"}}, false, false},
		{"a livestream with a bad latitude shows the venue", "/admin/events", url.Values{"kind": {"livestream"}, "title": {"Talk"}, "format": {"online"}, "starts_at": {"2027-01-01T19:00"}, "venue.latitude": {"north"}}, true, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			method := "GET"
			if tc.form != nil {
				method = "POST"
			}
			role := roleOrganiser
			if strings.Contains(tc.path, "vigil") {
				role = roleOutsider
			}
			body := readBody(t, f.do(request{method: method, path: tc.path, role: role, form: tc.form}))
			for _, c := range []struct {
				what string
				re   *regexp.Regexp
				want bool
			}{{"sunset row", sunsetRow, tc.sunset}, {"start rule", startRule, tc.sunset}, {"venue", venue, tc.venueHid}} {
				found, hid := hidden(c.re, body)
				if !found {
					t.Fatalf("%s not on the page", c.what)
				}
				if hid != c.want {
					t.Errorf("%s hidden = %t, want %t", c.what, hid, c.want)
				}
			}
		})
	}
}

// TestDoorChecksInPartOfAParty: at the door, 2 of a party of 3 can be
// checked in and the third later, without JavaScript (forms) and with it
// (JSON answers); undo clears the party; bad numbers get a message and
// change nothing. Amira Haddad's party is 3 places.
func TestDoorChecksInPartOfAParty(t *testing.T) {
	f := newFixture(t, nil)
	door := "/admin/events/iftar/door"
	checkIn := fmt.Sprintf("%s/%d/check-in", door, f.reg.ID)
	arrived := func() int {
		var r models.Registration
		f.db.First(&r, f.reg.ID)
		return r.Arrived()
	}
	steps := []struct {
		name       string
		path       string
		arrived    string // form value; "-" leaves it out
		json       bool
		wantStatus int
		wantIn     int
		wantPage   []string // on the door page afterwards (or the answer)
	}{
		{"not a number", checkIn, "two", false, 422, 0, []string{"Choose how many of Amira Haddad&#39;s party have arrived, from 1 to 3."}},
		{"nobody", checkIn, "0", false, 422, 0, []string{"from 1 to 3"}},
		{"more than the party", checkIn, "4", false, 422, 0, []string{"Enter how many of the party of 3 have arrived, from 1 to 3"}},
		{"2 of 3, no JavaScript", checkIn, "2", false, 303, 2, []string{`class="door-row is-part"`, "2 of 3 in", `<option value="3" selected>All 3</option>`,
			`<span data-checked-in>2</span> of <span data-expected>3</span>`}},
		{"the third arrives, by script", checkIn, "3", true, 200, 3, []string{`"arrived":3`, `"places":3`, `"checked_in":3`}},
		{"undo, by script", fmt.Sprintf("%s/%d/undo", door, f.reg.ID), "-", true, 200, 0, []string{`"arrived":0`, `"checked_in":false`}},
		{"the whole party, no choice sent", checkIn, "-", false, 303, 3, []string{`class="door-row is-in"`, "✓ All 3 in"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			form := url.Values{"q": {""}}
			if s.arrived != "-" {
				form.Set("arrived", s.arrived)
			}
			r := request{method: "POST", path: s.path, role: roleDoor, form: form}
			if s.json {
				r.accept = "application/json"
			}
			res := f.do(r)
			body := readBody(t, res)
			if res.StatusCode != s.wantStatus {
				t.Fatalf("status %d, want %d: %.300s", res.StatusCode, s.wantStatus, body)
			}
			if res.StatusCode == 303 {
				body = readBody(t, f.do(request{method: "GET", path: door, role: roleDoor}))
			}
			for _, w := range s.wantPage {
				if !strings.Contains(body, w) {
					t.Errorf("lacks %s", w)
				}
			}
			if got := arrived(); got != s.wantIn {
				t.Errorf("%d of the party in, want %d", got, s.wantIn)
			}
		})
	}

	// The API takes the number too, and the attendees page shows it.
	res := f.do(request{method: "POST", path: fmt.Sprintf("/api/v1/events/iftar/registrations/%d/check-in", f.reg.ID), role: roleDoor, bearer: true, json: `{"arrived":1}`})
	if b := readBody(t, res); res.StatusCode != 200 || !strings.Contains(b, `"arrived":1`) || !strings.Contains(b, `"checked_in":1`) {
		t.Fatalf("API partial check-in: %d %s", res.StatusCode, b)
	}
	page := readBody(t, f.do(request{method: "GET", path: "/admin/events/iftar/attendees", role: roleOrganiser}))
	if !strings.Contains(page, "1 of 3, from") {
		t.Error("the attendees page does not show 1 of 3 checked in")
	}
	// The QR code's page offers the rest of the party.
	code := f.app.tok.CheckInCode(f.reg)
	page = readBody(t, f.do(request{method: "GET", path: "/admin/check-in/" + code, role: roleDoor}))
	if !strings.Contains(page, "1 of 3, from") || !strings.Contains(page, `name="arrived"`) || !strings.Contains(page, "Undo check-in") {
		t.Errorf("check-in page: %.2000s", page)
	}
	for _, bad := range []string{"x", "0", "7"} {
		res := f.do(request{method: "POST", path: "/admin/check-in/" + code, role: roleDoor, form: url.Values{"arrived": {bad}}})
		if res.StatusCode != 422 {
			t.Errorf("check-in code with arrived=%q: %d", bad, res.StatusCode)
		}
	}
	res = f.do(request{method: "POST", path: "/admin/check-in/" + code, role: roleDoor, form: url.Values{"arrived": {"3"}}})
	if res.StatusCode != 303 || arrived() != 3 {
		t.Errorf("check-in code: %d, %d in", res.StatusCode, arrived())
	}
}

// TestCancelAsksAndCanBeUndone: the attendees list's Cancel opens a page
// that names the person and party (no JavaScript needed); cancelling says
// so by name with an undo button; undo gives the place back, or says
// truthfully that the party is first on the waitlist; too late or twice is
// refused with a message.
func TestCancelAsksAndCanBeUndone(t *testing.T) {
	clock := testNow()
	f := newFixture(t, nil)
	f.app.now = func() time.Time { return clock }
	attendees := "/admin/events/iftar/attendees"
	cancelPath := fmt.Sprintf("/admin/events/iftar/registrations/%d/cancel", f.reg.ID)
	undoPath := fmt.Sprintf("/admin/events/iftar/registrations/%d/undo-cancel", f.reg.ID)

	list := readBody(t, f.do(request{method: "GET", path: attendees, role: roleOrganiser}))
	if !strings.Contains(list, `<a class="button button-small button-warning" href="`+cancelPath+`">Cancel`) {
		t.Fatal("the list's Cancel is not a link to the confirmation page")
	}
	page := readBody(t, f.do(request{method: "GET", path: cancelPath, role: roleOrganiser}))
	for _, want := range []string{"Cancel <bdi>Amira Haddad</bdi>’s registration?", "3 people (2 guests)", "amira.haddad@example.net",
		`action="` + cancelPath + `"`, "You can undo this for 10 minutes", "No, keep it"} {
		if !strings.Contains(page, want) {
			t.Errorf("confirmation page lacks %s", want)
		}
	}
	if status(f, f.reg.ID) != models.RegConfirmed {
		t.Fatal("opening the confirmation cancelled")
	}

	// Amira's 3 places go to Daniel, who waited: an undo finds them taken.
	res := f.do(request{method: "POST", path: cancelPath, role: roleOrganiser})
	if res.StatusCode != 303 || !strings.HasPrefix(res.Header.Get("Location"), attendees+"?done=cancelled&reg=") {
		t.Fatalf("cancel: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	list = readBody(t, f.do(request{method: "GET", path: res.Header.Get("Location"), role: roleOrganiser}))
	for _, want := range []string{"<bdi>Amira Haddad</bdi>’s registration (party of 3) has been cancelled. They will be emailed in 10 minutes unless you undo it.",
		`action="` + undoPath + `"`} {
		if !strings.Contains(list, want) {
			t.Errorf("after cancelling, the list lacks %s", want)
		}
	}
	if status(f, f.waiting.ID) != models.RegConfirmed {
		t.Fatal("Daniel was not promoted into the freed places")
	}
	clock = clock.Add(4 * time.Minute)
	res = f.do(request{method: "POST", path: undoPath, role: roleOrganiser})
	if res.StatusCode != 303 {
		t.Fatalf("undo: %d %.300s", res.StatusCode, readBody(t, res))
	}
	list = readBody(t, f.do(request{method: "GET", path: res.Header.Get("Location"), role: roleOrganiser}))
	if !strings.Contains(list, "their places had been taken meanwhile, so they are number 1 on the waitlist") ||
		!strings.Contains(list, "The cancellation email had not gone out, and never will.") {
		t.Errorf("undo outcome not said truthfully: %.3000s", list)
	}
	if status(f, f.reg.ID) != models.RegWaitlisted || status(f, f.waiting.ID) != models.RegConfirmed {
		t.Errorf("after undo: Amira %s, Daniel %s", status(f, f.reg.ID), status(f, f.waiting.ID))
	}
	var ev models.Event
	f.db.First(&ev, f.ev.ID)
	if ev.Taken > *ev.Capacity {
		t.Fatalf("oversold: %d of %d", ev.Taken, *ev.Capacity)
	}

	// Refusals: twice, and too late.
	res = f.do(request{method: "POST", path: undoPath, role: roleOrganiser})
	if b := readBody(t, res); res.StatusCode != 409 || !strings.Contains(b, "not cancelled: there is nothing to undo") {
		t.Errorf("undo twice: %d", res.StatusCode)
	}
	f.do(request{method: "POST", path: cancelPath, role: roleOrganiser})
	clock = clock.Add(11 * time.Minute)
	list = readBody(t, f.do(request{method: "GET", path: attendees, role: roleOrganiser}))
	if strings.Contains(list, `action="`+undoPath+`"`) {
		t.Error("an undo button is offered after the window")
	}
	res = f.do(request{method: "POST", path: undoPath, role: roleOrganiser})
	if b := readBody(t, res); res.StatusCode != 409 || !strings.Contains(b, "10 minutes only") {
		t.Errorf("undo too late: %d", res.StatusCode)
	}
	// When the cancellation mail has gone out already, the undo says that
	// the person is told their registration stands.
	danielCancel := fmt.Sprintf("/admin/events/iftar/registrations/%d/cancel", f.waiting.ID)
	f.do(request{method: "POST", path: danielCancel, role: roleOrganiser})
	f.db.Model(&models.OutboxMail{}).Where("kind = ? AND registration_id = ?", models.MailCancelled, f.waiting.ID).Update("status", models.MailSent)
	res = f.do(request{method: "POST", path: fmt.Sprintf("/admin/events/iftar/registrations/%d/undo-cancel", f.waiting.ID), role: roleOrganiser})
	list = readBody(t, f.do(request{method: "GET", path: res.Header.Get("Location"), role: roleOrganiser}))
	if !strings.Contains(list, "they have their place again") || !strings.Contains(list, "they are now emailed that their registration stands") {
		t.Errorf("undo after the mail went out: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	// A cancelled registration's confirmation page goes back to the list.
	if res := f.do(request{method: "GET", path: cancelPath, role: roleOrganiser}); res.StatusCode != 303 {
		t.Errorf("confirmation of a cancelled registration: %d", res.StatusCode)
	}
	// Another event's registration is not found.
	other := fmt.Sprintf("/admin/events/vigil/registrations/%d/cancel", f.reg.ID)
	if res := f.do(request{method: "GET", path: other, role: roleOutsider}); res.StatusCode != 404 {
		t.Errorf("another event's registration: %d", res.StatusCode)
	}
}

// status is a registration's status in the fixture's database.
func status(f *fixture, id uint) string {
	var r models.Registration
	f.db.First(&r, id)
	return r.Status
}
