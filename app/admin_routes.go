package app

import (
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// adminRoutes declares the organiser workspace under /admin on web (which
// already carries the CSRF check). Pages for any signed-in account come
// first, then those for organisers, then those for admins only: the role
// checks are group middleware, so each applies to the routes declared after
// it. It returns the admins-only group, on which further admin pages (such
// as the outbox) are mounted.
func (a *App) adminRoutes(web fiber.Router) fiber.Router {
	adm := web.Group("/admin", noStore)

	// Signing in: no session needed.
	adm.Get("/login", a.loginPage)
	adm.Post("/login", a.rateLimit(), a.login)
	adm.Get("/invite/:token", a.invitePage)
	adm.Post("/invite/:token", a.rateLimit(), a.acceptInvite)

	// Any signed-in account, door volunteers included. Event pages check
	// the account's scope for that event with models.Authorize.
	staff := adm.Group("", a.requireSession(accessStaff))
	staff.Get("", a.dashboard)
	staff.Post("/logout", a.logout)
	staff.Get("/account", a.accountPage)
	staff.Get("/account/password", a.passwordPage)
	staff.Post("/account/password", a.changePassword)
	staff.Get("/tokens", a.tokensPage)
	staff.Post("/tokens", a.createToken)
	staff.Post("/tokens/:id/revoke", a.revokeToken)
	staff.Get("/events/:slug/door", a.doorPage)
	staff.Get("/events/:slug/door/counts", a.doorCounts)
	staff.Post("/events/:slug/door/:id/check-in", a.doorCheckIn)
	staff.Post("/events/:slug/door/:id/undo", a.doorUndo)
	staff.Get("/check-in/:code", a.codePage)
	staff.Post("/check-in/:code", a.codeCheckIn)
	staff.Post("/check-in/:code/undo", a.codeUndo)

	// Organisers (and admins): events of their organisations.
	org := adm.Group("", a.requireSession(accessOrganiser))
	org.Get("/events", a.eventsPage)
	org.Get("/events/new", a.newEventPage)
	org.Post("/events", a.createEvent)
	org.Get("/events/:slug/edit", a.editEventPage)
	org.Post("/events/:slug/edit", a.updateEvent)
	org.Get("/events/:slug/preview", a.previewEvent)
	org.Post("/events/:slug/status", a.changeEventStatus)
	org.Get("/events/:slug/cancel", a.cancelEventPage)
	org.Post("/events/:slug/cancel", a.cancelEvent)
	org.Get("/events/:slug/duplicate", a.duplicatePage)
	org.Post("/events/:slug/duplicate", a.duplicateEvent)
	org.Get("/events/:slug/attendees", a.attendeesPage)
	org.Get("/events/:slug/attendees/new", a.newAttendeePage)
	org.Post("/events/:slug/attendees", a.addAttendee)
	org.Post("/events/:slug/registrations/:id/promote", a.promoteAttendee)
	org.Get("/events/:slug/registrations/:id/cancel", a.cancelAttendeePage)
	org.Post("/events/:slug/registrations/:id/cancel", a.cancelAttendee)
	org.Post("/events/:slug/registrations/:id/undo-cancel", a.undoCancelAttendee)
	org.Get("/events/:slug/requests", a.requestsPage)
	org.Get("/events/:slug/allocations", a.allocationsPage)
	org.Post("/events/:slug/allocations", a.allocationAction)
	org.Post("/events/:slug/registrations/:id/approve", a.approveRequest)
	org.Post("/events/:slug/registrations/:id/decline", a.declineRequest)
	org.Get("/events/:slug/registrations.csv", a.exportAttendees)
	org.Get("/events/:slug/message", a.messagePage)
	org.Post("/events/:slug/message", a.sendMessage)
	org.Get("/events/:slug/team", a.teamPage)
	org.Post("/events/:slug/team", a.assignDoor)
	org.Post("/events/:slug/team/:user/remove", a.unassignDoor)
	org.Get("/events/:slug/share", a.sharePage)
	org.Post("/events/:slug/cover", a.saveCover)
	org.Post("/events/:slug/cover/remove", a.removeCover)
	org.Get("/calendar", a.calendarMonthPage)
	org.Post("/calendar/feed", a.createCalendarFeed)
	org.Get("/organisations/:slug/calendar", a.calendarSettingsPage)
	org.Post("/organisations/:slug/calendar", a.updateCalendarSettings)
	org.Get("/organisations", a.organisationsPage)
	org.Get("/organisations/:slug/edit", a.editOrganisationPage)
	org.Post("/organisations/:slug/edit", a.updateOrganisation)

	// Admins only.
	admins := adm.Group("", a.requireSession(accessAdmin))
	admins.Get("/organisations/new", a.newOrganisationPage)
	admins.Post("/organisations", a.createOrganisation)
	admins.Get("/series", a.seriesListPage)
	admins.Get("/series/new", a.newSeriesPage)
	admins.Post("/series", a.createSeries)
	admins.Get("/series/:slug/edit", a.editSeriesPage)
	admins.Post("/series/:slug/edit", a.updateSeries)
	admins.Get("/users", a.usersPage)
	admins.Get("/users/new", a.inviteUserPage)
	admins.Post("/users", a.inviteUser)
	admins.Get("/users/:id", a.userPage)
	admins.Post("/users/:id", a.updateUserRoles)
	admins.Post("/users/:id/invite-link", a.reissueInvite)
	admins.Get("/audit", a.auditPage)
	admins.Get("/privacy", a.privacyPage)
	admins.Post("/privacy", a.privacyFind)
	admins.Post("/privacy/export", a.privacyExport)
	admins.Post("/privacy/erase", a.privacyErase)
	return admins
}

// noStore keeps organiser pages (attendee lists, one-time links) out of
// shared and browser caches.
func noStore(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Robots-Tag", "noindex")
	return c.Next()
}

// access is the least role a group of admin pages needs.
type access int

const (
	accessStaff     access = iota // any signed-in account
	accessOrganiser               // admins and organisers
	accessAdmin                   // admins
)

func (a *App) sessionCookieName() string {
	if a.cfg.Production() {
		return "__Host-convene_session"
	}
	return "convene_session"
}

// requireSession admits requests with a live session of an account that has
// at least the role need, putting its *models.User in c.Locals("user") (as
// requireToken does for the API). Without a session, people are sent to
// sign in and brought back afterwards.
func (a *App) requireSession(need access) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u, ok := c.Locals(userLocal).(*models.User)
		if !ok {
			var err error
			u, err = models.UserBySession(a.dbc(c).DB, c.Cookies(a.sessionCookieName()), a.now())
			if errors.Is(err, models.ErrNotFound) {
				if !a.routed(c) {
					return a.noRoute(c)
				}
				next := c.OriginalURL()
				if c.Method() != fiber.MethodGet {
					next = "/admin"
				}
				return c.Redirect("/admin/login?next="+url.QueryEscape(next), fiber.StatusSeeOther)
			}
			if err != nil {
				return err
			}
			c.Locals(userLocal, u)
		}
		var refusal string
		switch {
		case need == accessAdmin && !u.Admin:
			refusal = "Only admins can use this page."
		case need == accessOrganiser && !u.IsOrganiser():
			refusal = "Only organisers can use this page. Your account is for checking people in at the door."
		}
		if refusal == "" {
			return c.Next()
		}
		if !a.routed(c) {
			return a.noRoute(c)
		}
		return fiber.NewError(fiber.StatusForbidden, refusal)
	}
}

