package app

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"convene/models"
)

// eventCache keeps recently read events so that a busy event page, feed or
// registration burst does not reload an event with its hosts, series and
// questions on every request. It holds two parts per event:
//
//   - the event itself (static: changes only when someone edits the event),
//     reloaded after ttl or when its revision no longer matches;
//   - its live counts (places taken, waitlist lengths), re-read after ttl or
//     as soon as this instance changed a registration of the event.
//
// Counts shown from it are for display only: every registration re-reads and
// locks the event row inside its own transaction. Another instance's changes
// show within ttl.
type eventCache struct {
	loads atomic.Uint64 // numbers every load, for eventVersion
	db    *gorm.DB
	ttl   time.Duration
	now   func() time.Time // the App's clock
	mu    sync.RWMutex     // reads (every request) share it; loads and changes write
	evs   map[string]cachedEvent
	live  map[uint]liveCounts
}

type cachedEvent struct {
	ev      *models.Event
	at      time.Time
	version uint64
}

type liveCounts struct {
	models.EventCounts
	at      time.Time
	version uint64
}

// eventVersion identifies what a get returned: pages rendered from the same
// version are the same.
type eventVersion struct{ static, live uint64 }

func newEventCache(db *gorm.DB, ttl time.Duration, now func() time.Time) *eventCache {
	return &eventCache{db: db, ttl: ttl, now: now, evs: map[string]cachedEvent{}, live: map[uint]liveCounts{}}
}

// static returns the event with slug as last loaded (within ttl), with
// counts that may be stale: enough to validate a registration, which the
// transaction then checks against the locked row. The event is shared:
// callers must not change it. A load runs on ctx, the caller's request.
func (c *eventCache) static(ctx context.Context, slug string) (*models.Event, error) {
	e, err := c.staticEntry(ctx, slug)
	return e.ev, err
}

func (c *eventCache) staticEntry(ctx context.Context, slug string) (cachedEvent, error) {
	now := c.now()
	c.mu.RLock()
	e, ok := c.evs[slug]
	c.mu.RUnlock()
	if ok && now.Sub(e.at) < c.ttl {
		return e, nil
	}
	ev, err := models.FindEvent(c.db.WithContext(ctx), slug)
	if err != nil {
		return cachedEvent{}, err
	}
	e = cachedEvent{ev: ev, at: now, version: c.loads.Add(1)}
	c.mu.Lock()
	if len(c.evs) > 10000 {
		clear(c.evs)
	}
	c.evs[slug] = e
	c.mu.Unlock()
	return e, nil
}

// get returns a copy of the event with slug carrying current counts, and
// its waitlist lengths by mode.
func (c *eventCache) get(ctx context.Context, slug string) (*models.Event, map[string]int, error) {
	ev, wl, _, err := c.getVersion(ctx, slug)
	return ev, wl, err
}

// getVersion is get, also saying which loads the answer comes from.
func (c *eventCache) getVersion(ctx context.Context, slug string) (*models.Event, map[string]int, eventVersion, error) {
	se, err := c.staticEntry(ctx, slug)
	if err != nil {
		return nil, nil, eventVersion{}, err
	}
	ev := se.ev
	now := c.now()
	c.mu.RLock()
	lc, ok := c.live[ev.ID]
	c.mu.RUnlock()
	if !ok || now.Sub(lc.at) >= c.ttl {
		if lc, err = c.loadCounts(ctx, ev.ID); err != nil {
			return nil, nil, eventVersion{}, err
		}
		lc.at, lc.version = now, c.loads.Add(1)
		c.mu.Lock()
		if len(c.live) > 10000 {
			clear(c.live)
		}
		c.live[ev.ID] = lc
		c.mu.Unlock()
	}
	if lc.Revision != ev.Revision {
		// Edited since it was cached (perhaps by another instance).
		c.mu.Lock()
		delete(c.evs, slug)
		c.mu.Unlock()
		if se, err = c.staticEntry(ctx, slug); err != nil {
			return nil, nil, eventVersion{}, err
		}
		ev = se.ev
	}
	cp := *ev
	cp.Taken, cp.OnlineTaken, cp.Reserved, cp.Capacity, cp.OnlineCapacity = lc.Taken, lc.OnlineTaken, lc.Reserved, lc.Capacity, lc.OnlineCapacity
	return &cp, map[string]int{models.InPerson: lc.WaitlistIn, models.Online: lc.WaitlistOnline}, eventVersion{se.version, lc.version}, nil
}

func (c *eventCache) loadCounts(ctx context.Context, id uint) (liveCounts, error) {
	counts, err := models.LiveCounts(c.db.WithContext(ctx), id)
	return liveCounts{EventCounts: counts}, err
}

// touch marks an event's counts stale after this instance changed one of
// its registrations.
func (c *eventCache) touch(eventID uint) {
	c.mu.Lock()
	delete(c.live, eventID)
	c.mu.Unlock()
}

// reset drops everything after this instance edited an event, so that its
// own answers never lag behind its own writes.
func (c *eventCache) reset() {
	c.mu.Lock()
	clear(c.evs)
	clear(c.live)
	c.mu.Unlock()
}
