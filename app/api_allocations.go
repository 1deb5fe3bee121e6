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
		al := &list[i]
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
		out[i] = j
	}
	return out, nil
}
