package app

import (
	"sync"
	"time"

	"gorm.io/gorm"

	"convene/models"
)

// eventCache keeps recently read events for a short time, so that a busy
// event page or feed does not query the database on every request. Counts
// shown from it are for display only: every registration re-reads and locks
// the event row inside its own transaction.
type eventCache struct {
	db  *gorm.DB
	ttl time.Duration
	mu  sync.Mutex
	m   map[string]cachedEvent
}

type cachedEvent struct {
	ev       *models.Event
	waitlist map[string]int
	at       time.Time
}

func newEventCache(db *gorm.DB, ttl time.Duration) *eventCache {
	return &eventCache{db: db, ttl: ttl, m: map[string]cachedEvent{}}
}

// get returns the event with slug and its waitlist lengths by mode. The
// returned event is shared: callers must not change it.
func (c *eventCache) get(slug string) (*models.Event, map[string]int, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[slug]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl {
		return e.ev, e.waitlist, nil
	}
	ev, err := models.FindEvent(c.db, slug)
	if err != nil {
		return nil, nil, err
	}
	wl, err := models.WaitlistLength(c.db, ev.ID)
	if err != nil {
		return nil, nil, err
	}
	c.mu.Lock()
	if len(c.m) > 10000 {
		c.m = map[string]cachedEvent{}
	}
	c.m[slug] = cachedEvent{ev: ev, waitlist: wl, at: now}
	c.mu.Unlock()
	return ev, wl, nil
}

// reset drops every cached event after this instance changed something, so
// that its own answers never lag behind its own writes.
func (c *eventCache) reset() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}
