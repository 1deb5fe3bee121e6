package app

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// loginForm is what was typed on the sign-in page (never the password).
type loginForm struct {
	Email   string
	Next    string
	Errors  map[string]string
	ErrList []fieldError
}

func (a *App) loginPage(c *fiber.Ctx) error {
	if u, err := models.UserBySession(a.dbc(c).DB, c.Cookies(a.sessionCookieName()), a.now()); err == nil && u != nil {
		return c.Redirect(localPath(c.Query("next", "/admin")), fiber.StatusSeeOther)
	}
	return a.render(c, 200, "admin_login", Page{Title: "Sign in", Nav: "admin", Data: loginForm{Next: localPath(c.Query("next", "/admin"))}})
}

// login signs an organiser in. Unknown addresses and wrong passwords get the
// same answer after the same work; a new session id is issued on every
// sign-in (and the old one, if any, ended), and the CSRF token is renewed.
func (a *App) login(c *fiber.Ctx) error {
	f := loginForm{Email: c.FormValue("email"), Next: localPath(c.FormValue("next", "/admin")), Errors: map[string]string{}}
	password := c.FormValue("password")
	if f.Email == "" {
		f.Errors["email"] = "Enter your email address"
	}
	if password == "" {
		f.Errors["password"] = "Enter your password"
	}
	if len(f.Errors) > 0 {
		f.ErrList = formErrors(f.Errors, []string{"email", "password"})
		return a.render(c, 422, "admin_login", Page{Title: "Error: sign in", Nav: "admin", Data: f})
	}
	u, err := models.Authenticate(a.dbc(c).DB, f.Email, password)
	if errors.Is(err, models.ErrBadCredentials) {
		_ = models.LogAccountActivity(a.dbc(c).DB, nil, "sign_in_failed", "", a.now())
		f.Errors["email"] = "The email address or password is not right"
		f.ErrList = formErrors(f.Errors, nil)
		return a.render(c, fiber.StatusUnauthorized, "admin_login", Page{Title: "Error: sign in", Nav: "admin", Data: f})
	}
	if err != nil {
		return err
	}
	if err := models.DeleteSession(a.dbc(c).DB, c.Cookies(a.sessionCookieName())); err != nil {
		return err
	}
	token, err := models.CreateSession(a.dbc(c).DB, u.ID, a.now())
	if err != nil {
		return err
	}
	if err := models.LogAccountActivity(a.dbc(c).DB, &u.ID, "signed_in", "", a.now()); err != nil {
		return err
	}
	a.setSessionCookie(c, token)
	a.renewCSRF(c)
	return c.Redirect(f.Next, fiber.StatusSeeOther)
}

// renewCSRF gives the browser a new CSRF token, so that a token planted
// before sign-in is useless after it.
func (a *App) renewCSRF(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: a.csrfCookieName(), Value: models.RandomString(32), Path: "/", HTTPOnly: true,
		Secure: a.cfg.Production(), SameSite: fiber.CookieSameSiteLaxMode})
}

func (a *App) logout(c *fiber.Ctx) error {
	if err := models.DeleteSession(a.dbc(c).DB, c.Cookies(a.sessionCookieName())); err != nil {
		return err
	}
	u := staff(c)
	if err := models.LogAccountActivity(a.dbc(c).DB, &u.ID, "signed_out", "", a.now()); err != nil {
		return err
	}
	a.clearSessionCookie(c)
	return c.Redirect("/admin/login", fiber.StatusSeeOther)
}

// passwordForm is the change-password page's state.
type passwordForm struct {
	Done    bool
	Errors  map[string]string
	ErrList []fieldError
}

var passwordOrder = []string{"current_password", "new_password", "confirm_password"}

// accountData is the signed-in user's own account page, which groups the
// password and API tokens (the navigation has one entry for both).
type accountData struct {
	Email, Name string
	Admin       bool
	Organises   []string // organisation names
	DoorFor     []string
}

func (a *App) accountPage(c *fiber.Ctx) error {
	u := staff(c)
	names, _, err := a.orgNames(c)
	if err != nil {
		return err
	}
	d := accountData{Email: u.Email, Name: u.Name, Admin: u.Admin}
	for _, m := range u.Memberships {
		if m.Role == models.MemberDoor {
			d.DoorFor = append(d.DoorFor, names[m.OrganisationID])
		} else {
			d.Organises = append(d.Organises, names[m.OrganisationID])
		}
	}
	return a.renderAdmin(c, 200, "admin_account", "Your account", "account", d)
}

func (a *App) passwordPage(c *fiber.Ctx) error {
	return a.renderAdmin(c, 200, "admin_password", "Change your password", "account", passwordForm{Done: c.Query("done") == "1"})
}

func (a *App) changePassword(c *fiber.Ctx) error {
	u := staff(c)
	next := c.FormValue("new_password")
	errs := map[string]string{}
	if next != c.FormValue("confirm_password") {
		errs["confirm_password"] = "The two new passwords are not the same"
	} else {
		err := models.ChangePassword(a.dbc(c).DB, u.ID, c.FormValue("current_password"), next, c.Cookies(a.sessionCookieName()), a.now())
		if fields := validationFields(err); fields != nil {
			errs = fields
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		return a.renderAdmin(c, 422, "admin_password", "Error: change your password", "account",
			passwordForm{Errors: errs, ErrList: formErrors(errs, passwordOrder)})
	}
	return c.Redirect("/admin/account/password?done=1", fiber.StatusSeeOther)
}

// inviteForm is the set-your-password page of an invitation link.
type inviteForm struct {
	Email   string
	Token   string
	Errors  map[string]string
	ErrList []fieldError
}

func (a *App) invitePage(c *fiber.Ctx) error {
	u, err := models.UserByInvite(a.dbc(c).DB, c.Params("token"), a.now())
	if err != nil {
		return a.inviteGone(err)
	}
	return a.render(c, 200, "admin_invite", Page{Title: "Choose your password", Nav: "admin", Data: inviteForm{Email: u.Email, Token: c.Params("token")}})
}

func (a *App) inviteGone(err error) error {
	if errors.Is(err, models.ErrNotFound) {
		return fiber.NewError(fiber.StatusNotFound, "This invitation link has expired or has already been used. Ask an admin for a new one.")
	}
	return err
}

// acceptInvite sets the invitee's password and signs them in.
func (a *App) acceptInvite(c *fiber.Ctx) error {
	token := c.Params("token")
	u, err := models.AcceptInvite(a.dbc(c).DB, token, c.FormValue("password"), c.FormValue("confirm_password"), a.now())
	if fields := validationFields(err); fields != nil {
		inv, lerr := models.UserByInvite(a.dbc(c).DB, token, a.now())
		if lerr != nil {
			return a.inviteGone(lerr)
		}
		return a.render(c, 422, "admin_invite", Page{Title: "Error: choose your password", Nav: "admin",
			Data: inviteForm{Email: inv.Email, Token: token, Errors: fields, ErrList: formErrors(fields, []string{"password", "confirm_password"})}})
	}
	if err != nil {
		return a.inviteGone(err)
	}
	session, err := models.CreateSession(a.dbc(c).DB, u.ID, a.now())
	if err != nil {
		return err
	}
	a.setSessionCookie(c, session)
	a.renewCSRF(c)
	return c.Redirect("/admin", fiber.StatusSeeOther)
}
