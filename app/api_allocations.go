package app

import (
	"fmt"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// AllocationJSON is an event's reserved places for a community, as its
// organisers see them (the public never does).
type AllocationJSON struct {
	ID           uint    `json:"id"`
	Label        string  `json:"label"`
	Organisation *string `json:"organisation"`
	Places       int     `json:"places"`
	Taken        int     `json:"taken"`
	ReleaseAt    *string `json:"release_at"`
	ReleasedAt   *string `json:"released_at"`
	ContactEmail string  `json:"contact_email"`
	Code         string  `json:"code"`
	URL          string  `json:"url"`
}

// allocationBody is one entry of an event body's "allocations".
type allocationBody struct {
	ID           *uint   `json:"id"`
	Label        string  `json:"label"`
	Organisation *string `json:"organisation"`
	Places       int     `json:"places"`
	ReleaseAt    *string `json:"release_at"`
	ContactEmail string  `json:"contact_email"`
}

// allocationInputs reads the body's allocations, naming bad times.
func allocationInputs(list []allocationBody, v *models.ValidationError) []models.AllocationInput {
	out := make([]models.AllocationInput, len(list))
	for i, b := range list {
		in := models.AllocationInput{ID: b.ID, Label: b.Label, Places: b.Places, ContactEmail: b.ContactEmail}
		if b.Organisation != nil {
			in.Organisation = *b.Organisation
		}
		if b.ReleaseAt != nil {
			t, err := time.Parse(time.RFC3339, strings.TrimSpace(*b.ReleaseAt))
			if err != nil {
				v.Add(fmt.Sprintf("allocations.%d.release_at", i), "Use an RFC 3339 time with offset, like 2026-12-10T12:00:00Z, or null to hold the places until registration closes")
			} else {
				in.ReleaseAt = &t
			}
		}
		out[i] = in
	}
	return out
}

// allocationsJSON lists an event's allocations with their private links.
func (a *App) allocationsJSON(c *fiber.Ctx, ev *models.Event) ([]AllocationJSON, error) {
	list, err := models.EventAllocations(a.dbc(c).Read, ev.ID)
	if err != nil {
		return nil, err
	}
	out := make([]AllocationJSON, len(list))
	for i := range list {
		out[i] = a.allocationJSON(ev, &list[i])
	}
	return out, nil
}

// allocationJSON is one allocation (its Organisation loaded) of ev.
func (a *App) allocationJSON(ev *models.Event, al *models.Allocation) AllocationJSON {
	j := AllocationJSON{ID: al.ID, Label: al.Label, Places: al.Places, Taken: al.Taken, ContactEmail: al.ContactEmail,
		Code: a.tok.AllocationCode(al), URL: a.links().Allocation(ev.Slug, a.tok.AllocationCode(al))}
	if al.Organisation != nil {
		j.Organisation = &al.Organisation.Slug
	}
	if al.ReleaseAt != nil {
		s := rfc3339(*al.ReleaseAt, ev.Timezone)
		j.ReleaseAt = &s
	}
	if al.ReleasedAt != nil {
		s := rfc3339(*al.ReleasedAt, ev.Timezone)
		j.ReleasedAt = &s
	}
	return j
}

// apiReissueAllocation gives an allocation a new private code
// (models.ReissueAllocationCode): the old link stops reserving places. The
// answer is the allocation with its new code and url.
func (a *App) apiReissueAllocation(c *fiber.Ctx) error {
	ev, u, id, err := a.organiserAction(c, models.ActManage)
	if err != nil {
		return err
	}
	al, err := models.ReissueAllocationCode(a.dbc(c).DB, ev.ID, id, &u.ID, a.now())
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(a.allocationJSON(ev, al))
}
