package models_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// The capacity invariant under concurrency (SPEC §3, §5): confirmed places
// never exceed capacity, at any instant, on SQLite and on several app
// instances sharing one PostgreSQL database.

// watchPlaces checks, until stop is called, that no snapshot of the database
// shows more confirmed places than the capacity or a counter that disagrees
// with the registrations. Each check is one statement, so it sees one
// consistent snapshot on both databases.
func watchPlaces(t *testing.T, db *models.DB, evID uint) (stop func() int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var checks int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			for _, mode := range modes {
				taken, capCol := "taken", "capacity"
				if mode == models.Online {
					taken, capCol = "online_taken", "online_capacity"
				}
				var row struct {
					Taken    int
					Capacity *int
					Sum      int
				}
				err := db.Read.WithContext(ctx).Raw(`SELECT e.`+taken+` AS taken, e.`+capCol+` AS capacity,
					(SELECT COALESCE(SUM(1 + r.guests), 0) FROM registrations r
					 WHERE r.event_id = e.id AND r.attendance = ? AND r.status = ?) AS sum
					FROM events e WHERE e.id = ?`, mode, models.RegConfirmed, evID).Scan(&row).Error
				if err != nil {
					if ctx.Err() == nil {
						t.Errorf("watch: %v", err)
					}
					return
				}
				if row.Capacity != nil && row.Sum > *row.Capacity {
					t.Errorf("%s: OVERSOLD at some instant: %d confirmed places for capacity %d", mode, row.Sum, *row.Capacity)
				}
				if row.Taken != row.Sum {
					t.Errorf("%s: counter %d disagrees with %d confirmed places at some instant", mode, row.Taken, row.Sum)
				}
				atomic.AddInt64(&checks, 1)
			}
			time.Sleep(200 * time.Microsecond)
		}
	}()
	return func() int {
		cancel()
		<-done
		return int(atomic.LoadInt64(&checks))
	}
}

// raceForPlaces has n people register at once for capacity single places,
// spread over the instances dbs, and checks that exactly capacity are
// confirmed and the rest waitlisted at positions exactly 1..n-capacity.
func raceForPlaces(t *testing.T, dbs []*models.DB, n, capacity int) {
	raceWith(t, dbs, n, capacity, func(i int, evID uint, in models.RegisterInput) (*models.RegisterResult, error) {
		return models.Register(dbs[i%len(dbs)].DB, tok, evID, in, now)
	})
}

type registerFunc func(i int, evID uint, in models.RegisterInput) (*models.RegisterResult, error)

func raceWith(t *testing.T, dbs []*models.DB, n, capacity int, reg registerFunc) {
	ev := newEvent(t, dbs[0], models.EventInput{CapacitySet: true, Capacity: ip(capacity)})
	stop := watchPlaces(t, dbs[0], ev.ID)
	var (
		wg        sync.WaitGroup
		start     = make(chan struct{})
		mu        sync.Mutex
		confirmed int
		positions []int
		errs      []error
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			res, err := reg(i, ev.ID, input(fmt.Sprintf("racer%04d@example.org", i), 0, models.InPerson))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				errs = append(errs, err)
			case res.Duplicate:
				errs = append(errs, fmt.Errorf("racer %d: unexpected duplicate", i))
			case res.Registration.Status == models.RegConfirmed:
				confirmed++
			default:
				positions = append(positions, res.Position)
			}
		}(i)
	}
	began := time.Now()
	close(start)
	wg.Wait()
	took := time.Since(began)
	checks := stop()
	for i, err := range errs {
		if i < 5 {
			t.Errorf("register: %v", err)
		}
	}
	if len(errs) > 0 {
		t.Fatalf("%d of %d registrations failed", len(errs), n)
	}
	t.Logf("%d registrations for %d places on %d instance(s) in %v (%.0f/s); %d snapshot checks",
		n, capacity, len(dbs), took.Round(time.Millisecond), float64(n)/took.Seconds(), checks)
	if confirmed != capacity {
		t.Fatalf("%d confirmed, want exactly %d", confirmed, capacity)
	}
	wantPositions(t, positions, n-capacity)
	got := checkEvent(t, dbs[0], ev.ID)
	if got.Taken != capacity || got.WaitlistSeq != int64(n-capacity) {
		t.Fatalf("taken %d waitlist_seq %d, want %d and %d", got.Taken, got.WaitlistSeq, capacity, n-capacity)
	}
	if c := count(t, dbs[0], &models.Registration{}, "event_id = ? AND status = ?", ev.ID, models.RegConfirmed); c != capacity {
		t.Fatalf("%d confirmed rows, want %d", c, capacity)
	}
}

