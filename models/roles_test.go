package models_test

import (
	"errors"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// TestScopeEventsAgreesWithAuthorize checks that the list query and the
// per-event decision give the same answer for every account and event.
func TestScopeEventsAgreesWithAuthorize(t *testing.T) {
	db := modelstest.Open(t)
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	org := func(slug string) uint {
		o, err := models.SaveOrganisation(db.DB, 0, models.OrganisationInput{Slug: slug, Name: slug}, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	a, b := org("a"), org("b")
	user := func(email string, admin bool, memberships map[uint]string) *models.User {
		u, _, err := models.EnsureUser(db.DB, email, "", admin, "", feedNow)
		if err != nil {
			t.Fatal(err)
		}
		for id, role := range memberships {
			db.Create(&models.Membership{UserID: u.ID, OrganisationID: id, Role: role})
		}
		db.Preload("Memberships").First(u, u.ID)
		return u
	}
	users := []*models.User{
		user("admin@x.org", true, nil),
		user("orga@x.org", false, map[uint]string{a: models.MemberOrganiser}),
		user("orgb@x.org", false, map[uint]string{b: models.MemberOrganiser}),
		user("door@x.org", false, map[uint]string{a: models.MemberDoor}),
		user("none@x.org", false, nil),
	}
	s := func(v string) *string { return &v }
	start := now.Add(24 * time.Hour)
	mk := func(slug string, creator *uint, hosts ...string) *models.Event {
		hs := []models.HostInput{}
		for _, h := range hosts {
			hs = append(hs, models.HostInput{Organisation: h})
		}
		ev, err := models.CreateEvent(db.DB, models.EventInput{Slug: s(slug), Title: s(slug), Kind: s(models.KindMeeting), StartsAt: &start, Hosts: &hs}, creator, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		return ev
	}
	evs := []*models.Event{mk("ha", nil, "a"), mk("hb", nil, "b"), mk("hab", nil, "b", "a"), mk("own", &users[4].ID)}
	if err := models.AssignDoor(db.DB, evs[1].ID, users[3].ID, nil, now); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[models.Action][]string{
		"admin@x.org": {models.ActManage: {"ha", "hb", "hab", "own"}, models.ActCheckIn: {"ha", "hb", "hab", "own"}},
		"orga@x.org":  {models.ActManage: {"ha", "hab"}, models.ActCheckIn: {"ha", "hab"}},
		"orgb@x.org":  {models.ActManage: {"hb", "hab"}, models.ActCheckIn: {"hb", "hab"}},
		"door@x.org":  {models.ActManage: {}, models.ActCheckIn: {"hb"}},
		"none@x.org":  {models.ActManage: {"own"}, models.ActCheckIn: {"own"}},
	}
	for _, u := range users {
		for _, act := range []models.Action{models.ActManage, models.ActCheckIn} {
			var listed []string
			if err := models.ScopeEvents(db.Model(&models.Event{}), u, act).Order("id").Pluck("slug", &listed).Error; err != nil {
				t.Fatal(err)
			}
			allowed := map[string]bool{}
			for _, ev := range evs {
				full, _ := models.FindEvent(db.DB, ev.Slug)
				err := models.Authorize(db.DB, u, full, act)
				if err != nil && !errors.Is(err, models.ErrForbidden) {
					t.Fatal(err)
				}
				allowed[ev.Slug] = err == nil
			}
			if len(listed) != len(want[u.Email][act]) {
				t.Errorf("%s %v: listed %v, want %v", u.Email, act, listed, want[u.Email][act])
			}
			for _, slug := range listed {
				if !allowed[slug] {
					t.Errorf("%s %v: %s listed but not authorised", u.Email, act, slug)
				}
			}
			n := 0
			for _, ok := range allowed {
				if ok {
					n++
				}
			}
			if n != len(listed) {
				t.Errorf("%s %v: %d authorised, %d listed", u.Email, act, n, len(listed))
			}
		}
	}
	if users[3].IsOrganiser() || !users[4].IsOrganiser() || !users[1].IsOrganiser() {
		t.Fatal("IsOrganiser")
	}
}

// TestCheckHosts is the host rule: an organiser keeps one of their own
// organisations among an event's hosts; a door membership is not one.
func TestCheckHosts(t *testing.T) {
	db := modelstest.Open(t)
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	org := func(slug string) uint {
		o, err := models.SaveOrganisation(db.DB, 0, models.OrganisationInput{Slug: slug, Name: slug}, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	a, b := org("a"), org("b")
	org("c")
	user := func(email string, admin bool, memberships map[uint]string) *models.User {
		u, _, err := models.EnsureUser(db.DB, email, "", admin, "", now)
		if err != nil {
			t.Fatal(err)
		}
		for id, role := range memberships {
			db.Create(&models.Membership{UserID: u.ID, OrganisationID: id, Role: role})
		}
		db.Preload("Memberships").First(u, u.ID)
		return u
	}
	admin := user("admin@x.org", true, nil)
	orgA := user("orga@x.org", false, map[uint]string{a: models.MemberOrganiser})
	orgADoorB := user("orga-doorb@x.org", false, map[uint]string{a: models.MemberOrganiser, b: models.MemberDoor})
	door := user("door@x.org", false, map[uint]string{b: models.MemberDoor})
	none := user("none@x.org", false, nil)
	hosts := func(slugs ...string) []models.HostInput {
		out := []models.HostInput{}
		for _, s := range slugs {
			out = append(out, models.HostInput{Organisation: s})
		}
		return out
	}
	tests := []struct {
		name   string
		u      *models.User
		hosts  []models.HostInput
		ok     bool
		noOrgs bool
	}{
		{"admin names anybody", admin, hosts("c"), true, false},
		{"admin leaves none", admin, hosts(), true, false},
		{"own organisation", orgA, hosts("a"), true, false},
		{"own with a partner", orgA, hosts("c", "a"), true, false},
		{"handed to others", orgA, hosts("b", "c"), false, false},
		{"no hosts left", orgA, hosts(), false, false},
		{"door membership is not own", orgADoorB, hosts("b"), false, false},
		{"organiser membership beside a door one", orgADoorB, hosts("b", "a"), true, false},
		{"door volunteer", door, hosts("b"), false, true},
		{"no organisation, no hosts", none, hosts(), true, false},
		{"no organisation, hosts", none, hosts("a"), false, true},
		{"unknown slug only", orgA, hosts("nobody"), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := models.CheckHosts(db.DB, tt.u, tt.hosts)
			var he *models.HostsError
			switch {
			case tt.ok && err != nil:
				t.Fatalf("refused: %v", err)
			case !tt.ok && !errors.As(err, &he):
				t.Fatalf("got %v, want a HostsError", err)
			case !tt.ok && he.NoOrganisation != tt.noOrgs:
				t.Fatalf("NoOrganisation %v, want %v", he.NoOrganisation, tt.noOrgs)
			}
		})
	}
	if ids := orgADoorB.OrganisationIDs(); len(ids) != 1 || ids[0] != a {
		t.Fatalf("OrganisationIDs counts door memberships: %v", ids)
	}
}

func TestSessionsAndAuthenticate(t *testing.T) {
	db := modelstest.Open(t)
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	u, _, err := models.EnsureUser(db.DB, "a@x.org", "", false, "a long password", feedNow)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := models.Authenticate(db.DB, "A@X.org", "a long password"); err != nil {
		t.Fatal(err)
	}
	for _, c := range [][2]string{{"a@x.org", "wrong password"}, {"b@x.org", "a long password"}, {"a@x.org", ""}} {
		if _, err := models.Authenticate(db.DB, c[0], c[1]); !errors.Is(err, models.ErrBadCredentials) {
			t.Fatalf("%v: %v", c, err)
		}
	}
	tok, err := models.CreateSession(db.DB, u.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	// Use keeps it alive past the idle time, never past the maximum age.
	at := now
	for at.Before(now.Add(models.SessionMaxAge - models.SessionIdle)) {
		at = at.Add(models.SessionIdle - time.Hour)
		if _, err := models.UserBySession(db.DB, tok, at); err != nil {
			t.Fatalf("session ended at %v while in use", at.Sub(now))
		}
	}
	if _, err := models.UserBySession(db.DB, tok, now.Add(models.SessionMaxAge+time.Minute)); err == nil {
		t.Fatal("a session outlived its maximum age")
	}
	if err := models.DeleteSession(db.DB, tok); err != nil {
		t.Fatal(err)
	}
	if _, err := models.UserBySession(db.DB, tok, now); err == nil {
		t.Fatal("a deleted session works")
	}
}

func TestDuplicateSunsetIftar(t *testing.T) {
	db := modelstest.Open(t)
	now := time.Date(2027, 1, 10, 12, 0, 0, 0, time.UTC)
	s := func(v string) *string { return &v }
	lat, lon := 51.5862, -0.1235
	ev, err := models.CreateEvent(db.DB, models.EventInput{Slug: s("iftar"), Title: s("Iftar"), Kind: s(models.KindIftar), StartRule: s("sunset"),
		Date: s("2027-02-18"), Timezone: s("Europe/London"), Venue: &models.VenueInput{Latitude: &lat, Longitude: &lon}}, nil, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	copies, err := models.DuplicateEvent(db.DB, ev.Slug, []string{"2027-02-19", "2027-03-01"}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(copies) != 2 || copies[0].LocalDate != "2027-02-19" || copies[0].StartRule != "sunset" || !copies[1].StartsAt.After(copies[0].StartsAt.Add(24*time.Hour*10)) {
		t.Fatalf("copies %+v", copies)
	}
	if !copies[1].StartsAt.Add(-24 * 10 * time.Hour).After(copies[0].StartsAt) {
		t.Fatal("sunset later in March should move the start later")
	}
	if _, err := models.DuplicateEvent(db.DB, ev.Slug, []string{"2027-02-20", "nonsense"}, nil, now); err == nil {
		t.Fatal("a bad date was accepted")
	}
	var n int64
	db.Model(&models.Event{}).Count(&n)
	if n != 3 {
		t.Fatalf("%d events: a failed duplication left copies behind", n)
	}
}
