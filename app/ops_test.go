package app_test

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"convene/app"
	"convene/models"
	"convene/models/modelstest"
)

const metricsToken = "m3tr1cs-t0ken-9f8e7d6c5b4a39281706f5e4"

// TestMetricsContent: standard Prometheus metrics, with request latency by
// route pattern (never the path, which may hold a private token),
// registrations by outcome, the outbox and the runtime.
func TestMetricsContent(t *testing.T) {
	e := newEnv(t, nil)
	ev := e.event("counted", func(in *models.EventInput) { in.Capacity = ip(1); in.Waitlist = new(bool) })
	reg := func(email string) int {
		r, _ := e.jsonReq("POST", "/api/v1/events/counted/registrations", `{"name":"A","email":"`+email+`","consent":true}`, "")
		return r.StatusCode
	}
	if s := reg("a@example.org"); s != 201 {
		t.Fatalf("first registration: %d", s)
	}
	for _, tt := range []struct {
		email string
		want  int
	}{{"a@example.org", 202}, {"b@example.org", 409}, {"not-an-address", 422}} {
		if s := reg(tt.email); s != tt.want {
			t.Fatalf("registration of %s: %d, want %d", tt.email, s, tt.want)
		}
	}
	b := e.browser()
	b.get("/events/counted")
	if r, _ := b.post("/events/counted/register", regForm("", "c@example.org")); r.StatusCode != 422 {
		t.Fatalf("form without a name: %d", r.StatusCode)
	}
	var regd models.Registration
	if err := e.db.Where("event_id = ?", ev.ID).Take(&regd).Error; err != nil {
		t.Fatal(err)
	}
	manage := "/r/" + e.cfg.Tokens().ManageToken(&regd)
	if r, _ := e.get(manage); r.StatusCode != 200 {
		t.Fatalf("manage page: %d", r.StatusCode)
	}
	e.get("/no/such/page")

	r, page := e.get("/metrics")
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	for _, want := range []string{
		`convene_http_request_duration_seconds_bucket{method="GET",route="/r/:token",status="200",le="0.0005"}`,
		`convene_http_request_duration_seconds_count{method="POST",route="/api/v1/events/:slug/registrations",status="201"} 1`,
		`convene_http_request_duration_seconds_count{method="POST",route="/api/v1/events/:slug/registrations",status="422"} 1`,
		`convene_http_request_duration_seconds_count{method="GET",route="/events/:slug",status="200"} 1`,
		`convene_registrations_total{outcome="confirmed"} 1`,
		`convene_registrations_total{outcome="duplicate"} 1`,
		`convene_registrations_total{outcome="refused"} 1`,
		`convene_registrations_total{outcome="invalid"} 2`,
		`convene_outbox_mails{status="held"} 0`,
		`convene_outbox_mails{status="pending"} 2`, // the confirmation and the duplicate's link
		`convene_outbox_oldest_pending_age_seconds 0`,
		// One at a time: three transactions of one (new, duplicate, full).
		"convene_registration_groups_total 3\n",
		"convene_registration_grouped_total 3\n",
		`go_goroutines `,
		`go_memstats_heap_alloc_bytes `,
		`process_resident_memory_bytes `,
		`go_sql_open_connections{db_name="writer"}`,
		`go_sql_open_connections{db_name="reader"}`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	token := strings.TrimPrefix(manage, "/r/")
	for _, never := range []string{token, "example.org", "/no/such/page", "counted"} {
		if strings.Contains(page, never) {
			t.Errorf("metrics show %q", never)
		}
	}
}

// TestMetricsOutboxAge: the oldest waiting mail's age follows the clock.
func TestMetricsOutboxAge(t *testing.T) {
	clock := newFakeClock(testNow)
	e := newEnvClock(t, nil, clock)
	e.event("aged", nil)
	if r, _ := e.jsonReq("POST", "/api/v1/events/aged/registrations", `{"name":"A","email":"a@example.org","consent":true}`, ""); r.StatusCode != 201 {
		t.Fatalf("registration: %d", r.StatusCode)
	}
	clock.Add(90 * time.Second)
	if _, page := e.get("/metrics"); !strings.Contains(page, "convene_outbox_oldest_pending_age_seconds 90\n") {
		t.Fatalf("age of the waiting confirmation not 90 s:\n%s", grepLines(page, "outbox"))
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestMetricsAccess: /metrics is open in development; it needs the bearer
// token whenever METRICS_TOKEN is set; in production without a token the
// main listener does not serve it (METRICS_ADDR does). Loopback is no pass:
// behind a reverse proxy every request comes from there.
func TestMetricsAccess(t *testing.T) {
	prod := map[string]string{"CONVENE_ENV": "production", "BASE_URL": "https://events.example.org",
		"SECRET_KEY": "Zq4v8Lw2Rt6Yp0Kd3Hs7Nb1Xc5Mf9Gj2"}
	withToken := func(m map[string]string) map[string]string {
		out := map[string]string{"METRICS_TOKEN": metricsToken}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name        string
		env         map[string]string
		auth        string
		main, extra int // status on the main listener, on METRICS_ADDR's handler
	}{
		{"development, no token set", nil, "", 200, 200},
		{"development, token set, none sent", withToken(nil), "", 401, 401},
		{"development, token set and sent", withToken(nil), "Bearer " + metricsToken, 200, 200},
		{"production, no token set", prod, "", 404, 200},
		{"production, no token set, one sent", prod, "Bearer " + metricsToken, 404, 200},
		{"production, none sent", withToken(prod), "", 401, 401},
		{"production, wrong token", withToken(prod), "Bearer " + strings.ToUpper(metricsToken), 401, 401},
		{"production, other scheme", withToken(prod), "Basic " + metricsToken, 401, 401},
		{"production, token sent", withToken(prod), "Bearer " + metricsToken, 200, 200},
		{"production, token sent, scheme in lower case", withToken(prod), "bearer " + metricsToken, 200, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.env)
			req := httptest.NewRequest("GET", "/metrics", nil)
			req.RemoteAddr = "127.0.0.1:40000"
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			r := e.do(req)
			page := body(t, r)
			if r.StatusCode != tt.main {
				t.Errorf("main listener: %d, want %d", r.StatusCode, tt.main)
			}
			if r.StatusCode == 200 && !strings.Contains(page, "go_goroutines") {
				t.Error("main listener: no metrics in the answer")
			}
			if r.StatusCode == 401 && !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Error("401 without a WWW-Authenticate: Bearer challenge")
			}
			req = httptest.NewRequest("GET", "/metrics", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			w := httptest.NewRecorder()
			e.app.MetricsHandler().ServeHTTP(w, req)
			if w.Code != tt.extra {
				t.Errorf("METRICS_ADDR handler: %d, want %d", w.Code, tt.extra)
			}
			if w.Code == 200 && !strings.Contains(w.Body.String(), "convene_outbox_mails") {
				t.Error("METRICS_ADDR handler: no metrics in the answer")
			}
		})
	}
	t.Run("METRICS_ADDR serves nothing else", func(t *testing.T) {
		e := newEnv(t, nil)
		w := httptest.NewRecorder()
		e.app.MetricsHandler().ServeHTTP(w, httptest.NewRequest("GET", "/events/x", nil))
		if w.Code != 404 {
			t.Fatalf("%d, want 404", w.Code)
		}
	})
}

// TestReadyzNeedsWrites: /readyz says not ready while the database answers
// queries but refuses writes, and checks again at most every two seconds.
func TestReadyzNeedsWrites(t *testing.T) {
	clock := newFakeClock(testNow)
	e := newEnvClock(t, nil, clock)
	e.event("ready", nil)
	ready := func() (int, string) {
		r, b := e.get("/readyz")
		return r.StatusCode, b
	}
	if s, b := ready(); s != 200 || !strings.Contains(b, `"ready"`) {
		t.Fatalf("fresh database: %d %s", s, b)
	}
	// The writer's only connection turns read-only, as a database file on a
	// read-only remount does: queries work, every write fails.
	if err := e.db.DB.Exec("PRAGMA query_only = ON").Error; err != nil {
		t.Fatal(err)
	}
	if s, _ := ready(); s != 200 {
		t.Fatalf("checked again within the interval: %d", s)
	}
	clock.Add(2 * time.Second)
	if s, b := ready(); s != 503 || !strings.Contains(b, "database refuses writes") {
		t.Fatalf("writes refused: %d %s, want 503", s, b)
	}
	if r, _ := e.jsonReq("POST", "/api/v1/events/ready/registrations", `{"name":"A","email":"a@example.org","consent":true}`, ""); r.StatusCode != 500 {
		t.Fatalf("registration while writes fail: %d (the test's read-only database is not read-only)", r.StatusCode)
	}
	if r, _ := e.get("/events/ready"); r.StatusCode != 200 {
		t.Fatalf("event page while writes fail: %d", r.StatusCode)
	}
	if err := e.db.DB.Exec("PRAGMA query_only = OFF").Error; err != nil {
		t.Fatal(err)
	}
	if s, _ := ready(); s != 503 {
		t.Fatalf("checked again within the interval: %d", s)
	}
	clock.Add(2 * time.Second)
	if s, _ := ready(); s != 200 {
		t.Fatalf("writes work again: %d", s)
	}
	var beat time.Time
	if err := e.db.Raw("SELECT beat_at FROM heartbeats WHERE id = 1").Row().Scan(&beat); err != nil || !beat.Equal(clock.Now()) {
		t.Fatalf("heartbeat row %v (%v), want %v", beat, err, clock.Now())
	}
}

// TestReadyzPostgresReadOnly: a PostgreSQL server that takes no writes (a
// standby after a failover, default_transaction_read_only) is not ready.
func TestReadyzPostgresReadOnly(t *testing.T) {
	u := modelstest.PostgresURL(t)
	modelstest.OpenURL(t, u) // migrated
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(pu.Path, "/")
	admin, err := models.Open(modelstest.PostgresServer())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if err := admin.Exec(fmt.Sprintf("ALTER DATABASE %s SET default_transaction_read_only = on", name)).Error; err != nil {
		t.Fatal(err)
	}
	db := modelstest.OpenURL(t, u) // new connections: read-only
	cfg := testConfig(t, nil)
	e := &testEnv{t: t, app: newApp(t, cfg, db), db: db, cfg: cfg}
	if r, b := e.get("/readyz"); r.StatusCode != 503 || !strings.Contains(b, "database refuses writes") {
		t.Fatalf("read-only PostgreSQL: %d %s, want 503", r.StatusCode, b)
	}
	if r, _ := e.get("/"); r.StatusCode != 200 {
		t.Fatalf("home page on a read-only server: %d", r.StatusCode)
	}
}

// TestReadyzDiskFull: on a full disk SQLite refuses writes and /readyz says
// so; freeing space makes the app ready again. It needs a small file system
// of its own (tmpfs, mounted as root) and is skipped where mounting is not
// allowed; TestReadyzNeedsWrites covers the same rule everywhere.
func TestReadyzDiskFull(t *testing.T) {
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small file system here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	clock := newFakeClock(testNow)
	db := modelstest.OpenURL(t, filepath.Join(dir, "convene.db"))
	cfg := testConfig(t, nil)
	e := &testEnv{t: t, app: newAppClock(t, cfg, db, clock.Now), db: db, cfg: cfg}
	e.event("full-disk", nil)
	if r, _ := e.get("/readyz"); r.StatusCode != 200 {
		t.Fatalf("before the disk fills: %d", r.StatusCode)
	}
	filler := filepath.Join(dir, "filler")
	f, err := os.Create(filler)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	for {
		if _, err := f.Write(buf); err != nil {
			break
		}
	}
	f.Close()
	clock.Add(2 * time.Second)
	if r, b := e.get("/readyz"); r.StatusCode != 503 || !strings.Contains(b, "database refuses writes") {
		t.Fatalf("disk full: %d %s, want 503", r.StatusCode, b)
	}
	if r, _ := e.jsonReq("POST", "/api/v1/events/full-disk/registrations", `{"name":"A","email":"a@example.org","consent":true}`, ""); r.StatusCode != 500 {
		t.Fatalf("registration on a full disk: %d", r.StatusCode)
	}
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	clock.Add(2 * time.Second)
	if r, _ := e.get("/readyz"); r.StatusCode != 200 {
		t.Fatalf("space freed: %d", r.StatusCode)
	}
}

// TestMetricsConfig: the metrics settings are checked at start.
func TestMetricsConfig(t *testing.T) {
	prod := map[string]string{"CONVENE_ENV": "production", "BASE_URL": "https://events.example.org",
		"SECRET_KEY": "Zq4v8Lw2Rt6Yp0Kd3Hs7Nb1Xc5Mf9Gj2"}
	tests := []struct {
		name string
		env  map[string]string
		prod bool
		want string // "" when valid
	}{
		{"address", map[string]string{"METRICS_ADDR": "127.0.0.1:9100"}, true, ""},
		{"port only", map[string]string{"METRICS_ADDR": ":9100"}, false, ""},
		{"not an address", map[string]string{"METRICS_ADDR": "metrics"}, false, "METRICS_ADDR must be an address"},
		{"same as the app", map[string]string{"METRICS_ADDR": ":3000", "CONVENE_ADDR": ":3000"}, false, "METRICS_ADDR must differ from CONVENE_ADDR"},
		{"strong token", map[string]string{"METRICS_TOKEN": metricsToken}, true, ""},
		{"short token in production", map[string]string{"METRICS_TOKEN": "secret"}, true, "METRICS_TOKEN must be at least 32"},
		{"short token in development", map[string]string{"METRICS_TOKEN": "secret"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			if tt.prod {
				for k, v := range prod {
					env[k] = v
				}
			}
			for k, v := range tt.env {
				env[k] = v
			}
			cfg, err := app.LoadConfig(func(k string) string { return env[k] })
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want %q", err, tt.want)
			case tt.want == "" && (cfg.MetricsAddr != tt.env["METRICS_ADDR"] || cfg.MetricsToken != tt.env["METRICS_TOKEN"]):
				t.Fatalf("config %q %q", cfg.MetricsAddr, cfg.MetricsToken)
			}
		})
	}
}
