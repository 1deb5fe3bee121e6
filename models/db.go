// Package models holds Convene's storage: the GORM models, opening and
// migrating the database, and the transactions that enforce the business
// rules (capacity, waitlist, tokens).
package models

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// DB is an open database. Embedded *gorm.DB is the writer: on SQLite a single
// connection whose transactions start IMMEDIATE, so writers queue instead of
// failing; Read is a pool for queries (the same pool on PostgreSQL).
type DB struct {
	*gorm.DB
	Read     *gorm.DB
	Postgres bool
}

// WithContext returns a copy of d whose writer and readers run every
// statement with ctx, so that a caller's cancellation or deadline (a
// request's) stops its queries and transactions. The copy shares d's pools:
// close d, never the copy.
func (d *DB) WithContext(ctx context.Context) *DB {
	c := *d
	c.DB = d.DB.WithContext(ctx)
	c.Read = d.Read.WithContext(ctx)
	return &c
}

// noClock is GORM's clock. Every time this package writes is the now its
// caller passed in, and no model lets GORM stamp a time itself (time fields
// are tagged autoCreateTime:false / autoUpdateTime:false; a test checks every
// model), so the value is never stored. GORM still calls it on every insert,
// so it cannot panic; it answers the zero time rather than the wall clock, so
// that a model which forgot its tags shows year 1 instead of a plausible lie.
func noClock() time.Time { return time.Time{} }

// IsPostgres reports whether a DATABASE_URL selects PostgreSQL.
func IsPostgres(databaseURL string) bool {
	return strings.HasPrefix(databaseURL, "postgres://") || strings.HasPrefix(databaseURL, "postgresql://")
}

// Open connects to databaseURL: a SQLite file path (optionally "file:…" or
// "sqlite://…") or a postgres:// URL.
func Open(databaseURL string) (*DB, error) {
	cfg := &gorm.Config{
		Logger:                 logger.Default.LogMode(logger.Silent),
		NowFunc:                noClock,
		SkipDefaultTransaction: true,
		// No PrepareStmt: inside transactions GORM re-prepares every statement
		// on the transaction (database/sql cannot reuse a tx-bound statement),
		// which costs more than it saves: registrations were 2.4× slower.
		PrepareStmt:    false,
		TranslateError: true,
	}
	if IsPostgres(databaseURL) {
		w, err := gorm.Open(postgres.Open(databaseURL), cfg)
		if err != nil {
			return nil, fmt.Errorf("models: unable to open PostgreSQL: %w", err)
		}
		sqlDB, err := w.DB()
		if err != nil {
			return nil, err
		}
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(20)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		if err := sqlDB.Ping(); err != nil {
			return nil, fmt.Errorf("models: unable to reach PostgreSQL: %w", err)
		}
		return &DB{DB: w, Read: w, Postgres: true}, nil
	}

	path := strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite://"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return nil, errors.New("models: DATABASE_URL names no SQLite file")
	}
	// PRAGMAs go in the DSN so that every pooled connection gets them.
	params := url.Values{}
	params.Set("_busy_timeout", "10000")
	params.Set("_journal_mode", "WAL")
	params.Set("_synchronous", "NORMAL")
	params.Set("_foreign_keys", "on")
	params.Set("_txlock", "immediate")
	params.Set("_cache_size", "-32000") // 32 MB of pages: random-key indexes stay in memory
	writeDSN := "file:" + path + "?" + params.Encode()
	w, err := gorm.Open(sqlite.Open(writeDSN), cfg)
	if err != nil {
		return nil, fmt.Errorf("models: unable to open SQLite file %q: %w", path, err)
	}
	wdb, err := w.DB()
	if err != nil {
		return nil, err
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetMaxIdleConns(1)
	wdb.SetConnMaxLifetime(0)
	wdb.SetConnMaxIdleTime(0)
	if err := wdb.Ping(); err != nil {
		return nil, fmt.Errorf("models: unable to open SQLite file %q: %w", path, err)
	}
	if err := w.Use(&statements{}); err != nil {
		return nil, err
	}

	params.Set("_txlock", "deferred")
	params.Set("_query_only", "1")
	params.Del("_journal_mode") // set once by the writer; WAL persists in the file
	// No GORM statement cache on the readers either: when its bounded cache
	// evicts a statement it closes it while a request may still hold it
	// ("statement is closed"), and an expired one is replaced without being
	// closed. Reads that are hot and fixed are cheap enough unprepared (the
	// feed counter is one row).
	r, err := gorm.Open(sqlite.Open("file:"+path+"?"+params.Encode()), cfg)
	if err != nil {
		return nil, fmt.Errorf("models: unable to open SQLite file %q for reading: %w", path, err)
	}
	rdb, err := r.DB()
	if err != nil {
		return nil, err
	}
	rdb.SetMaxOpenConns(8)
	rdb.SetMaxIdleConns(8)
	return &DB{DB: w, Read: r}, nil
}

// Close closes every pool.
func (d *DB) Close() error {
	var errs []error
	if st, ok := d.DB.Config.Plugins[statementsPlugin].(*statements); ok {
		errs = append(errs, st.close())
	}
	if s, err := d.DB.DB(); err == nil {
		errs = append(errs, s.Close())
	}
	if d.Read != d.DB {
		if s, err := d.Read.DB(); err == nil {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
}

// Ping checks that the writer answers.
func (d *DB) Ping() error {
	s, err := d.DB.DB()
	if err != nil {
		return err
	}
	return s.Ping()
}
