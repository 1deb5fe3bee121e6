package app

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type   string            `json:"type"`
	Title  string            `json:"title"`
	Status int               `json:"status"`
	Detail string            `json:"detail,omitempty"`
	Errors map[string]string `json:"errors,omitempty"`
	// PlacesLeft is set when a party did not fit (409): the free places.
	PlacesLeft *int `json:"places_left,omitempty"`
}

// problemOf turns any error into a problem a person may read; the cause of
// an unexpected error stays in the log.
func problemOf(err error) (Problem, bool) {
	var ve *models.ValidationError
	var ce *models.CapacityError
	var fe *fiber.Error
	var se *models.StateError
	var he *models.HostsError
	var pe *models.PlacesError
	switch {
	case errors.As(err, &pe):
		return placesProblem(pe), true
	case errors.As(err, &he):
		return Problem{Type: "validation-error", Status: 422, Title: "Some details need correcting",
			Detail: "Check the fields named in errors.", Errors: map[string]string{"hosts": he.Error()}}, true
	case errors.As(err, &ve):
		return Problem{Type: "validation-error", Status: 422, Title: "Some details need correcting",
			Detail: "Check the fields named in errors.", Errors: ve.Fields}, true
	case errors.As(err, &ce):
		field := "capacity"
		if ce.Attendance == models.Online {
			field = "online_capacity"
		}
		return Problem{Type: "capacity-below-confirmed", Status: 409, Title: "Capacity below confirmed places",
			Detail: ce.Error(), Errors: map[string]string{field: ce.Error()}}, true
	case errors.Is(err, models.ErrNotFound):
		return Problem{Type: "not-found", Status: 404, Title: "Not found", Detail: "There is nothing here. Check the address."}, true
	case errors.Is(err, models.ErrFull):
		return Problem{Type: "event-full", Status: 409, Title: "Event full", Detail: err.Error() + " and has no waitlist."}, true
	case errors.Is(err, models.ErrEventCancelled), errors.Is(err, models.ErrRegistrationClosed),
		errors.Is(err, models.ErrNotYetOpen), errors.Is(err, models.ErrEventNotOpen):
		return Problem{Type: "registration-closed", Status: 409, Title: "Registration not open", Detail: err.Error() + "."}, true
	case errors.As(err, &se):
		return Problem{Type: "wrong-status", Status: 409, Title: "Not possible now", Detail: se.Msg + ".",
			Errors: map[string]string{"status": se.Msg}}, true
	case errors.Is(err, models.ErrLinkExpired):
		return Problem{Type: "link-expired", Status: 410, Title: "Link expired",
			Detail: "This confirmation link has expired: links work for 24 hours. Nothing has changed. Register again to get a new one."}, true
	case errors.Is(err, models.ErrDuplicate):
		return Problem{Type: "duplicate", Status: 409, Title: "Already registered", Detail: "Check your email for your link."}, true
	case errors.As(err, &fe):
		p := Problem{Type: "about:blank", Status: fe.Code, Title: http.StatusText(fe.Code), Detail: fe.Message}
		if fe.Code == fiber.StatusRequestEntityTooLarge {
			p.Detail = "The request is too large."
		}
		if p.Title == "" {
			p.Title = "Error"
		}
		return p, fe.Code < 500
	}
	return Problem{Type: "about:blank", Status: 500, Title: "Internal Server Error", Detail: "Something went wrong on our side. Please try again."}, false
}

// placesProblem answers a party that does not fit the free places.
func placesProblem(pe *models.PlacesError) Problem {
	left := pe.PlacesLeft
	p := Problem{Type: "not-enough-places", Status: 409, Title: "Not enough places", PlacesLeft: &left}
	switch {
	case left == 0 && !pe.Waitlist:
		p.Type, p.Title, p.Detail = "event-full", "Event full", "This event is full and has no waitlist."
	case left == 0:
		p.Detail = "This event is full. Register with \"if_full\": \"waitlist\" to join the waitlist."
	case pe.Waitlist:
		p.Detail = fmt.Sprintf("Only %d %s left for a party of %d: register with at most %d %s, or with \"if_full\": \"waitlist\" to join the waitlist with the whole party.",
			left, plural(left, "place is", "places are"), pe.Party, left-1, plural(left-1, "guest", "guests"))
	default:
		p.Detail = fmt.Sprintf("Only %d %s left for a party of %d: register with at most %d %s.",
			left, plural(left, "place is", "places are"), pe.Party, left-1, plural(left-1, "guest", "guests"))
	}
	if left > 0 {
		p.Errors = map[string]string{"guests": fmt.Sprintf("Only %d %s left: you can bring at most %d %s", left, plural(left, "place is", "places are"), left-1, plural(left-1, "guest", "guests"))}
	}
	return p
}

func wantsJSON(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Path(), "/api/")
}

// handleError is Fiber's error handler: problem+json for the API, an error
// page for people.
func (a *App) handleError(c *fiber.Ctx, err error) error {
	p, expected := problemOf(err)
	if !expected {
		a.log.Error("request failed", "method", c.Method(), "route", routeOf(c), "err", err)
	}
	if wantsJSON(c) {
		return a.problem(c, p)
	}
	return a.render(c, p.Status, "error", Page{Title: p.Title, Data: p})
}

// problem writes p as application/problem+json.
func (a *App) problem(c *fiber.Ctx, p Problem) error {
	if !strings.Contains(p.Type, ":") {
		p.Type = a.cfg.BaseURL + "/api/v1/problems/" + p.Type
	}
	if p.Title == "" {
		p.Title = http.StatusText(p.Status)
	}
	c.Status(p.Status)
	if err := c.JSON(p); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return nil
}

func routeOf(c *fiber.Ctx) string {
	if r := c.Route(); r != nil && r.Path != "" {
		return r.Path
	}
	return "-"
}
