package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// auditPageSize is how many audit entries one page shows.
const auditPageSize = 100

// auditData is the audit log page.
type auditData struct {
	Entries []models.AuditEntry
	Actions []string
	Filter  models.AuditFilter
	OlderID uint
}

func (a *App) auditPage(c *fiber.Ctx) error {
	f := models.AuditFilter{Action: c.Query("action"), Event: c.Query("event"), Limit: auditPageSize}
	if b, err := strconv.ParseUint(c.Query("before"), 10, 32); err == nil {
		f.BeforeID = uint(b)
	}
	entries, err := models.AuditLog(a.dbc(c).Read, f)
	if err != nil {
		return err
	}
	actions, err := models.AuditActions(a.dbc(c).Read)
	if err != nil {
		return err
	}
	d := auditData{Entries: entries, Actions: actions, Filter: f}
	if len(entries) == auditPageSize {
		d.OlderID = entries[len(entries)-1].ID
	}
	return a.renderAdmin(c, 200, "admin_audit", "Audit log", "audit", d)
}
