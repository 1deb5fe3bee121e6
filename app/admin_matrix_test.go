package app

import (
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"convene/models"
)

// matrixRoute is one route of the permission matrix: the roles that may use
// it; every other role must be refused.
type matrixRoute struct {
	method  string
	pattern string // as declared, to check the matrix covers every route
	path    string // with {placeholders} filled by the fixture
	form    url.Values
	json    string
	api     bool // bearer token instead of session
	allowed []string
	scopes  []string // API: the token scopes that may use it
}

var (
	everyone   = allRoles
	signedIn   = []string{roleAdmin, roleOrganiser, roleOutsider, roleDoor, roleDoorOther}
	organisers = []string{roleAdmin, roleOrganiser, roleOutsider}
	eventStaff = []string{roleAdmin, roleOrganiser}
	doorStaff  = []string{roleAdmin, roleOrganiser, roleDoor}
	adminsOnly = []string{roleAdmin}
	ownerOfTok = []string{roleOrganiser}

	anyScope = models.Scopes
)

func matrix() []matrixRoute {
	r := func(method, pattern string, allowed []string) matrixRoute {
		return matrixRoute{method: method, pattern: pattern, path: pattern, allowed: allowed}
	}
	withForm := func(m matrixRoute, kv ...string) matrixRoute {
		m.form = url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			m.form.Set(kv[i], kv[i+1])
		}
		return m
	}
	api := func(method, pattern, body string, allowed, scopes []string) matrixRoute {
		return matrixRoute{method: method, pattern: pattern, path: pattern, json: body, api: true, allowed: allowed, scopes: scopes}
	}
	return []matrixRoute{
		r("GET", "/admin/login", everyone),
		r("POST", "/admin/login", everyone), // empty: 422, asks for the fields
		r("GET", "/admin/invite/:token", everyone),
		withForm(r("POST", "/admin/invite/:token", everyone), "password", "short"),

		r("GET", "/admin", signedIn),
		r("POST", "/admin/logout", signedIn),
		r("GET", "/admin/account", signedIn),
		r("GET", "/admin/account/password", signedIn),
		withForm(r("POST", "/admin/account/password", signedIn), "current_password", "x", "new_password", "y", "confirm_password", "y"),
		r("GET", "/admin/tokens", signedIn),
		withForm(r("POST", "/admin/tokens", signedIn), "name", "matrix"),
		r("POST", "/admin/tokens/:id/revoke", ownerOfTok),
		r("GET", "/admin/events/:slug/door", doorStaff),
		r("GET", "/admin/events/:slug/door/counts", doorStaff),
		r("POST", "/admin/events/:slug/door/:id/check-in", doorStaff),
		r("POST", "/admin/events/:slug/door/:id/undo", doorStaff),
		r("GET", "/admin/check-in/:code", doorStaff),
		r("POST", "/admin/check-in/:code", doorStaff),
		r("POST", "/admin/check-in/:code/undo", doorStaff),

		r("GET", "/admin/events", organisers),
		r("GET", "/admin/events/new", organisers),
		r("POST", "/admin/events", organisers),
		r("GET", "/admin/events/:slug/edit", eventStaff),
		withForm(r("POST", "/admin/events/:slug/edit", eventStaff), "title", "Changed"),
		r("GET", "/admin/events/:slug/preview", eventStaff),
		withForm(r("POST", "/admin/events/:slug/status", eventStaff), "action", "postpone", "version", "stale"),
		r("GET", "/admin/events/:slug/cancel", eventStaff),
		withForm(r("POST", "/admin/events/:slug/cancel", eventStaff), "version", "stale"),
		r("GET", "/admin/events/:slug/duplicate", eventStaff),
		withForm(r("POST", "/admin/events/:slug/duplicate", eventStaff), "dates", "2026-12-01"),
		r("GET", "/admin/events/:slug/attendees", eventStaff),
		r("GET", "/admin/events/:slug/attendees/new", eventStaff),
		withForm(r("POST", "/admin/events/:slug/attendees", eventStaff), "name", "Walk In", "email", "walk.in@example.net", "consent", "yes", "dietary", "vegan"),
		r("POST", "/admin/events/:slug/registrations/:id/promote", eventStaff),
		r("GET", "/admin/events/:slug/registrations/:id/cancel", eventStaff),
		r("POST", "/admin/events/:slug/registrations/:id/cancel", eventStaff),
		r("POST", "/admin/events/:slug/registrations/:id/undo-cancel", eventStaff), // 409: not cancelled
		r("GET", "/admin/events/:slug/registrations.csv", eventStaff),
		r("GET", "/admin/events/:slug/requests", eventStaff),
		r("GET", "/admin/events/:slug/allocations", eventStaff),
		withForm(r("POST", "/admin/events/:slug/allocations", eventStaff), "action", "save", "label", "Neighbours", "places", "1"),
		r("POST", "/admin/events/:slug/registrations/:id/approve", eventStaff), // confirmed already: nothing changes
		r("POST", "/admin/events/:slug/registrations/:id/decline", eventStaff), // confirmed: refused with 409
		r("GET", "/admin/events/:slug/message", eventStaff),
		withForm(r("POST", "/admin/events/:slug/message", eventStaff), "confirmed", "yes", "subject", "Doors open at six", "body", "Please arrive early."),
		r("GET", "/admin/events/:slug/team", eventStaff),
		withForm(r("POST", "/admin/events/:slug/team", eventStaff), "email", "door-other@example.org"),
		r("POST", "/admin/events/:slug/team/:user/remove", eventStaff),
		r("GET", "/admin/events/:slug/share", eventStaff),
		withForm(r("POST", "/admin/events/:slug/cover", eventStaff), "cover_alt", "Candles"), // no file, no cover: 422
		r("POST", "/admin/events/:slug/cover/remove", eventStaff),
		r("GET", "/admin/calendar", organisers),
		withForm(r("POST", "/admin/calendar/feed", organisers), "org", "open-doors", "month", "2026-12"),
		r("GET", "/admin/organisations/:slug/calendar", eventStaff),
		withForm(r("POST", "/admin/organisations/:slug/calendar", eventStaff), "home_place.name", "Leeds", "home_place.latitude", "53.8",
			"home_place.longitude", "-1.55", "home_place.timezone", "Europe/London", "iftar_method", "uk", "hijri_offset_days", "1"),
		r("GET", "/admin/organisations", organisers),
		r("GET", "/admin/organisations/:slug/edit", eventStaff),
		withForm(r("POST", "/admin/organisations/:slug/edit", eventStaff), "name", "Open Doors Trust", "slug", "open-doors"),

		r("GET", "/admin/organisations/new", adminsOnly),
		withForm(r("POST", "/admin/organisations", adminsOnly), "name", "New Org"),
		r("GET", "/admin/series", adminsOnly),
		r("GET", "/admin/series/new", adminsOnly),
		withForm(r("POST", "/admin/series", adminsOnly), "title", "New Series"),
		r("GET", "/admin/series/:slug/edit", adminsOnly),
		withForm(r("POST", "/admin/series/:slug/edit", adminsOnly), "title", "Week of Action"),
		r("GET", "/admin/users", adminsOnly),
		r("GET", "/admin/users/new", adminsOnly),
		withForm(r("POST", "/admin/users", adminsOnly), "email", "new@example.org", "kind", "admin"),
		r("GET", "/admin/users/:id", adminsOnly),
		withForm(r("POST", "/admin/users/:id", adminsOnly), "organisations", "1"),
		r("POST", "/admin/users/:id/invite-link", adminsOnly),
		r("GET", "/admin/audit", adminsOnly),
		r("GET", "/admin/privacy", adminsOnly),
		withForm(r("POST", "/admin/privacy", adminsOnly), "email", "nobody@example.org"),
		withForm(r("POST", "/admin/privacy/export", adminsOnly), "email", "nobody@example.org"),
		withForm(r("POST", "/admin/privacy/erase", adminsOnly), "email", "nobody@example.org", "confirm", "yes"),
		r("GET", "/admin/outbox", adminsOnly),
		r("GET", "/admin/outbox/:id", adminsOnly),
		r("POST", "/admin/outbox/:id/resend", adminsOnly),
		r("POST", "/admin/outbox/resend-held", adminsOnly),

		// The JSON API's bearer tokens follow the same scope.
		// Each role's token has the widest scope its account may hold
		// (write, or door for door volunteers); TestScopeMatrix tries
		// every scope on every route.
		api("GET", "/api/v1/events/:slug/registrations", "", eventStaff, readScopes),
		api("POST", "/api/v1/events/:slug/registrations/:id/check-in", "", doorStaff, checkInScopes),
		api("DELETE", "/api/v1/events/:slug/registrations/:id/check-in", "", doorStaff, checkInScopes),
		api("POST", "/api/v1/events/:slug/registrations/:id/approve", "", eventStaff, writeScopes),
		api("POST", "/api/v1/events/:slug/registrations/:id/decline", "", eventStaff, writeScopes),
		api("POST", "/api/v1/events/:slug/allocations/:id/reissue", "", eventStaff, writeScopes),
		api("PATCH", "/api/v1/events/:slug", `{"summary":"Changed"}`, eventStaff, writeScopes),
		api("POST", "/api/v1/events", `{"title":"T","kind":"meeting","starts_at":"2026-12-01T18:00:00Z"}`, organisers, writeScopes),
		api("GET", "/api/v1/events/:slug", "", everyone, anyScope),
		api("GET", "/api/v1/organisations/:slug/calendar", "", eventStaff, readScopes),
		api("PATCH", "/api/v1/organisations/:slug/calendar", `{"hijri_offset_days":1}`, eventStaff, writeScopes),
		// Public API routes: open to all, with or without a token.
		api("GET", "/api/v1/openapi.json", "", everyone, anyScope),
		api("GET", "/api/v1/events", "", everyone, anyScope),
		api("POST", "/api/v1/events/:slug/registrations", `{"name":""}`, everyone, anyScope),
		api("GET", "/api/v1/registrations/:token", "", everyone, anyScope),
		api("PATCH", "/api/v1/registrations/:token", `{"guests":0}`, everyone, anyScope),
		api("DELETE", "/api/v1/registrations/:token", "", everyone, anyScope),
	}
}

