package app_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// TestRequestPastItsDeadline: a request whose database work cannot finish
// within REQUEST_TIMEOUT (here another transaction holds the event) answers
// 503 with a problem, soon after the deadline, and stores nothing.
func TestRequestPastItsDeadline(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *models.DB{"sqlite": modelstest.Open, "postgres": modelstest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			cfg := testConfig(t, map[string]string{"REQUEST_TIMEOUT": "500ms"})
			e := &testEnv{t: t, app: newApp(t, cfg, db), db: db, cfg: cfg}
			ev := e.event("held", nil)
			token := e.token("organiser@example.org", true)
			b := e.browser()
			if r, _ := b.get("/events/held"); r.StatusCode != 200 {
				t.Fatalf("event page: %d", r.StatusCode)
			}

			// On SQLite the one writer connection, on PostgreSQL the event's row.
			blocker := db.DB.Begin()
			t.Cleanup(func() { blocker.Rollback() })
			if db.Postgres {
				if err := blocker.Exec("SELECT id FROM events WHERE id = ? FOR UPDATE", ev.ID).Error; err != nil {
					t.Fatal(err)
				}
			}

			for _, c := range []struct {
				name string
				send func() (status int, contentType, body, retry string)
			}{
				{"API registration (the registrar)", func() (int, string, string, string) {
					r, m := e.jsonReq("POST", "/api/v1/events/held/registrations", `{"name":"Late","email":"late-api@example.org","consent":true}`, "")
					typ, _ := m["type"].(string)
					return r.StatusCode, r.Header.Get("Content-Type"), typ, r.Header.Get("Retry-After")
				}},
				{"API event change", func() (int, string, string, string) {
					r, m := e.jsonReq("PATCH", "/api/v1/events/held", `{"title":"Changed late"}`, token)
					typ, _ := m["type"].(string)
					return r.StatusCode, r.Header.Get("Content-Type"), typ, r.Header.Get("Retry-After")
				}},
				{"registration form", func() (int, string, string, string) {
					r, body := b.post("/events/held/register", url.Values{"name": {"Late"}, "email": {"late-form@example.org"}, "consent": {"yes"}, "attendance": {models.InPerson}})
					return r.StatusCode, r.Header.Get("Content-Type"), body, r.Header.Get("Retry-After")
				}},
			} {
				t.Run(c.name, func(t *testing.T) {
					start := time.Now()
					status, ct, body, retry := c.send()
					if took := time.Since(start); took > 5*time.Second {
						t.Errorf("answered after %v: the deadline did not reach the database", took)
					}
					if status != 503 || retry == "" {
						t.Fatalf("status %d, Retry-After %q; want 503 with Retry-After", status, retry)
					}
					if strings.Contains(ct, "json") {
						if ct != "application/problem+json" || body != "http://convene.test/problems/unavailable" {
							t.Errorf("answer %s of type %q, want the unavailable problem", ct, body)
						}
					} else if !strings.Contains(body, "could not answer in time") {
						t.Errorf("error page does not say what happened:\n%s", body)
					}
				})
			}

			blocker.Rollback()
			var n int64
			if err := db.Model(&models.Registration{}).Where("email LIKE ?", "late-%").Count(&n).Error; err != nil {
				t.Fatal(err)
			}
			got, err := models.EventByID(db.DB, ev.ID)
			if err != nil {
				t.Fatal(err)
			}
			if n != 0 || got.Title != ev.Title {
				t.Errorf("requests past their deadline stored %d registrations and the title %q", n, got.Title)
			}
			// With the database free again, the same request goes through
			// (on a busy machine it may take a few tries within the short
			// deadline of this test, never a hang).
			status := 0
			for try := 0; try < 5 && status != 201; try++ {
				r, _ := e.jsonReq("POST", "/api/v1/events/held/registrations", `{"name":"On time","email":"on-time@example.org","consent":true}`, "")
				if status = r.StatusCode; status != 201 && status != 503 {
					break
				}
			}
			if status != 201 {
				t.Errorf("registration after the blocker: %d, want 201", status)
			}
		})
	}
}
