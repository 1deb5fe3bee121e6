package models

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"gorm.io/gorm"
)

// TestStatementsPrepared: on SQLite, once migrated, every transaction gets
// the registration's statements prepared (so the rest of the suite runs
// them that way); before migrating, and outside a transaction, they run
// unprepared. PostgreSQL runs them through GORM (pgx caches statements).
func TestStatementsPrepared(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	inTx := func() (n int) {
		t.Helper()
		err := db.Transaction(func(tx *gorm.DB) error {
			for _, q := range preparedQueries {
				if prepared(tx, q) != nil {
					n++
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := inTx(); n != 0 {
		t.Fatalf("%d statements prepared before the schema exists", n)
	}
	if _, err := Migrate(db); err != nil {
		t.Fatal(err)
	}
	if n := inTx(); n != len(preparedQueries) {
		t.Fatalf("%d of %d statements prepared after Migrate", n, len(preparedQueries))
	}
	if prepared(db.DB, insertMailSQL) != nil {
		t.Fatal("a statement was bound outside a transaction")
	}
	// A second Migrate (every start but the first) keeps what it has.
	if _, err := Migrate(db); err != nil {
		t.Fatal(err)
	}
	if n := inTx(); n != len(preparedQueries) {
		t.Fatalf("%d of %d statements prepared after a second Migrate", n, len(preparedQueries))
	}
	// lockEvent reads through the prepared statement what GORM's First
	// reads, and tells a missing event.
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	start := now.AddDate(0, 0, 7)
	capacity, title, slug, kind, status := 40, "Prepared", "prepared", KindMeeting, StatusPublished
	ev, err := CreateEvent(db.DB, EventInput{Slug: &slug, Title: &title, Kind: &kind, Status: &status, StartsAt: &start,
		CapacitySet: true, Capacity: &capacity}, nil, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	var want Event
	if err := db.First(&want, ev.ID).Error; err != nil {
		t.Fatal(err)
	}
	err = db.Transaction(func(tx *gorm.DB) error {
		got, err := lockEvent(tx, ev.ID)
		if err != nil {
			return err
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("lockEvent read\n%#v\nGORM's First reads\n%#v", *got, want)
		}
		if _, err := lockEvent(tx, ev.ID+100); !errors.Is(err, ErrNotFound) {
			t.Errorf("a missing event: %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

// TestBoundStatements: within withBoundStatements, a statement is bound to
// a transaction once and reused; the next transaction on the same context
// binds its own; without it, every call binds anew.
func TestBoundStatements(t *testing.T) {
	db, err := Open(filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := Migrate(db); err != nil {
		t.Fatal(err)
	}
	twice := func(ctx context.Context) (first, second *sql.Stmt) {
		t.Helper()
		err := db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			first, second = prepared(tx, insertMailSQL), prepared(tx, insertMailSQL)
			return nil
		})
		if err != nil || first == nil || second == nil {
			t.Fatalf("prepared: %v %v %v", first, second, err)
		}
		return first, second
	}
	ctx := withBoundStatements(t.Context())
	a1, a2 := twice(ctx)
	if a1 != a2 {
		t.Error("a bound statement was bound again in the same transaction")
	}
	if b1, _ := twice(ctx); b1 == a1 {
		t.Error("the next transaction reused the last one's statement")
	}
	if c1, c2 := twice(t.Context()); c1 == c2 {
		t.Error("without the cache, one binding was reused")
	}
}
