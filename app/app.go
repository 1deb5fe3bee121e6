// Package app is Convene's HTTP layer: configuration, the App that holds the
// dependencies, routes, middleware, rendering and one file per resource.
// Handlers parse, call the business rules in models, and render.
package app

import (
	"errors"
	"log/slog"
	"reflect"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"convene/models"
	"convene/views"
)

// Version is set at build time (-ldflags "-X convene/app.Version=…").
var Version = "dev"

// App holds everything a handler needs.
type App struct {
	cfg    Config
	db     *models.DB
	tok    models.Tokens
	log    *slog.Logger
	views  *Renderer
	now    func() time.Time
	events *eventCache
	reg    *models.Registrar
	// lostLinks mails manage links asked for again, after the answer.
	lostLinks *linkMailer
	metrics   *metrics
	ready     readiness
	pages     *pageCache
	feeds     *feedCache
	proxies   proxies
	Fiber     *fiber.App
	// routeTable is every route but middleware, for 404 and 405 answers.
	routeTable []fiber.Route
	// bodySchemas hold JSON bodies to their OpenAPI schemas (decodeBody).
	bodySchemas map[reflect.Type]*jsonschema.Schema
}

// Option changes an App at construction (used by tests).
type Option func(*App)

// WithClock replaces the clock.
func WithClock(now func() time.Time) Option { return func(a *App) { a.now = now } }

// New builds the App and its routes.
func New(cfg Config, db *models.DB, log *slog.Logger, opts ...Option) (*App, error) {
	if db == nil {
		return nil, errors.New("app: no database")
	}
	if log == nil {
		log = slog.Default()
	}
	if _, err := embeddedAssets(); err != nil {
		return nil, err
	}
	r, err := NewRenderer(views.FS)
	if err != nil {
		return nil, err
	}
	bodies, err := compileBodySchemas(openAPI)
	if err != nil {
		return nil, err
	}
	a := &App{cfg: cfg, db: db, tok: cfg.Tokens(), log: log, views: r, now: func() time.Time { return time.Now().UTC() },
		proxies: parseProxies(cfg.TrustedProxies), bodySchemas: bodies}
	for _, o := range opts {
		o(a)
	}
	if a.cfg.RequestTimeout <= 0 {
		a.cfg.RequestTimeout = DefaultRequestTimeout
	}
	a.events = newEventCache(db.Read, time.Second, a.now)
	a.reg = models.NewRegistrar(db, a.tok)
	a.lostLinks = newLinkMailer(db, a.now, log.Error)
	a.metrics = newMetrics(db, a.reg, a.now)
	a.pages = newPageCache()
	a.feeds = newFeedCache(a.now())
	a.Fiber = fiber.New(fiber.Config{
		AppName:               "Convene",
		ServerHeader:          "",
		BodyLimit:             256 * 1024,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           60 * time.Second,
		DisableStartupMessage: true,
		ErrorHandler:          a.handleError,
		// No ProxyHeader: c.IP() is the connection's address. The client
		// behind trusted proxies is a.clientIP (app/clientip.go).
		// Strings from the request (params, form values, cookies) are
		// copies, so they may safely outlive it (the event cache keys on slugs).
		Immutable: true,
	})
	// A cover upload may be larger: decided from its headers (app/covers.go).
	a.Fiber.Server().HeaderReceived = a.bodyLimits
	a.routes()
	return a, nil
}

// Close stops the app's background work (call after the server stopped).
func (a *App) Close() {
	a.reg.Close()
	a.lostLinks.close()
}

// Config returns the app's configuration.
func (a *App) Config() Config { return a.cfg }
