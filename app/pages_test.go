package app_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"convene/models"
)

func TestPublicPages(t *testing.T) {
	e := seeded(t)
	e.event("a-draft", func(in *models.EventInput) { in.Status = sp(models.StatusDraft) })
	tests := []struct {
		path   string
		status int
		want   []string
		never  []string
	}{
		{"/", 200, []string{"Upcoming events", "Solidarity Iftar", "Holocaust Memorial Day", "Livestream: Voices", "Public Meeting", "2 places left", "Full: waitlist open",
			`href="webcal://convene.test/calendar.ics"`, "cid=webcal%3A%2F%2Fconvene.test%2Fcalendar.ics"}, []string{"a-draft", "Press Freedom", "stream.riverside-radio", `button-secondary" href="/calendar.ics"`}},
		{"/?kind=iftar", 200, []string{"Solidarity Iftar", `href="webcal://convene.test/calendar/iftar.ics"`}, []string{"Public Meeting:"}},
		{"/?kind=bogus", 404, []string{"Page not found"}, nil},
		{"/events/public-meeting-hate-crime", 200, []string{"Friends Meeting House", "173 Euston Road", "GMT, London time", `name="email"`, `name="guests"`, `name="consent"`, `name="_csrf"`, "Hosted by", "<strong>Speakers</strong>"}, nil},
		{"/events/solidarity-iftar", 200, []string{"Address sent to registered guests", "Halal", "Kosher", "Starts at sunset", "moon"}, []string{"12 Hill Rise"}},
		{"/events/hmd-interfaith-memorial", 200, []string{`name="attendance"`, "In person", "Online"}, []string{"stream.riverside-radio"}},
		{"/events/livestream-voices-of-uyghur-women", 200, []string{"online only"}, []string{"stream.riverside-radio", `name="dietary"`}},
		{"/events/panel-on-press-freedom", 200, []string{"Cancelled:", "could not travel", "This event has been cancelled"},
			[]string{`action="/events/panel-on-press-freedom/register"`, "Add to calendar", "places left", `id="register-title"`, `href="#register"`}},
		{"/events/a-draft", 404, nil, nil},
		{"/events/nope", 404, []string{"Page not found"}, nil},
		{"/series/week-of-action", 200, []string{"Week of Action Against Hate", "Bystander Intervention"}, []string{"Solidarity Iftar"}},
		{"/organisations/al-noor-mosque", 200, []string{"Al-Noor Mosque", "Solidarity Iftar"}, []string{"Public Meeting:"}},
		{"/organisations/nope", 404, nil, nil},
		{"/series/nope", 404, nil, nil},
		{"/r/not-a-real-token-but-long-enough", 404, nil, nil},
		{"/healthz", 200, []string{`"ok"`}, nil},
		{"/readyz", 200, []string{`"ready"`}, nil},
		{"/metrics", 200, []string{"convene_http_request_duration_seconds_bucket", `route="/"`, "convene_outbox_mails"}, []string{"example.org"}},
		{"/public/css/app.css", 200, []string{"--brand"}, nil},
		{"/public/nope.css", 404, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			r, b := e.get(tt.path)
			if r.StatusCode != tt.status {
				t.Fatalf("status %d, want %d\n%s", r.StatusCode, tt.status, b)
			}
			for _, w := range tt.want {
				if !strings.Contains(b, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, n := range tt.never {
				if strings.Contains(b, n) {
					t.Errorf("page must not contain %q", n)
				}
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, nil)
	r, _ := e.get("/")
	for h, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'",
		"X-Content-Type-Options":  "nosniff",
		"X-Frame-Options":         "DENY",
		"Referrer-Policy":         "same-origin",
	} {
		if !strings.Contains(r.Header.Get(h), want) {
			t.Errorf("%s = %q, want %q", h, r.Header.Get(h), want)
		}
	}
	c := r.Header.Get("Set-Cookie")
	if !strings.Contains(c, "HttpOnly") || !strings.Contains(strings.ToLower(c), "samesite=lax") {
		t.Errorf("CSRF cookie not HttpOnly/SameSite=Lax: %q", c)
	}
}

func TestProductionCookiesAreSecure(t *testing.T) {
	e := newEnv(t, map[string]string{"CONVENE_ENV": "production", "SECRET_KEY": "90b14009d6b5b0d3ef28e238b093c52c69bc99137280f952d91baedcbd30a9aa", "BASE_URL": "https://convene.test"})
	r, _ := e.get("/")
	c := r.Header.Get("Set-Cookie")
	if !strings.HasPrefix(c, "__Host-") || !strings.Contains(c, "secure") && !strings.Contains(c, "Secure") {
		t.Errorf("production cookie = %q, want __Host- prefix and Secure", c)
	}
	if r.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS in production")
	}
}

func regForm(name, email string) url.Values {
	return url.Values{"name": {name}, "email": {email}, "guests": {"0"}, "dietary": {"halal"}, "consent": {"yes"}}
}

func TestRegisterFormJourney(t *testing.T) {
	e := newEnv(t, nil)
	ev := e.event("journey", func(in *models.EventInput) {
		in.Capacity = ip(2)
		in.StreamURL = sp("https://stream.example.org/secret-room")
		in.Online = new(bool)
		in.Venue.AddressVisibility = sp(models.AddressRegistrants)
	})
	b := e.browser()
	r, page := b.get("/events/" + ev.Slug)
	if r.StatusCode != 200 || b.csrf == "" {
		t.Fatalf("event page %d, csrf %q", r.StatusCode, b.csrf)
	}
	if strings.Contains(page, "1 Test Street") {
		t.Fatal("private address shown on the public page")
	}

	// Without the CSRF token the form is refused and nothing is stored.
	form := regForm("Amira", "amira@example.org")
	form.Set("_csrf", "forged")
	if r, _ := b.post("/events/"+ev.Slug+"/register", form); r.StatusCode != 403 {
		t.Fatalf("forged CSRF: status %d, want 403", r.StatusCode)
	}
	// Nor from another site.
	req := httptest.NewRequest("POST", "/events/"+ev.Slug+"/register", strings.NewReader(url.Values{"_csrf": {b.csrf}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if r, _ := b.send(req); r.StatusCode != 403 {
		t.Fatalf("cross-origin POST: status %d, want 403", r.StatusCode)
	}

	// Invalid input: 422, messages beside the fields, what was typed kept and escaped.
	bad := url.Values{"name": {`<script>alert(1)</script>`}, "email": {"not-an-email"}, "guests": {"9"}, "dietary": {"halal"}}
	r, page = b.post("/events/"+ev.Slug+"/register", bad)
	if r.StatusCode != 422 {
		t.Fatalf("invalid form: status %d, want 422", r.StatusCode)
	}
	for _, want := range []string{"There is a problem", "Enter an email address in the correct format", "at most 3 guests", "Agree to us keeping your details",
		`value="not-an-email"`, `&lt;script&gt;alert(1)&lt;/script&gt;`, `href="#email"`,
		`id="email-error"`, `aria-describedby="email-hint email-error"`, `aria-invalid="true"`} {
		if !strings.Contains(page, want) {
			t.Errorf("422 page lacks %q", want)
		}
	}
	if strings.Contains(page, "<script>alert(1)") {
		t.Fatal("XSS payload rendered unescaped")
	}
	var n int64
	e.db.Model(&models.Registration{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d registrations stored after refused forms", n)
	}

	// A valid registration: 303 to the private manage page.
	form = regForm("Amira Haddad", "Amira@Example.org ")
	form.Set("guests", "1")
	r, _ = b.post("/events/"+ev.Slug+"/register", form)
	if r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/r/") {
		t.Fatalf("register: %d %q", r.StatusCode, r.Header.Get("Location"))
	}
	manage := strings.TrimSuffix(r.Header.Get("Location"), "?new=1")
	r, page = b.get(r.Header.Get("Location"))
	for _, want := range []string{"You are registered", "Amira Haddad", "1 Test Street", "/me/", "Cancel my registration"} {
		if !strings.Contains(page, want) {
			t.Errorf("confirmation lacks %q", want)
		}
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Error("manage page may be cached")
	}

	// The same email again: "check your email", no second place.
	r, page = b.post("/events/"+ev.Slug+"/register", regForm("Someone", " amira@example.ORG"))
	if r.StatusCode != 200 || !strings.Contains(page, "Check your email") || strings.Contains(page, "Amira") {
		t.Fatalf("duplicate: %d, page reveals or misses: %s", r.StatusCode, page)
	}

	// The event is now full (2 places). Someone who saw a free place is
	// asked before being waitlisted; the full page's button joins the
	// waitlist at once.
	r, page = b.post("/events/"+ev.Slug+"/register", regForm("Daniel", "daniel@example.org"))
	if r.StatusCode != 409 || !strings.Contains(page, "The event is now full") || !strings.Contains(page, "Join the waitlist for 1 place") {
		t.Fatalf("no choice offered when the event filled up: %d", r.StatusCode)
	}
	_, page = b.get("/events/" + ev.Slug)
	if !strings.Contains(page, `name="if_full" value="waitlist"`) {
		t.Fatal("a full event's form does not join the waitlist")
	}
	form = regForm("Daniel", "daniel@example.org")
	form.Set("if_full", "waitlist")
	r, _ = b.post("/events/"+ev.Slug+"/register", form)
	if r.StatusCode != 303 {
		t.Fatalf("waitlist registration: %d", r.StatusCode)
	}
	_, page = b.get(r.Header.Get("Location"))
	if !strings.Contains(page, "You are on the waitlist") || !strings.Contains(page, "number 1") {
		t.Fatalf("waitlist page wrong: %s", page)
	}
	if strings.Contains(page, "1 Test Street") {
		t.Fatal("private address shown to a waitlisted registrant")
	}
	daniel := strings.TrimSuffix(r.Header.Get("Location"), "?new=1")

	// Changing guests beyond the free places is refused with a message.
	_, _ = b.get(manage)
	r, page = b.post(manage, url.Values{"guests": {"3"}, "dietary": {"vegan"}})
	if r.StatusCode != 422 || !strings.Contains(page, "more places are free") {
		t.Fatalf("guests beyond capacity: %d", r.StatusCode)
	}
	// Fewer guests frees a place and promotes Daniel.
	r, _ = b.post(manage, url.Values{"guests": {"0"}, "dietary": {"vegan"}})
	if r.StatusCode != 303 {
		t.Fatalf("change guests: %d", r.StatusCode)
	}
	_, page = b.get(daniel)
	if !strings.Contains(page, "You are registered") {
		t.Fatal("Daniel not promoted after fewer guests")
	}

	// Cancelling asks first, then cancels; cancelling again is harmless.
	_, page = b.get(manage + "/cancel")
	if !strings.Contains(page, "Yes, cancel my registration") {
		t.Fatal("no confirmation step")
	}
	for i := 0; i < 2; i++ {
		r, _ = b.post(manage+"/cancel", url.Values{})
		if r.StatusCode != 303 {
			t.Fatalf("cancel %d: %d", i, r.StatusCode)
		}
	}
	_, page = b.get(manage)
	if !strings.Contains(page, "Your registration is cancelled") || !strings.Contains(page, "Register again") {
		t.Fatal("manage page does not show the cancellation")
	}
}

func TestRegisterFormRefusals(t *testing.T) {
	e := newEnv(t, nil)
	past := testNow.Add(-time.Hour)
	e.event("closed", func(in *models.EventInput) { in.RegistrationClosesSet, in.RegistrationClosesAt = true, &past })
	e.event("nowait", func(in *models.EventInput) { in.Capacity, in.Waitlist = ip(0), new(bool) })
	e.event("gone", nil)
	if _, err := models.UpdateEvent(e.db.DB, "gone", models.EventInput{Status: sp(models.StatusCancelled)}, nil, testNow); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		slug   string
		status int
		want   string
	}{
		{"closed", 200, "Registration is closed"},
		{"gone", 200, "This event has been cancelled"},
		{"nowait", 200, "Full"},
	}
	for _, tt := range tests {
		t.Run(tt.slug, func(t *testing.T) {
			b := e.browser()
			_, page := b.get("/events/" + tt.slug)
			if !strings.Contains(page, tt.want) {
				t.Errorf("event page lacks %q", tt.want)
			}
			r, _ := b.post("/events/"+tt.slug+"/register", regForm("X", "x@example.org"))
			if r.StatusCode != 409 {
				t.Errorf("POST: status %d, want 409", r.StatusCode)
			}
		})
	}
	var n int64
	e.db.Model(&models.Registration{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d registrations stored for refused events", n)
	}
}

func TestRegistrationRateLimit(t *testing.T) {
	e := newEnv(t, map[string]string{"RATE_LIMIT_PER_MINUTE": "3"})
	ev := e.event("limited", nil)
	codes := []int{}
	for i := 0; i < 5; i++ {
		r, _ := e.jsonReq("POST", "/api/v1/events/"+ev.Slug+"/registrations", `{"name":"A","email":"a`+string(rune('a'+i))+`@example.org","consent":true}`, "")
		codes = append(codes, r.StatusCode)
	}
	if codes[0] != 201 || codes[2] != 201 || codes[3] != 429 || codes[4] != 429 {
		t.Fatalf("statuses %v, want 201×3 then 429", codes)
	}
}

// TestEventPageCacheFollowsChanges: the rendered page is reused, but never
// shows counts older than this instance's own changes, and each visitor gets
// their own CSRF token.
func TestEventPageCacheFollowsChanges(t *testing.T) {
	clock := newFakeClock(testNow)
	e := newEnvClock(t, nil, clock)
	e.event("cached", nil)
	b1, b2 := e.browser(), e.browser()
	_, p1 := b1.get("/events/cached")
	_, p2 := b2.get("/events/cached")
	if !strings.Contains(p1, "10 places left") || b1.csrf == "" || b1.csrf == b2.csrf || !strings.Contains(p2, b2.csrf) {
		t.Fatalf("first views: tokens %q %q", b1.csrf, b2.csrf)
	}
	if r, _ := b1.post("/events/cached/register", regForm("A", "a@example.org")); r.StatusCode != 303 {
		t.Fatalf("register: %d", r.StatusCode)
	}
	if _, p := b2.get("/events/cached"); !strings.Contains(p, "9 places left") {
		t.Fatal("event page still shows the count before the registration")
	}
	if _, err := models.UpdateEvent(e.db.DB, "cached", models.EventInput{Title: sp("Renamed event")}, nil, testNow); err != nil {
		t.Fatal(err)
	}
	// Another instance's edit shows within a second (the cache's lifetime).
	if _, p := b2.get("/events/cached"); strings.Contains(p, "Renamed event") {
		t.Fatal("the cache was not used: the edit shows before its lifetime ran out")
	}
	clock.Add(time.Second)
	if _, p := b2.get("/events/cached"); !strings.Contains(p, "Renamed event") {
		t.Fatal("edit not shown after the cache lifetime")
	}
}

// TestFormsRefuseControlCharacters: a NUL byte or broken UTF-8 in any form
// field gets a clear 422, never a storage error.
func TestFormsRefuseControlCharacters(t *testing.T) {
	e := newEnv(t, nil)
	e.event("clean", nil)
	b := e.browser()
	b.get("/events/clean")
	for _, name := range []string{"A\x00B", "\xff\xfe", "bell\a"} {
		r, page := b.post("/events/clean/register", regForm(name, "x@example.org"))
		if r.StatusCode != 422 || !strings.Contains(page, "control characters") {
			t.Errorf("name %q: status %d", name, r.StatusCode)
		}
	}
	var n int64
	e.db.Model(&models.Registration{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d registrations stored", n)
	}
}

// TestRateLimitBehindProxy: behind a trusted proxy (here the test itself,
// on loopback) each client has its own allowance, whatever the client
// writes to the left of what the proxy appended to X-Forwarded-For; without
// a trusted proxy, X-Forwarded-For is ignored (nobody picks their address).
func TestRateLimitBehindProxy(t *testing.T) {
	v4 := []string{"203.0.113.1", "203.0.113.1", "203.0.113.1", "203.0.113.2"}
	// An IPv6 client holds a whole /64 and can take a new address for every
	// request: the limit counts the /64.
	v6 := []string{"2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:a:b:c:d", "2001:db8:1:3::1"}
	for _, tt := range []struct {
		proxies string
		clients []string
		want    []int
	}{
		{"127.0.0.1", v4, []int{201, 201, 429, 201}},
		{"", v4, []int{201, 201, 429, 429}},
		{"127.0.0.1", v6, []int{201, 201, 429, 201}},
	} {
		t.Run("TRUSTED_PROXIES="+tt.proxies+"/"+tt.clients[0], func(t *testing.T) {
			e := newEnv(t, map[string]string{"RATE_LIMIT_PER_MINUTE": "2", "TRUSTED_PROXIES": tt.proxies})
			e.event("proxied", nil)
			base := e.serve()
			var got []int
			for i, client := range tt.clients {
				req, _ := http.NewRequest("POST", base+"/api/v1/events/proxied/registrations",
					strings.NewReader(fmt.Sprintf(`{"name":"A","email":"p%d@example.org","consent":true}`, i)))
				req.Header.Set("Content-Type", "application/json")
				// The client forges a new address each time; the proxy appends
				// the one it saw.
				req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d, %s", i, client))
				r, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				r.Body.Close()
				got = append(got, r.StatusCode)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Fatalf("statuses %v, want %v", got, tt.want)
			}
		})
	}
}
