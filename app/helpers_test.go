package app_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"convene/app"
	"convene/models"
	"convene/models/modelstest"
)

// testNow is the fixed clock of the HTTP tests.
var testNow = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

type testEnv struct {
	t   *testing.T
	app *app.App
	db  *models.DB
	cfg app.Config
}

func testConfig(t testing.TB, extra map[string]string) app.Config {
	env := map[string]string{
		"SECRET_KEY":            string(modelstest.Secret),
		"RATE_LIMIT_PER_MINUTE": "0",
		"FORM_MIN_SECONDS":      "0",
		"BASE_URL":              "http://convene.test",
	}
	for k, v := range extra {
		env[k] = v
	}
	cfg, err := app.LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// newEnv builds the app on a fresh SQLite file.
func newEnv(t *testing.T, extra map[string]string) *testEnv {
	t.Helper()
	db := modelstest.Open(t)
	cfg := testConfig(t, extra)
	return &testEnv{t: t, app: newApp(t, cfg, db), db: db, cfg: cfg}
}

func newApp(t testing.TB, cfg app.Config, db *models.DB) *app.App {
	return newAppClock(t, cfg, db, func() time.Time { return testNow })
}

func newAppClock(t testing.TB, cfg app.Config, db *models.DB, now func() time.Time) *app.App {
	a, err := app.New(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)), app.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a
}

// fakeClock is a clock that tests move by hand, instead of sleeping.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{now: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// newEnvClock builds the app on a fresh SQLite file with a clock the test moves.
func newEnvClock(t *testing.T, extra map[string]string, clock *fakeClock) *testEnv {
	t.Helper()
	db := modelstest.Open(t)
	cfg := testConfig(t, extra)
	return &testEnv{t: t, app: newAppClock(t, cfg, db, clock.Now), db: db, cfg: cfg}
}

func openBenchDB(b *testing.B) *models.DB { return modelstest.Open(b) }

// seeded builds the app with the demo data.
func seeded(t *testing.T) *testEnv {
	t.Helper()
	e := newEnv(t, nil)
	if _, err := models.Seed(e.db.DB, e.cfg.Tokens(), testNow); err != nil {
		t.Fatal(err)
	}
	return e
}

func ip(n int) *int       { return &n }
func sp(s string) *string { return &s }

// event creates a published event with the given changes applied.
func (e *testEnv) event(slug string, change func(*models.EventInput)) *models.Event {
	e.t.Helper()
	start := testNow.Add(10 * 24 * time.Hour)
	in := models.EventInput{Slug: sp(slug), Title: sp("Test event " + slug), Kind: sp(models.KindMeeting),
		Status: sp(models.StatusPublished), StartsAt: &start, CapacitySet: true, Capacity: ip(10), MaxGuests: ip(3),
		Venue: &models.VenueInput{Name: sp("Hall"), Address: sp("1 Test Street")}}
	if change != nil {
		change(&in)
	}
	ev, err := models.CreateEvent(e.db.DB, in, nil, nil, testNow)
	if err != nil {
		e.t.Fatalf("create event: %v", err)
	}
	return ev
}

// serve starts the app on a loopback port and returns its base URL.
func (e *testEnv) serve() string {
	e.t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.t.Fatal(err)
	}
	go e.app.Fiber.Listener(ln)
	e.t.Cleanup(func() { e.app.Fiber.Shutdown() })
	return "http://" + ln.Addr().String()
}

func (e *testEnv) do(req *http.Request) *http.Response {
	e.t.Helper()
	resp, err := e.app.Fiber.Test(req, -1)
	if err != nil {
		e.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	return resp
}

func body(t testing.TB, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	return string(b)
}

func (e *testEnv) get(path string) (*http.Response, string) {
	e.t.Helper()
	r := e.do(httptest.NewRequest("GET", path, nil))
	return r, body(e.t, r)
}

// jsonReq sends a JSON request with an optional bearer token.
func (e *testEnv) jsonReq(method, path, payload, token string) (*http.Response, map[string]any) {
	e.t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	r := e.do(req)
	b := body(e.t, r)
	out := map[string]any{}
	if b != "" {
		if err := json.Unmarshal([]byte(b), &out); err != nil {
			e.t.Fatalf("%s %s: answer is not a JSON object (%d): %s", method, path, r.StatusCode, b)
		}
	}
	return r, out
}

// browser keeps cookies and the latest CSRF token like a person's browser.
type browser struct {
	e       *testEnv
	cookies map[string]string
	csrf    string
}

var csrfRe = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

func (e *testEnv) browser() *browser { return &browser{e: e, cookies: map[string]string{}} }

func (b *browser) send(req *http.Request) (*http.Response, string) {
	b.e.t.Helper()
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	r := b.e.do(req)
	for _, c := range r.Cookies() {
		b.cookies[c.Name] = c.Value
	}
	s := body(b.e.t, r)
	if m := csrfRe.FindStringSubmatch(s); m != nil {
		b.csrf = m[1]
	}
	return r, s
}

func (b *browser) get(path string) (*http.Response, string) {
	return b.send(httptest.NewRequest("GET", path, nil))
}

// post submits a form with the browser's CSRF token unless form has one.
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	if _, ok := form["_csrf"]; !ok {
		token := b.csrf
		if token == "" { // a page without a form: the cookie holds the same token
			token = b.cookies["convene_csrf"]
		}
		form.Set("_csrf", token)
	}
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

// token creates an organiser with an API token.
func (e *testEnv) token(email string, admin bool, orgs ...string) string {
	e.t.Helper()
	u, _, err := models.EnsureUser(e.db.DB, email, "Organiser", admin, "", testNow)
	if err != nil {
		e.t.Fatal(err)
	}
	for _, slug := range orgs {
		var o models.Organisation
		if err := e.db.Where(models.Organisation{Slug: slug}).Attrs(models.Organisation{Name: slug}).FirstOrCreate(&o).Error; err != nil {
			e.t.Fatal(err)
		}
		if err := e.db.Create(&models.Membership{UserID: u.ID, OrganisationID: o.ID, Role: "organiser"}).Error; err != nil {
			e.t.Fatal(err)
		}
	}
	tok, _, err := models.NewAPIToken(e.db.DB, u.ID, models.APITokenInput{Name: "test"}, testNow)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}