func (a *App) setSessionCookie(c *fiber.Ctx, token string) {
	c.Cookie(&fiber.Cookie{Name: a.sessionCookieName(), Value: token, Path: "/", HTTPOnly: true, Secure: a.cfg.Production(),
		SameSite: fiber.CookieSameSiteLaxMode, Expires: a.now().Add(models.SessionMaxAge)})
}

func (a *App) clearSessionCookie(c *fiber.Ctx) {
	c.Cookie(&fiber.Cookie{Name: a.sessionCookieName(), Value: "", Path: "/", HTTPOnly: true, Secure: a.cfg.Production(),
		SameSite: fiber.CookieSameSiteLaxMode, Expires: time.Unix(0, 0), MaxAge: -1})
}

// staff is the signed-in user of an admin page.
func staff(c *fiber.Ctx) *models.User {
	u, _ := c.Locals(userLocal).(*models.User)
	return u
}

// staffEvent loads the event of the route and checks that the user may act
// on it. An event the user has nothing to do with is not found, so guessing
// addresses reveals nothing; a door volunteer asking to manage their event
// is refused.
func (a *App) staffEvent(c *fiber.Ctx, act models.Action) (*models.Event, *models.User, error) {
	u := staff(c)
	ev, err := models.FindEvent(a.dbc(c).DB, c.Params("slug"))
	if err != nil {
		return nil, nil, err
	}
	if err := models.Authorize(a.dbc(c).DB, u, ev, act); err != nil {
		if !errors.Is(err, models.ErrForbidden) {
			return nil, nil, err
		}
		if act == models.ActManage && models.Authorize(a.dbc(c).DB, u, ev, models.ActCheckIn) == nil {
			return nil, nil, fiber.NewError(fiber.StatusForbidden, "Your account can check people in at this event, but not manage it.")
		}
		return nil, nil, models.ErrNotFound
	}
	return ev, u, nil
}

