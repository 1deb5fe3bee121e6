package app

import (
	"errors"
	"fmt"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// Reserved places (allocations) on the public side: a private link
// /events/{slug}?code=… shows the community's free places and carries the
// code in the form; the API takes "code". A wrong or released code never
// refuses anything: the person registers in the public pool and is told why.

// allocationByCode resolves an allocation code of ev: the allocation when
// its places are held, or a notice for the person (wrong or released code).
func (a *App) allocationByCode(c *fiber.Ctx, ev *models.Event, code string) (*models.Allocation, string, error) {
	al, err := models.AllocationByCode(a.dbc(c).Read, a.tok, ev, code, a.now())
	switch {
	case err == nil:
		return al, "", nil
	case errors.Is(err, models.ErrCodeUnknown):
		return nil, "The link you followed does not hold reserved places for this event: you can still register for the places open to everyone.", nil
	case errors.Is(err, models.ErrCodeReleased):
		return nil, fmt.Sprintf("The places reserved for %s have been released to everyone: you can register for the places open to everyone.", al.Label), nil
	}
	return nil, "", err
}

// reservedView is what the event page says about a code the person came
// through.
type reservedView struct {
	Code   string
	Label  string
	Free   int
	Notice string
}

// withCode applies a code to the event page: the in-person places shown
// are the public ones plus the allocation's free ones.
func (a *App) withCode(c *fiber.Ctx, v *EventView, ev *models.Event, code string) (*reservedView, error) {
	if code == "" {
		return nil, nil
	}
	al, notice, err := a.allocationByCode(c, ev, code)
	if err != nil {
		return nil, err
	}
	rv := &reservedView{Code: code, Notice: notice}
	if al != nil && ev.InPerson {
		rv.Label, rv.Free = al.Label, al.Free()
		if left := ev.PlacesLeft(models.InPerson); left != nil {
			n := *left + rv.Free
			v.InPerson = availability(ev, models.InPerson, &n, v.Waitlist)
		}
	}
	return rv, nil
}
