package app

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// metrics counts what /metrics reports, in Prometheus text format. Labels
// are route patterns and statuses only: never paths, tokens or people.
type metrics struct {
	mu       sync.Mutex
	requests map[string]uint64 // "METHOD route status"
	regs     [4]atomic.Uint64  // confirmed, waitlisted, duplicate, requested
}

func newMetrics() *metrics { return &metrics{requests: map[string]uint64{}} }

func (m *metrics) request(method, route string, status int) {
	key := fmt.Sprintf("%s\x00%s\x00%d", method, route, status)
	m.mu.Lock()
	m.requests[key]++
	m.mu.Unlock()
}

func (m *metrics) registered(res *models.RegisterResult) {
	switch {
	case res.Duplicate:
		m.regs[2].Add(1)
	case res.CheckEmail:
		m.regs[3].Add(1)
	case res.Registration.Status == models.RegWaitlisted:
		m.regs[1].Add(1)
	default:
		m.regs[0].Add(1)
	}
}

func (a *App) metricsPage(c *fiber.Ctx) error {
	var b strings.Builder
	b.WriteString("# HELP convene_http_requests_total HTTP requests by route pattern and status.\n# TYPE convene_http_requests_total counter\n")
	a.metrics.mu.Lock()
	keys := make([]string, 0, len(a.metrics.requests))
	for k := range a.metrics.requests {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := strings.Split(k, "\x00")
		fmt.Fprintf(&b, "convene_http_requests_total{method=%q,route=%q,status=%q} %d\n", p[0], p[1], p[2], a.metrics.requests[k])
	}
	a.metrics.mu.Unlock()
	b.WriteString("# HELP convene_registrations_total Registrations answered by this instance.\n# TYPE convene_registrations_total counter\n")
	for i, s := range []string{"confirmed", "waitlisted", "duplicate", "requested"} {
		fmt.Fprintf(&b, "convene_registrations_total{result=%q} %d\n", s, a.metrics.regs[i].Load())
	}
	var rows []struct {
		Status string
		N      int64
	}
	if err := a.db.Read.Model(&models.OutboxMail{}).Select("status, COUNT(*) AS n").Group("status").Scan(&rows).Error; err == nil {
		b.WriteString("# HELP convene_outbox_mails Mails in the outbox by status.\n# TYPE convene_outbox_mails gauge\n")
		for _, r := range rows {
			fmt.Fprintf(&b, "convene_outbox_mails{status=%q} %d\n", r.Status, r.N)
		}
	}
	if s, err := a.db.DB.DB(); err == nil {
		st := s.Stats()
		fmt.Fprintf(&b, "# TYPE convene_db_open_connections gauge\nconvene_db_open_connections %d\n", st.OpenConnections)
		fmt.Fprintf(&b, "# TYPE convene_db_wait_seconds_total counter\nconvene_db_wait_seconds_total %g\n", st.WaitDuration.Seconds())
	}
	c.Set(fiber.HeaderContentType, "text/plain; version=0.0.4; charset=utf-8")
	return c.SendString(b.String())
}
