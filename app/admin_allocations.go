package app

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// The Reserved places tab of an event (/admin/events/{slug}/allocations):
// its allocations with how each community is doing, their private links to
// copy, mail or reissue, and forms to add, change, release or remove them. One POST
// route takes every action (the form's "action" and "id").

// allocationRow is one allocation on the page.
type allocationRow struct {
	models.AllocationTally
	Link string
	// Yours is true when the signed-in organiser belongs to the community's
	// organisation: a host sees at a glance how its own people are doing.
	Yours bool
	// Held is true while its places are kept for the community.
	Held bool
	// Form is its change form, as stored or as typed; Open shows it.
	Form allocationForm
	Open bool
}

// allocationForm is what was typed in an allocation's form.
type allocationForm struct {
	Label, Organisation, Places, ReleaseAt, ContactEmail string
	Errors                                               map[string]string
}

type allocationsData struct {
	Event     *models.Event
	Rows      []allocationRow
	New       allocationForm
	Orgs      []models.Organisation
	Confirmed int
	// PublicIn is the in-person places open to everyone (with a capacity).
	PublicIn int
	Notice   string
	Error    string
}

var allocationNotices = map[string]string{
	"added":    "The places are reserved. Copy the private link below, or email it to the community's contact.",
	"saved":    "The reserved places have been changed.",
	"released": "Released: the unused places are open to everyone now, and the waitlist has been moved up.",
	"removed":  "The reserved places have been removed and are open to everyone.",
	"mailed":   "The private link is on its way to the contact (see the outbox).",
	"reissued": "A new private link is ready: the old one no longer reserves places (whoever uses it now registers for the places open to everyone). Copy the new link below, or email it to the contact.",
}

func (a *App) allocationsPage(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	return a.renderAllocations(c, 200, ev, u, allocationNotices[c.Query("done")], "", 0, nil)
}

// renderAllocations shows the tab; failed is the allocation whose form is
// shown again with form (0: the new one's).
func (a *App) renderAllocations(c *fiber.Ctx, status int, ev *models.Event, u *models.User, notice, problem string, failed uint, form *allocationForm) error {
	fresh, err := models.EventByID(a.dbc(c).Read, ev.ID)
	if err != nil {
		return err
	}
	allocs, err := models.EventAllocations(a.dbc(c).Read, ev.ID)
	if err != nil {
		return err
	}
	regs, err := models.EventRegistrations(a.dbc(c).Read, ev.ID)
	if err != nil {
		return err
	}
	orgs, err := models.Organisations(a.dbc(c).Read)
	if err != nil {
		return err
	}
	d := allocationsData{Event: fresh, Orgs: orgs, Confirmed: fresh.Taken, Notice: notice, Error: problem,
		New: allocationForm{Places: "10", Errors: map[string]string{}}}
	if left := fresh.PlacesLeft(models.InPerson); left != nil {
		d.PublicIn = *left
	}
	for _, t := range models.TallyAllocations(allocs, regs) {
		al := t.Allocation
		row := allocationRow{AllocationTally: t, Link: a.links().Allocation(ev.Slug, a.tok.AllocationCode(&al)),
			Yours: al.OrganisationID != nil && u.OrganisesOrg(*al.OrganisationID) && !u.Admin, Held: al.Open(fresh, a.now())}
		row.Form = allocationForm{Label: al.Label, Places: strconv.Itoa(al.Places), ContactEmail: al.ContactEmail, Errors: map[string]string{}}
		if al.Organisation != nil {
			row.Form.Organisation = al.Organisation.Slug
		}
		if al.ReleaseAt != nil {
			row.Form.ReleaseAt = al.ReleaseAt.In(fresh.Location()).Format("2006-01-02T15:04")
		}
		if failed == al.ID && form != nil {
			row.Form, row.Open = *form, true
		}
		d.Rows = append(d.Rows, row)
	}
	if failed == 0 && form != nil {
		d.New = *form
	}
	return a.renderAdmin(c, status, "admin_allocations", "Reserved places: "+ev.Title, "events", d)
}

// allocationAction takes every form of the tab.
func (a *App) allocationAction(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	var id uint
	if s := c.FormValue("id"); s != "" {
		n, err := strconv.ParseUint(s, 10, 32)
		if err != nil || n == 0 {
			return models.ErrNotFound
		}
		id = uint(n)
	}
	done := ""
	switch c.FormValue("action") {
	case "save":
		f := allocationForm{Label: c.FormValue("label"), Organisation: c.FormValue("organisation"), Places: strings.TrimSpace(c.FormValue("places")),
			ReleaseAt: strings.TrimSpace(c.FormValue("release_at")), ContactEmail: c.FormValue("contact_email"), Errors: map[string]string{}}
		in := models.AllocationInput{Label: f.Label, Organisation: f.Organisation, ContactEmail: f.ContactEmail}
		if id != 0 {
			in.ID = &id
		}
		n, err := strconv.Atoi(f.Places)
		if err != nil {
			f.Errors["places"] = "Enter the number of places as a whole number, like 20"
		}
		in.Places = n
		if f.ReleaseAt != "" {
			t, err := time.ParseInLocation("2006-01-02T15:04", f.ReleaseAt, ev.Location())
			if err != nil {
				f.Errors["release_at"] = "Enter a date and time, like 2026-12-09 12:00"
			}
			in.ReleaseAt = &t
		}
		if len(f.Errors) == 0 {
			_, err = models.SaveAllocation(a.dbc(c).DB, ev.ID, in, &u.ID, a.now())
			a.events.touch(ev.ID)
			if err == nil {
				done = "saved"
				if id == 0 {
					done = "added"
				}
				break
			}
			fields := validationFields(err)
			if fields == nil {
				return err
			}
			for k, v := range fields {
				f.Errors[strings.TrimPrefix(k, "allocations.")] = v
			}
		}
		return a.renderAllocations(c, 422, ev, u, "", "Check the reserved places: "+firstMessage(f.Errors), id, &f)
	case "release":
		err = models.ReleaseAllocation(a.dbc(c).DB, ev.ID, id, &u.ID, a.now())
		done = "released"
	case "remove":
		err = models.RemoveAllocation(a.dbc(c).DB, ev.ID, id, &u.ID, a.now())
		done = "removed"
	case "mail":
		_, err = models.MailAllocationLink(a.dbc(c).DB, ev.ID, id, &u.ID, a.now())
		done = "mailed"
	case "reissue":
		_, err = models.ReissueAllocationCode(a.dbc(c).DB, ev.ID, id, &u.ID, a.now())
		done = "reissued"
	default:
		return fiber.NewError(fiber.StatusBadRequest, "Choose save, release, remove, mail or reissue.")
	}
	a.events.touch(ev.ID)
	var se *models.StateError
	switch {
	case errors.As(err, &se):
		return a.renderAllocations(c, 409, ev, u, "", se.Msg, 0, nil)
	case validationFields(err) != nil:
		return a.renderAllocations(c, 422, ev, u, "", firstMessage(validationFields(err)), 0, nil)
	case err != nil:
		return err
	}
	return c.Redirect("/admin/events/"+ev.Slug+"/allocations?done="+done, fiber.StatusSeeOther)
}

// firstMessage is one message of a form's errors, for the notice at the top.
func firstMessage(errs map[string]string) string {
	for _, k := range []string{"label", "places", "organisation", "release_at", "contact_email", "id"} {
		if m, ok := errs[k]; ok {
			return m
		}
	}
	for _, m := range errs {
		return m
	}
	return ""
}
