package app

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"convene/models"
	"convene/models/modelstest"
)

// csrfToken is a well-formed double-submit token for test requests.
var csrfToken = strings.Repeat("t", 43)

// outboxServer mounts the outbox routes under /admin the way the admin
// group will: CSRF first, then a stand-in for the session middleware that
// puts user (nil: nobody) in the request.
func outboxServer(t *testing.T, user *models.User) (*fiber.App, *models.DB) {
	t.Helper()
	db := modelstest.Open(t)
	env := map[string]string{"CONVENE_ENV": "test", "BASE_URL": "https://events.example.org",
		"SECRET_KEY": string(modelstest.Secret), "SMTP_URL": "smtp://localhost:2525"}
	cfg, err := LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(cfg, db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	f := fiber.New(fiber.Config{ErrorHandler: a.handleError})
	admin := f.Group("/admin", a.csrf, func(c *fiber.Ctx) error {
		if user != nil {
			c.Locals("user", user)
		}
		return c.Next()
	})
	a.outboxRoutes(admin)
	return f, db
}

// outboxFixture writes n confirmations and returns the event.
func outboxFixture(t *testing.T, db *models.DB, n int) *models.Event {
	t.Helper()
	org := models.Organisation{Slug: "open-doors", Name: "Open Doors", Email: "events@opendoors.example.org", Timezone: "Europe/London"}
	if err := db.Create(&org).Error; err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	title, kind, status, start := "Public meeting", models.KindMeeting, models.StatusPublished, now.Add(72*time.Hour)
	ev, err := models.CreateEvent(db.DB, models.EventInput{Title: &title, Kind: &kind, Status: &status, StartsAt: &start}, nil, &org.ID, now)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		_, err := models.Register(db.DB, modelstest.Tokens(), ev.ID, models.RegisterInput{Name: "Sam Example",
			Email: fmt.Sprintf("p%02d@example.org", i), Attendance: models.InPerson, Consent: true}, now)
		if err != nil {
			t.Fatal(err)
		}
	}
	return ev
}

func do(t *testing.T, f *fiber.App, method, target string, form url.Values) (int, string, http.Header) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.AddCookie(&http.Cookie{Name: "convene_csrf", Value: csrfToken})
	res, err := f.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b), res.Header
}

func setStatus(t *testing.T, db *models.DB, id uint, status string) {
	t.Helper()
	if err := db.Model(&models.OutboxMail{}).Where("id = ?", id).Update("status", status).Error; err != nil {
		t.Fatal(err)
	}
}

func TestOutboxAdminsOnly(t *testing.T) {
	tests := []struct {
		name string
		user *models.User
		want int
	}{
		{"nobody", nil, 403},
		{"organiser", &models.User{ID: 2, Email: "o@example.org"}, 403},
		{"admin", &models.User{ID: 1, Email: "a@example.org", Admin: true}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, db := outboxServer(t, tt.user)
			outboxFixture(t, db, 1)
			setStatus(t, db, 1, models.MailFailed)
			if code, _, _ := do(t, f, "GET", "/admin/outbox", nil); code != tt.want {
				t.Errorf("list: %d, want %d", code, tt.want)
			}
			if code, _, _ := do(t, f, "GET", "/admin/outbox/1", nil); code != tt.want {
				t.Errorf("view: %d, want %d", code, tt.want)
			}
			code, _, _ := do(t, f, "POST", "/admin/outbox/1/resend", url.Values{"_csrf": {csrfToken}})
			if tt.want == 403 && code != 403 {
				t.Errorf("resend: %d, want 403", code)
			}
			if m, _ := models.FindOutboxMail(db.DB, 1); tt.want == 403 && m.Status != models.MailFailed {
				t.Errorf("a non-admin changed the mail to %s", m.Status)
			}
		})
	}
}