// fill puts the fixture's values in a route's placeholders.
func (f *fixture) fill(m matrixRoute, role string) string {
	p := m.path
	slug := f.ev.Slug
	if strings.Contains(m.pattern, "/organisations/") {
		slug = "open-doors"
	}
	if strings.Contains(m.pattern, "/series/") {
		slug = f.series.Slug
	}
	id := fmt.Sprint(f.reg.ID)
	switch {
	case strings.HasSuffix(m.pattern, "/promote"):
		id = fmt.Sprint(f.waiting.ID)
	case strings.HasPrefix(m.pattern, "/admin/tokens/"):
		id = fmt.Sprint(f.tokenIDs[roleOrganiser])
	case strings.HasPrefix(m.pattern, "/admin/users/"):
		id = fmt.Sprint(f.users[roleOrganiser].ID)
	case strings.Contains(m.pattern, "/allocations/"):
		id = fmt.Sprint(f.allocation().ID)
	case strings.HasPrefix(m.pattern, "/admin/outbox/"):
		var mail models.OutboxMail
		f.db.Order("id").Take(&mail)
		id = fmt.Sprint(mail.ID)
	}
	token := f.invite
	if strings.HasPrefix(m.pattern, "/api/") {
		token = f.app.tok.ManageToken(f.reg)
	}
	rep := strings.NewReplacer(":slug", slug, ":id", id, ":token", token, ":user", fmt.Sprint(f.users[roleDoor].ID),
		":code", f.app.tok.CheckInCode(f.reg))
	return rep.Replace(p)
}

