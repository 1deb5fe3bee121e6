package app

import (
	"errors"
	"net/url"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// doorData is the phone-sized check-in page of an event.
type doorData struct {
	Event  *models.Event
	Query  string
	Regs   []models.Registration
	Counts models.DoorCounts
	Error  string
}

func (a *App) doorPage(c *fiber.Ctx) error {
	ev, _, err := a.staffEvent(c, models.ActCheckIn)
	if err != nil {
		return err
	}
	return a.renderDoor(c, 200, ev, c.Query("q"), "")
}

func (a *App) renderDoor(c *fiber.Ctx, status int, ev *models.Event, q, problem string) error {
	q = strings.TrimSpace(q)
	regs, err := models.DoorList(a.dbc(c).Read, ev, q)
	if err != nil {
		return err
	}
	counts, err := models.CountDoor(a.dbc(c).Read, ev)
	if err != nil {
		return err
	}
	title := "Door: " + ev.Title
	if problem != "" {
		title = "Error: " + title
	}
	return a.renderAdmin(c, status, "admin_door", title, "door", doorData{Event: ev, Query: q, Regs: regs, Counts: counts, Error: problem})
}

// doorCounts answers the door page's script with the live counts.
func (a *App) doorCounts(c *fiber.Ctx) error {
	ev, _, err := a.staffEvent(c, models.ActCheckIn)
	if err != nil {
		return err
	}
	counts, err := models.CountDoor(a.dbc(c).Read, ev)
	if err != nil {
		return err
	}
	return c.JSON(counts)
}

// doorReply answers a check-in or undo from the door page: JSON for its
// script, otherwise back to the list where the person was.
func (a *App) doorReply(c *fiber.Ctx, ev *models.Event, r *models.Registration) error {
	if wantsJSONReply(c) {
		counts, err := models.CountDoor(a.dbc(c).DB, ev)
		if err != nil {
			return err
		}
		return c.JSON(fiber.Map{"id": r.ID, "checked_in": r.CheckedInAt != nil, "arrived": r.Arrived(), "places": r.Places(), "counts": counts})
	}
	back := "/admin/events/" + ev.Slug + "/door"
	if q := c.FormValue("q"); q != "" {
		back += "?q=" + url.QueryEscape(q)
	}
	return c.Redirect(back+"#reg-"+strconv.FormatUint(uint64(r.ID), 10), fiber.StatusSeeOther)
}

// arrivedValue reads the door form's "how many are here": empty is the
// whole party (0 for models.CheckIn); anything but a whole number is not ok.
func arrivedValue(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 1
}

// doorCheckIn checks in the whole party, or as many of it as the form's
// "arrived" says.
func (a *App) doorCheckIn(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActCheckIn)
	if err != nil {
		return err
	}
	r, err := a.eventRegistration(c, ev)
	if err != nil {
		return err
	}
	people, ok := arrivedValue(c.FormValue("arrived"))
	if !ok {
		return a.renderDoor(c, 422, ev, c.FormValue("q"), "Choose how many of "+r.Name+"'s party have arrived, from 1 to "+strconv.Itoa(r.Places())+".")
	}
	done, err := models.CheckIn(a.dbc(c).DB, ev.ID, r.ID, people, &u.ID, a.now())
	if fields := validationFields(err); fields != nil {
		return a.renderDoor(c, 422, ev, c.FormValue("q"), r.Name+": "+firstOf(fields, "arrived", "status")+".")
	}
	if err != nil {
		return err
	}
	return a.doorReply(c, ev, done)
}

func (a *App) doorUndo(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActCheckIn)
	if err != nil {
		return err
	}
	r, err := a.eventRegistration(c, ev)
	if err != nil {
		return err
	}
	if r, err = models.UndoCheckIn(a.dbc(c).DB, ev.ID, r.ID, &u.ID, a.now()); err != nil {
		return err
	}
	return a.doorReply(c, ev, r)
}

// firstOf is the message of the first of keys that fields has.
func firstOf(fields map[string]string, keys ...string) string {
	for _, k := range keys {
		if m, ok := fields[k]; ok {
			return m
		}
	}
	return ""
}

// codeData is the check-in page a registration's QR code opens.
type codeData struct {
	Event *models.Event
	Reg   *models.Registration
	Code  string
	Done  string
}

// codeRegistration resolves a check-in code for the signed-in user; a code
// for an event outside the user's scope is not found.
func (a *App) codeRegistration(c *fiber.Ctx) (*models.Registration, *models.Event, *models.User, error) {
	r, err := models.RegistrationByCheckInCode(a.dbc(c).DB, a.tok, c.Params("code"))
	if err != nil {
		return nil, nil, nil, err
	}
	ev, err := models.EventByID(a.dbc(c).DB, r.EventID)
	if err != nil {
		return nil, nil, nil, err
	}
	u := staff(c)
	if err := models.Authorize(a.dbc(c).DB, u, ev, models.ActCheckIn); err != nil {
		if errors.Is(err, models.ErrForbidden) {
			return nil, nil, nil, models.ErrNotFound
		}
		return nil, nil, nil, err
	}
	return r, ev, u, nil
}

