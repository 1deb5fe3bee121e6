package app

import (
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"convene/models"
)

// doorData is the phone-sized check-in page of an event.
type doorData struct {
	Event  *models.Event
	Query  string
	Regs   []models.Registration
	Counts models.DoorCounts
}

func (a *App) doorPage(c *fiber.Ctx) error {
	ev, _, err := a.staffEvent(c, models.ActCheckIn)
	if err != nil {
		return err
	}
	q := strings.TrimSpace(c.Query("q"))
	regs, err := models.DoorList(a.dbc(c).Read, ev, q)
	if err != nil {
		return err
	}
	counts, err := models.CountDoor(a.dbc(c).Read, ev)
	if err != nil {
		return err
	}
	return a.renderAdmin(c, 200, "admin_door", "Door: "+ev.Title, "door", doorData{Event: ev, Query: q, Regs: regs, Counts: counts})
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
		return c.JSON(fiber.Map{"id": r.ID, "checked_in": r.CheckedInAt != nil, "counts": counts})
	}
	back := "/admin/events/" + ev.Slug + "/door"
	if q := c.FormValue("q"); q != "" {
		back += "?q=" + url.QueryEscape(q)
	}
	return c.Redirect(back+"#reg-"+strconv.FormatUint(uint64(r.ID), 10), fiber.StatusSeeOther)
}

func (a *App) doorCheckIn(c *fiber.Ctx) error {
	return a.doorAction(c, models.CheckIn)
}

func (a *App) doorUndo(c *fiber.Ctx) error {
	return a.doorAction(c, models.UndoCheckIn)
}

// checkInFunc is models.CheckIn or models.UndoCheckIn.
type checkInFunc func(db *gorm.DB, eventID, regID uint, userID *uint, now time.Time) (*models.Registration, error)

func (a *App) doorAction(c *fiber.Ctx, act checkInFunc) error {
	ev, u, err := a.staffEvent(c, models.ActCheckIn)
	if err != nil {
		return err
	}
	r, err := a.eventRegistration(c, ev)
	if err != nil {
		return err
	}
	r, err = act(a.dbc(c).DB, ev.ID, r.ID, &u.ID, a.now())
	if err != nil {
		return err
	}
	return a.doorReply(c, ev, r)
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
	return a.codeAction(c, models.CheckIn, "in")
}

func (a *App) codeUndo(c *fiber.Ctx) error {
	return a.codeAction(c, models.UndoCheckIn, "undone")
}

func (a *App) codeAction(c *fiber.Ctx, act checkInFunc, done string) error {
	r, ev, u, err := a.codeRegistration(c)
	if err != nil {
		return err
	}
	if _, err := act(a.dbc(c).DB, ev.ID, r.ID, &u.ID, a.now()); err != nil {
		if fields := validationFields(err); fields != nil {
			return fiber.NewError(fiber.StatusConflict, fields["status"]+".")
		}
		return err
	}
	return c.Redirect(models.CheckInPath(c.Params("code"))+"?done="+done, fiber.StatusSeeOther)
}

// teamData lists an event's door volunteers.
type teamData struct {
	Event   *models.Event
	Team    []models.DoorAssignment
	Email   string
	Errors  map[string]string
	ErrList []fieldError
}

func (a *App) teamPage(c *fiber.Ctx) error {
	ev, _, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	return a.renderTeam(c, 200, ev, "", nil)
}

func (a *App) renderTeam(c *fiber.Ctx, status int, ev *models.Event, email string, errs map[string]string) error {
	team, err := models.DoorTeam(a.dbc(c).Read, ev.ID)
	if err != nil {
		return err
	}
	title := "Door team: " + ev.Title
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return a.renderAdmin(c, status, "admin_team", title, "events", teamData{Event: ev, Team: team, Email: email, Errors: errs, ErrList: formErrors(errs, nil)})
}

// assignDoor gives an existing account check-in rights at the event.
func (a *App) assignDoor(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	email := strings.TrimSpace(c.FormValue("email"))
	if email == "" {
		return a.renderTeam(c, 422, ev, email, map[string]string{"email": "Enter the email address of the volunteer's account"})
	}
	who, err := models.UserByEmail(a.dbc(c).DB, email)
	if errors.Is(err, models.ErrNotFound) {
		return a.renderTeam(c, 422, ev, email, map[string]string{"email": "No account has this email address: ask an admin to invite them as a door volunteer"})
	}
	if err != nil {
		return err
	}
	if err := models.AssignDoor(a.dbc(c).DB, ev.ID, who.ID, &u.ID, a.now()); err != nil {
		return err
	}
	return c.Redirect("/admin/events/"+ev.Slug+"/team", fiber.StatusSeeOther)
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
