package app

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// privacyNotice says what is kept about a registration, why, and for how
// long, from the event's own setting and RETENTION_DAYS: the registration
// form shows it above the consent box, the manage page in "Your data".
type privacyNotice struct {
	// AnswersWhen and DataWhen say when the answers (dietary, access,
	// questions) and the name and address are erased.
	AnswersWhen, DataWhen string
}

func (a *App) privacyNotice(ev *models.Event) privacyNotice {
	days := a.cfg.RetentionDays
	when := func(n int) string {
		by := "by " + inZone(ev.EndsAt.AddDate(0, 0, n), ev.Timezone).Format("2 January 2006")
		switch n {
		case 0:
			return "as soon as the event ends"
		case 1:
			return "a day after the event (" + by + ")"
		}
		return fmt.Sprintf("%d days after the event (%s)", n, by)
	}
	return privacyNotice{AnswersWhen: when(min(ev.AnswersRetentionDays, days)), DataWhen: when(days)}
}

// manageExport downloads everything held about a registration, as JSON.
func (a *App) manageExport(c *fiber.Ctx) error {
	reg, _, err := a.loadManage(c)
	if err != nil {
		return err
	}
	x, err := models.ExportRegistration(a.dbc(c).DB, reg.ID, a.cfg.RetentionDays)
	if err != nil {
		return err
	}
	return sendExport(c, "convene-registration-"+x.Event.Slug+".json", exportDocument{
		ExportedAt: a.now().UTC(), About: "Everything " + a.cfg.BaseURL + " holds about this registration.", Data: x})
}

// exportDocument wraps an export with when and what it is.
type exportDocument struct {
	ExportedAt time.Time `json:"exported_at"`
	About      string    `json:"about"`
	Data       any       `json:"data"`
}

func sendExport(c *fiber.Ctx, filename string, doc exportDocument) error {
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Robots-Tag", "noindex")
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+filename+`"`)
	return c.Send(append(b, '\n'))
}

// eraseConfirm asks before erasing a registration.
func (a *App) eraseConfirm(c *fiber.Ctx) error {
	reg, ev, err := a.loadManage(c)
	if err != nil {
		return err
	}
	d, err := a.manageData(c, reg, ev)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Robots-Tag", "noindex")
	return a.render(c, 200, "erase", Page{Title: "Erase your registration?", Data: d})
}

// eraseRegistration erases a registration after confirmation: a place
// ahead goes to the waitlist as a cancellation's would, and the private
// link stops working, so the answer is a page of its own.
func (a *App) eraseRegistration(c *fiber.Ctx) error {
	reg, ev, err := a.loadManage(c)
	if err != nil {
		return err
	}
	res, err := models.EraseRegistration(a.dbc(c).DB, reg.ID, nil, a.now())
	a.events.touch(reg.EventID)
	if err != nil {
		return err
	}
	body := "Your name, email address, answers and the mails we held for you are deleted, and your private link and calendar no longer work. We will not email you about this event again."
	if res.Cancelled && reg.Status == models.RegConfirmed {
		body = "Your place is freed for the next person on the waitlist. " + body
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.render(c, 200, "message", Page{Title: "Your registration is erased", Data: message{Event: ev.Title,
		Heading: "Your registration is erased", Body: body, Link: "/events/" + ev.Slug, LinkText: "Back to the event"}})
}

// deadLink is the page of a private link that opens nothing: erased,
// purged after the event, or mistyped. Which one cannot be told (nothing
// is kept to tell), so the page says all three.
func (a *App) deadLink(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Robots-Tag", "noindex")
	return a.render(c, 404, "message", Page{Title: "This link does not work", Data: message{Heading: "This link does not work",
		Body: "The registration this link opened has been erased (by you, or some weeks after the event, as the privacy notice said), or the link is incomplete. " +
			"If it was erased, nothing about it is kept and there is nothing more to do. Otherwise, check that you copied the whole link from your email.",
		Link: "/", LinkText: "See upcoming events"}})
}

// isPrivateLinkRoute reports whether the route is one of a registration's
// private link (/r/{token}…), whose not-found answer is deadLink.
func isPrivateLinkRoute(c *fiber.Ctx) bool {
	return strings.HasPrefix(routeOf(c), "/r/:token")
}
