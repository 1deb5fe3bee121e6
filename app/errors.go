package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

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
// an unexpected error stays in the log. Every Type is the name of one of
// problemTypes, whose title it carries.
func problemOf(err error) (Problem, bool) {
	var ve *models.ValidationError
	var ce *models.CapacityError
	var fe *fiber.Error
	var se *models.StateError
	var he *models.HostsError
	var pe *models.PlacesError
	var sf *switchFullError
	switch {
	case errors.As(err, &sf):
		return switchProblem(sf), true
	case errors.As(err, &pe):
		return placesProblem(pe), true
	case errors.As(err, &he):
		p := newProblem("validation-error", 422, "Check the fields named in errors.")
		p.Errors = map[string]string{"hosts": he.Error()}
		return p, true
	case errors.As(err, &ve):
		p := newProblem("validation-error", 422, "Check the fields named in errors.")
		p.Errors = ve.Fields
		return p, true
	case errors.As(err, &ce):
		field := "capacity"
		if ce.Attendance == models.Online {
			field = "online_capacity"
		}
		p := newProblem("capacity-below-confirmed", 409, ce.Error())
		p.Errors = map[string]string{field: ce.Error()}
		return p, true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		// The request ran out of time (REQUEST_TIMEOUT), waiting for the
		// database. Logged: it may say the database is overloaded.
		return newProblem("unavailable", 503, "The server is busy and could not answer in time. Try again in a moment."), false
	case errors.Is(err, models.ErrNotFound):
		return newProblem("not-found", 404, ""), true
	case errors.Is(err, models.ErrFull):
		return newProblem("event-full", 409, capitalise(err.Error())+" and has no waitlist."), true
	case errors.Is(err, models.ErrEventCancelled), errors.Is(err, models.ErrRegistrationClosed),
		errors.Is(err, models.ErrNotYetOpen), errors.Is(err, models.ErrEventNotOpen):
		return newProblem("registration-closed", 409, capitalise(err.Error())+"."), true
	case errors.As(err, &se):
		p := newProblem("wrong-status", 409, se.Msg+".")
		p.Errors = map[string]string{"status": se.Msg}
		return p, true
	case errors.Is(err, models.ErrLinkExpired):
		return newProblem("link-expired", 410, "This confirmation link has expired: links work for 24 hours. Nothing has changed. Register again to get a new one."), true
	case errors.Is(err, models.ErrDuplicate):
		return newProblem("duplicate", 409, "Check your email for your link."), true
	case errors.As(err, &fe):
		// Fiber's own messages ("Not Found", "Cannot GET /x") say nothing
		// more than the status; ours are sentences.
		detail := fe.Message
		if detail == http.StatusText(fe.Code) || strings.HasPrefix(detail, "Cannot ") {
			detail = ""
		}
		switch fe.Code {
		case fiber.StatusMethodNotAllowed:
			detail = "This address does not take this method: the Allow header lists those it takes."
		case fiber.StatusRequestEntityTooLarge:
			detail = "The request is too large."
		}
		return newProblem(problemTypeFor(fe.Code), fe.Code, detail), fe.Code < 500
	}
	return newProblem("server-error", 500, "Something went wrong on our side. Please try again."), false
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
			left, models.Plural(left, "place is", "places are"), pe.Party, left-1, models.Plural(left-1, "guest", "guests"))
	default:
		p.Detail = fmt.Sprintf("Only %d %s left for a party of %d: register with at most %d %s.",
			left, models.Plural(left, "place is", "places are"), pe.Party, left-1, models.Plural(left-1, "guest", "guests"))
	}
	if left > 0 {
		p.Errors = map[string]string{"guests": fmt.Sprintf("Only %d %s left: you can bring at most %d %s", left, models.Plural(left, "place is", "places are"), left-1, models.Plural(left-1, "guest", "guests"))}
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
	if p.Status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, "5")
	}
	if wantsJSON(c) {
		return a.problem(c, p)
	}
	if p.Status == fiber.StatusNotFound && errors.Is(err, models.ErrNotFound) && isPrivateLinkRoute(c) {
		return a.deadLink(c)
	}
	if p.Status == fiber.StatusMethodNotAllowed {
		p.Detail = "This page cannot take that request. Go back to the page you came from and try again."
		if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
			p.Detail = "This address only receives forms. Go back to the page you came from and send the form again."
		}
	}
	return a.render(c, p.Status, "error", Page{Title: p.Title, Data: p})
}

// problem writes p as application/problem+json.
func (a *App) problem(c *fiber.Ctx, p Problem) error {
	p.Type = a.problemURL(p.Type)
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

// capitalise makes a model error's message, which starts in lower case to
// wrap well, the start of a sentence.
func capitalise(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}