func TestRaceSQLite(t *testing.T) {
	raceForPlaces(t, []*models.DB{modelstest.Open(t)}, 500, 50)
}

// Two handles on one SQLite file: two processes, such as the server and a
// command, writing at once.
func TestRaceSQLiteTwoHandles(t *testing.T) {
	a := modelstest.Open(t)
	path := sqlitePath(t, a)
	b := modelstest.OpenURL(t, path)
	raceForPlaces(t, []*models.DB{a, b}, 200, 20)
}

func TestRacePostgresTwoInstances(t *testing.T) {
	url := modelstest.PostgresURL(t)
	a := modelstest.OpenURL(t, url)
	b := modelstest.OpenURL(t, url)
	raceForPlaces(t, []*models.DB{a, b}, 1000, 100)
}

// sameEmailAtOnce has one address submitted n times at once across the
// instances: one registration, n-1 Duplicate answers, no error, one place.
func sameEmailAtOnce(t *testing.T, dbs []*models.DB, n int) {
	ev := newEvent(t, dbs[0], models.EventInput{CapacitySet: true, Capacity: ip(5), MaxGuests: ip(2)})
	var (
		wg         sync.WaitGroup
		start      = make(chan struct{})
		fresh, dup int64
	)
	errc := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			email := [...]string{"same@example.org", " Same@Example.org", "SAME@EXAMPLE.ORG "}[i%3]
			res, err := models.Register(dbs[i%len(dbs)].DB, tok, ev.ID, input(email, i%3, models.InPerson), now)
			switch {
			case err != nil:
				errc <- err
			case res.Duplicate:
				atomic.AddInt64(&dup, 1)
			default:
				atomic.AddInt64(&fresh, 1)
			}
		}(i)
	}
	close(start)
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("register: %v", err)
	}
	if fresh != 1 || dup != int64(n-1) {
		t.Fatalf("%d new and %d duplicate answers, want 1 and %d", fresh, dup, n-1)
	}
	if c := count(t, dbs[0], &models.Registration{}, "event_id = ?", ev.ID); c != 1 {
		t.Fatalf("%d registrations stored, want 1", c)
	}
	checkEvent(t, dbs[0], ev.ID)
}

func TestSameEmailAtOnceSQLite(t *testing.T) {
	sameEmailAtOnce(t, []*models.DB{modelstest.Open(t)}, 60)
}

func TestSameEmailAtOncePostgresTwoInstances(t *testing.T) {
	url := modelstest.PostgresURL(t)
	sameEmailAtOnce(t, []*models.DB{modelstest.OpenURL(t, url), modelstest.OpenURL(t, url)}, 60)
}

func sqlitePath(t *testing.T, db *models.DB) string {
	t.Helper()
	var rows []struct {
		Name string
		File string
	}
	if err := db.DB.Raw("PRAGMA database_list").Scan(&rows).Error; err != nil || len(rows) == 0 || rows[0].File == "" {
		t.Fatalf("database_list: %v %v", rows, err)
	}
	return rows[0].File
}

