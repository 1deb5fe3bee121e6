package models

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// maxGroup bounds how many registrations share one transaction.
const maxGroup = 64

// maxYields bounds how many times gather yields to let a group grow.
const maxYields = 4

// groupTimeout bounds one group's transaction. A group runs on the
// Registrar's own context, not on any caller's: one caller going away must
// not roll back the others' registrations.
const groupTimeout = 30 * time.Second

// Registrar is the way the app registers attendees. It funnels registrations
// through one goroutine that commits whatever is waiting as a group: one
// transaction and one commit (one WAL write, one fsync) for many
// registrations, each event row read and locked once. A refused registration
// (full, duplicate, closed) leaves nothing behind while the others commit:
// on SQLite because registerLocked writes nothing before refusing, on
// PostgreSQL through a savepoint each. Under no load a group is a single
// registration. Several instances on one PostgreSQL database each group
// their own; the event row lock serialises the groups.
type Registrar struct {
	db       *gorm.DB
	postgres bool
	tok      Tokens
	reqs     chan *regRequest
	stop     chan struct{}
	done     sync.WaitGroup
	once     sync.Once
	// mu orders sends against Close: once closed is set under the write
	// lock, no request can enter reqs after the loop has drained it.
	mu     sync.RWMutex
	closed bool
	// groups and grouped count the transactions run and the registrations
	// they held, not those whose callers went away before (see Stats).
	groups, grouped atomic.Uint64
}

// Stats reports how many group transactions the Registrar has run and how
// many registrations they held: grouped/groups is the mean group size,
// which grows with load.
func (r *Registrar) Stats() (groups, registrations uint64) {
	return r.groups.Load(), r.grouped.Load()
}

type regRequest struct {
	eventID uint
	in      RegisterInput
	now     time.Time
	res     *RegisterResult
	err     error
	ready   chan struct{}
	// state says who has the request: the caller may withdraw it while it
	// waits, until the loop takes it into a transaction; from then on only
	// the transaction's outcome answers it.
	state atomic.Int32
}

const (
	reqWaiting int32 = iota
	reqTaken
	reqWithdrawn
)

// take gives the request to the loop, unless its caller withdrew it.
func (q *regRequest) take() bool { return q.state.CompareAndSwap(reqWaiting, reqTaken) }

// withdraw takes the request back, unless the loop already has it.
func (q *regRequest) withdraw() bool { return q.state.CompareAndSwap(reqWaiting, reqWithdrawn) }

// ErrRegistrarClosed is returned after Close.
var ErrRegistrarClosed = errors.New("models: registrar closed")

// NewRegistrar starts a Registrar on db.
func NewRegistrar(db *DB, tok Tokens) *Registrar {
	r := &Registrar{db: db.DB, tok: tok, postgres: db.Postgres}
	r.reqs = make(chan *regRequest, 4*maxGroup)
	r.stop = make(chan struct{})
	r.done.Add(1)
	go r.loop()
	return r
}

// Register registers as models.Register does, grouped with concurrent
// registrations. ctx is the caller's: when it ends while the registration
// still waits for its turn, Register returns ctx's error and the
// registration is never made. Once its transaction has begun, Register
// waits for the outcome (bounded by groupTimeout), so a registration that
// was stored is never reported as failed.
func (r *Registrar) Register(ctx context.Context, eventID uint, in RegisterInput, now time.Time) (*RegisterResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.reqs == nil {
		return Register(r.db.WithContext(ctx), r.tok, eventID, in, now)
	}
	if in.made == nil {
		// The row's secrets and encodings, made here in parallel with the
		// other callers rather than in the loop, which runs one at a time.
		m, err := makeRow(r.tok, &in)
		if err != nil {
			return nil, err
		}
		in.made = m
	}
	req := &regRequest{eventID: eventID, in: in, now: now, ready: make(chan struct{})}
	r.mu.RLock()
	if r.closed {
		r.mu.RUnlock()
		return nil, ErrRegistrarClosed
	}
	select {
	case r.reqs <- req: // the loop runs until closed is set, so this send completes
	case <-ctx.Done():
		r.mu.RUnlock()
		return nil, ctx.Err()
	}
	r.mu.RUnlock()
	select {
	case <-req.ready:
	case <-ctx.Done():
		if req.withdraw() {
			return nil, ctx.Err()
		}
		<-req.ready // already in a transaction: its outcome is the answer
	}
	return req.res, req.err
}

