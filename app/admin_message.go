package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// messageForm is an organiser's message to an event's registrants.
type messageForm struct {
	Event      *models.Event
	Subject    string
	Body       string
	Confirmed  bool
	Waitlisted bool
	Sent       int
	Errors     map[string]string
	ErrList    []fieldError
}

// messagePage shows the form to write to an event's registrants.
func (a *App) messagePage(c *fiber.Ctx) error {
	ev, _, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	sent, _ := strconv.Atoi(c.Query("sent"))
	return a.renderAdmin(c, 200, "admin_message", "Message registrants", "events",
		messageForm{Event: ev, Confirmed: true, Sent: sent})
}

// sendMessage writes the message to every chosen registrant's outbox, in
// one transaction (models.MessageRegistrants).
func (a *App) sendMessage(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	f := messageForm{Event: ev, Subject: c.FormValue("subject"), Body: c.FormValue("body"),
		Confirmed: c.FormValue("confirmed") != "", Waitlisted: c.FormValue("waitlisted") != ""}
	var statuses []string
	if f.Confirmed {
		statuses = append(statuses, models.RegConfirmed)
	}
	if f.Waitlisted {
		statuses = append(statuses, models.RegWaitlisted)
	}
	if len(statuses) == 0 {
		f.Errors = map[string]string{"statuses": "Choose who receives the message"}
	} else {
		n, err := models.MessageRegistrants(a.dbc(c).DB, ev.ID, f.Subject, f.Body, statuses, &u.ID, a.now())
		if err == nil {
			return c.Redirect("/admin/events/"+ev.Slug+"/message?sent="+strconv.Itoa(n), fiber.StatusSeeOther)
		}
		if f.Errors = validationFields(err); f.Errors == nil {
			return err
		}
	}
	f.ErrList = formErrors(f.Errors, []string{"statuses", "subject", "body"})
	return a.renderAdmin(c, 422, "admin_message", "Error: message registrants", "events", f)
}
