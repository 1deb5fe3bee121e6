package models_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"gorm.io/gorm"

	"convene/models"
	"convene/models/modelstest"
)

// dialects runs test on a fresh SQLite file and a fresh PostgreSQL database.
func dialects(t *testing.T, test func(t *testing.T, db *models.DB)) {
	t.Run("sqlite", func(t *testing.T) { test(t, modelstest.Open(t)) })
	t.Run("postgres", func(t *testing.T) { test(t, modelstest.OpenPostgres(t)) })
}

// blocker holds what a write of an event must wait for: on SQLite the one
// writer connection, on PostgreSQL the event's row lock.
type blocker struct {
	t     *testing.T
	db    *models.DB
	tx    *gorm.DB
	waits int64 // the writer pool's wait count when the blocker began (SQLite)
}

func block(t *testing.T, db *models.DB, eventID uint) *blocker {
	t.Helper()
	b := &blocker{t: t, db: db}
	if !db.Postgres {
		sqlDB, err := db.DB.DB()
		if err != nil {
			t.Fatal(err)
		}
		b.waits = sqlDB.Stats().WaitCount
	}
	b.tx = db.DB.Begin() // SQLite: BEGIN IMMEDIATE on the only writer connection
	if err := b.tx.Error; err != nil {
		t.Fatal(err)
	}
	if db.Postgres {
		if err := b.tx.Exec("SELECT id FROM events WHERE id = ? FOR UPDATE", eventID).Error; err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(b.release)
	return b
}

// waitForWaiter returns once another caller waits behind the blocker.
func (b *blocker) waitForWaiter() {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if b.db.Postgres {
			var n int64
			if err := b.db.Read.Raw("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'").Scan(&n).Error; err != nil {
				b.t.Fatal(err)
			}
			if n > 0 {
				return
			}
		} else {
			sqlDB, _ := b.db.DB.DB()
			if sqlDB.Stats().WaitCount > b.waits {
				return
			}
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not timing a result
	}
	b.t.Fatal("nothing came to wait behind the blocker")
}

func (b *blocker) release() {
	if b.tx != nil {
		b.tx.Rollback()
		b.tx = nil
	}
}

// result is what a call running in its own goroutine answered.
type result struct {
	res *models.RegisterResult
	err error
}

func answer(t *testing.T, c <-chan result) result {
	t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no answer: the call did not honour its context")
		return result{}
	}
}

// TestContextReachesTheDatabase: a models call on a database whose context
// is cancelled fails with context.Canceled, whether the context ended before
// the call or while the call waited for the database.
func TestContextReachesTheDatabase(t *testing.T) {
	dialects(t, func(t *testing.T, db *models.DB) {
		ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(10)})
		reg := register(t, db, ev.ID, "kept@example.org", 0, models.InPerson).Registration

		t.Run("cancelled before", func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			c := db.WithContext(ctx)
			if _, err := models.FindEvent(c.Read, ev.Slug); !errors.Is(err, context.Canceled) {
				t.Errorf("FindEvent: %v, want context.Canceled", err)
			}
			if _, err := models.Register(c.DB, tok, ev.ID, input("new@example.org", 0, models.InPerson), now); !errors.Is(err, context.Canceled) {
				t.Errorf("Register: %v, want context.Canceled", err)
			}
			if _, err := models.CancelRegistration(c.DB, reg.ID, nil, now); !errors.Is(err, context.Canceled) {
				t.Errorf("CancelRegistration: %v, want context.Canceled", err)
			}
			// The database itself is untouched: the same calls work without the context.
			if got := status(t, db, reg.ID); got != models.RegConfirmed {
				t.Errorf("registration is %s after a cancelled cancel", got)
			}
		})

		t.Run("cancelled while waiting", func(t *testing.T) {
			b := block(t, db, ev.ID)
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan result, 1)
			go func() {
				res, err := models.Register(db.WithContext(ctx).DB, tok, ev.ID, input("waiting@example.org", 0, models.InPerson), now)
				done <- result{res, err}
			}()
			b.waitForWaiter()
			cancel()
			if r := answer(t, done); !errors.Is(r.err, context.Canceled) {
				t.Errorf("Register waiting for the database: %v, want context.Canceled", r.err)
			}
			b.release()
			if n := count(t, db, &models.Registration{}, "email = ?", "waiting@example.org"); n != 0 {
				t.Errorf("%d registrations stored by a cancelled call", n)
			}
		})

		t.Run("deadline", func(t *testing.T) {
			b := block(t, db, ev.ID)
			ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
			defer cancel()
			_, err := models.Register(db.WithContext(ctx).DB, tok, ev.ID, input("late@example.org", 0, models.InPerson), now)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("Register past its deadline: %v, want context.DeadlineExceeded", err)
			}
			b.release()
		})
	})
}