func TestOutboxList(t *testing.T) {
	f, db := outboxServer(t, &models.User{ID: 1, Admin: true})
	ev := outboxFixture(t, db, 55)
	setStatus(t, db, 3, models.MailFailed)
	tests := []struct {
		name   string
		target string
		has    []string
		hasNot []string
	}{
		{"newest first, first page", "/admin/outbox", []string{`href="/admin/outbox/55"`, `href="/admin/outbox/6"`, "Page 1 of 2", `rel="next"`, ev.Title, "failed (1)"},
			[]string{`href="/admin/outbox/5"`}},
		{"second page", "/admin/outbox?page=2", []string{`href="/admin/outbox/5"`, `href="/admin/outbox/1"`, "Page 2 of 2", `rel="prev"`}, []string{`href="/admin/outbox/6"`}},
		{"by state", "/admin/outbox?status=failed", []string{`href="/admin/outbox/3"`, "Page 1 of 1"}, []string{`href="/admin/outbox/4"`}},
		{"unknown state lists all", "/admin/outbox?status=%3Cscript%3E", []string{`href="/admin/outbox/55"`}, []string{"<script>"}},
		{"bad page", "/admin/outbox?page=-4x", []string{"Page 1 of 2"}, nil},
		{"page past the end", "/admin/outbox?page=99", []string{"No mail here."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, _ := do(t, f, "GET", tt.target, nil)
			if code != 200 {
				t.Fatalf("status %d", code)
			}
			for _, s := range tt.has {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			for _, s := range tt.hasNot {
				if strings.Contains(body, s) {
					t.Errorf("page shows %q", s)
				}
			}
		})
	}
}

func TestOutboxView(t *testing.T) {
	f, db := outboxServer(t, &models.User{ID: 1, Admin: true})
	outboxFixture(t, db, 2)
	setStatus(t, db, 2, models.MailHeld)
	var reg models.Registration
	db.Take(&reg, 1)
	tests := []struct {
		name   string
		target string
		code   int
		has    []string
		hasNot []string
	}{
		{"pending", "/admin/outbox/1", 200, []string{"p00@example.org", "You&#39;re registered: Public meeting",
			"https://events.example.org/r/" + modelstest.Tokens().ManageToken(&reg), "Reply-To", "events@opendoors.example.org"}, []string{"Send again"}},
		{"held can be resent", "/admin/outbox/2", 200, []string{"Send again", `name="_csrf"`}, nil},
		{"missing", "/admin/outbox/999", 404, nil, nil},
		{"not a number", "/admin/outbox/abc", 404, nil, nil},
		{"huge number", "/admin/outbox/99999999999999999999", 404, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body, _ := do(t, f, "GET", tt.target, nil)
			if code != tt.code {
				t.Fatalf("status %d, want %d", code, tt.code)
			}
			for _, s := range tt.has {
				if !strings.Contains(body, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			for _, s := range tt.hasNot {
				if strings.Contains(body, s) {
					t.Errorf("page shows %q", s)
				}
			}
		})
	}
}

func TestOutboxResend(t *testing.T) {
	f, db := outboxServer(t, &models.User{ID: 1, Admin: true})
	outboxFixture(t, db, 4)
	setStatus(t, db, 1, models.MailFailed)
	setStatus(t, db, 2, models.MailSent)
	setStatus(t, db, 3, models.MailHeld)
	setStatus(t, db, 4, models.MailHeld)
	tests := []struct {
		name     string
		target   string
		form     url.Values
		code     int
		location string
		id       uint
		status   string
	}{
		{"without the CSRF field", "/admin/outbox/1/resend", url.Values{}, 403, "", 1, models.MailFailed},
		{"with a wrong CSRF field", "/admin/outbox/1/resend", url.Values{"_csrf": {strings.Repeat("x", 43)}}, 403, "", 1, models.MailFailed},
		{"failed", "/admin/outbox/1/resend", url.Values{"_csrf": {csrfToken}}, 303, "/admin/outbox/1?resent=1", 1, models.MailPending},
		{"sent is refused", "/admin/outbox/2/resend", url.Values{"_csrf": {csrfToken}}, 409, "", 2, models.MailSent},
		{"missing", "/admin/outbox/99/resend", url.Values{"_csrf": {csrfToken}}, 404, "", 0, ""},
		{"all held", "/admin/outbox/resend-held", url.Values{"_csrf": {csrfToken}}, 303, "/admin/outbox?resent=2", 4, models.MailPending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, h := do(t, f, "POST", tt.target, tt.form)
			if code != tt.code || h.Get("Location") != tt.location {
				t.Fatalf("status %d to %q, want %d to %q", code, h.Get("Location"), tt.code, tt.location)
			}
			if tt.id != 0 {
				if m, _ := models.FindOutboxMail(db.DB, tt.id); m.Status != tt.status {
					t.Errorf("mail %d is %s, want %s", tt.id, m.Status, tt.status)
				}
			}
		})
	}
	if _, body, _ := do(t, f, "GET", "/admin/outbox?resent=2", nil); !strings.Contains(body, "2 held mails put back in the queue.") {
		t.Error("no flash after resending held mail")
	}
	setStatus(t, db, 4, models.MailHeld)
	if _, body, _ := do(t, f, "GET", "/admin/outbox", nil); !strings.Contains(body, "Send the held mail") {
		t.Error("no button to send the held mail")
	}
}
