package app

import (
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// usersData lists the accounts.
type usersData struct {
	Users []models.User
	Orgs  map[uint]string
}

func (a *App) orgNames(c *fiber.Ctx) (map[uint]string, []models.Organisation, error) {
	orgs, err := models.Organisations(a.dbc(c).Read)
	if err != nil {
		return nil, nil, err
	}
	names := map[uint]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	return names, orgs, nil
}

func (a *App) usersPage(c *fiber.Ctx) error {
	users, err := models.Users(a.dbc(c).Read)
	if err != nil {
		return err
	}
	names, _, err := a.orgNames(c)
	if err != nil {
		return err
	}
	return a.renderAdmin(c, 200, "admin_users", "Accounts", "users", usersData{Users: users, Orgs: names})
}

// inviteData is the invitation form, and the link once it is made.
type inviteData struct {
	Email, Name, Kind string
	Selected          map[uint]bool
	Orgs              []models.Organisation
	Link              string
	Invited           string
	Errors            map[string]string
	ErrList           []fieldError
}

func selectedOrgs(c *fiber.Ctx, field string) ([]uint, map[uint]bool) {
	var ids []uint
	sel := map[uint]bool{}
	for _, v := range c.Context().PostArgs().PeekMulti(field) {
		if id, err := strconv.ParseUint(string(v), 10, 32); err == nil {
			ids = append(ids, uint(id))
			sel[uint(id)] = true
		}
	}
	return ids, sel
}

func (a *App) inviteUserPage(c *fiber.Ctx) error {
	_, orgs, err := a.orgNames(c)
	if err != nil {
		return err
	}
	return a.renderAdmin(c, 200, "admin_user_invite", "Invite someone", "users", inviteData{Kind: models.AccountOrganiser, Orgs: orgs, Selected: map[uint]bool{}})
}

// inviteUser creates the account and shows its one-time link once, for the
// admin to send: the link is not stored, only its hash.
func (a *App) inviteUser(c *fiber.Ctx) error {
	u := staff(c)
	_, orgs, err := a.orgNames(c)
	if err != nil {
		return err
	}
	ids, sel := selectedOrgs(c, "organisations")
	d := inviteData{Email: strings.TrimSpace(c.FormValue("email")), Name: c.FormValue("name"), Kind: c.FormValue("kind"), Orgs: orgs, Selected: sel}
	invited, token, err := models.InviteUser(a.dbc(c).DB, models.InviteInput{Email: d.Email, Name: d.Name, Kind: d.Kind, Organisations: ids}, &u.ID, a.now())
	if fields := validationFields(err); fields != nil {
		d.Errors, d.ErrList = fields, formErrors(fields, []string{"email", "name", "kind", "organisations"})
		return a.renderAdmin(c, 422, "admin_user_invite", "Error: invite someone", "users", d)
	}
	if err != nil {
		return err
	}
	return a.renderAdmin(c, 201, "admin_user_invite", "Invitation ready", "users",
		inviteData{Invited: invited.Email, Link: a.cfg.BaseURL + "/admin/invite/" + token})
}

// userData is one account's roles.
type userData struct {
	Account  models.User
	Orgs     []models.Organisation
	Selected map[uint]bool // organiser of
	Door     map[uint]bool // door volunteer for
	Link     string
	Saved    bool
	Errors   map[string]string
	ErrList  []fieldError
}

func (a *App) loadAccount(c *fiber.Ctx) (*models.User, error) {
	id, err := strconv.ParseUint(c.Params("id"), 10, 32)
	if err != nil {
		return nil, models.ErrNotFound
	}
	return models.UserByID(a.dbc(c).DB, uint(id))
}

func (a *App) renderAccount(c *fiber.Ctx, status int, d userData) error {
	_, orgs, err := a.orgNames(c)
	if err != nil {
		return err
	}
	d.Orgs = orgs
	if d.Selected == nil {
		d.Selected, d.Door = map[uint]bool{}, map[uint]bool{}
		for _, m := range d.Account.Memberships {
			if m.Role == models.MemberDoor {
				d.Door[m.OrganisationID] = true
			} else {
				d.Selected[m.OrganisationID] = true
			}
		}
	}
	d.ErrList = formErrors(d.Errors, []string{"admin", "organisations", "door_organisations"})
	return a.renderAdmin(c, status, "admin_user", "Account: "+d.Account.Email, "users", d)
}

func (a *App) userPage(c *fiber.Ctx) error {
	acc, err := a.loadAccount(c)
	if err != nil {
		return err
	}
	return a.renderAccount(c, 200, userData{Account: *acc, Saved: c.Query("saved") == "1"})
}

func (a *App) updateUserRoles(c *fiber.Ctx) error {
	acc, err := a.loadAccount(c)
	if err != nil {
		return err
	}
	ids, sel := selectedOrgs(c, "organisations")
	doorIDs, door := selectedOrgs(c, "door_organisations")
	err = models.SetUserRoles(a.dbc(c).DB, acc.ID, checked(c, "admin"), ids, doorIDs, &staff(c).ID, a.now())
	if fields := validationFields(err); fields != nil {
		return a.renderAccount(c, 422, userData{Account: *acc, Selected: sel, Door: door, Errors: fields})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/users/"+c.Params("id")+"?saved=1", fiber.StatusSeeOther)
}

// reissueInvite makes a new one-time link (for a lost invitation, or a
// forgotten password) and shows it once.
func (a *App) reissueInvite(c *fiber.Ctx) error {
	acc, err := a.loadAccount(c)
	if err != nil {
		return err
	}
	token, err := models.NewInviteLink(a.dbc(c).DB, acc.ID, &staff(c).ID, a.now())
	if err != nil {
		return err
	}
	return a.renderAccount(c, 201, userData{Account: *acc, Link: a.cfg.BaseURL + "/admin/invite/" + token})
}
