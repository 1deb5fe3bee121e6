package app

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"convene/models"
)

func sessionCookie(res *http.Response, name string) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func setPassword(t *testing.T, f *fixture, role, pw string) {
	t.Helper()
	h, err := models.HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.Model(&models.User{}).Where("id = ?", f.users[role].ID).Update("password_hash", h).Error; err != nil {
		t.Fatal(err)
	}
}

func TestLoginSameAnswerForUnknownAndWrong(t *testing.T) {
	f := newFixture(t, nil)
	setPassword(t, f, roleOrganiser, "correct horse battery")
	var bodies []string
	for _, email := range []string{"organiser@example.org", "nobody@example.org"} {
		start := time.Now()
		res := f.do(request{method: "POST", path: "/admin/login", form: url.Values{"email": {email}, "password": {"wrong password!"}}})
		took := time.Since(start)
		body := readBody(t, res)
		if res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s: status %d", email, res.StatusCode)
		}
		if sessionCookie(res, "convene_session") != nil {
			t.Fatalf("%s: a failed sign-in set a session cookie", email)
		}
		// Both answers cost a bcrypt comparison (cost 12: well over 20ms);
		// without the dummy hash an unknown address answers in microseconds.
		if took < 20*time.Millisecond {
			t.Errorf("%s: answered in %v: no password comparison was made", email, took)
		}
		bodies = append(bodies, strings.ReplaceAll(body, email, "EMAIL"))
	}
	if bodies[0] != bodies[1] {
		t.Fatal("the answers for a wrong password and an unknown account differ")
	}
	if !strings.Contains(bodies[0], "The email address or password is not right") {
		t.Fatal("no error message")
	}
}

