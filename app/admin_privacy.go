package app

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// The admins' privacy page: find what is held about an email address across
// events, download it as JSON, or erase it. Addresses travel in POST
// bodies only, never in an address bar, a link or a log line.

// privacyData is the admins' privacy page.
type privacyData struct {
	Email   string
	Errors  map[string]string
	ErrList []fieldError
	// Held is what was found about Email; nil before a search.
	Held *models.AddressExport
	// Erased is set after an erasure.
	Erased *models.AddressErasure
	// Digest names the address in the audit log.
	Digest string
}

var privacyFieldOrder = []string{"email", "confirm"}

func (a *App) privacyPage(c *fiber.Ctx) error {
	return a.renderPrivacy(c, 200, privacyData{})
}

func (a *App) renderPrivacy(c *fiber.Ctx, status int, d privacyData) error {
	d.ErrList = formErrors(d.Errors, privacyFieldOrder)
	title := "Privacy requests"
	if len(d.Errors) > 0 {
		title = "Error: " + title
	}
	return a.renderAdmin(c, status, "admin_privacy", title, "privacy", d)
}

// privacyFind shows what is held about an address: the confirmation step
// before an erasure.
func (a *App) privacyFind(c *fiber.Ctx) error {
	d := privacyData{Email: c.FormValue("email")}
	held, err := models.ExportAddress(a.dbc(c).DB, d.Email, a.cfg.RetentionDays)
	if err != nil {
		return a.privacyRefused(c, d, err)
	}
	d.Held, d.Digest = held, models.AddressDigest(a.tok, held.Email)
	return a.renderPrivacy(c, 200, d)
}

// privacyExport downloads everything held about an address, audited.
func (a *App) privacyExport(c *fiber.Ctx) error {
	d := privacyData{Email: c.FormValue("email")}
	held, err := models.ExportAddress(a.dbc(c).DB, d.Email, a.cfg.RetentionDays)
	if err != nil {
		return a.privacyRefused(c, d, err)
	}
	if err := models.AuditAddressExport(a.dbc(c).DB, a.tok, held.Email, &staff(c).ID, a.now()); err != nil {
		return err
	}
	return sendExport(c, "convene-address-"+models.AddressDigest(a.tok, held.Email)+".json", exportDocument{
		ExportedAt: a.now().UTC(), About: "Everything " + a.cfg.BaseURL + " holds about this email address.", Data: held})
}

// privacyErase erases everything held about an address, once the admin
// has ticked that they mean it.
func (a *App) privacyErase(c *fiber.Ctx) error {
	d := privacyData{Email: c.FormValue("email")}
	if c.FormValue("confirm") != "yes" {
		held, err := models.ExportAddress(a.dbc(c).DB, d.Email, a.cfg.RetentionDays)
		if err != nil {
			return a.privacyRefused(c, d, err)
		}
		d.Held, d.Digest = held, models.AddressDigest(a.tok, held.Email)
		d.Errors = map[string]string{"confirm": "Tick the box to confirm that this address's data should be erased"}
		return a.renderPrivacy(c, 422, d)
	}
	res, err := models.EraseAddress(a.dbc(c).DB, a.tok, d.Email, &staff(c).ID, a.now())
	for _, id := range res.EventIDs {
		a.events.touch(id)
	}
	if err != nil {
		return a.privacyRefused(c, d, err)
	}
	d.Erased, d.Digest = &res, models.AddressDigest(a.tok, d.Email)
	return a.renderPrivacy(c, 200, d)
}

// privacyRefused shows the form again with what was typed and the message.
func (a *App) privacyRefused(c *fiber.Ctx, d privacyData, err error) error {
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	d.Errors = ve.Fields
	return a.renderPrivacy(c, 422, d)
}
