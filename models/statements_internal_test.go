package models

import (
	"path/filepath"
	"testing"

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
	if err := db.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}