// churn runs registrations, cancellations, guest changes, capacity changes
// and explicit promotions at once on a hybrid event, then checks every
// invariant, including that no waitlisted party fits the free places.
func churn(t *testing.T, dbs []*models.DB, workers, opsPerWorker int) {
	ev := newEvent(t, dbs[0], models.EventInput{InPerson: bp(true), Online: bp(true), MaxGuests: ip(2),
		CapacitySet: true, Capacity: ip(12), OnlineCapacitySet: true, OnlineCapacity: ip(8)})
	var (
		mu  sync.Mutex
		ids []uint
	)
	pick := func(r *rand.Rand) (uint, bool) {
		mu.Lock()
		defer mu.Unlock()
		if len(ids) == 0 {
			return 0, false
		}
		return ids[r.IntN(len(ids))], true
	}
	for i := 0; i < 20; i++ {
		ids = append(ids, register(t, dbs[0], ev.ID, fmt.Sprintf("early%02d@example.org", i), i%3, modes[i%2]).Registration.ID)
	}
	stop := watchPlaces(t, dbs[0], ev.ID)
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		ops   [6]int64
	)
	errc := make(chan error, workers*opsPerWorker)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 42))
			db := dbs[w%len(dbs)].DB
			<-start
			for i := 0; i < opsPerWorker; i++ {
				op := r.IntN(6)
				atomic.AddInt64(&ops[op], 1)
				var err error
				switch op {
				case 0, 1:
					var res *models.RegisterResult
					res, err = models.Register(db, tok, ev.ID, input(fmt.Sprintf("w%02d-%03d@example.org", w, i), r.IntN(3), modes[r.IntN(2)]), now)
					if err == nil {
						mu.Lock()
						ids = append(ids, res.Registration.ID)
						mu.Unlock()
					}
				case 2:
					if id, ok := pick(r); ok {
						_, err = models.CancelRegistration(db, id, nil, now)
					}
				case 3:
					if id, ok := pick(r); ok {
						_, err = models.ChangeRegistration(db, id, models.RegistrationChange{Guests: ip(r.IntN(3))}, now)
						var ve *models.ValidationError
						if errors.As(err, &ve) {
							err = nil // more guests than fit, or a cancelled registration: refused, as it should be
						}
					}
				case 4:
					_, err = models.SetCapacity(db, ev.ID, modes[r.IntN(2)], ip(6+r.IntN(12)), nil, now)
					var ce *models.CapacityError
					if errors.As(err, &ce) {
						err = nil // below the confirmed places: refused, as it should be
					}
				case 5:
					_, err = models.PromoteWaitlist(db, ev.ID, now)
				}
				if err != nil {
					errc <- fmt.Errorf("worker %d op %d: %w", w, op, err)
				}
			}
		}(w)
	}
	close(start)
	wg.Wait()
	checks := stop()
	close(errc)
	n := 0
	for err := range errc {
		if n++; n <= 5 {
			t.Error(err)
		}
	}
	if n > 0 {
		t.Fatalf("%d operations failed", n)
	}
	got := checkEvent(t, dbs[0], ev.ID)
	waiting, _ := models.WaitlistLength(dbs[0].DB, ev.ID)
	t.Logf("ops %v; %d snapshot checks; taken %d/%d online %d/%d; waiting %v",
		ops, checks, got.Taken, *got.Capacity, got.OnlineTaken, *got.OnlineCapacity, waiting)
	if got.Taken == 0 || got.OnlineTaken == 0 {
		t.Fatalf("churn left an empty mode (taken %d, online %d): the test exercised too little", got.Taken, got.OnlineTaken)
	}
}

func TestChurnSQLite(t *testing.T) {
	churn(t, []*models.DB{modelstest.Open(t)}, 16, 25)
}

func TestChurnPostgresTwoInstances(t *testing.T) {
	url := modelstest.PostgresURL(t)
	churn(t, []*models.DB{modelstest.OpenURL(t, url), modelstest.OpenURL(t, url)}, 16, 20)
}
