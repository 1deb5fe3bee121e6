package app

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// Roles of the permission matrix, and the accounts the fixture makes.
const (
	roleAnon      = "anonymous"
	roleAdmin     = "admin"
	roleOrganiser = "organiser"   // organiser of open-doors, which hosts the event
	roleOutsider  = "outsider"    // organiser of st-marys only
	roleDoor      = "door"        // door volunteer assigned to the event
	roleDoorOther = "door-other"  // door volunteer assigned to another event
	roleNoOrg     = "no-org-user" // account without membership (as the CLI makes)
)

var allRoles = []string{roleAnon, roleAdmin, roleOrganiser, roleOutsider, roleDoor, roleDoorOther}

// testCSRF is a well-formed CSRF cookie value the fixture sends with forms.
const testCSRF = "test-csrf-token-0123456789abcdefghijklmnopq"

type fixture struct {
	t        *testing.T
	db       *models.DB
	app      *App
	now      time.Time
	users    map[string]*models.User
	sessions map[string]string
	tokens   map[string]string
	tokenIDs map[string]uint
	ev       *models.Event // hosted by open-doors, co-hosted by nobody
	other    *models.Event // hosted by st-marys
	reg      *models.Registration
	waiting  *models.Registration
	series   *models.Series
	invite   string
}

