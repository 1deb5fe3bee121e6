package app

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
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
