package app_test

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestWrongMethod: a path that exists answers another method with 405 and
// an Allow header listing the methods it takes (OPTIONS with 204 and the
// same header), for the API and for pages alike, whoever asks and whether
// or not a CSRF token or session comes with it; a path that does not exist
// is 404.
func TestWrongMethod(t *testing.T) {
	e := seeded(t)
	tests := []struct {
		method, path string
		status       int
		allow        string
	}{
		{"PUT", "/api/v1/events", 405, "GET, HEAD, POST, OPTIONS"},
		{"DELETE", "/api/v1/events/public-meeting-hate-crime", 405, "GET, HEAD, OPTIONS, PATCH"},
		{"GET", "/api/v1/events/public-meeting-hate-crime/registrations/1/check-in", 405, "POST, DELETE, OPTIONS"},
		{"POST", "/api/v1/registrations/1_x", 405, "GET, HEAD, DELETE, OPTIONS, PATCH"},
		{"OPTIONS", "/api/v1/events", 204, "GET, HEAD, POST, OPTIONS"},
		{"POST", "/api/v1/openapi.json", 405, "GET, HEAD, OPTIONS"},
		{"DELETE", "/events/public-meeting-hate-crime", 405, "GET, HEAD, OPTIONS"},
		{"POST", "/events/public-meeting-hate-crime", 405, "GET, HEAD, OPTIONS"},
		{"POST", "/", 405, "GET, HEAD, OPTIONS"},
		{"PUT", "/calendar.ics", 405, "GET, HEAD, OPTIONS"},
		{"GET", "/events/public-meeting-hate-crime/register", 405, "POST, OPTIONS"},
		{"DELETE", "/admin/events", 405, "GET, HEAD, POST, OPTIONS"},
		{"PATCH", "/problems/not-found", 405, "GET, HEAD, OPTIONS"},
		{"GET", "/admin/no-such-page", 404, ""},
		{"POST", "/no-such-page", 404, ""},
		{"DELETE", "/api/v1/nothing-here", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			r := e.do(httptest.NewRequest(tt.method, tt.path, nil))
			b := body(t, r)
			if r.StatusCode != tt.status || r.Header.Get("Allow") != tt.allow {
				t.Fatalf("%d Allow %q, want %d Allow %q: %.300s", r.StatusCode, r.Header.Get("Allow"), tt.status, tt.allow, b)
			}
			if tt.status == 204 {
				return
			}
			if strings.HasPrefix(tt.path, "/api/") {
				var p map[string]any
				if err := json.Unmarshal([]byte(b), &p); err != nil || r.Header.Get("Content-Type") != "application/problem+json" {
					t.Fatalf("not a problem: %s", b)
				}
				if want := map[int]string{404: "not-found", 405: "method-not-allowed"}[tt.status]; p["type"] != "http://convene.test/problems/"+want {
					t.Errorf("type %v, want %s", p["type"], want)
				}
			} else if !strings.Contains(r.Header.Get("Content-Type"), "text/html") {
				t.Errorf("a page answers %s", r.Header.Get("Content-Type"))
			}
		})
	}
	// The routes still work with the right method.
	if r, _ := e.get("/admin/events"); r.StatusCode != 303 {
		t.Errorf("GET /admin/events without a session: %d, want the sign-in redirect", r.StatusCode)
	}
}

// TestOneNotFound: every 404 of the API is the same problem, whatever gave it.
func TestOneNotFound(t *testing.T) {
	e := seeded(t)
	admin := e.token("admin-two@example.org", true)
	var first map[string]any
	for _, tt := range []struct{ method, path, token string }{
		{"GET", "/api/v1/nothing-here", ""},
		{"GET", "/api/v1/events/no-such-event", ""},
		{"PATCH", "/api/v1/events/no-such-event", admin},
		{"GET", "/api/v1/registrations/1_nope", ""},
		{"POST", "/api/v1/events/public-meeting-hate-crime/registrations/999999/check-in", admin},
		{"DELETE", "/api/v1/events/public-meeting-hate-crime/registrations/999999/check-in", admin},
		{"POST", "/api/v1/events/public-meeting-hate-crime/allocations/999999/reissue", admin},
		{"GET", "/api/v1/events/public-meeting-hate-crime/registrations/x", ""},
	} {
		r, m := e.jsonReq(tt.method, tt.path, "{}", tt.token)
		if r.StatusCode != 404 {
			t.Fatalf("%s %s: %d", tt.method, tt.path, r.StatusCode)
		}
		if first == nil {
			first = m
		}
		for _, k := range []string{"type", "title", "status", "detail"} {
			if m[k] != first[k] {
				t.Errorf("%s %s: %s %v, but %v elsewhere", tt.method, tt.path, k, m[k], first[k])
			}
		}
	}
}