// Close finishes the registrations already queued and stops the goroutine.
func (r *Registrar) Close() {
	if r.stop == nil {
		return
	}
	r.once.Do(func() {
		r.mu.Lock()
		r.closed = true
		r.mu.Unlock()
		close(r.stop)
	})
	r.done.Wait()
}

func (r *Registrar) loop() {
	defer r.done.Done()
	group := make([]*regRequest, 0, maxGroup)
	for {
		select {
		case req := <-r.reqs:
			group = append(group[:0], req)
		case <-r.stop:
			// Serve what is already queued, then stop.
			for {
				select {
				case req := <-r.reqs:
					r.commit([]*regRequest{req})
				default:
					return
				}
			}
		}
		r.commit(r.gather(group))
	}
}

// gather adds to group what else is waiting, up to maxGroup. Before each
// look it yields, so that the handlers ready to hand in a registration get
// to; it looks again while that brought more. Under load a group is then
// several times larger (fewer commits and event reads per registration);
// with nothing else to run a yield returns at once, so a lone registration
// waits for nothing.
func (r *Registrar) gather(group []*regRequest) []*regRequest {
	for range maxYields {
		runtime.Gosched()
		before := len(group)
	fill:
		for len(group) < maxGroup {
			select {
			case req := <-r.reqs:
				group = append(group, req)
			default:
				break fill
			}
		}
		if len(group) == before || len(group) == maxGroup {
			break
		}
	}
	return group
}

// registerOne registers one request of a group in tx, on its locked event.
func (r *Registrar) registerOne(tx *gorm.DB, ev *Event, q *regRequest) (*RegisterResult, error) {
	if !r.postgres {
		// SQLite undoes just the refused statement, and registerLocked
		// writes nothing before a refusal: no savepoint needed.
		return registerLocked(tx, r.tok, ev, q.in, q.now)
	}
	// PostgreSQL aborts a transaction on any error, the unique index's
	// refusal included: give each its own savepoint.
	before := *ev
	var res *RegisterResult
	err := tx.Transaction(func(sp *gorm.DB) error {
		var err error
		res, err = registerLocked(sp, r.tok, ev, q.in, q.now)
		return err
	})
	if err != nil {
		*ev = before
	}
	return res, err
}

// commit runs a group in one transaction. If the commit itself fails, every
// registration of the group fails with that error and nothing is stored.
func (r *Registrar) commit(group []*regRequest) {
	var err error
	defer func() {
		// A panic in one registration must not leave the others waiting:
		// the transaction is rolled back and every caller gets the error.
		if p := recover(); p != nil {
			err = fmt.Errorf("models: registration failed: %v", p)
		}
		for _, q := range group {
			if err != nil {
				q.res, q.err = nil, err
			}
			close(q.ready)
		}
	}()
	r.groups.Add(1)
	ctx, cancel := context.WithTimeout(withBoundStatements(context.Background()), groupTimeout)
	defer cancel()
	err = r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Lock each event once, in ID order, so that two instances grouping
		// registrations for the same events can never deadlock.
		var ids []uint
		for _, q := range group {
			if !slices.Contains(ids, q.eventID) {
				ids = append(ids, q.eventID)
			}
		}
		slices.Sort(ids)
		events := map[uint]*Event{}
		for _, id := range ids {
			ev, err := lockEvent(tx, id)
			if errors.Is(err, ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			events[id] = ev
		}
		for _, q := range group {
			if !q.take() {
				continue // its caller went away before its turn
			}
			r.grouped.Add(1)
			ev, ok := events[q.eventID]
			if !ok {
				q.err = ErrNotFound
				continue
			}
			for attempt := 1; ; attempt++ {
				q.res, q.err = r.registerOne(tx, ev, q)
				if errors.Is(q.err, errActiveRegistration) {
					q.res, q.err = registeredAlready(tx, q.eventID, q.in.Email, q.now)
					if errors.Is(q.err, errNoLongerActive) && attempt < 3 {
						continue // cancelled in between (another instance): register afresh
					}
				}
				break
			}
			if q.err != nil && !refusal(q.err) {
				return q.err // a database failure: roll the whole group back
			}
		}
		return nil
	})
}
