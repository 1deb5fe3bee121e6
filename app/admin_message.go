package app

import (
	"html/template"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"convene/mail"
	"convene/models"
)

// messageForm is an organiser's message to an event's registrants, with
// whom it can reach, its preview, and where the messages sent so far are.
type messageForm struct {
	Event      *models.Event
	Subject    string
	Body       string
	Confirmed  bool
	Waitlisted bool
	Audience   models.MessageAudience
	// Chosen is how many registrants the boxes ticked reach.
	Chosen int
	// Preview is the mail as a registrant will get it (PreviewName's), and
	// PreviewHTML its HTML part as shown in the page (mailPreview).
	Preview     *mail.Message
	PreviewHTML template.HTML
	PreviewName string
	// Done says what was just done: "sent" (Sent mails) or "test".
	Done       string
	Sent       int
	Me         string
	Deliveries []models.MessageDelivery
	Errors     map[string]string
	ErrList    []fieldError
}

// messageDeliveriesShown is how many sent messages the tab lists.
const messageDeliveriesShown = 10

// messagePage shows the form to write to an event's registrants, and
// where the messages already sent are (from their outbox rows).
func (a *App) messagePage(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	f := messageForm{Event: ev, Confirmed: true, Done: c.Query("done"), Me: u.Email}
	f.Sent, _ = strconv.Atoi(c.Query("sent"))
	return a.renderMessage(c, 200, f)
}

func (a *App) renderMessage(c *fiber.Ctx, status int, f messageForm) error {
	var err error
	if f.Audience, err = models.CountMessageAudience(a.dbc(c).Read, f.Event.ID); err != nil {
		return err
	}
	if f.Confirmed {
		f.Chosen += f.Audience.Confirmed
	}
	if f.Waitlisted {
		f.Chosen += f.Audience.Waitlisted
	}
	if f.Deliveries, err = models.MessageDeliveries(a.dbc(c).Read, f.Event.ID, messageDeliveriesShown); err != nil {
		return err
	}
	title := "Message registrants"
	if len(f.Errors) > 0 {
		title = "Error: " + title
		f.ErrList = formErrors(f.Errors, []string{"statuses", "subject", "body"})
	}
	return a.renderAdmin(c, status, "admin_message", title, "events", f)
}

// sendMessage previews the message, mails a test to the organiser alone,
// or writes it to every chosen registrant's outbox in one transaction
// (models.MessageRegistrants), as the button pressed says.
func (a *App) sendMessage(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	f := messageForm{Event: ev, Subject: c.FormValue("subject"), Body: c.FormValue("body"), Me: u.Email,
		Confirmed: c.FormValue("confirmed") != "", Waitlisted: c.FormValue("waitlisted") != ""}
	var statuses []string
	if f.Confirmed {
		statuses = append(statuses, models.RegConfirmed)
	}
	if f.Waitlisted {
		statuses = append(statuses, models.RegWaitlisted)
	}
	action := c.FormValue("action")
	switch action {
	case "preview", "test":
		subject, body, err := models.CheckMessage(f.Subject, f.Body)
		if f.Errors = validationFields(err); f.Errors != nil {
			return a.renderMessage(c, 422, f)
		}
		if action == "test" {
			if err := models.SendTestMessage(a.dbc(c).DB, ev.ID, u, subject, body, a.now()); err != nil {
				return err
			}
			f.Done = "test"
		}
		if f.Preview, f.PreviewName, err = a.previewMessage(c, ev, statuses, subject, body); err != nil {
			return err
		}
		var styles []string
		if f.PreviewHTML, styles = mailPreview(f.Preview.HTML); len(styles) > 0 {
			c.Set("Content-Security-Policy", contentSecurityPolicy(styles...))
		}
		return a.renderMessage(c, 200, f)
	}
	if len(statuses) == 0 {
		f.Errors = map[string]string{"statuses": "Choose who receives the message"}
		return a.renderMessage(c, 422, f)
	}
	n, err := models.MessageRegistrants(a.dbc(c).DB, ev.ID, f.Subject, f.Body, statuses, &u.ID, a.now())
	if err == nil {
		return c.Redirect("/admin/events/"+ev.Slug+"/message?done=sent&sent="+strconv.Itoa(n), fiber.StatusSeeOther)
	}
	if f.Errors = validationFields(err); f.Errors == nil {
		return err
	}
	return a.renderMessage(c, 422, f)
}

// previewMessage composes the message as the first chosen registrant will
// get it (their name; each registrant's own link is not shown).
func (a *App) previewMessage(c *fiber.Ctx, ev *models.Event, statuses []string, subject, body string) (*mail.Message, string, error) {
	name := "(the registrant's name)"
	if len(statuses) > 0 {
		regs, err := models.FindAttendees(a.dbc(c).Read, ev.ID, models.AttendeeFilter{Status: statuses[0]})
		if err != nil {
			return nil, "", err
		}
		if len(regs) > 0 {
			name = regs[0].Name
		}
	}
	composer := mail.Composer{BaseURL: a.cfg.BaseURL, From: a.cfg.MailFrom, Tokens: a.tok}
	msg, err := composer.Sample(ev, "", name, map[string]string{"subject": subject, "body": body}, 0, time.Time{}, a.now())
	return msg, name, err
}
