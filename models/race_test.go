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
		tick := time.NewTicker(200 * time.Microsecond)
		defer tick.Stop()
		for ctx.Err() == nil {
			for _, mode := range modes {
				taken, capCol := "taken", "capacity"
				if mode == models.Online {
					taken, capCol = "online_taken", "online_capacity"
				}
				reserved := "0"
				if mode == models.InPerson {
					reserved = "e.reserved"
				}
				var row struct {
					Taken    int
					Reserved int
					Capacity *int
					Sum      int
					// Allocations whose count disagrees with their
					// registrations or passes their places, and the
					// places the unreleased ones hold free.
					BadAllocs int
					Held      int
				}
				err := db.Read.WithContext(ctx).Raw(`SELECT e.`+taken+` AS taken, `+reserved+` AS reserved, e.`+capCol+` AS capacity,
					(SELECT COALESCE(SUM(1 + r.guests), 0) FROM registrations r
					 WHERE r.event_id = e.id AND r.attendance = ? AND r.status = ?) AS sum,
					(SELECT COUNT(*) FROM allocations a WHERE a.event_id = e.id AND (a.taken > a.places OR a.taken <>
					 (SELECT COALESCE(SUM(r.allocated), 0) FROM registrations r WHERE r.allocation_id = a.id AND r.status = ?))) AS bad_allocs,
					(SELECT COALESCE(SUM(a.places - a.taken), 0) FROM allocations a WHERE a.event_id = e.id AND a.released_at IS NULL) AS held
					FROM events e WHERE e.id = ?`, mode, models.RegConfirmed, models.RegConfirmed, evID).Scan(&row).Error
				if err != nil {
					if ctx.Err() == nil {
						t.Errorf("watch: %v", err)
					}
					return
				}
				if row.Capacity != nil && row.Sum+row.Reserved > *row.Capacity {
					t.Errorf("%s: OVERSOLD at some instant: %d confirmed and %d reserved places for capacity %d", mode, row.Sum, row.Reserved, *row.Capacity)
				}
				if row.BadAllocs > 0 {
					t.Errorf("%d allocations at some instant count other places than their registrations hold, or more than their places", row.BadAllocs)
				}
				if mode == models.InPerson && row.Held != row.Reserved {
					t.Errorf("at some instant the event reserves %d places and its unreleased allocations hold %d free", row.Reserved, row.Held)
				}
				if row.Taken != row.Sum {
					t.Errorf("%s: counter %d disagrees with %d confirmed places at some instant", mode, row.Taken, row.Sum)
				}
				atomic.AddInt64(&checks, 1)
			}
			select { // a check every 200 µs until stopped
			case <-ctx.Done():
			case <-tick.C:
			}
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

// modeChurn switches an event between the three registration modes while
// requests, confirmations, approvals, declines and cancellations run at
// once, from a small pool of addresses so that duplicates meet. Nothing may
// be lost (every request is stored, or was removed as the duplicate of a
// registration of its address) and nothing counted twice (the counters
// match the confirmed places, one active registration per address).
func modeChurn(t *testing.T, dbs []*models.DB, workers, opsPerWorker int) {
	ev := newEvent(t, dbs[0], models.EventInput{RegistrationMode: sp(models.ModeApproval), MaxGuests: ip(2),
		CapacitySet: true, Capacity: ip(15)})
	var (
		mu      sync.Mutex
		created = map[uint]bool{}
		removed = map[uint]bool{}
	)
	pickStatus := func(r *rand.Rand, db *models.DB, st string) (uint, bool) {
		var ids []uint
		db.DB.Model(&models.Registration{}).Where("event_id = ? AND status = ?", ev.ID, st).Pluck("id", &ids)
		if len(ids) == 0 {
			return 0, false
		}
		return ids[r.IntN(len(ids))], true
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
			r := rand.New(rand.NewPCG(uint64(w), 7))
			db := dbs[w%len(dbs)]
			<-start
			for i := 0; i < opsPerWorker; i++ {
				op := r.IntN(6)
				atomic.AddInt64(&ops[op], 1)
				var err error
				switch op {
				case 0, 1:
					var res *models.RegisterResult
					res, err = models.Register(db.DB, tok, ev.ID, input(fmt.Sprintf("m%02d@example.org", r.IntN(30)), r.IntN(3), models.InPerson), now)
					if err == nil && !res.Duplicate {
						mu.Lock()
						created[res.Registration.ID] = true
						mu.Unlock()
					}
				case 2:
					if id, ok := pickStatus(r, db, models.RegUnconfirmed); ok {
						var res *models.ConfirmResult
						res, err = models.ConfirmRegistration(db.DB, id, now.Add(time.Minute))
						if errors.Is(err, models.ErrNotFound) {
							err = nil // removed meanwhile by another confirmation of it
						}
						if err == nil && res != nil && res.Duplicate {
							mu.Lock()
							removed[id] = true
							mu.Unlock()
						}
					}
				case 3:
					if id, ok := pickStatus(r, db, models.RegPending); ok {
						if r.IntN(3) == 0 {
							_, err = models.DeclineRegistration(db.DB, ev.ID, id, nil, now)
						} else {
							_, _, err = models.ApproveRegistration(db.DB, ev.ID, id, nil, now)
						}
					}
				case 4:
					if id, ok := pickStatus(r, db, []string{models.RegConfirmed, models.RegWaitlisted, models.RegPending}[r.IntN(3)]); ok {
						_, err = models.CancelRegistration(db.DB, id, nil, now)
					}
				case 5:
					_, err = models.UpdateEvent(db.DB, ev.Slug, models.EventInput{RegistrationMode: sp(models.RegistrationModes[r.IntN(3)])}, nil, now)
				}
				var se *models.StateError
				if errors.As(err, &se) {
					err = nil // decided meanwhile by another worker: refused, as it should be
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
	var stored []models.Registration
	if err := dbs[0].DB.Where("event_id = ?", ev.ID).Find(&stored).Error; err != nil {
		t.Fatal(err)
	}
	byStatus := map[string]int{}
	storedIDs := map[uint]bool{}
	for _, r := range stored {
		byStatus[r.Status]++
		storedIDs[r.ID] = true
		if !created[r.ID] {
			t.Errorf("registration %d stored but never answered as new", r.ID)
		}
	}
	for id := range created {
		if !storedIDs[id] && !removed[id] {
			t.Errorf("request %d lost: neither stored nor removed as a duplicate", id)
		}
	}
	var active []struct {
		EmailNorm string
		N         int
	}
	dbs[0].DB.Model(&models.Registration{}).Select("email_norm, COUNT(*) AS n").
		Where("event_id = ? AND status NOT IN ?", ev.ID, []string{models.RegCancelled, models.RegUnconfirmed}).
		Group("email_norm").Having("COUNT(*) > 1").Scan(&active)
	if len(active) > 0 {
		t.Errorf("addresses with two active registrations: %v", active)
	}
	got := checkEvent(t, dbs[0], ev.ID)
	t.Logf("ops %v; %d snapshot checks; taken %d/%d; statuses %v; %d removed as duplicates", ops, checks, got.Taken, *got.Capacity, byStatus, len(removed))
	if byStatus[models.RegConfirmed] == 0 || byStatus[models.RegCancelled] == 0 || count(t, dbs[0], &models.Activity{}, "event_id = ? AND action IN ?", ev.ID, []string{"approved", "declined"}) == 0 {
		t.Fatalf("the churn exercised too little: %v", byStatus)
	}
}

func TestModeChurnSQLite(t *testing.T) {
	modeChurn(t, []*models.DB{modelstest.Open(t)}, 12, 40)
}

func TestModeChurnPostgresTwoInstances(t *testing.T) {
	url := modelstest.PostgresURL(t)
	modeChurn(t, []*models.DB{modelstest.OpenURL(t, url), modelstest.OpenURL(t, url)}, 12, 30)
}

// raceReserved has n people register at once for capacity places of which
// reserved are kept for a community: every other racer comes through the
// community's code. Exactly capacity places are confirmed, the community
// uses all of its places (it has more racers than places), the public
// never more than the rest, and the waitlist is exactly 1..n-capacity.
func raceReserved(t *testing.T, dbs []*models.DB, n, capacity, reserved int) {
	ev := newEvent(t, dbs[0], models.EventInput{CapacitySet: true, Capacity: ip(capacity)})
	a, err := models.SaveAllocation(dbs[0].DB, ev.ID, models.AllocationInput{Label: "Community", Places: reserved}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	stop := watchPlaces(t, dbs[0], ev.ID)
	var (
		wg        sync.WaitGroup
		start     = make(chan struct{})
		mu        sync.Mutex
		confirmed [2]int
		positions []int
		errs      []error
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			in := input(fmt.Sprintf("racer%04d@example.org", i), 0, models.InPerson)
			if i%2 == 1 {
				in.AllocationID = &a.ID
			}
			<-start
			res, err := models.Register(dbs[i%len(dbs)].DB, tok, ev.ID, in, now)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err != nil:
				errs = append(errs, err)
			case res.Registration.Status == models.RegConfirmed:
				confirmed[i%2]++
			default:
				positions = append(positions, res.Position)
			}
		}(i)
	}
	close(start)
	wg.Wait()
	checks := stop()
	for i, err := range errs {
		if i < 5 {
			t.Errorf("register: %v", err)
		}
	}
	if len(errs) > 0 {
		t.Fatalf("%d of %d registrations failed", len(errs), n)
	}
	t.Logf("%d registrations for %d places (%d reserved) on %d instance(s): %d public and %d community confirmed; %d snapshot checks",
		n, capacity, reserved, len(dbs), confirmed[0], confirmed[1], checks)
	if confirmed[0]+confirmed[1] != capacity || confirmed[0] > capacity-reserved || confirmed[1] < reserved {
		t.Fatalf("public %d + community %d confirmed: want %d in all, the community at least %d", confirmed[0], confirmed[1], capacity, reserved)
	}
	wantPositions(t, positions, n-capacity)
	got := checkEvent(t, dbs[0], ev.ID)
	if got.Taken != capacity || got.Reserved != 0 {
		t.Fatalf("taken %d reserved %d, want %d and 0", got.Taken, got.Reserved, capacity)
	}
}

func TestRaceReservedSQLite(t *testing.T) {
	raceReserved(t, []*models.DB{modelstest.Open(t)}, 400, 60, 20)
}

func TestRaceReservedPostgresTwoInstances(t *testing.T) {
	url := modelstest.PostgresURL(t)
	raceReserved(t, []*models.DB{modelstest.OpenURL(t, url), modelstest.OpenURL(t, url)}, 1000, 100, 30)
}

// allocChurn runs public and community registrations, cancellations, guest
// changes, capacity changes, changes of the reserved places and releases at
// once, and checks every invariant at every instant and at rest.
func allocChurn(t *testing.T, dbs []*models.DB, workers, opsPerWorker int) {
	ev := newEvent(t, dbs[0], models.EventInput{InPerson: bp(true), Online: bp(true), MaxGuests: ip(2),
		CapacitySet: true, Capacity: ip(20), OnlineCapacitySet: true, OnlineCapacity: ip(6)})
	var allocs []*models.Allocation
	for i, places := range []int{5, 4} {
		release := now.Add(time.Duration(i+1) * time.Hour)
		a, err := models.SaveAllocation(dbs[0].DB, ev.ID, models.AllocationInput{Label: fmt.Sprint("Community ", i), Places: places, ReleaseAt: &release}, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		allocs = append(allocs, a)
	}
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
	stop := watchPlaces(t, dbs[0], ev.ID)
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		ops   [7]int64
		// registrations that took reserved places when they registered
		reservedUsed int64
	)
	errc := make(chan error, workers*opsPerWorker)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), 11))
			db := dbs[w%len(dbs)].DB
			<-start
			for i := 0; i < opsPerWorker; i++ {
				op := r.IntN(7)
				atomic.AddInt64(&ops[op], 1)
				var err error
				switch op {
				case 0, 1:
					in := input(fmt.Sprintf("w%02d-%03d@example.org", w, i), r.IntN(3), modes[r.IntN(4)/3])
					if op == 1 {
						in.AllocationID = &allocs[r.IntN(2)].ID
					}
					var res *models.RegisterResult
					res, err = models.Register(db, tok, ev.ID, in, now)
					if err == nil {
						mu.Lock()
						ids = append(ids, res.Registration.ID)
						mu.Unlock()
						if res.Registration.Allocated > 0 {
							atomic.AddInt64(&reservedUsed, 1)
						}
					}
				case 2:
					if id, ok := pick(r); ok {
						_, err = models.CancelRegistration(db, id, nil, now)
					}
				case 3:
					if id, ok := pick(r); ok {
						_, err = models.ChangeRegistration(db, id, models.RegistrationChange{Guests: ip(r.IntN(3))}, now)
					}
				case 4:
					_, err = models.SetCapacity(db, ev.ID, models.InPerson, ip(14+r.IntN(12)), nil, now)
				case 5:
					a := allocs[r.IntN(2)]
					release := now.Add(time.Duration(1+r.IntN(3)) * time.Hour)
					_, err = models.SaveAllocation(db, ev.ID, models.AllocationInput{ID: &a.ID, Label: a.Label, Places: 2 + r.IntN(6), ReleaseAt: &release}, nil, now)
				case 6:
					_, err = models.ReleaseAllocations(db, now.Add(time.Duration(r.IntN(4))*time.Hour))
				}
				var ve *models.ValidationError
				var ce *models.CapacityError
				if errors.As(err, &ve) || errors.As(err, &ce) {
					err = nil // refused, as it should be: more than fits, or a cancelled registration
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
	released := count(t, dbs[0], &models.Activity{}, "event_id = ? AND action = ?", ev.ID, "allocation_released")
	t.Logf("ops %v; %d snapshot checks; taken %d + reserved %d of %d; %d registrations took reserved places; %d releases",
		ops, checks, got.Taken, got.Reserved, *got.Capacity, reservedUsed, released)
	if reservedUsed == 0 || got.Taken == 0 || released == 0 {
		t.Fatalf("the churn exercised too little: %d registrations took reserved places, %d taken, %d releases", reservedUsed, got.Taken, released)
	}
}

func TestAllocChurnSQLite(t *testing.T) {
	allocChurn(t, []*models.DB{modelstest.Open(t)}, 16, 30)
}

func TestAllocChurnPostgresTwoInstances(t *testing.T) {
	url := modelstest.PostgresURL(t)
	allocChurn(t, []*models.DB{modelstest.OpenURL(t, url), modelstest.OpenURL(t, url)}, 16, 25)
}
