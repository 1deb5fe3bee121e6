package app_test

import (
	"database/sql"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gofiber/fiber/v2"
	_ "github.com/mattn/go-sqlite3"

	"convene/models"
)

// BenchmarkRegisterHTTP registers attendees through the JSON API (Fiber's
// in-memory connection, so no TCP), on a SQLite file, with parallel clients.
// Compare with BenchmarkRawSQLiteBaseline in the same run (SPEC §5: at least
// half of it).
func BenchmarkRegisterHTTP(b *testing.B) {
	e := newBenchEnv(b)
	var n atomic.Int64
	b.SetParallelism(32) // many clients at once, as in a rush for places
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			req := httptest.NewRequest("POST", "/api/v1/events/bench/registrations",
				strings.NewReader(fmt.Sprintf(`{"name":"Person %d","email":"p%d@example.org","consent":true}`, i, i)))
			req.Header.Set("Content-Type", "application/json")
			r, err := e.app.Fiber.Test(req, -1)
			if err != nil || r.StatusCode != 201 {
				b.Fatalf("status %v %v", r.StatusCode, err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registrations/s")
}

// BenchmarkRawSQLiteBaseline is the least a registration must do, straight
// on database/sql with the same SQLite settings: a guarded counter update,
// an insert and a commit, one transaction each.
func BenchmarkRawSQLiteBaseline(b *testing.B) {
	path := filepath.Join(b.TempDir(), "raw.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000&_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=on&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
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
	upd, _ := db.Prepare(`UPDATE events SET taken = taken + 1 WHERE id = 1 AND taken + 1 <= capacity`)
	ins, _ := db.Prepare(`INSERT INTO registrations (event_id, email, status) VALUES (1, ?, 'confirmed')`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tx, err := db.Begin()
		if err != nil {
			b.Fatal(err)
		}
		res, err := tx.Stmt(upd).Exec()
		if err != nil {
			b.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			b.Fatal("guard refused")
		}
		if _, err := tx.Stmt(ins).Exec(fmt.Sprintf("p%d@example.org", i)); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registrations/s")
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