func TestLoginRotatesSessionAndLogout(t *testing.T) {
	f := newFixture(t, nil)
	setPassword(t, f, roleOrganiser, "correct horse battery")
	old := f.sessions[roleOrganiser]
	res := f.do(request{method: "POST", path: "/admin/login", form: url.Values{"email": {"Organiser@Example.org "}, "password": {"correct horse battery"}, "next": {"/admin/events"}},
		cookies: []*http.Cookie{{Name: "convene_session", Value: old}}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/admin/events" {
		t.Fatalf("sign-in: status %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	c := sessionCookie(res, "convene_session")
	if c == nil || c.Value == "" || c.Value == old {
		t.Fatalf("no new session id: %+v", c)
	}
	if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Fatalf("session cookie attributes: %+v", c)
	}
	if csrf := sessionCookie(res, "convene_csrf"); csrf == nil || csrf.Value == testCSRF {
		t.Fatal("the CSRF token was not renewed at sign-in")
	}
	// Only the hash of the session id is stored.
	var n int64
	f.db.Model(&models.Session{}).Where("token_hash = ?", c.Value).Count(&n)
	if n != 0 {
		t.Fatal("the session id is stored in clear")
	}
	// The old session ended; the new one works.
	f.sessions[roleOrganiser] = old
	if res := f.do(request{method: "GET", path: "/admin", role: roleOrganiser}); !denied(res) {
		t.Fatalf("old session still works: %d", res.StatusCode)
	}
	f.sessions[roleOrganiser] = c.Value
	if res := f.do(request{method: "GET", path: "/admin", role: roleOrganiser}); res.StatusCode != 200 {
		t.Fatalf("new session refused: %d", res.StatusCode)
	}
	// Signing out ends it.
	res = f.do(request{method: "POST", path: "/admin/logout", role: roleOrganiser})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %d", res.StatusCode)
	}
	if c := sessionCookie(res, "convene_session"); c == nil || c.Value != "" {
		t.Fatalf("logout did not clear the cookie: %+v", c)
	}
	if res := f.do(request{method: "GET", path: "/admin", role: roleOrganiser}); !denied(res) {
		t.Fatalf("session works after logout: %d", res.StatusCode)
	}
}

func TestLoginRedirectStaysOnSite(t *testing.T) {
	f := newFixture(t, nil)
	setPassword(t, f, roleOrganiser, "correct horse battery")
	for _, next := range []string{"//evil.example/x", "https://evil.example/", `/\evil.example`} {
		res := f.do(request{method: "POST", path: "/admin/login", form: url.Values{"email": {"organiser@example.org"}, "password": {"correct horse battery"}, "next": {next}}})
		if loc := res.Header.Get("Location"); loc != "/admin" {
			t.Errorf("next=%q redirected to %q", next, loc)
		}
	}
}

func TestSessionExpires(t *testing.T) {
	f := newFixture(t, nil)
	f.now = f.now.Add(models.SessionIdle + time.Minute)
	f.app.now = func() time.Time { return f.now }
	if res := f.do(request{method: "GET", path: "/admin", role: roleAdmin}); !denied(res) {
		t.Fatalf("an idle session still works: %d", res.StatusCode)
	}
}

func TestProductionCookies(t *testing.T) {
	f := newFixture(t, map[string]string{"CONVENE_ENV": "production", "SECRET_KEY": strongKey, "BASE_URL": "https://convene.test"})
	setPassword(t, f, roleOrganiser, "correct horse battery")
	res := f.do(request{method: "GET", path: "/admin/login"})
	csrf := sessionCookie(res, "__Host-convene_csrf")
	if csrf == nil || !csrf.Secure {
		t.Fatalf("production CSRF cookie: %+v", csrf)
	}
	req := request{method: "POST", path: "/admin/login", noCSRF: true,
		form:    url.Values{"email": {"organiser@example.org"}, "password": {"correct horse battery"}, "_csrf": {csrf.Value}},
		cookies: []*http.Cookie{{Name: "__Host-convene_csrf", Value: csrf.Value}}}
	res = f.do(req)
	c := sessionCookie(res, "__Host-convene_session")
	if res.StatusCode != http.StatusSeeOther || c == nil || !c.Secure || !c.HttpOnly || c.Path != "/" || c.Domain != "" {
		t.Fatalf("production session cookie: status %d %+v", res.StatusCode, c)
	}
}

func TestLoginRateLimit(t *testing.T) {
	f := newFixture(t, map[string]string{"RATE_LIMIT_PER_MINUTE": "3"})
	codes := []int{}
	for i := 0; i < 4; i++ {
		res := f.do(request{method: "POST", path: "/admin/login", form: url.Values{"email": {"x@example.org"}, "password": {"guess" + string(rune('a'+i))}}})
		codes = append(codes, res.StatusCode)
	}
	if codes[2] != http.StatusUnauthorized || codes[3] != http.StatusTooManyRequests {
		t.Fatalf("statuses %v, want the fourth attempt refused with 429", codes)
	}
}

func TestChangePassword(t *testing.T) {
	f := newFixture(t, nil)
	setPassword(t, f, roleOrganiser, "correct horse battery")
	other := must(models.CreateSession(f.db.DB, f.users[roleOrganiser].ID, f.now))
	res := f.do(request{method: "POST", path: "/admin/account/password", role: roleOrganiser,
		form: url.Values{"current_password": {"wrong one here"}, "new_password": {"a new long password"}, "confirm_password": {"a new long password"}}})
	if body := readBody(t, res); res.StatusCode != 422 || !strings.Contains(body, `href="#current_password"`) {
		t.Fatalf("wrong current password: %d", res.StatusCode)
	}
	res = f.do(request{method: "POST", path: "/admin/account/password", role: roleOrganiser,
		form: url.Values{"current_password": {"correct horse battery"}, "new_password": {"a new long password"}, "confirm_password": {"a new long password"}}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("change: %d %s", res.StatusCode, readBody(t, res))
	}
	if _, err := models.Authenticate(f.db.DB, "organiser@example.org", "a new long password"); err != nil {
		t.Fatal("new password does not work")
	}
	if _, err := models.UserBySession(f.db.DB, other, f.now); err == nil {
		t.Fatal("the other session survived a password change")
	}
	if _, err := models.UserBySession(f.db.DB, f.sessions[roleOrganiser], f.now); err != nil {
		t.Fatal("the current session was ended")
	}
}

func TestInvitationLink(t *testing.T) {
	f := newFixture(t, nil)
	res := f.do(request{method: "POST", path: "/admin/users", role: roleAdmin,
		form: url.Values{"email": {"Volunteer@Example.org"}, "kind": {"door"}, "organisations": {"1"}}})
	body := readBody(t, res)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("invite: %d %.300s", res.StatusCode, body)
	}
	i := strings.Index(body, "/admin/invite/")
	token := body[i+len("/admin/invite/") : i+len("/admin/invite/")+43]
	var n int64
	f.db.Model(&models.PasswordToken{}).Where("token_hash = ?", token).Count(&n)
	if n != 0 {
		t.Fatal("the invitation token is stored in clear")
	}
	if res := f.do(request{method: "GET", path: "/admin/invite/" + token}); res.StatusCode != 200 {
		t.Fatalf("invite page: %d", res.StatusCode)
	}
	res = f.do(request{method: "POST", path: "/admin/invite/" + token, form: url.Values{"password": {"volunteer password"}, "confirm_password": {"other"}}})
	if res.StatusCode != 422 {
		t.Fatalf("mismatched passwords: %d", res.StatusCode)
	}
	res = f.do(request{method: "POST", path: "/admin/invite/" + token, form: url.Values{"password": {"volunteer password"}, "confirm_password": {"volunteer password"}}})
	if res.StatusCode != http.StatusSeeOther || sessionCookie(res, "convene_session") == nil {
		t.Fatalf("accept: %d", res.StatusCode)
	}
	u, err := models.Authenticate(f.db.DB, "volunteer@example.org", "volunteer password")
	if err != nil || u.IsOrganiser() {
		t.Fatalf("invited door volunteer: %v, organiser %v", err, u != nil && u.IsOrganiser())
	}
	if res := f.do(request{method: "GET", path: "/admin/invite/" + token}); res.StatusCode != 404 {
		t.Fatalf("a used link still works: %d", res.StatusCode)
	}
	// Links expire.
	_, late, err := models.InviteUser(f.db.DB, models.InviteInput{Email: "late@example.org", Kind: models.AccountAdmin}, nil, f.now.Add(-8*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if res := f.do(request{method: "GET", path: "/admin/invite/" + late}); res.StatusCode != 404 {
		t.Fatalf("an expired link works: %d", res.StatusCode)
	}
}

func TestAuditLogRecordsWithoutSecrets(t *testing.T) {
	f := newFixture(t, nil)
	setPassword(t, f, roleOrganiser, "correct horse battery")
	f.do(request{method: "POST", path: "/admin/login", form: url.Values{"email": {"organiser@example.org"}, "password": {"correct horse battery"}}})
	f.do(request{method: "POST", path: "/admin/login", form: url.Values{"email": {"organiser@example.org"}, "password": {"not the password"}}})
	f.do(request{method: "GET", path: "/admin/events/iftar/registrations.csv", role: roleOrganiser})
	f.do(request{method: "POST", path: "/admin/tokens", role: roleOrganiser, form: url.Values{"name": {"sync"}}})
	res := f.do(request{method: "GET", path: "/admin/audit", role: roleAdmin})
	body := readBody(t, res)
	for _, want := range []string{"signed_in", "sign_in_failed", "exported", "api_token_created", "organiser@example.org"} {
		if !strings.Contains(body, want) {
			t.Errorf("audit log lacks %q", want)
		}
	}
	var details []string
	f.db.Model(&models.Activity{}).Pluck("detail", &details)
	for _, d := range details {
		if strings.Contains(d, "correct horse") || strings.Contains(d, "not the password") || strings.Contains(d, models.APITokenPrefix) {
			t.Fatalf("a secret in the audit log: %q", d)
		}
	}
}
