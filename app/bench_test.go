package app_test

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	_ "github.com/mattn/go-sqlite3"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"

	"convene/models"
)

// BenchmarkRegisterHTTP registers attendees through the JSON API (in
// memory, no TCP; test and keepalive clients as in BenchmarkRegisterRatios)
// on a SQLite file, with parallel clients. Compare with
// BenchmarkBareFiberRegister and BenchmarkRawSQLiteBaseline in the same
// run, or run BenchmarkRegisterRatios, which interleaves them.
func BenchmarkRegisterHTTP(b *testing.B) {
	for _, client := range benchClients {
		b.Run(client.name, func(b *testing.B) {
			e := newBenchEnv(b)
			post := client.post(b, e.app.Fiber)
			var n atomic.Int64
			b.SetParallelism(registerClients)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					post("/api/v1/events/bench/registrations", n.Add(1))
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registrations/s")
			b.ReportMetric(metricValue(b, e.app.Fiber, "convene_registration_grouped_total")/
				metricValue(b, e.app.Fiber, "convene_registration_groups_total"), "regs/group")
		})
	}
}

// registerClients is how many clients register at once, as in a rush for
// places.
const registerClients = 32

// postRegistration sends registration i to path and requires a 201.
func postRegistration(b *testing.B, f *fiber.App, path string, i int64) {
	req := httptest.NewRequest("POST", path,
		strings.NewReader(fmt.Sprintf(`{"name":"Person %d","email":"p%d@example.org","consent":true}`, i, i)))
	req.Header.Set("Content-Type", "application/json")
	r, err := f.Test(req, -1)
	if err != nil || r.StatusCode != 201 {
		b.Fatalf("status %v %v", r.StatusCode, err)
	}
}

// BenchmarkRegisterRatios measures the three figures of SPEC §5 for
// registrations in one run, interleaved in short rounds so that the load of
// a shared machine falls on all of them alike: the app over HTTP, a bare
// Fiber handler doing the least work, and that work in process. Each op is
// one round of registerRound registrations of each. It reports
// x-bare = app/bare and x-raw = app/raw (targets: at least 0.8 and 0.5).
//
// Both HTTP sides use the same client, in one of two ways:
//
//   - test: Fiber's app.Test, a new in-memory connection and a new server
//     goroutine for every request;
//
//   - keepalive: fasthttp's client on kept-alive in-memory connections to
//     the server's worker pool (Listener), as a server in production is
//     used (connections and goroutines reused).
//
//     go test -run XXX -bench RegisterRatios -benchtime 10x ./app/
func BenchmarkRegisterRatios(b *testing.B) {
	for _, client := range benchClients {
		b.Run(client.name, func(b *testing.B) { registerRatios(b, client.post) })
	}
}

// benchClients are the two ways the registration benchmarks post (see
// BenchmarkRegisterRatios).
var benchClients = []struct {
	name string
	post func(b *testing.B, f *fiber.App) postFunc
}{{"test", testClient}, {"keepalive", keepAliveClient}}

// postFunc posts registration i to path and requires a 201.
type postFunc func(path string, i int64)

// testClient posts through app.Test.
func testClient(b *testing.B, f *fiber.App) postFunc {
	return func(path string, i int64) { postRegistration(b, f, path, i) }
}

// keepAliveClient serves f on an in-memory listener and posts through
// fasthttp's client, which keeps up to registerClients connections alive.
func keepAliveClient(b *testing.B, f *fiber.App) postFunc {
	ln := fasthttputil.NewInmemoryListener()
	go func() { _ = f.Listener(ln) }()
	b.Cleanup(func() { _ = ln.Close() })
	c := &fasthttp.Client{
		Dial:            func(string) (net.Conn, error) { return ln.Dial() },
		MaxConnsPerHost: registerClients,
		// More goroutines than connections (RunParallel) wait for one.
		MaxConnWaitTimeout: time.Minute,
	}
	return func(path string, i int64) {
		req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
		defer fasthttp.ReleaseRequest(req)
		defer fasthttp.ReleaseResponse(res)
		req.SetRequestURI("http://convene.test" + path)
		req.Header.SetMethod(fiber.MethodPost)
		req.Header.SetContentType(fiber.MIMEApplicationJSON)
		req.SetBodyString(fmt.Sprintf(`{"name":"Person %d","email":"p%d@example.org","consent":true}`, i, i))
		if err := c.Do(req, res); err != nil || res.StatusCode() != 201 {
			b.Fatalf("status %v %v", res.StatusCode(), err)
		}
	}
}

