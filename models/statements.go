package models

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"gorm.io/gorm"
)

// The statements every registration runs are kept prepared on SQLite's
// writer connection. mattn/go-sqlite3 compiles a statement afresh each time
// it runs one with arguments, and for these that compilation cost as much as
// running them (a third of a registration's time in the registrar). GORM's
// PrepareStmt cannot help: inside a transaction it prepares on the
// transaction, again each time. A statement prepared on the connection
// itself is reused by every transaction on it (sql.Tx.Stmt).
// PostgreSQL needs none of this: pgx caches prepared statements per
// connection by itself.

// Queries kept prepared. Each is also what runs, unprepared, when no
// prepared copy is at hand.
const (
	insertRegistrationSQL = `INSERT INTO registrations (event_id, name, email, email_norm, guests, attendance, status, waitlist_seq,
		answers, dietary, dietary_other, guest_dietary, access_needs, consent_at, token_nonce, token_hash, feed_nonce, feed_token_hash,
		created_at, updated_at, allocation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	insertMailSQL = `INSERT INTO outbox_mails (kind, event_id, registration_id, "to", data, status, attempts,
		next_attempt_at, last_error, claimed_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, '', '', ?, ?)`
)

// The guarded updates of the capacity ledger (ledger.take): each refuses to
// pass the capacity of its mode, counting the places reserved for
// communities in person.
const (
	takeInPersonSQL = `UPDATE events SET taken = taken + ?, reserved = reserved - ? WHERE id = ? AND reserved >= ?
		AND (capacity IS NULL OR taken + reserved + ? <= capacity)`
	takeOnlineSQL = `UPDATE events SET online_taken = online_taken + ? WHERE id = ?
		AND (online_capacity IS NULL OR online_taken + ? <= online_capacity)`
)

// selectEventSQL reads an event row as GORM's First does (lockEvent on
// SQLite, once per group of registrations).
const selectEventSQL = "SELECT * FROM events WHERE id = ?"

var preparedQueries = []string{insertRegistrationSQL, insertMailSQL, selectEventSQL, takeInPersonSQL, takeOnlineSQL}

// statements is a GORM plugin holding the prepared statements of a SQLite
// writer, so that they travel with the *gorm.DB (and its transactions).
type statements struct {
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
}

const statementsPlugin = "convene:statements"

func (*statements) Name() string                 { return statementsPlugin }
func (*statements) Initialize(db *gorm.DB) error { return nil }

// prepareStatements compiles the statements on db's connection, when db
// keeps prepared statements (a SQLite writer). It needs the schema (Migrate
// calls it) and must not run inside a transaction: the writer's one
// connection would be taken. A statement that does not compile is left to
// run unprepared.
func prepareStatements(db *gorm.DB) {
	s, ok := db.Config.Plugins[statementsPlugin].(*statements)
	if !ok {
		return
	}
	sqlDB, err := db.DB()
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stmts == nil {
		s.stmts = map[string]*sql.Stmt{}
	}
	for _, q := range preparedQueries {
		if s.stmts[q] != nil {
			continue
		}
		if st, err := sqlDB.Prepare(q); err == nil {
			s.stmts[q] = st
		}
	}
}

// close closes the prepared statements.
func (s *statements) close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for q, st := range s.stmts {
		errs = append(errs, st.Close())
		delete(s.stmts, q)
	}
	return errors.Join(errs...)
}

// prepared returns query prepared and bound to tx's transaction, or nil.
// Within a context made by withBoundStatements, a statement is bound once
// per transaction and reused.
func prepared(tx *gorm.DB, query string) *sql.Stmt {
	s, ok := tx.Config.Plugins[statementsPlugin].(*statements)
	if !ok {
		return nil
	}
	sqlTx, ok := tx.Statement.ConnPool.(*sql.Tx)
	if !ok {
		return nil
	}
	b, _ := tx.Statement.Context.Value(boundKey{}).(*boundStatements)
	if b != nil && b.tx == sqlTx {
		if st := b.stmts[query]; st != nil {
			return st
		}
	}
	s.mu.RLock()
	st := s.stmts[query]
	s.mu.RUnlock()
	if st == nil {
		return nil
	}
	st = sqlTx.StmtContext(tx.Statement.Context, st)
	if b != nil {
		if b.tx != sqlTx {
			b.tx, b.stmts = sqlTx, map[string]*sql.Stmt{}
		}
		b.stmts[query] = st
	}
	return st
}

// boundStatements keeps the statements bound to one transaction, for a
// caller that runs many registrations in it (the Registrar's groups):
// binding each anew (sql.Tx.StmtContext) allocates and locks every time.
// The transaction closes them when it ends. Not safe for concurrent use:
// a transaction is used by one goroutine.
type boundStatements struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

type boundKey struct{}

// withBoundStatements returns ctx carrying a cache of bound statements for
// the one transaction that runs on it.
func withBoundStatements(ctx context.Context) context.Context {
	return context.WithValue(ctx, boundKey{}, &boundStatements{})
}

// exec runs query in tx, prepared when it can be, and reports the rows it
// changed.
func exec(tx *gorm.DB, query string, args ...any) (int64, error) {
	if st := prepared(tx, query); st != nil {
		res, err := st.ExecContext(tx.Statement.Context, args...)
		if err != nil {
			return 0, err
		}
		return res.RowsAffected()
	}
	res := tx.Exec(query, args...)
	return res.RowsAffected, res.Error
}

// insertID runs an INSERT in tx and returns the new row's id: prepared
// on SQLite, where the connection's last insert rowid is the id (cheaper
// than RETURNING, which goes through a result set); with RETURNING id
// otherwise.
func insertID(tx *gorm.DB, query string, args ...any) (uint, error) {
	if st := prepared(tx, query); st != nil {
		res, err := st.ExecContext(tx.Statement.Context, args...)
		if err != nil {
			return 0, err
		}
		id, err := res.LastInsertId()
		return uint(id), err
	}
	var id uint
	return id, tx.Raw(query+" RETURNING id", args...).Scan(&id).Error
}

// scanPrepared reads the one row of a prepared query into dst as GORM
// would (by column name); no row is ErrNotFound.
func scanPrepared(tx *gorm.DB, st *sql.Stmt, dst any, args ...any) error {
	rows, err := st.QueryContext(tx.Statement.Context, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return ErrNotFound
	}
	if err := tx.ScanRows(rows, dst); err != nil {
		return err
	}
	return rows.Close()
}