// eventRegistration loads the registration :id of ev; one of another
// event is not found.
func (a *App) eventRegistration(c *fiber.Ctx, ev *models.Event) (*models.Registration, error) {
	id, err := strconv.ParseUint(c.Params("id"), 10, 32)
	if err != nil {
		return nil, models.ErrNotFound
	}
	return models.EventRegistration(a.dbc(c).DB, ev.ID, uint(id))
}

// adminView wraps an admin page's data with the navigation's needs.
type adminView struct {
	User    *models.User
	Section string // the navigation entry to mark
	Page    string // the template, to mark an event's tab
	CSRF    string
	D       any
}

// renderAdmin renders an admin page: title, the navigation section to mark,
// and the page's own data (reached as .Data.D in templates).
func (a *App) renderAdmin(c *fiber.Ctx, status int, name, title, section string, d any) error {
	csrf, _ := c.Locals(csrfLocal).(string)
	return a.render(c, status, name, Page{Title: title, Nav: "admin", Data: adminView{User: staff(c), Section: section, Page: name, CSRF: csrf, D: d}})
}

// wantsJSONReply reports whether a script asked for JSON (the door page's
// progressive enhancement); forms without scripts get pages.
func wantsJSONReply(c *fiber.Ctx) bool {
	return strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMEApplicationJSON)
}

// localPath accepts a redirect target only when it stays on this site.
func localPath(p string) string {
	// Browsers drop tabs and line breaks and read "\" as "/", so "/\t/evil"
	// would leave the site: refuse any control character or backslash, and
	// anything that parses with a scheme or host.
	u, err := url.Parse(p)
	if err != nil || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsRune(p, '\\') ||
		u.Scheme != "" || u.Host != "" || !models.CleanText(p) || strings.ContainsAny(p, "\t\r\n") {
		return "/admin"
	}
	return p
}

// formErrors turns field errors into the error summary's ordered list,
// following order, then any others.
func formErrors(errs map[string]string, order []string) []fieldError {
	var out []fieldError
	seen := map[string]bool{}
	for _, f := range order {
		if m, ok := errs[f]; ok {
			out = append(out, fieldError{f, m})
			seen[f] = true
		}
	}
	for _, f := range sortedKeys(errs) {
		if !seen[f] {
			out = append(out, fieldError{f, errs[f]})
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// validationFields returns the field messages of a validation error, or nil.
func validationFields(err error) map[string]string {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}