func testConfig(t testing.TB, env map[string]string) Config {
	t.Helper()
	base := map[string]string{"RATE_LIMIT_PER_MINUTE": "0", "FORM_MIN_SECONDS": "0", "BASE_URL": "http://convene.test", "LOG_LEVEL": "error",
		"SECRET_KEY": string(modelstest.Secret)}
	for k, v := range env {
		base[k] = v
	}
	cfg, err := LoadConfig(func(k string) string { return base[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// must returns v, or stops the test (by panicking, which fails it) on err.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// newFixture builds a database with two organisations, one event of each,
// registrations, and an account, session and API token per role.
func newFixture(t *testing.T, env map[string]string) *fixture {
	t.Helper()
	return newFixtureOn(t, env, modelstest.Open(t))
}

// newFixtureOn is newFixture on the database db (PostgreSQL, say).
func newFixtureOn(t *testing.T, env map[string]string, db *models.DB) *fixture {
	t.Helper()
	now := time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC)
	cfg := testConfig(t, env)
	a, err := New(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)), WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, db: db, app: a, now: now, users: map[string]*models.User{}, sessions: map[string]string{},
		tokens: map[string]string{}, tokenIDs: map[string]uint{}}
	open := must(models.SaveOrganisation(db.DB, 0, models.OrganisationInput{Slug: "open-doors", Name: "Open Doors", Timezone: "Europe/London"}, nil, now))
	marys := must(models.SaveOrganisation(db.DB, 0, models.OrganisationInput{Slug: "st-marys", Name: "St Mary's", Timezone: "Europe/London"}, nil, now))
	f.series = must(models.SaveSeries(db.DB, 0, models.SeriesInput{Slug: "week-of-action", Title: "Week of Action"}, nil, now))

	mk := func(role string, admin bool, org uint, memberRole string) {
		u, _, err := models.EnsureUser(db.DB, role+"@example.org", role, admin, "", now)
		if err != nil {
			t.Fatal(err)
		}
		if org != 0 {
			if err := db.Create(&models.Membership{UserID: u.ID, OrganisationID: org, Role: memberRole}).Error; err != nil {
				t.Fatal(err)
			}
		}
		f.users[role] = u
		f.sessions[role] = must(models.CreateSession(db.DB, u.ID, now))
		tok, row, err := models.NewAPIToken(db.DB, u.ID, models.APITokenInput{Name: role}, now)
		if err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = tok
		f.tokenIDs[role] = row.ID
	}
	mk(roleAdmin, true, 0, "")
	mk(roleOrganiser, false, open.ID, models.MemberOrganiser)
	mk(roleOutsider, false, marys.ID, models.MemberOrganiser)
	mk(roleDoor, false, open.ID, models.MemberDoor)
	mk(roleDoorOther, false, open.ID, models.MemberDoor)
	mk(roleNoOrg, false, 0, "")

	s := func(v string) *string { return &v }
	n := func(v int) *int { return &v }
	start := now.Add(10 * 24 * time.Hour)
	end := start.Add(2 * time.Hour)
	pub := models.StatusPublished
	f.ev = must(models.CreateEvent(db.DB, models.EventInput{Slug: s("iftar"), Title: s("Solidarity Iftar"), Kind: s(models.KindIftar),
		Status: &pub, StartsAt: &start, EndsAt: &end, CapacitySet: true, Capacity: n(3), MaxGuests: n(2),
		Venue:     &models.VenueInput{Name: s("Hall"), Address: s("1 High St")},
		Hosts:     &[]models.HostInput{{Organisation: "open-doors"}},
		Questions: &[]models.QuestionInput{{Key: "how", Label: "How did you hear?", Kind: models.QuestionShortText}}}, nil, nil, now))
	f.other = must(models.CreateEvent(db.DB, models.EventInput{Slug: s("vigil"), Title: s("Vigil"), Kind: s(models.KindMemorial),
		Status: &pub, StartsAt: &start, EndsAt: &end, Hosts: &[]models.HostInput{{Organisation: "st-marys"}}}, nil, nil, now))
	tok := modelstest.Tokens()
	f.app.tok = tok
	reg := func(ev *models.Event, name string, guests int, diet string) *models.Registration {
		res := must(models.Register(db.DB, tok, ev.ID, models.RegisterInput{Name: name, Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.net",
			Guests: guests, Attendance: models.InPerson, Dietary: diet, Consent: true, Answers: map[string]string{"how": "=HYPERLINK(\"x\")"}}, now))
		return res.Registration
	}
	f.reg = reg(f.ev, "Amira Haddad", 2, "halal") // 3 places: the event is now full
	f.waiting = reg(f.ev, "Daniel Cohen", 0, "kosher")
	reg(f.other, "Grace Okafor", 0, "")
	if err := models.AssignDoor(db.DB, f.ev.ID, f.users[roleDoor].ID, nil, now); err != nil {
		t.Fatal(err)
	}
	if err := models.AssignDoor(db.DB, f.other.ID, f.users[roleDoorOther].ID, nil, now); err != nil {
		t.Fatal(err)
	}
	if _, f.invite, err = models.InviteUser(db.DB, models.InviteInput{Email: "invitee@example.org", Kind: models.AccountOrganiser, Organisations: []uint{open.ID}}, nil, now); err != nil {
		t.Fatal(err)
	}
	return f
}

// request builds a request as role: its session cookie, and for forms the
// CSRF cookie and field unless noCSRF.
type request struct {
	method, path, role string
	form               url.Values
	noCSRF             bool
	json               string
	bearer             bool
	token              string // a bearer token of the test's own
	accept             string
	cookies            []*http.Cookie
}

func (f *fixture) do(r request) *http.Response {
	f.t.Helper()
	var body io.Reader
	form := url.Values{}
	for k, v := range r.form {
		form[k] = v
	}
	// The API takes no forms (and refuses fields an operation does not take).
	if r.method == http.MethodPost && r.json == "" && !r.noCSRF && !strings.HasPrefix(r.path, "/api/") {
		form.Set("_csrf", testCSRF)
	}
	switch {
	case r.json != "":
		body = strings.NewReader(r.json)
	case r.method != http.MethodGet:
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(r.method, r.path, body)
	switch {
	case r.json != "":
		req.Header.Set("Content-Type", "application/json")
	case r.method != http.MethodGet:
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if r.accept != "" {
		req.Header.Set("Accept", r.accept)
	}
	req.AddCookie(&http.Cookie{Name: "convene_csrf", Value: testCSRF})
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.role != roleAnon && r.role != "" {
		if r.bearer {
			req.Header.Set("Authorization", "Bearer "+f.tokens[r.role])
		} else {
			req.AddCookie(&http.Cookie{Name: "convene_session", Value: f.sessions[r.role]})
		}
	}
	for _, c := range r.cookies {
		req.AddCookie(c)
	}
	res, err := f.app.Fiber.Test(req, -1)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

// scopedToken makes a new API token of scope for role's account.
func (f *fixture) scopedToken(role, scope string) string {
	f.t.Helper()
	tok, _, err := models.NewAPIToken(f.db.DB, f.users[role].ID, models.APITokenInput{Name: role + " " + scope, Scope: scope}, f.now)
	if err != nil {
		f.t.Fatal(err)
	}
	return tok
}

func readBody(t testing.TB, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return string(b)
}

// denied reports whether an answer refuses the request: not signed in
// (sent to sign in, or 401), forbidden (403) or hidden (404).
func denied(res *http.Response) bool {
	switch res.StatusCode {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound:
		return true
	case http.StatusSeeOther:
		return strings.HasPrefix(res.Header.Get("Location"), "/admin/login?next=")
	}
	return false
}

func testNow() time.Time { return time.Date(2026, 11, 2, 12, 0, 0, 0, time.UTC) }
