package models_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// The Registrar groups concurrent SQLite registrations into one transaction,
// each in its own savepoint: the capacity rules must hold exactly as for
// models.Register.

func newRegistrar(t *testing.T, db *models.DB) *models.Registrar {
	t.Helper()
	r := models.NewRegistrar(db, tok)
	t.Cleanup(r.Close)
	return r
}

func TestRaceRegistrarSQLite(t *testing.T) {
	db := modelstest.Open(t)
	r := newRegistrar(t, db)
	raceWith(t, []*models.DB{db}, 500, 50, func(_ int, evID uint, in models.RegisterInput) (*models.RegisterResult, error) {
		return r.Register(t.Context(), evID, in, now)
	})
}

// A refusal inside a group rolls back alone: nothing of it is stored, and the
// registrations around it commit.
func TestRegistrarRefusalsRollBackAlone(t *testing.T) {
	db := modelstest.Open(t)
	checkRefusalsRollBackAlone(t, db, newRegistrar(t, db))
}

// TestRegistrarPostgresTwoInstances runs the same mix through two
// registrars, as two app instances, each grouping its own registrations on
// one PostgreSQL database (savepoints there, and event locks in ID order).
func TestRegistrarPostgresTwoInstances(t *testing.T) {
	url := modelstest.PostgresURL(t)
	db1, db2 := modelstest.OpenURL(t, url), modelstest.OpenURL(t, url)
	checkRefusalsRollBackAlone(t, db1, newRegistrar(t, db1), newRegistrar(t, db2))
}

func checkRefusalsRollBackAlone(t *testing.T, db *models.DB, rs ...*models.Registrar) {
	t.Helper()
	ev := modeEvent(t, db, models.InPerson, ip(20), 1, false)
	const n = 200
	var (
		wg                   sync.WaitGroup
		start                = make(chan struct{})
		mu                   sync.Mutex
		confirmed, full, dup int
		invalid              int
		other                []error
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			in := input(fmt.Sprintf("p%03d@example.org", i), 0, models.InPerson)
			switch i % 10 {
			case 3:
				in.Email = "same@example.org"
			case 7:
				in.Guests = 5 // above the maximum: refused
			}
			res, err := rs[i%len(rs)].Register(t.Context(), ev.ID, in, now)
			var ve *models.ValidationError
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, models.ErrFull):
				full++
			case errors.As(err, &ve):
				invalid++
			case err != nil:
				other = append(other, err)
			case res.Duplicate:
				dup++
			case res.Registration.Status == models.RegConfirmed:
				confirmed++
			default:
				other = append(other, fmt.Errorf("registration %d: %s without a waitlist", i, res.Registration.Status))
			}
		}(i)
	}
	close(start)
	wg.Wait()
	if len(other) > 0 {
		t.Fatalf("%d unexpected outcomes, first: %v", len(other), other[0])
	}
	if confirmed != 20 || invalid != n/10 || confirmed+full+dup+invalid != n {
		t.Fatalf("confirmed %d full %d duplicate %d invalid %d", confirmed, full, dup, invalid)
	}
	if c := count(t, db, &models.Registration{}, "event_id = ?", ev.ID); c != 20 {
		t.Fatalf("%d registrations stored, want 20", c)
	}
	if c := count(t, db, &models.OutboxMail{}, "event_id = ? AND kind = ?", ev.ID, models.MailConfirmation); c != 20 {
		t.Fatalf("%d confirmation mails, want 20", c)
	}
	// One link mail however often the address registers again (within
	// ten minutes): repeats must not flood its inbox.
	wantLinks := 0
	if dup > 0 {
		wantLinks = 1
	}
	if c := count(t, db, &models.OutboxMail{}, "event_id = ? AND kind = ?", ev.ID, models.MailDuplicate); c != wantLinks {
		t.Fatalf("%d manage-link mails for %d duplicates of one address, want %d", c, dup, wantLinks)
	}
	checkEvent(t, db, ev.ID)
}