func (a *App) codePage(c *fiber.Ctx) error {
	r, ev, _, err := a.codeRegistration(c)
	if err != nil {
		return err
	}
	return a.renderAdmin(c, 200, "admin_checkin", "Check in: "+r.Name, "door", codeData{Event: ev, Reg: r, Code: c.Params("code"), Done: c.Query("done")})
}

func (a *App) codeCheckIn(c *fiber.Ctx) error {
	r, ev, u, err := a.codeRegistration(c)
	if err != nil {
		return err
	}
	people, ok := arrivedValue(c.FormValue("arrived"))
	if !ok {
		return fiber.NewError(fiber.StatusUnprocessableEntity, "Choose how many of the party have arrived, from 1 to "+strconv.Itoa(r.Places())+".")
	}
	if _, err := models.CheckIn(a.dbc(c).DB, ev.ID, r.ID, people, &u.ID, a.now()); err != nil {
		if fields := validationFields(err); fields != nil {
			status := fiber.StatusConflict // not confirmed: nothing to check in
			if _, bad := fields["arrived"]; bad {
				status = fiber.StatusUnprocessableEntity
			}
			return fiber.NewError(status, firstOf(fields, "arrived", "status")+".")
		}
		return err
	}
	return c.Redirect(models.CheckInPath(c.Params("code"))+"?done=in", fiber.StatusSeeOther)
}

func (a *App) codeUndo(c *fiber.Ctx) error {
	r, ev, u, err := a.codeRegistration(c)
	if err != nil {
		return err
	}
	if _, err := models.UndoCheckIn(a.dbc(c).DB, ev.ID, r.ID, &u.ID, a.now()); err != nil {
		return err
	}
	return c.Redirect(models.CheckInPath(c.Params("code"))+"?done=undone", fiber.StatusSeeOther)
}

// teamData lists an event's door volunteers, with the form to add one and,
// once, the link of a volunteer just invited.
type teamData struct {
	Event   *models.Event
	Team    []models.DoorAssignment
	Email   string
	Name    string
	Invited string
	Link    string
	Added   string
	Errors  map[string]string
	ErrList []fieldError
}

func (a *App) teamPage(c *fiber.Ctx) error {
	ev, _, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	return a.renderTeam(c, 200, ev, teamData{Added: c.Query("added")})
}

func (a *App) renderTeam(c *fiber.Ctx, status int, ev *models.Event, d teamData) error {
	team, err := models.DoorTeam(a.dbc(c).Read, ev.ID)
	if err != nil {
		return err
	}
	title := "Door team: " + ev.Title
	if len(d.Errors) > 0 {
		title = "Error: " + title
	}
	d.Event, d.Team, d.ErrList = ev, team, formErrors(d.Errors, []string{"email", "name"})
	return a.renderAdmin(c, status, "admin_team", title, "events", d)
}

// assignDoor gives an account check-in rights at the event; an address
// without an account is invited as a door volunteer of the event's hosts
// (models.InviteDoorVolunteer), and its one-time link shown once.
func (a *App) assignDoor(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	d := teamData{Email: strings.TrimSpace(c.FormValue("email")), Name: c.FormValue("name")}
	if d.Email == "" {
		d.Errors = map[string]string{"email": "Enter the email address of the volunteer"}
		return a.renderTeam(c, 422, ev, d)
	}
	who, err := models.UserByEmail(a.dbc(c).DB, d.Email)
	if errors.Is(err, models.ErrNotFound) {
		invited, token, err := models.InviteDoorVolunteer(a.dbc(c).DB, u, ev, d.Email, d.Name, a.now())
		if d.Errors = validationFields(err); d.Errors != nil {
			return a.renderTeam(c, 422, ev, d)
		}
		if err != nil {
			return err
		}
		return a.renderTeam(c, 201, ev, teamData{Invited: invited.Email, Link: a.cfg.BaseURL + "/admin/invite/" + token})
	}
	if err != nil {
		return err
	}
	if err := models.AssignDoor(a.dbc(c).DB, ev.ID, who.ID, &u.ID, a.now()); err != nil {
		return err
	}
	return c.Redirect("/admin/events/"+ev.Slug+"/team?added="+url.QueryEscape(who.Email), fiber.StatusSeeOther)
}

func (a *App) unassignDoor(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	id, err := strconv.ParseUint(c.Params("user"), 10, 32)
	if err != nil {
		return models.ErrNotFound
	}
	if err := models.UnassignDoor(a.dbc(c).DB, ev.ID, uint(id), &u.ID, a.now()); err != nil {
		return err
	}
	return c.Redirect("/admin/events/"+ev.Slug+"/team", fiber.StatusSeeOther)
}