// TestProblemTypesResolve: the type of every problem is the address of a
// page that explains it, and the list of problems links them all.
func TestProblemTypesResolve(t *testing.T) {
	e := seeded(t)
	_, list := e.get("/problems")
	links := regexp.MustCompile(`href="/problems/([a-z-]+)"`).FindAllStringSubmatch(list, -1)
	if len(links) < 10 {
		t.Fatalf("/problems links %d problems", len(links))
	}
	seen := map[string]bool{}
	for _, l := range links {
		seen[l[1]] = true
		r, page := e.get("/problems/" + l[1])
		if r.StatusCode != 200 || !strings.Contains(page, "What to do") || !strings.Contains(page, "/problems/"+l[1]) {
			t.Errorf("/problems/%s: %d", l[1], r.StatusCode)
		}
	}
	if r, _ := e.get("/problems/no-such-problem"); r.StatusCode != 404 {
		t.Errorf("unknown problem page: %d", r.StatusCode)
	}
	// Problems the API gives, of many kinds, all have a page.
	admin := e.token("admin-two@example.org", true)
	for _, tt := range []struct{ method, path, payload, token string }{
		{"GET", "/api/v1/nothing-here", "", ""},
		{"PUT", "/api/v1/events", "", ""},
		{"POST", "/api/v1/events", `{}`, ""},
		{"POST", "/api/v1/events", `[]`, admin},
		{"POST", "/api/v1/events", `{"bogus":1}`, admin},
		{"GET", "/api/v1/events?kind=party", "", ""},
		{"PATCH", "/api/v1/events/public-meeting-hate-crime", `{"capacity":0}`, admin},
		{"POST", "/api/v1/events/panel-press-freedom/registrations", `{"name":"A","email":"a@example.org","consent":true}`, ""},
	} {
		r, m := e.jsonReq(tt.method, tt.path, tt.payload, tt.token)
		typ, _ := m["type"].(string)
		name := strings.TrimPrefix(typ, "http://convene.test/problems/")
		if r.StatusCode < 400 || name == typ || !seen[name] {
			t.Errorf("%s %s: %d type %q has no page", tt.method, tt.path, r.StatusCode, typ)
		}
	}
}

// TestOpenAPISecurityMatchesServer: an operation that answers without a
// token declares it (security [] or an empty requirement beside the
// token), and one that needs a token does not.
func TestOpenAPISecurityMatchesServer(t *testing.T) {
	e := seeded(t)
	_, raw := e.get("/api/v1/openapi.json")
	var doc struct {
		Security []map[string][]string                 `json:"security"`
		Paths    map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	params := strings.NewReplacer("{slug}", "public-meeting-hate-crime", "{token}", "1_not-a-token", "{id}", "1")
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			if method == "parameters" {
				continue
			}
			var op struct {
				Security *[]map[string][]string `json:"security"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatal(err)
			}
			security := op.Security
			public := false
			if security != nil {
				public = len(*security) == 0
				for _, req := range *security {
					public = public || len(req) == 0
				}
			}
			payload := ""
			if method == "post" || method == "patch" {
				payload = "{}"
			}
			r, _ := e.jsonReq(strings.ToUpper(method), "/api/v1"+params.Replace(path), payload, "")
			if needsToken := r.StatusCode == 401; needsToken == public {
				t.Errorf("%s %s: answers %d without a token, but the document declares public %v", method, path, r.StatusCode, public)
			}
		}
	}
	if len(doc.Security) != 1 || doc.Security[0]["bearer"] == nil {
		t.Errorf("document security %v, want the bearer token by default", doc.Security)
	}
}

// TestOpenAPILint runs Redocly's linter (npm ci installs it) over the
// document with redocly.yaml, as .ci/run does. Without node or the package
// it is skipped, unless CONVENE_REQUIRE_ICALJS=1 (CI: the npm tools must be
// there), when it fails.
func TestOpenAPILint(t *testing.T) {
	root, _ := filepath.Abs("..")
	redocly := filepath.Join(root, "node_modules", ".bin", "redocly")
	if _, err := os.Stat(redocly); err != nil {
		if os.Getenv("CONVENE_REQUIRE_ICALJS") == "1" {
			t.Fatalf("Redocly is required (CONVENE_REQUIRE_ICALJS=1) but %s is missing: run npm ci", redocly)
		}
		t.Skip("Redocly skipped: node_modules/.bin/redocly is missing (run npm ci)")
	}
	cmd := exec.Command(redocly, "lint", "--format=stylish", "app/openapi.json")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "REDOCLY_TELEMETRY=off", "REDOCLY_SUPPRESS_UPDATE_NOTICE=true")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.Contains(string(out), "warning") {
		t.Fatalf("redocly lint: %v\n%s", err, out)
	}
}
