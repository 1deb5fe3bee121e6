package app

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"convene/models"
)

// TestOrganisersInviteDoorVolunteers: an event's organiser adds a door
// volunteer by address; an address without an account gets a door-volunteer
// account of the event's host, on this event's door team, and a one-time
// link shown once. The new account can check people in there and do
// nothing else. Bad input keeps what was typed.
func TestOrganisersInviteDoorVolunteers(t *testing.T) {
	f := newFixture(t, nil)
	team := "/admin/events/iftar/team"
	cases := []struct {
		name, role, email, volunteer string
		wantStatus                   int
		want                         []string
	}{
		{"no address", roleOrganiser, "", "", 422, []string{"Enter the email address of the volunteer"}},
		{"not an address", roleOrganiser, "sam-at-example.org", "Sam", 422, []string{"in the correct format", `value="sam-at-example.org"`, `value="Sam"`}},
		{"a name with a direction override", roleOrganiser, "sam@example.org", "Sam\u202e", 422, []string{"Use one line of ordinary text"}},
		{"an outsider cannot", roleOutsider, "sam@example.org", "", 404, nil},
		{"a door volunteer cannot", roleDoor, "sam@example.org", "", 403, nil},
		{"a new address is invited", roleOrganiser, "Sam@Example.org", "Sam Levi", 201, []string{"An account has been made for <strong>sam@example.org</strong> as a door volunteer",
			"http://convene.test/admin/invite/", "sam@example.org (<bdi>Sam Levi</bdi>)"}},
		{"an existing account is added", roleOrganiser, "door-other@example.org", "", 303, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := f.do(request{method: "POST", path: team, role: tc.role, form: url.Values{"email": {tc.email}, "name": {tc.volunteer}}})
			body := readBody(t, res)
			if res.StatusCode != tc.wantStatus {
				t.Fatalf("status %d, want %d: %.300s", res.StatusCode, tc.wantStatus, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("lacks %s", w)
				}
			}
		})
	}
	var n int64
	f.db.Model(&models.User{}).Where("email = ?", "sam@example.org").Count(&n)
	if n != 1 {
		t.Fatalf("%d accounts for sam@example.org", n)
	}
	found, err := models.UserByEmail(f.db.DB, "sam@example.org")
	if err != nil {
		t.Fatal(err)
	}
	sam, err := models.UserByID(f.db.DB, found.ID)
	if err != nil {
		t.Fatal(err)
	}
	if sam.Admin || sam.IsOrganiser() || len(sam.Memberships) != 1 || sam.Memberships[0].Role != models.MemberDoor {
		t.Fatalf("the invited account is not a door volunteer only: admin %t, memberships %+v", sam.Admin, sam.Memberships)
	}
	if models.Authorize(f.db.DB, sam, f.ev, models.ActCheckIn) != nil || models.Authorize(f.db.DB, sam, f.ev, models.ActManage) == nil ||
		models.Authorize(f.db.DB, sam, f.other, models.ActCheckIn) == nil {
		t.Fatal("the invited account's rights are not door work at this event only")
	}
	other, _ := models.UserByID(f.db.DB, f.users[roleDoorOther].ID)
	if models.Authorize(f.db.DB, other, f.ev, models.ActCheckIn) != nil {
		t.Error("the existing account was not added to the door team")
	}

	// The link works once, and the volunteer then reaches this door only.
	page := readBody(t, f.do(request{method: "GET", path: team, role: roleOrganiser}))
	if strings.Contains(page, "/admin/invite/") {
		t.Error("the link is shown again")
	}
	sess, err := models.CreateSession(f.db.DB, sam.ID, f.now)
	if err != nil {
		t.Fatal(err)
	}
	as := func(path string) int {
		res := f.do(request{method: "GET", path: path, cookies: []*http.Cookie{{Name: "convene_session", Value: sess}}})
		return res.StatusCode
	}
	for path, want := range map[string]int{"/admin/events/iftar/door": 200, "/admin/events/vigil/door": 404,
		"/admin/events/iftar/attendees": 403, "/admin/events": 403, "/admin/events/iftar/team": 403} {
		if got := as(path); got != want {
			t.Errorf("the volunteer on %s: %d, want %d", path, got, want)
		}
	}
	// The audit log says so.
	body := readBody(t, f.do(request{method: "GET", path: "/admin/audit", role: roleAdmin}))
	if !regexp.MustCompile(`<bdi>organiser</bdi> added <bdi>sam@example.org</bdi> to the door team`).MatchString(body) ||
		!strings.Contains(body, "<bdi>organiser</bdi> invited <bdi>sam@example.org as door</bdi>") {
		t.Error("the audit log does not say who invited whom")
	}
}

// TestInviteDoorVolunteerRules: only those who manage the event invite;
// never an address that has an account (an organiser could otherwise get a
// link to an account an admin invited); an event with no host of theirs.
func TestInviteDoorVolunteerRules(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct {
		name, role, email string
		ev                *models.Event
		wantField         string
		wantForbidden     bool
	}{
		{"an outsider", roleOutsider, "new@example.org", f.ev, "", true},
		{"a door volunteer", roleDoor, "new@example.org", f.ev, "", true},
		{"an account invited but not set up", roleOrganiser, "invitee@example.org", f.ev, "email", false},
		{"an admin's address", roleOrganiser, "admin@example.org", f.ev, "email", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			by, err := models.UserByID(f.db.DB, f.users[tc.role].ID)
			if err != nil {
				t.Fatal(err)
			}
			_, token, err := models.InviteDoorVolunteer(f.db.DB, by, tc.ev, tc.email, "", f.now)
			if token != "" {
				t.Fatal("a link was made")
			}
			if tc.wantForbidden {
				if err != models.ErrForbidden {
					t.Fatalf("err %v, want forbidden", err)
				}
				return
			}
			if validationFields(err)[tc.wantField] == "" {
				t.Fatalf("err %v, want a message on %s", err, tc.wantField)
			}
		})
	}
	// An event without hosts: its creator organises no host of it.
	s := func(v string) *string { return &v }
	start := f.now.Add(48 * time.Hour)
	own, err := models.CreateEvent(f.db.DB, models.EventInput{Slug: s("own"), Title: s("Own"), Kind: s(models.KindMeeting), StartsAt: &start,
		Venue: &models.VenueInput{Name: s("Hall"), Address: s("1 High St")}}, &f.users[roleNoOrg].ID, nil, f.now)
	if err != nil {
		t.Fatalf("%v %v", err, validationFields(err))
	}
	own, _ = models.FindEvent(f.db.DB, own.Slug)
	noOrg, _ := models.UserByID(f.db.DB, f.users[roleNoOrg].ID)
	if _, _, err := models.InviteDoorVolunteer(f.db.DB, noOrg, own, "new@example.org", "", f.now); validationFields(err)["email"] == "" {
		t.Errorf("an event without hosts: %v", err)
	}
}
