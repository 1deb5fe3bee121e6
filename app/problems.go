package app

import (
	"net/http"
	"sort"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// problemType is a kind of problem the app answers with. Its type URI
// (RFC 9457) is BaseURL/problems/{Name}, a page that explains it.
type problemType struct {
	Name   string
	Status int
	Title  string
	// Means says what happened and What what to do about it, for the page.
	Means, What string
}

// problemTypes are every problem type the app uses: problemOf gives no
// other, and TestProblemTypesResolve fetches each page.
var problemTypes = []problemType{
	{"validation-error", 422, "Some details need correcting",
		"The request was read, but some of its fields are wrong: a wrong type, a value out of range or not among the choices, a field this operation does not take, a null where a value is needed, or a rule of the event (such as its number of guests) that the values break.",
		"Each wrong field is named in errors, with a message saying what to change; nested fields are named with dots (venue.latitude, questions.0.label, answers.diet). Every problem is reported at once: correct them all and send the request again."},
	{"bad-request", 400, "The request could not be read",
		"The body is not valid JSON, or it is not one JSON object.",
		"Send one JSON object, encoded as UTF-8, as the whole body."},
	{"unauthorized", 401, "API token missing or not accepted",
		"This operation needs an organiser API token, and the request had none, or one that is unknown or no longer valid.",
		"Send the token as Authorization: Bearer <token>. Organisers create tokens in the workspace (API tokens) or with convene token create."},
	{"forbidden", 403, "Not allowed",
		"The token or account is known, but its role, or the token's scope (read, write or door), does not allow this operation.",
		"Ask an admin of the organisation for the role the operation needs, or make a token with a wider scope (the WWW-Authenticate header names the scope needed)."},
	{"not-found", 404, "Not found",
		"There is nothing at this address, or nothing the request may see: unknown and draft events, events outside the token's organisations, and unknown or cancelled links all look the same.",
		"Check the address. A registration's link is in its confirmation email."},
	{"method-not-allowed", 405, "Method not allowed",
		"The address exists, but not with this HTTP method.",
		"Use one of the methods listed in the Allow header of the answer."},
	{"capacity-below-confirmed", 409, "Capacity below confirmed places",
		"The new capacity is smaller than the places already confirmed, and confirmed places are never taken away.",
		"Choose a capacity at least the number of confirmed places named in the message, or cancel registrations first."},
	{"not-enough-places", 409, "Not enough places",
		"The party (the person and their guests) is bigger than the free places, and the registration asked not to join the waitlist (if_full \"reject\"). Nothing was stored. A switch between in person and online (PATCH with attendance) is refused in the same way when the other way has no room: the registration keeps its place.",
		"places_left says how many places are free: register again with fewer guests, or with if_full \"waitlist\" to wait for places for the whole party."},
	{"event-full", 409, "Event full",
		"Every place is taken and the event has no waitlist.",
		"Try another event or another way of attending, or ask the organisers."},
	{"registration-closed", 409, "Registration not open",
		"The event does not take registrations now: it was cancelled, registration has closed or has not opened yet, or the event is not open for registration.",
		"The message says which. The event's page shows when registration opens or closes."},
	{"duplicate", 409, "Already registered",
		"This email address already holds a registration for this event.",
		"The registration's link is in its confirmation email."},
	{"wrong-status", 409, "Not possible now",
		"The registration is not in a state that allows this: for example approving a request that was already declined, or confirming one that was cancelled.",
		"The message (and errors.status) says why. Load the registration again to see where it stands."},
	{"conflict", 409, "Changed by someone else",
		"The record changed after the request was prepared.",
		"Load it again, then repeat the change."},
	{"link-expired", 410, "Link expired",
		"The confirmation link is older than 24 hours. Nothing was changed.",
		"Register again to get a new link."},
	{"too-large", 413, "Request too large",
		"The body is larger than the server accepts (256 KiB).",
		"Send a smaller body."},
	{"unsupported-media-type", 415, "Send JSON",
		"The body is not declared as JSON.",
		"Send the body with Content-Type: application/json."},
	{"too-many-requests", 429, "Too many attempts",
		"Too many requests came from this address in a short time.",
		"Wait a minute and try again."},
	{"server-error", 500, "Something went wrong on our side",
		"The server could not answer the request. Nothing the request asked for was done unless its answer said so.",
		"Try again in a little while. If it keeps happening, tell the organisers."},
	{"unavailable", 503, "Too busy to answer in time",
		"The server could not finish the request within its time limit (REQUEST_TIMEOUT), usually because the database was busy. A change the request asked for was most likely not made.",
		"Wait a moment (the Retry-After header says how long), load the record to see where it stands, and send the request again if it is still needed."},
}

// problemTypeFor is the problem type of an HTTP status that no more precise
// type describes.
func problemTypeFor(status int) string {
	switch {
	case status >= 500:
		return "server-error"
	case status == fiber.StatusUnprocessableEntity:
		return "validation-error"
	}
	for _, t := range problemTypes {
		if t.Status == status {
			return t.Name
		}
	}
	return "bad-request"
}

// problemURL is the type URI of the problem type name.
func (a *App) problemURL(name string) string { return a.cfg.BaseURL + "/problems/" + name }

// newProblem is a problem of the type name with its title; the 404
// problem, whatever gave it, has one default detail.
func newProblem(name string, status int, detail string) Problem {
	p := Problem{Type: name, Status: status, Title: http.StatusText(status), Detail: detail}
	for _, t := range problemTypes {
		if t.Name == name {
			p.Title = t.Title
		}
	}
	if name == "not-found" && detail == "" {
		p.Detail = "There is nothing here. Check the address."
	}
	return p
}

// problemPage explains one problem type: the page its type URI names.
func (a *App) problemPage(c *fiber.Ctx) error {
	for _, t := range problemTypes {
		if t.Name == c.Params("name") {
			return a.render(c, 200, "problem", Page{Title: t.Title, Description: t.Means,
				Data: problemPageData{problemType: t, StatusText: http.StatusText(t.Status)}})
		}
	}
	return models.ErrNotFound
}

// problemsPage lists every problem type.
func (a *App) problemsPage(c *fiber.Ctx) error {
	types := append([]problemType(nil), problemTypes...)
	sort.SliceStable(types, func(i, j int) bool { return types[i].Status < types[j].Status })
	return a.render(c, 200, "problems", Page{Title: "API problems", Data: types})
}

type problemPageData struct {
	problemType
	StatusText string
}
