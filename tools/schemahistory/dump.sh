#!/usr/bin/env bash
# Dumps the database that Convene made at each given commit: it checks the
# commit out in a temporary worktree, builds a small program there that runs
# that commit's models.Open, models.Migrate and models.Seed (the demo data,
# trimmed to a few rows of each kind, so that upgrades are tried on rows, not
# just tables), and dumps the result with sqlite3 and pg_dump into
# models/testdata/history/<commit>.{sqlite,postgres}.sql.
# TestUpgradeFromEveryVersion loads each dump, migrates it with today's code
# and compares the schema with a fresh database's.
#
#   tools/schemahistory/dump.sh COMMIT...
#
# Needs git, go, sqlite3, pg_dump, psql and PostgreSQL at $PGURL (default:
# the local server, user postgres). Run it for each commit of main that
# changes the schema (a new migration, or a model change), and keep only the
# dumps whose schema differs from every other's.
set -euo pipefail
cd "$(git rev-parse --show-toplevel)"
out=models/testdata/history
mkdir -p "$out"
pg=${PGURL:-postgres://postgres@127.0.0.1:5432}
for c in "$@"; do
  c=$(git rev-parse --short=7 "$c")
  tmp=$(mktemp -d /tmp/schemahistory-XXXXXX)
  git worktree add --quiet --detach "$tmp/src" "$c"
  mkdir "$tmp/src/zz_schemadump"
  cat > "$tmp/src/zz_schemadump/main.go" <<'GO'
package main

import (
	"fmt"
	"os"
	"time"

	"convene/models"
)

func main() {
	db, err := models.Open(os.Args[1])
	if err == nil {
		_, err = models.Migrate(db)
	}
	if err == nil {
		_, err = models.Seed(db.DB, models.NewTokens([]byte("schema-history-secret-0123456789")), time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	}
	// A few rows of each kind are enough to try an upgrade on: the demo's
	// hundreds of registrations and mails would only swell the dumps.
	for _, q := range []string{"DELETE FROM outbox_mails WHERE id > 3", "DELETE FROM activities WHERE id > 3",
		"DELETE FROM registrations WHERE id > 6"} {
		if err == nil {
			err = db.Exec(q).Error
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	db.Close()
}
GO
  (cd "$tmp/src" && GOFLAGS=-mod=mod go build -o "$tmp/dump" ./zz_schemadump)
  "$tmp/dump" "$tmp/convene.db"
  {
    echo "-- Convene database made at commit $c ($(git log -1 --format=%cI "$c")) by tools/schemahistory/dump.sh"
    sqlite3 "$tmp/convene.db" .dump
  } > "$out/$c.sqlite.sql"
  db="schemahistory_$c"
  psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  "$tmp/dump" "$pg/$db?sslmode=disable"
  {
    echo "-- Convene database made at commit $c ($(git log -1 --format=%cI "$c")) by tools/schemahistory/dump.sh"
    pg_dump --no-owner --no-privileges --no-comments --column-inserts "$pg/$db" | grep -v -e '^\\' -e '^--' -e '^$'
  } > "$out/$c.postgres.sql"
  psql -q "$pg/postgres" -c "DROP DATABASE $db"
  git worktree remove --force "$tmp/src"
  rm -rf "$tmp"
  echo "$c: $(wc -c < "$out/$c.sqlite.sql") + $(wc -c < "$out/$c.postgres.sql") bytes"
done
