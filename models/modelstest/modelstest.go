// Package modelstest opens fresh, migrated databases for tests: a temporary
// SQLite file, or a new database on the local PostgreSQL server.
package modelstest

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver to create test databases

	"convene/models"
)

// Secret is the token key used by tests.
var Secret = []byte("test-secret-key-0123456789abcdef")

// Tokens derives registration tokens with Secret.
func Tokens() models.Tokens { return models.NewTokens(Secret) }

// Open returns a migrated database in a temporary SQLite file, closed when
// the test ends.
func Open(t testing.TB) *models.DB {
	t.Helper()
	return OpenURL(t, filepath.Join(t.TempDir(), "convene-test.db"))
}

// OpenURL opens and migrates the database at url, closed when the test ends.
func OpenURL(t testing.TB, url string) *models.DB {
	t.Helper()
	db, err := models.Open(url)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := models.Migrate(db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// PostgresServer is the server tests use: TEST_POSTGRES_URL, or the local
// one on 127.0.0.1:5432 as user postgres.
func PostgresServer() string {
	if u := os.Getenv("TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// PostgresURL creates a new, empty database on the PostgreSQL server and
// returns its URL; it is dropped when the test ends. Without a reachable
// server the test is skipped, unless CONVENE_REQUIRE_POSTGRES=1 (as in CI),
// when it fails.
func PostgresURL(t testing.TB) string {
	t.Helper()
	server := PostgresServer()
	admin, err := sql.Open("pgx", server)
	if err == nil {
		err = admin.Ping()
	}
	if err != nil {
		if os.Getenv("CONVENE_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("PostgreSQL required (CONVENE_REQUIRE_POSTGRES=1) but not reachable at %s: %v", server, err)
		}
		t.Skipf("no PostgreSQL reachable at %s (%v); set CONVENE_REQUIRE_POSTGRES=1 to make this a failure", server, err)
	}
	name := fmt.Sprintf("convene_test_%d_%d", rand.Uint64(), os.Getpid()) // unique per test, whatever the clock says
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		admin.Close()
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
		admin.Close()
	})
	i := strings.LastIndex(server, "/")
	rest := ""
	if q := strings.IndexByte(server[i:], '?'); q >= 0 {
		rest = server[i+q:]
	}
	return server[:i+1] + name + rest
}

// OpenPostgres returns a migrated database on a fresh PostgreSQL database.
func OpenPostgres(t testing.TB) *models.DB {
	t.Helper()
	return OpenURL(t, PostgresURL(t))
}
