package app

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"convene/models"
)

// metrics are what /metrics reports, through the Prometheus client library.
// Each App has its own registry (tests build many Apps). Labels are route
// patterns, methods, statuses and outcomes only: never paths (they may hold
// private tokens), addresses or people.
type metrics struct {
	reg      *prometheus.Registry
	duration *prometheus.HistogramVec
	// observers caches one histogram child per method, route and status, so
	// that a request does a lock-free map read instead of the vector's
	// locked label lookup.
	observers     sync.Map // requestKey → prometheus.Observer
	registrations *prometheus.CounterVec
}

type requestKey struct {
	method, route string
	status        int
}

// requestBuckets suit a server whose pages answer in well under a
// millisecond from cache and whose slowest requests (exports, grouped
// registrations under load) take tens to hundreds.
var requestBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

func newMetrics(db *models.DB, reg *models.Registrar, now func() time.Time) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "convene_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by method, route pattern and status.",
			Buckets: requestBuckets,
		}, []string{"method", "route", "status"}),
		registrations: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "convene_registrations_total",
			Help: "Registration requests answered by this instance, by outcome: a registration status " +
				"(confirmed, waitlisted, …), duplicate, or a refusal (invalid, refused, rate_limited, error).",
		}, []string{"outcome"}),
	}
	m.reg.MustRegister(
		m.duration,
		m.registrations,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&outboxCollector{db: db, now: now},
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "convene_registration_groups_total",
			Help: "Transactions the registrar ran, each holding the registrations waiting at the time (see convene_registration_grouped_total).",
		}, func() float64 { g, _ := reg.Stats(); return float64(g) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "convene_registration_grouped_total",
			Help: "Registrations the registrar's transactions held; divided by convene_registration_groups_total, the mean group size.",
		}, func() float64 { _, n := reg.Stats(); return float64(n) }),
	)
	if s, err := db.DB.DB(); err == nil {
		m.reg.MustRegister(collectors.NewDBStatsCollector(s, "writer"))
	}
	if db.Read != db.DB {
		if s, err := db.Read.DB(); err == nil {
			m.reg.MustRegister(collectors.NewDBStatsCollector(s, "reader"))
		}
	}
	return m
}

// request records one answered request.
func (m *metrics) request(method, route string, status int, took time.Duration) {
	k := requestKey{method, route, status}
	o, ok := m.observers.Load(k)
	if !ok {
		o, _ = m.observers.LoadOrStore(k, m.duration.WithLabelValues(method, route, strconv.Itoa(status)))
	}
	o.(prometheus.Observer).Observe(took.Seconds())
}

// registered counts a registration that was answered: its status, or
// "duplicate" when the address already held one.
func (m *metrics) registered(res *models.RegisterResult) {
	if res.Duplicate {
		m.registrations.WithLabelValues("duplicate").Inc()
		return
	}
	m.registrations.WithLabelValues(res.Registration.Status).Inc()
}

// countRefusals counts the registration requests of a route that were
// refused; the handlers count those they answered (registered).
func (a *App) countRefusals(c *fiber.Ctx) error {
	err := c.Next()
	status := c.Response().StatusCode()
	if err != nil {
		p, _ := problemOf(err)
		status = p.Status
	}
	var outcome string
	switch {
	case status < 400:
		return err
	case status == fiber.StatusUnprocessableEntity:
		outcome = "invalid"
	case status == fiber.StatusTooManyRequests:
		outcome = "rate_limited"
	case status >= 500:
		outcome = "error"
	default:
		outcome = "refused" // full without a waitlist, closed, cancelled, not found
	}
	a.metrics.registrations.WithLabelValues(outcome).Inc()
	return err
}

// outboxCollector reports the outbox at each scrape: mails by status, and
// the age of the oldest mail waiting to be sent (pending or being sent),
// which grows when the sender is stuck or the relay refuses mail.
type outboxCollector struct {
	db  *models.DB
	now func() time.Time
}

var (
	outboxMailsDesc = prometheus.NewDesc("convene_outbox_mails",
		"Mails in the outbox by status.", []string{"status"}, nil)
	outboxAgeDesc = prometheus.NewDesc("convene_outbox_oldest_pending_age_seconds",
		"Age of the oldest mail waiting to be sent (pending or sending); 0 when none waits.", nil, nil)
)

func (o *outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- outboxMailsDesc
	ch <- outboxAgeDesc
}

func (o *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := models.OutboxStats(o.db.Read.WithContext(ctx))
	if err != nil {
		ch <- prometheus.NewInvalidMetric(outboxMailsDesc, err)
		return
	}
	for _, s := range models.MailStatuses {
		ch <- prometheus.MustNewConstMetric(outboxMailsDesc, prometheus.GaugeValue, float64(st.ByStatus[s]), s)
	}
	age := 0.0
	if st.OldestWaiting != nil {
		age = max(0, o.now().Sub(*st.OldestWaiting).Seconds())
	}
	ch <- prometheus.MustNewConstMetric(outboxAgeDesc, prometheus.GaugeValue, age)
}

// MetricsHandler serves the metrics for a listener of its own (METRICS_ADDR),
// with the bearer token when METRICS_TOKEN is set.
func (a *App) MetricsHandler() http.Handler {
	h := promhttp.HandlerFor(a.metrics.reg, promhttp.HandlerOpts{})
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		if !a.metricsTokenOK(r.Header.Get("Authorization")) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "Unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
	return mux
}

// metricsPage is /metrics on the main listener: open in development; with
// METRICS_TOKEN set, only for its bearer; in production without a token,
// not served here at all (METRICS_ADDR serves it, or nothing does). Behind a
// reverse proxy every request comes from the proxy, so the client's address
// can never stand in for the token.
func (a *App) metricsPage() fiber.Handler {
	h := adaptor.HTTPHandler(promhttp.HandlerFor(a.metrics.reg, promhttp.HandlerOpts{}))
	return func(c *fiber.Ctx) error {
		if a.cfg.MetricsToken == "" && a.cfg.Production() {
			return fiber.ErrNotFound
		}
		if !a.metricsTokenOK(c.Get(fiber.HeaderAuthorization)) {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="metrics"`)
			return fiber.ErrUnauthorized
		}
		return h(c)
	}
}

func (a *App) metricsTokenOK(authorization string) bool {
	if a.cfg.MetricsToken == "" {
		return true
	}
	return subtle.ConstantTimeCompare([]byte(bearerToken(authorization)), []byte(a.cfg.MetricsToken)) == 1
}