// TestRegistrarHonoursTheCallersContext: a caller whose context ends while
// its registration waits for its turn gets the context's error and nothing
// is stored; once its registration is in a transaction, the caller gets the
// transaction's outcome even if its context ends, so a stored registration
// is never reported as failed.
func TestRegistrarHonoursTheCallersContext(t *testing.T) {
	dialects(t, func(t *testing.T, db *models.DB) {
		ev := newEvent(t, db, models.EventInput{CapacitySet: true, Capacity: ip(10)})
		r := models.NewRegistrar(db, tok)
		t.Cleanup(r.Close)

		t.Run("withdrawn while waiting", func(t *testing.T) {
			b := block(t, db, ev.ID)
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan result, 1)
			go func() {
				res, err := r.Register(ctx, ev.ID, input("gone@example.org", 0, models.InPerson), now)
				done <- result{res, err}
			}()
			b.waitForWaiter()
			cancel()
			if got := answer(t, done); !errors.Is(got.err, context.Canceled) {
				t.Errorf("Register: %v, want context.Canceled", got.err)
			}
			b.release()
			// The registrar carries on; a later registration goes through
			// after the withdrawn one's group, which must not have stored it.
			if _, err := r.Register(t.Context(), ev.ID, input("next@example.org", 0, models.InPerson), now); err != nil {
				t.Fatal(err)
			}
			if n := count(t, db, &models.Registration{}, "email = ?", "gone@example.org"); n != 0 {
				t.Errorf("%d registrations stored for a caller who went away", n)
			}
		})

		t.Run("answered once in a transaction", func(t *testing.T) {
			if !db.Postgres {
				t.Skip("needs a second writer to stop a transaction half-way: PostgreSQL only")
			}
			// Another transaction keeps new rows out of the outbox, so the
			// registrar's transaction stops half-way, after its INSERT of the
			// registration, at the confirmation mail.
			other := db.DB.Begin()
			t.Cleanup(func() { other.Rollback() })
			if err := other.Exec("LOCK TABLE outbox_mails IN SHARE MODE").Error; err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(t.Context())
			done := make(chan result, 1)
			go func() {
				res, err := r.Register(ctx, ev.ID, input("held@example.org", 0, models.InPerson), now)
				done <- result{res, err}
			}()
			(&blocker{t: t, db: db}).waitForWaiter()
			cancel()
			select {
			case got := <-done:
				t.Fatalf("Register answered (%v, %v) while its transaction was still running", got.res, got.err)
			case <-time.After(200 * time.Millisecond):
			}
			other.Rollback()
			got := answer(t, done)
			if got.err != nil || got.res == nil || got.res.Registration.Status != models.RegConfirmed {
				t.Fatalf("Register after its caller went away: (%v, %v), want the stored registration", got.res, got.err)
			}
			if n := count(t, db, &models.Registration{}, "email = ? AND status = ?", "held@example.org", models.RegConfirmed); n != 1 {
				t.Errorf("%d confirmed registrations stored, want the 1 reported", n)
			}
		})
	})
}
