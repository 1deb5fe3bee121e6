package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// tokensData is the API tokens page of the signed-in user.
type tokensData struct {
	Tokens  []models.APIToken
	New     string // a token just created, shown this once
	Name    string
	Errors  map[string]string
	ErrList []fieldError
}

func (a *App) tokensPage(c *fiber.Ctx) error {
	return a.renderTokens(c, 200, tokensData{})
}

func (a *App) renderTokens(c *fiber.Ctx, status int, d tokensData) error {
	var err error
	if d.Tokens, err = models.UserAPITokens(a.db.DB, staff(c).ID); err != nil {
		return err
	}
	d.ErrList = formErrors(d.Errors, nil)
	return a.renderAdmin(c, status, "admin_tokens", "API tokens", "tokens", d)
}

// createToken makes a token and shows it once, on this answer only (the
// page is not cached, and the token is not in any address).
func (a *App) createToken(c *fiber.Ctx) error {
	u := staff(c)
	name := c.FormValue("name")
	token, err := models.NewAPIToken(a.db.DB, u.ID, name, a.now())
	if fields := validationFields(err); fields != nil {
		return a.renderTokens(c, 422, tokensData{Name: name, Errors: fields})
	}
	if err != nil {
		return err
	}
	return a.renderTokens(c, 201, tokensData{New: token})
}

func (a *App) revokeToken(c *fiber.Ctx) error {
	id, err := strconv.ParseUint(c.Params("id"), 10, 32)
	if err != nil {
		return models.ErrNotFound
	}
	if err := models.RevokeAPIToken(a.db.DB, staff(c).ID, uint(id), a.now()); err != nil {
		return err
	}
	return c.Redirect("/admin/tokens", fiber.StatusSeeOther)
}
