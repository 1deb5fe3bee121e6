package app

import (
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// tokensData is the API tokens page of the signed-in user.
type tokensData struct {
	Tokens  []models.APIToken
	New     string // a token just created, shown this once
	NewRow  *models.APIToken
	Name    string
	Scope   string
	Days    string
	Scopes  []string // the scopes this account may choose
	Lives   []int    // the lifetimes offered, in days
	Now     time.Time
	Errors  map[string]string
	ErrList []fieldError
}

// tokenLifetimes are the expiries the tokens page offers, in days; the
// default is models.DefaultTokenLifetime.
var tokenLifetimes = []int{7, 30, 90, 365}

func (a *App) tokensPage(c *fiber.Ctx) error {
	return a.renderTokens(c, 200, tokensData{})
}

func (a *App) renderTokens(c *fiber.Ctx, status int, d tokensData) error {
	u := staff(c)
	var err error
	if d.Tokens, err = models.UserAPITokens(a.dbc(c).DB, u.ID); err != nil {
		return err
	}
	d.Scopes = []string{models.ScopeDoor}
	if u.IsOrganiser() {
		d.Scopes = models.Scopes
	}
	if d.Scope == "" {
		d.Scope = d.Scopes[0]
	}
	if d.Days == "" {
		d.Days = strconv.Itoa(int(models.DefaultTokenLifetime.Hours() / 24))
	}
	d.Lives, d.Now = tokenLifetimes, a.now()
	d.ErrList = formErrors(d.Errors, []string{"name", "scope", "expires"})
	return a.renderAdmin(c, status, "admin_tokens", "API tokens", "account", d)
}

// createToken makes a token and shows it once, on this answer only (the
// page is not cached, and the token is not in any address).
func (a *App) createToken(c *fiber.Ctx) error {
	u := staff(c)
	d := tokensData{Name: c.FormValue("name"), Scope: c.FormValue("scope"), Days: strings.TrimSpace(c.FormValue("expires"))}
	in := models.APITokenInput{Name: d.Name, Scope: d.Scope}
	errs := map[string]string{}
	if d.Scope == "" {
		errs["scope"] = "Choose what the token may do"
	}
	if days, err := strconv.Atoi(d.Days); err != nil || days < 1 {
		errs["expires"] = "Choose when the token expires"
	} else {
		t := a.now().Add(time.Duration(days) * 24 * time.Hour)
		in.ExpiresAt = &t
	}
	if err := models.ValidateAPIToken(u, &in, a.now()); err != nil || len(errs) > 0 {
		for k, v := range validationFields(err) {
			if _, ok := errs[k]; !ok {
				errs[k] = v
			}
		}
		d.Errors = errs
		return a.renderTokens(c, 422, d)
	}
	token, row, err := models.NewAPIToken(a.dbc(c).DB, u.ID, in, a.now())
	if err != nil {
		return err
	}
	return a.renderTokens(c, 201, tokensData{New: token, NewRow: row})
}

func (a *App) revokeToken(c *fiber.Ctx) error {
	id, err := strconv.ParseUint(c.Params("id"), 10, 32)
	if err != nil {
		return models.ErrNotFound
	}
	if err := models.RevokeAPIToken(a.dbc(c).DB, staff(c).ID, uint(id), a.now()); err != nil {
		return err
	}
	return c.Redirect("/admin/tokens", fiber.StatusSeeOther)
}