// Closing the registrar while people register: every call returns, with a
// result or ErrRegistrarClosed, and what it reports is what is stored.
func TestRegistrarCloseWhileRegistering(t *testing.T) {
	for round := 0; round < 20; round++ {
		db := modelstest.Open(t)
		r := models.NewRegistrar(db, tok)
		ev := newEvent(t, db, models.EventInput{})
		const n = 100
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			stored   int
			closed   int
			returned = make(chan struct{}, n)
		)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				_, err := r.Register(t.Context(), ev.ID, input(fmt.Sprintf("r%d-%d@example.org", round, i), 0, models.InPerson), now)
				defer func() { returned <- struct{}{} }()
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					stored++
				case errors.Is(err, models.ErrRegistrarClosed):
					closed++
				default:
					t.Errorf("register: %v", err)
				}
			}(i)
		}
		// Close at a different moment each round: before any registration
		// has returned, or once 20, 40, 60 or 80 have.
		for range round % 5 * 20 {
			select {
			case <-returned:
			case <-time.After(10 * time.Second):
				t.Fatalf("round %d: registrations stopped returning before Close", round)
			}
		}
		r.Close()
		finished := make(chan struct{})
		go func() { wg.Wait(); close(finished) }()
		select {
		case <-finished:
		case <-time.After(10 * time.Second):
			t.Fatalf("round %d: registrations still waiting 10 s after Close", round)
		}
		if c := count(t, db, &models.Registration{}, "1 = 1"); c != stored || stored+closed != n {
			t.Fatalf("round %d: %d stored rows, %d reported stored, %d refused as closed", round, c, stored, closed)
		}
		if _, err := r.Register(t.Context(), ev.ID, input("late@example.org", 0, models.InPerson), now); !errors.Is(err, models.ErrRegistrarClosed) {
			t.Fatalf("after Close: %v", err)
		}
	}
}

// The tokens a registration answers with are its own: made before the
// registrar's turn, they open its manage page and its feed, and each
// registration has its own.
func TestRegisterResultTokens(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(1), Waitlist: bp(true)})
	r := newRegistrar(t, db)
	register := map[string]func(models.RegisterInput) (*models.RegisterResult, error){
		"registrar": func(in models.RegisterInput) (*models.RegisterResult, error) {
			return r.Register(t.Context(), ev.ID, in, now)
		},
		"register": func(in models.RegisterInput) (*models.RegisterResult, error) {
			return models.Register(db.DB, tok, ev.ID, in, now)
		},
	}
	seen := map[string]bool{}
	for _, name := range []string{"registrar", "register"} { // the second is waitlisted
		res, err := register[name](models.RegisterInput{Name: "Ada", Email: name + "@example.org", Attendance: models.InPerson, Consent: true})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		reg := res.Registration
		if res.ManageToken != tok.ManageToken(reg) || res.FeedToken != tok.FeedToken(reg) {
			t.Errorf("%s: tokens %q %q, want %q %q", name, res.ManageToken, res.FeedToken, tok.ManageToken(reg), tok.FeedToken(reg))
		}
		found, err := models.FindRegistrationByToken(db.DB, res.ManageToken)
		if err != nil || found.ID != reg.ID {
			t.Errorf("%s: manage token finds %v, %v", name, found, err)
		}
		if seen[res.ManageToken] || seen[res.FeedToken] || res.ManageToken == res.FeedToken {
			t.Errorf("%s: a token repeats", name)
		}
		seen[res.ManageToken], seen[res.FeedToken] = true, true
	}
	// A duplicate answers without tokens: its links go by mail only.
	res, err := r.Register(t.Context(), ev.ID, models.RegisterInput{Name: "Ada", Email: "registrar@example.org", Attendance: models.InPerson, Consent: true}, now)
	if err != nil || !res.Duplicate || res.ManageToken != "" || res.FeedToken != "" {
		t.Errorf("duplicate: %+v %v", res, err)
	}
}
