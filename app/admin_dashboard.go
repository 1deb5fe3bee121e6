package app

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// dashboardEvent is an upcoming event with how it is doing.
type dashboardEvent struct {
	EventView
	Manage       bool
	Percent      int // of in-person (or online-only) capacity; -1 unlimited
	WaitingTotal int
	Growth       int
	Attention    []string
}

// dashboardData is the organiser's home page.
type dashboardData struct {
	Events    []dashboardEvent
	Attention []dashboardEvent
	Recent    []models.Registration
}

func (a *App) dashboard(c *fiber.Ctx) error {
	u := staff(c)
	now := a.now()
	evs, err := models.StaffEvents(a.dbc(c).Read, u, models.ActCheckIn, now)
	if err != nil {
		return err
	}
	views, err := a.eventViews(c, evs)
	if err != nil {
		return err
	}
	ids := make([]uint, len(evs))
	for i := range evs {
		ids[i] = evs[i].ID
	}
	growth, err := models.WaitlistGrowth(a.dbc(c).Read, ids, now.Add(-models.WaitlistGrowthWindow))
	if err != nil {
		return err
	}
	var d dashboardData
	for _, v := range views {
		de := dashboardEvent{EventView: v, Manage: models.Authorize(a.dbc(c).Read, u, v.Event, models.ActManage) == nil, Growth: growth[v.ID]}
		mode := models.InPerson
		if !v.Event.InPerson {
			mode = models.Online
		}
		de.Percent = v.PercentTaken(mode)
		for _, n := range v.Waitlist {
			de.WaitingTotal += n
		}
		if v.Status != models.StatusCancelled {
			for _, m := range v.Modes() {
				if p := v.PercentTaken(m); p >= models.NearlyFullPercent {
					de.Attention = append(de.Attention, fmt.Sprintf("%s %d%% full", modeLabel(m, v.Hybrid()), p))
				}
			}
			if de.Growth > 0 {
				de.Attention = append(de.Attention, fmt.Sprintf("waitlist grew by %d this week", de.Growth))
			}
			if v.Tentative {
				de.Attention = append(de.Attention, "date not final")
			}
		}
		d.Events = append(d.Events, de)
		if len(de.Attention) > 0 && de.Manage {
			d.Attention = append(d.Attention, de)
		}
	}
	if u.IsOrganiser() {
		if d.Recent, err = models.RecentRegistrations(a.dbc(c).Read, u, 10); err != nil {
			return err
		}
	}
	return a.renderAdmin(c, 200, "admin_dashboard", "Organiser workspace", "dashboard", d)
}

func modeLabel(mode string, hybrid bool) string {
	switch {
	case !hybrid:
		return "places"
	case mode == models.Online:
		return "online places"
	}
	return "in-person places"
}
