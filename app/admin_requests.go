package app

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// requestRow is one request in the approval queue, with its answers under
// the questions' labels.
type requestRow struct {
	Reg     models.Registration
	Answers []answerRow
}

type answerRow struct{ Label, Value string }

// requestsData is the approval queue of an event.
type requestsData struct {
	Event    *models.Event
	Rows     []requestRow
	PlacesIn *int
	PlacesOn *int
	Notice   string
	Error    string
}

// requestNotices are the messages shown after approving or declining.
func requestNotice(c *fiber.Ctx) string {
	switch c.Query("done") {
	case "approved":
		return "Approved: the place is confirmed and the person has been emailed."
	case "waitlisted":
		return fmt.Sprintf("Approved, but the event is full: the person is on the waitlist at number %s and has been told so by email.", c.Query("position"))
	case "declined":
		return "Declined: the person has been sent a kind email."
	}
	return ""
}

func (a *App) requestsPage(c *fiber.Ctx) error {
	ev, _, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	return a.renderRequests(c, 200, ev, "")
}

func (a *App) renderRequests(c *fiber.Ctx, status int, ev *models.Event, problem string) error {
	regs, err := models.PendingRequests(a.dbc(c).Read, ev.ID)
	if err != nil {
		return err
	}
	d := requestsData{Event: ev, PlacesIn: ev.PlacesLeft(models.InPerson), PlacesOn: ev.PlacesLeft(models.Online),
		Notice: requestNotice(c), Error: problem}
	for _, r := range regs {
		row := requestRow{Reg: r}
		answers := map[string]string{}
		_ = json.Unmarshal([]byte(r.Answers), &answers)
		for _, q := range ev.Questions {
			if v := answers[q.Key]; v != "" {
				row.Answers = append(row.Answers, answerRow{q.Label, v})
			}
		}
		d.Rows = append(d.Rows, row)
	}
	return a.renderAdmin(c, status, "admin_requests", "Requests: "+ev.Title, "events", d)
}

// backTo is where an action on a registration returns: the queue or the
// attendees list, as the form says.
func backTo(c *fiber.Ctx, ev *models.Event) string {
	if c.FormValue("from") == "attendees" {
		return "/admin/events/" + ev.Slug + "/attendees"
	}
	return "/admin/events/" + ev.Slug + "/requests"
}

func (a *App) approveRequest(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	r, err := a.eventRegistration(c, ev)
	if err != nil {
		return err
	}
	approved, pos, err := models.ApproveRegistration(a.dbc(c).DB, ev.ID, r.ID, &u.ID, a.now())
	a.events.touch(ev.ID)
	if err != nil {
		p, ok := problemOf(err)
		if !ok || p.Status >= 500 || p.Status == 404 {
			return err
		}
		return a.renderRequests(c, p.Status, ev, p.Detail)
	}
	done := "?done=approved"
	if approved.Status == models.RegWaitlisted {
		done = "?done=waitlisted&position=" + strconv.Itoa(pos)
	}
	return c.Redirect(backTo(c, ev)+done, fiber.StatusSeeOther)
}

func (a *App) declineRequest(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	r, err := a.eventRegistration(c, ev)
	if err != nil {
		return err
	}
	if _, err := models.DeclineRegistration(a.dbc(c).DB, ev.ID, r.ID, &u.ID, a.now()); err != nil {
		p, ok := problemOf(err)
		if !ok || p.Status >= 500 || p.Status == 404 {
			return err
		}
		return a.renderRequests(c, p.Status, ev, p.Detail)
	}
	a.events.touch(ev.ID)
	return c.Redirect(backTo(c, ev)+"?done=declined", fiber.StatusSeeOther)
}

// apiApprove approves a pending request: its answer is the registration,
// confirmed or, when the event is full, waitlisted with its position.
func (a *App) apiApprove(c *fiber.Ctx) error {
	ev, u, id, err := a.organiserAction(c, models.ActManage)
	if err != nil {
		return err
	}
	r, pos, err := models.ApproveRegistration(a.dbc(c).DB, ev.ID, id, &u.ID, a.now())
	a.events.touch(ev.ID)
	if err != nil {
		return err
	}
	return c.JSON(registrationJSON(r, ev, pos))
}

// apiDecline declines a pending request; declining twice is fine.
func (a *App) apiDecline(c *fiber.Ctx) error {
	ev, u, id, err := a.organiserAction(c, models.ActManage)
	if err != nil {
		return err
	}
	r, err := models.DeclineRegistration(a.dbc(c).DB, ev.ID, id, &u.ID, a.now())
	if err != nil {
		return err
	}
	return c.JSON(registrationJSON(r, ev, 0))
}
