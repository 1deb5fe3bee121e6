package app_test

import (
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"convene/mail"
	"convene/models"
	"convene/models/modelstest"
)

var linkRe = regexp.MustCompile(`http://convene\.test(/r/[0-9]+_[A-Za-z0-9_-]{32}(?:/confirm)?)`)

// mailLink composes the newest mail of kind to email, as the sender would,
// and returns the path of the first private link in its text.
func (e *testEnv) mailLink(kind, email string) string {
	e.t.Helper()
	var row models.OutboxMail
	if err := e.db.Where("kind = ? AND \"to\" = ?", kind, email).Order("id DESC").Take(&row).Error; err != nil {
		e.t.Fatalf("no %s mail to %s: %v", kind, email, err)
	}
	msg, err := mail.Composer{BaseURL: e.cfg.BaseURL, From: "convene@example.org", Tokens: e.cfg.Tokens()}.Compose(e.db, &row, testNow)
	if err != nil {
		e.t.Fatalf("compose %s: %v", kind, err)
	}
	m := linkRe.FindStringSubmatch(msg.Text)
	if m == nil {
		e.t.Fatalf("%s mail holds no private link: %s", kind, msg.Text)
	}
	return m[1]
}

func (e *testEnv) mailCount(kind, email string) int {
	e.t.Helper()
	var n int64
	e.db.Model(&models.OutboxMail{}).Where("kind = ? AND \"to\" = ?", kind, email).Count(&n)
	return int(n)
}

func (e *testEnv) regStatus(email string) string {
	e.t.Helper()
	var r models.Registration
	if err := e.db.Where("email_norm = ?", email).Order("id DESC").Take(&r).Error; err != nil {
		e.t.Fatalf("registration of %s: %v", email, err)
	}
	return r.Status
}

// apiRegister posts a registration and returns the status and raw body.
func (e *testEnv) apiRegister(slug, payload string) (int, string) {
	e.t.Helper()
	req := httptest.NewRequest("POST", "/api/v1/events/"+slug+"/registrations", strings.NewReader(payload))
	req.Header.Set("Content-Type", "application/json")
	r := e.do(req)
	return r.StatusCode, strings.TrimSpace(body(e.t, r))
}

