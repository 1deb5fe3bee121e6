package app

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"convene/mail"
	"convene/models"
)

// outboxPerPage is how many mails one page of the outbox lists.
const outboxPerPage = 50

// outboxRoutes registers the admins' view of the outbox on r, which is
// mounted under /admin behind the session middleware. Every handler also
// checks that the signed-in user is an admin: a message shows its private
// links.
func (a *App) outboxRoutes(r fiber.Router) {
	r.Get("/outbox", a.outboxList)
	r.Post("/outbox/resend-held", a.outboxResendHeld)
	r.Get("/outbox/:id", a.outboxMail)
	r.Post("/outbox/:id/resend", a.outboxResend)
}

// outboxAdmin refuses anyone but an admin.
func outboxAdmin(c *fiber.Ctx) error {
	if u, ok := c.Locals("user").(*models.User); !ok || u == nil || !u.Admin {
		return fiber.NewError(fiber.StatusForbidden, "Only admins can see the outbox.")
	}
	return nil
}

// outboxRow is one line of the outbox list.
type outboxRow struct {
	models.OutboxMail
	EventSlug  string
	EventTitle string
}

type outboxListData struct {
	Rows     []outboxRow
	Status   string
	Statuses []string
	Counts   map[string]int64
	Total    int64
	Page     int
	Pages    int
	PrevURL  string
	NextURL  string
	SMTP     bool
}

// outboxList lists the outbox, newest first, optionally by state.
func (a *App) outboxList(c *fiber.Ctx) error {
	if err := outboxAdmin(c); err != nil {
		return err
	}
	status := c.Query("status")
	known := false
	for _, s := range models.MailStatuses {
		known = known || s == status
	}
	if !known {
		status = ""
	}
	page, err := strconv.Atoi(c.Query("page", "1"))
	if err != nil || page < 1 || page > 1_000_000 {
		page = 1
	}
	mails, total, err := models.ListOutbox(a.dbc(c).Read, status, page, outboxPerPage)
	if err != nil {
		return err
	}
	counts, err := models.OutboxCounts(a.dbc(c).Read)
	if err != nil {
		return err
	}
	d := outboxListData{Status: status, Statuses: models.MailStatuses, Counts: counts, Total: total, Page: page,
		Pages: int((total + outboxPerPage - 1) / outboxPerPage), SMTP: a.cfg.SMTPURL != ""}
	ids := make([]uint, 0, len(mails))
	for _, m := range mails {
		if m.EventID != nil {
			ids = append(ids, *m.EventID)
		}
	}
	events, err := models.EventRefs(a.dbc(c).Read, ids)
	if err != nil {
		return err
	}
	for _, m := range mails {
		row := outboxRow{OutboxMail: m}
		if m.EventID != nil {
			row.EventSlug, row.EventTitle = events[*m.EventID].Slug, events[*m.EventID].Title
		}
		d.Rows = append(d.Rows, row)
	}
	link := func(p int) string {
		q := url.Values{}
		if status != "" {
			q.Set("status", status)
		}
		q.Set("page", strconv.Itoa(p))
		return "/admin/outbox?" + q.Encode()
	}
	if page > 1 {
		d.PrevURL = link(page - 1)
	}
	if page < d.Pages {
		d.NextURL = link(page + 1)
	}
	p := Page{Title: "Outbox", Data: d}
	if n := c.Query("resent"); n != "" {
		if k, err := strconv.Atoi(n); err == nil {
			p.Flash = fmt.Sprintf("%d held %s put back in the queue.", k, models.Plural(k, "mail", "mails"))
		}
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return a.render(c, fiber.StatusOK, "outbox", p)
}

type outboxMailData struct {
	Mail      *models.OutboxMail
	Event     *models.Event
	Message   *mail.Message
	Problem   string
	CanResend bool
}

// outboxMail shows one mail as it would be sent now.
func (a *App) outboxMail(c *fiber.Ctx) error {
	if err := outboxAdmin(c); err != nil {
		return err
	}
	m, err := a.findOutboxMail(c)
	if err != nil {
		return err
	}
	d := outboxMailData{Mail: m, CanResend: m.Status == models.MailFailed || m.Status == models.MailHeld}
	if m.EventID != nil {
		refs, err := models.EventRefs(a.dbc(c).Read, []uint{*m.EventID})
		if err != nil {
			return err
		}
		if ev, ok := refs[*m.EventID]; ok {
			d.Event = &ev
		}
	}
	composer := mail.Composer{BaseURL: a.cfg.BaseURL, From: a.cfg.MailFrom, Tokens: a.tok}
	d.Message, err = composer.Compose(a.dbc(c), m, a.now())
	if err != nil {
		if !errors.Is(err, mail.ErrUnsendable) {
			return err
		}
		d.Problem = err.Error()
	}
	p := Page{Title: fmt.Sprintf("Mail %d", m.ID), Data: d}
	if c.Query("resent") == "1" {
		p.Flash = "The mail is back in the queue and will be sent shortly."
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Robots-Tag", "noindex")
	return a.render(c, fiber.StatusOK, "outbox_mail", p)
}

// outboxResend puts a failed or held mail back in the queue.
func (a *App) outboxResend(c *fiber.Ctx) error {
	if err := outboxAdmin(c); err != nil {
		return err
	}
	m, err := a.findOutboxMail(c)
	if err != nil {
		return err
	}
	if _, err := models.ResendMail(a.dbc(c).DB, m.ID, a.now()); err != nil {
		var ve *models.ValidationError
		if errors.As(err, &ve) {
			return fiber.NewError(fiber.StatusConflict, ve.Fields["status"])
		}
		return err
	}
	return c.Redirect(fmt.Sprintf("/admin/outbox/%d?resent=1", m.ID), fiber.StatusSeeOther)
}

// outboxResendHeld puts every held mail back in the queue, for when a mail
// server has been configured since they were written.
func (a *App) outboxResendHeld(c *fiber.Ctx) error {
	if err := outboxAdmin(c); err != nil {
		return err
	}
	n, err := models.ResendHeldMail(a.dbc(c).DB, a.now())
	if err != nil {
		return err
	}
	return c.Redirect(fmt.Sprintf("/admin/outbox?resent=%d", n), fiber.StatusSeeOther)
}

func (a *App) findOutboxMail(c *fiber.Ctx) (*models.OutboxMail, error) {
	id, err := strconv.ParseUint(c.Params("id"), 10, 32)
	if err != nil || id == 0 {
		return nil, models.ErrNotFound
	}
	return models.FindOutboxMail(a.dbc(c).Read, uint(id))
}
