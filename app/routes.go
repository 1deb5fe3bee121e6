package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/recover"
)

// routes declares every route of the app in one place.
func (a *App) routes() {
	f := a.Fiber
	f.Use(recover.New())
	f.Use(a.requestLog)
	f.Use(a.requestContext)
	f.Use(securityHeaders(a.cfg.Production()))
	f.Use(compress)

	// Operations.
	f.Get("/healthz", a.healthz)
	f.Get("/readyz", a.readyz)
	f.Get("/metrics", a.metricsPage())

	// Static files by plain or content-hashed name (app/assets.go).
	f.Get("/public/*", a.static)
	// Event cover images by their random names (app/covers.go).
	f.Get("/media/covers/:name", a.coverImage)

	// JSON API.
	api := f.Group("/api/v1")
	api.Get("/openapi.json", a.apiOpenAPI)
	api.Get("/events", a.apiListEvents)
	api.Post("/events", a.requireToken(writeScopes), a.apiCreateEvent)
	api.Get("/events/:slug", a.optionalToken, a.apiGetEvent)
	api.Patch("/events/:slug", a.requireToken(writeScopes), a.apiUpdateEvent)
	api.Post("/events/:slug/registrations", a.countRefusals, a.rateLimit(), a.apiRegister)
	api.Get("/events/:slug/registrations", a.requireToken(readScopes), a.apiListRegistrations)
	api.Post("/events/:slug/registrations/:id/check-in", a.requireToken(checkInScopes), a.apiCheckIn)
	api.Delete("/events/:slug/registrations/:id/check-in", a.requireToken(checkInScopes), a.apiUndoCheckIn)
	api.Post("/events/:slug/registrations/:id/approve", a.requireToken(writeScopes), a.apiApprove)
	api.Post("/events/:slug/registrations/:id/decline", a.requireToken(writeScopes), a.apiDecline)
	api.Post("/events/:slug/allocations/:id/reissue", a.requireToken(writeScopes), a.apiReissueAllocation)
	api.Get("/organisations/:slug/calendar", a.requireToken(readScopes), a.apiGetCalendarSettings)
	api.Patch("/organisations/:slug/calendar", a.requireToken(writeScopes), a.apiUpdateCalendarSettings)
	api.Get("/registrations/:token", a.apiGetRegistration)
	api.Patch("/registrations/:token", a.rateLimit(), a.apiChangeRegistration)
	api.Delete("/registrations/:token", a.rateLimit(), a.apiCancelRegistration)
	api.Use(a.noRoute)

	// Calendar feeds: before the pages, whose /events/:slug would take
	// "x.ics" for a slug, and outside the web group, which sets a cookie.
	f.Get("/calendar.ics", a.allEventsFeed)
	f.Get("/calendar/:kind.ics", a.kindFeed)
	f.Get("/events/:slug.ics", a.eventFeed)
	f.Get("/organisations/:slug.ics", a.organisationFeed)
	f.Get("/series/:slug.ics", a.seriesFeed)
	f.Get("/me/:token.ics", a.privateFeed)
	f.Get("/calendar/observances/:token.ics", a.observanceFeed)

	// Pages for people: every form carries a CSRF token.
	web := f.Group("", a.csrf, a.cleanForm)
	web.Get("/", a.home)
	web.Get("/calendar", a.calendarPage)
	web.Get("/events/:slug", a.eventPage)
	web.Get("/events/:slug/poster", a.posterPage)
	web.Post("/events/:slug/register", a.countRefusals, a.rateLimit(), a.registerForm)
	web.Get("/events/:slug/lost-link", a.lostLinkPage)
	web.Post("/events/:slug/lost-link", a.rateLimit(), a.lostLink)
	web.Get("/r/:token", a.managePage)
	web.Get("/r/:token/confirm", a.rateLimit(), a.confirmLink)
	web.Post("/r/:token", a.rateLimit(), a.manageChange)
	web.Get("/r/:token/cancel", a.cancelConfirm)
	web.Post("/r/:token/cancel", a.rateLimit(), a.cancelRegistration)
	web.Post("/r/:token/attendance", a.rateLimit(), a.manageSwitch)
	web.Post("/r/:token/feed", a.rateLimit(), a.rotateFeed)
	web.Get("/r/:token/data.json", a.manageExport)
	web.Get("/r/:token/erase", a.eraseConfirm)
	web.Post("/r/:token/erase", a.rateLimit(), a.eraseRegistration)
	web.Get("/series", a.seriesIndexPage)
	web.Get("/series/:slug", a.seriesPage)
	web.Get("/organisations", a.organisationIndexPage)
	web.Get("/organisations/:slug", a.organisationPage)
	web.Get("/problems", a.problemsPage)
	web.Get("/problems/:name", a.problemPage)

	// Organiser workspace (app/admin_routes.go).
	a.outboxRoutes(a.adminRoutes(web))

	f.Use(a.noRoute)
	a.routeTable = f.GetRoutes(true)
}

// routed reports whether a route (not a middleware) takes this request's
// method and path. Middleware that refuses requests (CSRF, sign-in) asks it
// first, so that a request no route takes is answered 404 or 405 alike,
// whoever sends it. It walks every route: call it only on refusal paths.
func (a *App) routed(c *fiber.Ctx) bool {
	cfg := a.Fiber.Config()
	for _, r := range a.routeTable {
		if r.Method == c.Method() && fiber.RoutePatternMatch(c.Path(), r.Path, cfg) {
			return true
		}
	}
	return false
}

// noRoute answers a request that no route took: 405 with an Allow header
// listing the methods the path takes, 204 with it for OPTIONS, or 404 when
// no method has a route for the path.
func (a *App) noRoute(c *fiber.Ctx) error {
	cfg := a.Fiber.Config()
	allowed := map[string]bool{}
	for _, r := range a.routeTable {
		if !allowed[r.Method] && fiber.RoutePatternMatch(c.Path(), r.Path, cfg) {
			allowed[r.Method] = true
		}
	}
	if len(allowed) == 0 {
		return fiber.ErrNotFound
	}
	var methods []string
	for _, m := range fiber.DefaultMethods {
		if allowed[m] || m == fiber.MethodOptions {
			methods = append(methods, m)
		}
	}
	c.Set(fiber.HeaderAllow, strings.Join(methods, ", "))
	if c.Method() == fiber.MethodOptions {
		return c.SendStatus(fiber.StatusNoContent)
	}
	return fiber.ErrMethodNotAllowed
}