func TestConfirmEmailModeThroughAPI(t *testing.T) {
	clk := newFakeClock(testNow)
	e := newEnvClock(t, nil, clk)
	tok := e.token("organiser@example.org", true)
	r, ev := e.jsonReq("POST", "/api/v1/events", `{"slug":"vigil","title":"Vigil","kind":"memorial","status":"published",
		"starts_at":"2026-12-10T18:00:00Z","capacity":1,"registration_mode":"confirm_email"}`, tok)
	if r.StatusCode != 201 || ev["registration_mode"] != "confirm_email" {
		t.Fatalf("create: %d %v", r.StatusCode, ev["registration_mode"])
	}
	if r, p := e.jsonReq("PATCH", "/api/v1/events/vigil", `{"registration_mode":"lottery"}`, tok); r.StatusCode != 422 || p["errors"].(map[string]any)["registration_mode"] == nil {
		t.Fatalf("bad mode: %d %v", r.StatusCode, p)
	}
	if _, pub := e.jsonReq("GET", "/api/v1/events/vigil", "", ""); pub["registration_mode"] != "confirm_email" {
		t.Fatalf("public event lacks registration_mode: %v", pub["registration_mode"])
	}

	checkEmail := `{"status":"check_email"}`
	reg := func(email string) {
		t.Helper()
		status, b := e.apiRegister("vigil", `{"name":"Ruth","email":"`+email+`","consent":true}`)
		if status != 202 || b != checkEmail {
			t.Fatalf("register %s: %d %s, want 202 %s", email, status, b, checkEmail)
		}
	}
	reg("ruth@example.org")
	reg("ruth@example.org") // before confirming: a second request, the same answer
	if got := e.regStatus("ruth@example.org"); got != models.RegUnconfirmed {
		t.Fatalf("status %s before confirming", got)
	}
	if _, out := e.jsonReq("GET", "/api/v1/events/vigil", "", ""); out["places_left"].(float64) != 1 {
		t.Fatalf("an unconfirmed request took a place: %v", out["places_left"])
	}

	link := e.mailLink(models.MailConfirmRequest, "ruth@example.org")
	// A mail scanner checking the link with HEAD confirms nothing.
	if r, err := e.app.Fiber.Test(httptest.NewRequest("HEAD", link, nil), -1); err != nil || r.StatusCode != 200 {
		t.Fatalf("HEAD of the link: %v %v", r.StatusCode, err)
	}
	if got := e.regStatus("ruth@example.org"); got != models.RegUnconfirmed {
		t.Fatalf("status %s after a HEAD of the link", got)
	}
	b := e.browser()
	r, _ = b.get(link)
	if r.StatusCode != 303 || !strings.HasSuffix(r.Header.Get("Location"), "?new=1") {
		t.Fatalf("confirm link: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	if _, page := b.get(r.Header.Get("Location")); !strings.Contains(page, "You are registered") {
		t.Fatal("after confirming: not registered")
	}
	if r, page := b.get(link); r.StatusCode != 200 || !strings.Contains(page, "used already") {
		t.Fatalf("used link: %d", r.StatusCode)
	}
	// The address's other request, confirmed now, finds the registration:
	// it is removed and the registration's link mailed again.
	var reqs []models.Registration
	e.db.Where("email_norm = ? AND status = ?", "ruth@example.org", models.RegUnconfirmed).Find(&reqs)
	if len(reqs) != 1 {
		t.Fatalf("%d other requests of ruth, want 1", len(reqs))
	}
	if r, page := b.get("/r/" + e.cfg.Tokens().ManageToken(&reqs[0]) + "/confirm"); r.StatusCode != 200 || !strings.Contains(page, "already registered") {
		t.Fatalf("the other request's link: %d", r.StatusCode)
	}
	if e.mailCount(models.MailDuplicate, "ruth@example.org") != 1 {
		t.Fatal("the registration's link was not mailed again")
	}
	reg("ruth@example.org") // now registered: the same answer again
	if e.mailCount(models.MailDuplicate, "ruth@example.org") != 1 {
		t.Fatal("the link was mailed again within ten minutes of the last")
	}

	// The next confirmation finds the event full: waitlisted.
	reg("sam@example.org")
	r, _ = b.get(e.mailLink(models.MailConfirmRequest, "sam@example.org"))
	if _, page := b.get(r.Header.Get("Location")); !strings.Contains(page, "You are on the waitlist") {
		t.Fatal("second confirmation not waitlisted")
	}

	// A foreign link: a clear page, nothing changed.
	if r, page := b.get("/r/99_" + strings.Repeat("x", 32) + "/confirm"); r.StatusCode != 404 || !strings.Contains(page, "This link is not valid") {
		t.Fatalf("foreign link: %d", r.StatusCode)
	}
	// An expired link: a clear page, nothing changed.
	reg("late@example.org")
	late := e.mailLink(models.MailConfirmRequest, "late@example.org")
	clk.Add(25 * time.Hour)
	if r, page := b.get(late); r.StatusCode != 410 || !strings.Contains(page, "expired") {
		t.Fatalf("expired link: %d", r.StatusCode)
	}
	if got := e.regStatus("late@example.org"); got != models.RegUnconfirmed {
		t.Fatalf("an expired link changed the request to %s", got)
	}

	_, list := e.jsonReq("GET", "/api/v1/events/vigil/registrations", "", tok)
	statuses := map[string]int{}
	for _, x := range list["registrations"].([]any) {
		statuses[x.(map[string]any)["status"].(string)]++
	}
	if statuses["confirmed"] != 1 || statuses["waitlisted"] != 1 || statuses["unconfirmed"] != 1 {
		t.Fatalf("organiser's list: %v", statuses)
	}
}

func TestApprovalModeThroughAPI(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.token("organiser@example.org", true)
	ev := e.event("memorial", func(in *models.EventInput) {
		in.Capacity, in.RegistrationMode = ip(1), sp(models.ModeApproval)
		in.Questions = &[]models.QuestionInput{{Key: "why", Label: "Why do you want to come?", Kind: models.QuestionShortText}}
	})
	other := e.event("other", nil)
	b := e.browser()
	ids := map[string]string{}
	for _, name := range []string{"ana", "ben", "cleo"} {
		email := name + "@example.org"
		if status, body := e.apiRegister(ev.Slug, `{"name":"`+name+`","email":"`+email+`","consent":true,"answers":{"why":"To remember"}}`); status != 202 {
			t.Fatalf("request %s: %d %s", name, status, body)
		}
		r, _ := b.get(e.mailLink(models.MailConfirmRequest, email))
		if _, page := b.get(r.Header.Get("Location")); !strings.Contains(page, "Your request is with the organisers") {
			t.Fatalf("%s after confirming: not pending", name)
		}
		var reg models.Registration
		e.db.Where("email_norm = ?", email).Take(&reg)
		ids[name] = strconv.FormatUint(uint64(reg.ID), 10)
	}
	if _, out := e.jsonReq("GET", "/api/v1/events/memorial", "", ""); out["places_left"].(float64) != 1 {
		t.Fatalf("pending requests hold places: %v", out["places_left"])
	}
	base := "/api/v1/events/memorial/registrations/"
	r, out := e.jsonReq("POST", base+ids["ana"]+"/approve", "", tok)
	if r.StatusCode != 200 || out["status"] != "confirmed" {
		t.Fatalf("approve ana: %d %v", r.StatusCode, out)
	}
	r, out = e.jsonReq("POST", base+ids["ben"]+"/approve", "", tok)
	if r.StatusCode != 200 || out["status"] != "waitlisted" || out["waitlist_position"].(float64) != 1 {
		t.Fatalf("approve ben when full: %d %v", r.StatusCode, out)
	}
	r, out = e.jsonReq("POST", base+ids["cleo"]+"/decline", "", tok)
	if r.StatusCode != 200 || out["status"] != "declined" {
		t.Fatalf("decline cleo: %d %v", r.StatusCode, out)
	}
	if r, p := e.jsonReq("POST", base+ids["ana"]+"/decline", "", tok); r.StatusCode != 409 || p["errors"].(map[string]any)["status"] == nil {
		t.Fatalf("decline a confirmed registration: %d %v", r.StatusCode, p)
	}
	if r, _ := e.jsonReq("POST", "/api/v1/events/"+other.Slug+"/registrations/"+ids["ana"]+"/approve", "", tok); r.StatusCode != 404 {
		t.Fatalf("approve through another event: %d", r.StatusCode)
	}
	if r, _ := e.jsonReq("POST", base+"abc/approve", "", tok); r.StatusCode != 404 {
		t.Fatalf("approve a bad id: %d", r.StatusCode)
	}
	if r, _ := e.jsonReq("POST", base+ids["ben"]+"/approve", "", ""); r.StatusCode != 401 {
		t.Fatalf("approve without a token: %d", r.StatusCode)
	}
	for kind, email := range map[string]string{models.MailConfirmation: "ana@example.org", models.MailWaitlisted: "ben@example.org", models.MailDeclined: "cleo@example.org"} {
		if e.mailCount(kind, email) != 1 {
			t.Errorf("no %s mail to %s", kind, email)
		}
	}
	// The declined address asking again: the same answer, no new request.
	if status, _ := e.apiRegister(ev.Slug, `{"name":"cleo","email":"cleo@example.org","consent":true}`); status != 202 {
		t.Fatalf("declined address again: %d", status)
	}
	var n int64
	e.db.Model(&models.Registration{}).Where("email_norm = ?", "cleo@example.org").Count(&n)
	if n != 1 {
		t.Fatalf("a declined address made %d registrations", n)
	}
}

// In the confirm_email mode the web form's answer is the same page for a
// new request, a repeated one, a registered address and a bot.
func TestWebAnswerRevealsNothing(t *testing.T) {
	e := newEnv(t, nil)
	ev := e.event("quiet", func(in *models.EventInput) { in.RegistrationMode = sp(models.ModeConfirmEmail) })
	b := e.browser()
	b.get("/events/" + ev.Slug)
	csrf := regexp.MustCompile(`value="[^"]*"`)
	answer := func(form url.Values) string {
		t.Helper()
		r, page := b.post("/events/"+ev.Slug+"/register", form)
		if r.StatusCode != 200 {
			t.Fatalf("status %d", r.StatusCode)
		}
		return csrf.ReplaceAllString(page, "")
	}
	first := answer(regForm("Noor", "noor@example.org"))
	if !strings.Contains(first, "Follow the link in it within 24 hours") {
		t.Fatal("the answer does not ask to confirm")
	}
	if again := answer(regForm("Noor", "noor@example.org")); again != first {
		t.Fatal("a repeated request is answered differently")
	}
	r, _ := b.get(e.mailLink(models.MailConfirmRequest, "noor@example.org"))
	if r.StatusCode != 303 {
		t.Fatalf("confirm: %d", r.StatusCode)
	}
	if dup := answer(regForm("Someone else", "NOOR@example.org")); dup != first {
		t.Fatal("a registered address is answered differently")
	}
	bot := regForm("Bot", "bot@example.org")
	bot.Set("website", "http://spam.example")
	if got := answer(bot); got != first {
		t.Fatal("a bot is answered differently")
	}
}

// TestConfirmationFeedLinkServed registers through the API on SQLite and on
// PostgreSQL, composes the confirmation as the sender does, and opens the
// address-feed link it carries: the app serves both of the address's
// events from it.
func TestConfirmationFeedLinkServed(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *models.DB{"sqlite": modelstest.Open, "postgres": modelstest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			cfg := testConfig(t, nil)
			e := &testEnv{t: t, app: newApp(t, cfg, db), db: db, cfg: cfg}
			e.event("first", func(in *models.EventInput) { in.Title = sp("Public meeting on hate crime") })
			e.event("second", func(in *models.EventInput) { in.Title = sp("Solidarity iftar") })
			for _, slug := range []string{"first", "second"} {
				r, out := e.jsonReq("POST", "/api/v1/events/"+slug+"/registrations", `{"name":"Amina","email":"Amina@Example.org","consent":true}`, "")
				if r.StatusCode != 201 {
					t.Fatalf("register: %d %v", r.StatusCode, out)
				}
			}
			var row models.OutboxMail
			if err := db.Where("kind = ?", models.MailConfirmation).Order("id DESC").Take(&row).Error; err != nil {
				t.Fatal(err)
			}
			msg, err := mail.Composer{BaseURL: cfg.BaseURL, From: "convene@example.org", Tokens: cfg.Tokens()}.Compose(db, &row, testNow)
			if err != nil {
				t.Fatal(err)
			}
			m := regexp.MustCompile(`http://convene\.test(/me/[A-Za-z0-9_-]+\.ics)`).FindStringSubmatch(msg.Text)
			if m == nil {
				t.Fatalf("no address-feed link in:\n%s", msg.Text)
			}
			r, feed := e.get(m[1])
			if r.StatusCode != 200 || !strings.Contains(feed, "Public meeting on hate crime") || !strings.Contains(feed, "Solidarity iftar") {
				t.Fatalf("feed %d:\n%s", r.StatusCode, feed)
			}
		})
	}
}