// allocation is the fixture event's allocation, made on first use: two
// more in-person places, one for the person waiting, one reserved for St
// Mary's.
func (f *fixture) allocation() *models.Allocation {
	f.t.Helper()
	list := must(models.EventAllocations(f.db.DB, f.ev.ID))
	if len(list) > 0 {
		return &list[0]
	}
	ev := must(models.EventByID(f.db.DB, f.ev.ID))
	capacity := *ev.Capacity + 2
	must(models.SetCapacity(f.db.DB, f.ev.ID, models.InPerson, &capacity, nil, f.now))
	return must(models.SaveAllocation(f.db.DB, f.ev.ID, models.AllocationInput{Label: "St Mary's", Organisation: "st-marys", Places: 1}, nil, f.now))
}

// TestPermissionMatrix runs every admin route and the organiser API routes
// as every role and checks that exactly the allowed roles get through. The
// refused roles share one database per route (a refusal changes nothing);
// each allowed role that may change something gets a fresh one.
func TestPermissionMatrix(t *testing.T) {
	for _, m := range matrix() {
		allowed := map[string]bool{}
		for _, r := range m.allowed {
			allowed[r] = true
		}
		t.Run(m.method+" "+m.pattern, func(t *testing.T) {
			t.Parallel()
			shared := newFixture(t, nil)
			for _, role := range allRoles {
				f := shared
				if allowed[role] && m.method != http.MethodGet {
					f = newFixture(t, nil)
				}
				res := f.do(request{method: m.method, path: f.fill(m, role), role: role, form: m.form, json: m.json, bearer: m.api})
				body := readBody(t, res)
				if got := !denied(res); got != allowed[role] {
					t.Errorf("as %s: allowed = %v, want %v (status %d, location %q): %.300s", role, got, allowed[role], res.StatusCode, res.Header.Get("Location"), body)
				}
				if res.StatusCode >= 500 {
					t.Errorf("as %s: status %d: %.500s", role, res.StatusCode, body)
				}
			}
		})
	}
}

