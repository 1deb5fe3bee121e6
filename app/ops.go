package app

import (
	"context"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// healthz answers as soon as the app serves.
func (a *App) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok", "version": Version})
}

// readyz answers 200 while the database answers queries and takes writes,
// 503 otherwise.
func (a *App) readyz(c *fiber.Ctx) error {
	if reason := a.ready.check(a); reason != "" {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "not ready", "reason": reason})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}

// readyInterval is how long a readiness result stands: load balancers may
// poll /readyz many times a second, and each check writes a row.
const readyInterval = 2 * time.Second

// readiness remembers the last readiness check: a query on the read pool and
// a write of the heartbeat row on the writer.
type readiness struct {
	mu      sync.Mutex
	checked time.Time
	reason  string
}

// check answers why the app is not ready ("" when it is), checking again
// when the last result is older than readyInterval.
func (r *readiness) check(a *App) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := a.now()
	if !r.checked.IsZero() && !now.Before(r.checked) && now.Sub(r.checked) < readyInterval {
		return r.reason
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	reason := ""
	if err := a.db.Read.WithContext(ctx).Exec("SELECT 1").Error; err != nil {
		reason = "database unavailable"
		a.logReadiness(r.reason, reason, err)
	} else if err := models.Heartbeat(a.db.DB.WithContext(ctx), now); err != nil {
		reason = "database refuses writes"
		a.logReadiness(r.reason, reason, err)
	} else if r.reason != "" {
		a.log.Info("ready again: the database takes writes")
	}
	r.checked, r.reason = now, reason
	return reason
}

// logReadiness logs a failed check when the reason changes, not at every poll.
func (a *App) logReadiness(was, reason string, err error) {
	if was != reason {
		a.log.Error("not ready: "+reason, "err", err)
	}
}
