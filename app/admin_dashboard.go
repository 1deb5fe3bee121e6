package app

import (
	"fmt"
	"time"

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
	Attention    []attention
}

// attention is one reason an event needs its organisers, with where to
// deal with it when there is a page for that.
type attention struct {
	Text string
	Link string
}

// dashboardData is the organiser's home page.
type dashboardData struct {
	Events    []dashboardEvent
	Attention []dashboardEvent
	Recent    []models.Registration
	// Outbox counts the mails that failed or are held, for admins (only
	// they can open the outbox).
	Outbox map[string]int64
	// Community is the reserved places of the user's own organisations,
	// with their private links to pass on.
	Community []communityRow
}

type communityRow struct {
	models.CommunityPlaces
	Link  string
	Held  bool
	Until time.Time
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
	pending, err := models.PendingRequestCounts(a.dbc(c).Read, ids)
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
			if n := pending[v.ID]; n > 0 {
				de.Attention = append(de.Attention, attention{Text: fmt.Sprintf("%d %s waiting for approval", n, models.Plural(n, "request", "requests")),
					Link: "/admin/events/" + v.Slug + "/requests"})
			}
			for _, m := range v.Modes() {
				if p := v.PercentTaken(m); p >= models.NearlyFullPercent {
					de.Attention = append(de.Attention, attention{Text: fmt.Sprintf("%s %d%% full", modeLabel(m, v.Hybrid()), p)})
				}
			}
			if de.Growth > 0 {
				de.Attention = append(de.Attention, attention{Text: fmt.Sprintf("waitlist grew by %d this week", de.Growth)})
			}
			if v.Tentative {
				de.Attention = append(de.Attention, attention{Text: "date not final"})
			}
		}
		d.Events = append(d.Events, de)
		if len(de.Attention) > 0 && de.Manage {
			d.Attention = append(d.Attention, de)
		}
	}
	if u.Admin {
		counts, err := models.OutboxCounts(a.dbc(c).Read)
		if err != nil {
			return err
		}
		if counts[models.MailFailed] > 0 || counts[models.MailHeld] > 0 {
			d.Outbox = counts
		}
	}
	if u.IsOrganiser() {
		if d.Recent, err = models.RecentRegistrations(a.dbc(c).Read, u, 10); err != nil {
			return err
		}
		community, err := models.CommunityAllocations(a.dbc(c).Read, u, now)
		if err != nil {
			return err
		}
		for _, cp := range community {
			d.Community = append(d.Community, communityRow{CommunityPlaces: cp,
				Link: a.links().Allocation(cp.Event.Slug, a.tok.AllocationCode(&cp.Allocation)), Held: cp.Allocation.Open(&cp.Event, now),
				Until: cp.Allocation.Releases(&cp.Event)})
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