// TestScopeMatrix runs every API route with a token of each scope, held by
// an admin (whose account may do everything, so the scope alone decides)
// and by the event's organiser: exactly the route's scopes get through, and
// a scope too narrow gets 403 with error="insufficient_scope".
func TestScopeMatrix(t *testing.T) {
	for _, m := range matrix() {
		if !m.api {
			continue
		}
		t.Run(m.method+" "+m.pattern, func(t *testing.T) {
			t.Parallel()
			shared := newFixture(t, nil)
			for _, role := range []string{roleAdmin, roleOrganiser} {
				for _, scope := range models.Scopes {
					want := contains(m.scopes, scope)
					f := shared
					if want && m.method != http.MethodGet {
						f = newFixture(t, nil)
					}
					token := f.scopedToken(role, scope)
					res := f.do(request{method: m.method, path: f.fill(m, role), json: m.json, token: token})
					body := readBody(t, res)
					if got := !denied(res); got != want {
						t.Errorf("%s with a %s token: allowed = %v, want %v (status %d): %.300s", role, scope, got, want, res.StatusCode, body)
					}
					if !want && (res.StatusCode != http.StatusForbidden || !strings.Contains(res.Header.Get("WWW-Authenticate"), `error="insufficient_scope"`)) {
						t.Errorf("%s with a %s token: status %d, WWW-Authenticate %q", role, scope, res.StatusCode, res.Header.Get("WWW-Authenticate"))
					}
					if res.StatusCode >= 500 {
						t.Errorf("%s with a %s token: status %d: %.500s", role, scope, res.StatusCode, body)
					}
				}
			}
		})
	}
}

// TestMatrixCoversEveryAdminRoute fails when a route under /admin or
// /api/v1 is added without a row in the matrix.
func TestMatrixCoversEveryRoute(t *testing.T) {
	f := newFixture(t, nil)
	inMatrix := map[string]bool{}
	for _, m := range matrix() {
		inMatrix[m.method+" "+m.pattern] = true
	}
	var missing []string
	for _, r := range f.app.Fiber.GetRoutes(true) {
		if r.Method == http.MethodHead || r.Method == "USE" {
			continue
		}
		if (strings.HasPrefix(r.Path, "/admin") || strings.HasPrefix(r.Path, "/api/v1/")) && !inMatrix[r.Method+" "+r.Path] {
			missing = append(missing, r.Method+" "+r.Path)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("routes missing from the permission matrix: %v", missing)
	}
}

// TestCSRFOnEveryAdminForm posts to every admin form without the CSRF
// field, as a role allowed to use it, and expects a refusal.
func TestCSRFOnEveryAdminForm(t *testing.T) {
	for _, m := range matrix() {
		if m.method != http.MethodPost || m.api {
			continue
		}
		t.Run(m.pattern, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, nil)
			role := m.allowed[0]
			if role == roleAnon {
				role = roleAdmin
			}
			res := f.do(request{method: m.method, path: f.fill(m, role), role: role, form: m.form, noCSRF: true})
			body := readBody(t, res)
			if res.StatusCode != http.StatusForbidden || !strings.Contains(body, "did not come from this site") {
				t.Fatalf("without CSRF token: status %d: %.300s", res.StatusCode, body)
			}
		})
	}
}
