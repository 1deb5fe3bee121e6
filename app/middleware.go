package app

import (
	"context"
	"crypto/subtle"
	"log/slog"
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/limiter"

	"convene/models"
)

// securityHeaders sets a strict policy: our own assets only, no framing.
func securityHeaders(production bool) fiber.Handler {
	csp := contentSecurityPolicy() // built once, not per request
	return func(c *fiber.Ctx) error {
		h := &c.Response().Header
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// Manage links carry a token in the path: never send it to other sites.
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		if production {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		return c.Next()
	}
}

// requestLog logs one line per request with the route pattern, never the
// path itself (it may hold a private token) nor any personal data.
func (a *App) requestLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		if p, _ := problemOf(err); p.Status > 0 {
			status = p.Status
		}
	}
	took := time.Since(start)
	route := routeOf(c)
	a.metrics.request(c.Method(), route, status, took)
	if a.log.Enabled(c.UserContext(), slog.LevelDebug) { // spare building the line when nobody reads it
		a.log.Debug("request", "method", c.Method(), "route", route, "status", status, "ms", float64(took.Microseconds())/1000)
	}
	return err
}

// dbLocal holds the request's database handle (see dbc), wrapped:
// fasthttp closes every local that has a Close method when the request
// ends, and models.DB's would close the pools.
const dbLocal = "db"

type requestDB struct{ db *models.DB }

// requestContext gives the request a context that ends at its deadline
// (REQUEST_TIMEOUT); dbc gives it a database handle that runs on it: a
// query still waiting at the deadline is cancelled, and the request answers
// 503.
func (a *App) requestContext(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), a.cfg.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// dbc is the database as the request c sees it: every statement runs on
// the request's context, so its deadline and cancellation reach the
// database. Handlers use it for every models call. The handle is made on
// first use and kept for the request (requests that never ask, like a
// registration, which goes through the registrar, spare making it).
func (a *App) dbc(c *fiber.Ctx) *models.DB {
	if r, ok := c.Locals(dbLocal).(requestDB); ok {
		return r.db
	}
	db := a.db.WithContext(c.UserContext())
	c.Locals(dbLocal, requestDB{db})
	return db
}

const (
	csrfLocal  = "csrf"
	csrfField  = "_csrf"
	csrfHeader = "X-CSRF-Token"
)

func (a *App) csrfCookieName() string {
	if a.cfg.Production() {
		return "__Host-convene_csrf"
	}
	return "convene_csrf"
}

// csrf protects every form with a double-submit token: a random value in an
// HttpOnly SameSite cookie that each form repeats in a hidden field. The JSON
// API is exempt: it uses no cookies (bearer tokens, or nothing for public
// registration), so a cross-site page cannot act with someone's session.
func (a *App) csrf(c *fiber.Ctx) error {
	name := a.csrfCookieName()
	token := c.Cookies(name)
	if len(token) != 43 {
		token = models.RandomString(32)
		c.Cookie(&fiber.Cookie{Name: name, Value: token, Path: "/", HTTPOnly: true, Secure: a.cfg.Production(), SameSite: fiber.CookieSameSiteLaxMode})
		c.Locals("csrf_new", true)
	}
	c.Locals(csrfLocal, token)
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if wantsJSON(c) {
		return c.Next()
	}
	sent := c.FormValue(csrfField)
	if sent == "" {
		sent = c.Get(csrfHeader)
	}
	if c.Locals("csrf_new") != nil || subtle.ConstantTimeCompare([]byte(sent), []byte(token)) != 1 || !a.sameOrigin(c) {
		if !a.routed(c) {
			return a.noRoute(c)
		}
		return fiber.NewError(fiber.StatusForbidden, "This form has expired or did not come from this site. Go back, reload the page and try again.")
	}
	return c.Next()
}

// cleanForm refuses a form holding text no page, feed or database should
// keep (NUL and other control characters, broken UTF-8), before any handler
// sees it. Line breaks and tabs are fine.
func (a *App) cleanForm(c *fiber.Ctx) error {
	if c.Method() != fiber.MethodPost {
		return c.Next()
	}
	clean := true
	c.Request().PostArgs().VisitAll(func(k, v []byte) {
		clean = clean && models.CleanText(string(k)) && models.CleanText(string(v))
	})
	if !clean {
		if !a.routed(c) {
			return a.noRoute(c)
		}
		return fiber.NewError(fiber.StatusUnprocessableEntity, "The form holds invisible control characters or broken text. Go back, remove them and try again.")
	}
	return c.Next()
}

// sameOrigin rejects a request whose Origin header names another site. A
// missing or "null" Origin (sent under strict referrer settings) is left to
// the token check.
func (a *App) sameOrigin(c *fiber.Ctx) bool {
	o := c.Get(fiber.HeaderOrigin)
	if o == "" || o == "null" {
		return true
	}
	u, err := url.Parse(o)
	if err != nil {
		return false
	}
	if u.Host == string(c.Request().Host()) {
		return true
	}
	base, err := url.Parse(a.cfg.BaseURL)
	return err == nil && base.Host == u.Host
}

// rateLimit limits a public form or API write per client address: each
// route that uses it counts on its own (registration, confirmation, manage
// changes, sign-in, invitations).
func (a *App) rateLimit() fiber.Handler {
	if a.cfg.RateLimitPerMinute <= 0 {
		return func(c *fiber.Ctx) error { return c.Next() }
	}
	return limiter.New(limiter.Config{
		Max:          a.cfg.RateLimitPerMinute,
		Expiration:   time.Minute,
		KeyGenerator: a.rateKey,
		LimitReached: func(c *fiber.Ctx) error {
			return fiber.NewError(fiber.StatusTooManyRequests, "Too many attempts from your connection. Wait a minute and try again.")
		},
	})
}