func registerRatios(b *testing.B, client func(*testing.B, *fiber.App) postFunc) {
	const registerRound = 500
	e := newBenchEnv(b)
	appPost, barePost := client(b, e.app.Fiber), client(b, newBareRegister(b))
	raw := openRawSQLite(b)
	var app, bareT, rawT spent
	var n atomic.Int64
	burst := func(post postFunc, path string) {
		var wg sync.WaitGroup
		var left atomic.Int64
		left.Store(registerRound)
		for range registerClients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for left.Add(-1) >= 0 {
					post(path, n.Add(1))
				}
			}()
		}
		wg.Wait()
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// Alternate the order, so that neither always runs after the other.
		if i%2 == 0 {
			app.add(func() { burst(appPost, "/api/v1/events/bench/registrations") })
			bareT.add(func() { burst(barePost, "/events/bench/registrations") })
		} else {
			bareT.add(func() { burst(barePost, "/events/bench/registrations") })
			app.add(func() { burst(appPost, "/api/v1/events/bench/registrations") })
		}
		rawT.add(func() {
			for range registerRound {
				if err := raw.register(fmt.Sprintf("p%d@example.org", n.Add(1))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.StopTimer()
	regs := float64(b.N * registerRound)
	b.ReportMetric(metricValue(b, e.app.Fiber, "convene_registration_grouped_total")/
		metricValue(b, e.app.Fiber, "convene_registration_groups_total"), "regs/group")
	b.ReportMetric(regs/app.wall.Seconds(), "app-regs/s")
	b.ReportMetric(regs/bareT.wall.Seconds(), "bare-regs/s")
	b.ReportMetric(regs/rawT.wall.Seconds(), "raw-regs/s")
	b.ReportMetric(bareT.wall.Seconds()/app.wall.Seconds(), "x-bare")
	b.ReportMetric(rawT.wall.Seconds()/app.wall.Seconds(), "x-raw")
	// CPU time per registration (the whole process: client, server, SQLite)
	// varies less than wall time on a machine others share.
	b.ReportMetric(float64(app.cpu.Microseconds())/regs, "app-cpu-µs/reg")
	b.ReportMetric(float64(bareT.cpu.Microseconds())/regs, "bare-cpu-µs/reg")
	b.ReportMetric(float64(rawT.cpu.Microseconds())/regs, "raw-cpu-µs/reg")
}

// metricValue reads a metric without labels from the app's /metrics.
func metricValue(b *testing.B, f *fiber.App, name string) float64 {
	r, err := f.Test(httptest.NewRequest("GET", "/metrics", nil), -1)
	if err != nil || r.StatusCode != 200 {
		b.Fatalf("/metrics: %v %v", r.StatusCode, err)
	}
	body, _ := io.ReadAll(r.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil {
				b.Fatalf("%s: %v", name, err)
			}
			return x
		}
	}
	b.Fatalf("/metrics has no %s", name)
	return 0
}

// spent adds up the wall and CPU time (of the whole process) of what runs.
type spent struct{ wall, cpu time.Duration }

func (s *spent) add(f func()) {
	cpu0, start := processCPU(), time.Now()
	f()
	s.wall += time.Since(start)
	s.cpu += processCPU() - cpu0
}

// processCPU is the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRawSQLiteBaseline is the least a registration must do, straight
// on database/sql with the same SQLite settings: a guarded counter update,
// an insert and a commit, one transaction each.
func BenchmarkRawSQLiteBaseline(b *testing.B) {
	raw := openRawSQLite(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := raw.register(fmt.Sprintf("p%d@example.org", i)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registrations/s")
}

// BenchmarkBareFiberRegister is the yardstick of SPEC §5 for registrations
// over HTTP: a bare Fiber handler that does the least work (parse the JSON
// body, a guarded counter update, an insert, a commit) on the same SQLite
// settings, through the same client and parallelism as
// BenchmarkRegisterHTTP. Run both in one go (docs/performance.md).
func BenchmarkBareFiberRegister(b *testing.B) {
	f := newBareRegister(b)
	var n atomic.Int64
	b.SetParallelism(registerClients)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			postRegistration(b, f, "/events/bench/registrations", n.Add(1))
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registrations/s")
}

// newBareRegister is the bare handler: parse the JSON body, then a guarded
// counter update, an insert and a commit.
func newBareRegister(b *testing.B) *fiber.App {
	raw := openRawSQLite(b)
	f := fiber.New(fiber.Config{DisableStartupMessage: true})
	f.Post("/events/:slug/registrations", func(c *fiber.Ctx) error {
		var body struct {
			Name    string `json:"name"`
			Email   string `json:"email"`
			Consent bool   `json:"consent"`
		}
		if err := json.Unmarshal(c.Body(), &body); err != nil || body.Email == "" {
			return fiber.ErrBadRequest
		}
		if err := raw.register(body.Email); err != nil {
			return err
		}
		return c.Status(fiber.StatusCreated).JSON(fiber.Map{"status": "confirmed"})
	})
	return f
}

// rawSQLite is a registrations table on database/sql, with the SQLite
// settings of models.Open's writer.
type rawSQLite struct {
	db       *sql.DB
	upd, ins *sql.Stmt
}

func openRawSQLite(b *testing.B) *rawSQLite {
	path := filepath.Join(b.TempDir(), "raw.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000&_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=on&_txlock=immediate&_cache_size=-32000")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	for _, s := range []string{
		`CREATE TABLE events (id INTEGER PRIMARY KEY, capacity INTEGER, taken INTEGER NOT NULL DEFAULT 0)`,
		`CREATE TABLE registrations (id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, email TEXT NOT NULL, status TEXT NOT NULL)`,
		`CREATE UNIQUE INDEX reg_email ON registrations (event_id, email) WHERE status <> 'cancelled'`,
		`INSERT INTO events (id, capacity) VALUES (1, 1000000000)`,
	} {
		if _, err := db.Exec(s); err != nil {
			b.Fatal(err)
		}
	}
	r := &rawSQLite{db: db}
	if r.upd, err = db.Prepare(`UPDATE events SET taken = taken + 1 WHERE id = 1 AND taken + 1 <= capacity`); err != nil {
		b.Fatal(err)
	}
	if r.ins, err = db.Prepare(`INSERT INTO registrations (event_id, email, status) VALUES (1, ?, 'confirmed')`); err != nil {
		b.Fatal(err)
	}
	return r
}

// register takes a place and inserts a registration in one transaction.
func (r *rawSQLite) register(email string) error {
	tx, err := r.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	res, err := tx.Stmt(r.upd).Exec()
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errors.New("guard refused")
	}
	if _, err := tx.Stmt(r.ins).Exec(email); err != nil {
		return err
	}
	return tx.Commit()
}

// BenchmarkEventPage serves a busy event page.
func BenchmarkEventPage(b *testing.B) {
	e := newBenchEnv(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, err := e.app.Fiber.Test(httptest.NewRequest("GET", "/events/bench", nil), -1)
			if err != nil || r.StatusCode != 200 {
				b.Fatalf("status %v %v", r.StatusCode, err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "pages/s")
}

func newBenchEnv(b *testing.B) *testEnv {
	tt := &testing.T{}
	db := openBenchDB(b)
	cfg := testConfig(b, nil)
	a := newApp(b, cfg, db)
	e := &testEnv{t: tt, app: a, db: db, cfg: cfg}
	start := testNow.AddDate(0, 1, 0)
	_, err := models.CreateEvent(db.DB, models.EventInput{Slug: sp("bench"), Title: sp("Benchmark meeting"), Kind: sp(models.KindMeeting),
		Status: sp(models.StatusPublished), StartsAt: &start, CapacitySet: true, Capacity: ip(models.MaxCapacity),
		Venue: &models.VenueInput{Name: sp("Hall"), Address: sp("1 Street")}, Description: sp("A **busy** event.")}, nil, nil, testNow)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkBareFiber is the yardstick of SPEC §5: a Fiber handler that does
// nothing, through the same in-memory connection as BenchmarkEventPage.
func BenchmarkBareFiber(b *testing.B) {
	f := fiber.New(fiber.Config{DisableStartupMessage: true})
	f.Get("/", func(c *fiber.Ctx) error { return c.SendString("ok") })
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r, err := f.Test(httptest.NewRequest("GET", "/", nil), -1)
			if err != nil || r.StatusCode != 200 {
				b.Fatalf("status %v %v", r.StatusCode, err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}
