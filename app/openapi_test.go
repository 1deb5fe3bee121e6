package app_test

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"convene/app"
)

type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas map[string]struct {
			Properties map[string]json.RawMessage `json:"properties"`
		} `json:"schemas"`
	} `json:"components"`
}

// TestOpenAPIMatchesRoutes keeps the OpenAPI document in step with the
// server: every /api/v1 route is documented, every documented operation is
// served, and the answer structs' fields are the schemas' properties.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t, nil)
	r, raw := e.get("/api/v1/openapi.json")
	if r.StatusCode != 200 {
		t.Fatalf("status %d", r.StatusCode)
	}
	var doc openAPIDoc
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			documented[strings.ToUpper(method)+" /api/v1"+path] = true
		}
	}
	served := map[string]bool{}
	for _, rt := range e.app.Fiber.GetRoutes(true) {
		if !strings.HasPrefix(rt.Path, "/api/v1/") || rt.Method == "HEAD" || rt.Method == "USE" {
			continue
		}
		p := rt.Path
		for _, name := range rt.Params {
			p = strings.Replace(p, ":"+name, "{"+name+"}", 1)
		}
		served[rt.Method+" "+p] = true
	}
	var missing, extra []string
	for k := range served {
		if !documented[k] {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !served[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Fatalf("routes not documented: %v; documented but not served: %v", missing, extra)
	}

	for schema, v := range map[string]any{
		"Event": app.EventJSON{}, "Registration": app.RegistrationJSON{}, "RegistrationCreated": app.RegistrationCreated{}, "Problem": app.Problem{},
		"Venue": app.VenueJSON{}, "Host": app.HostJSON{}, "Series": app.SeriesJSON{}, "Question": app.QuestionJSON{}, "Warning": app.Warning{},
		"CheckIn": app.CheckInJSON{}, "CheckInUndone": app.CheckInUndoneJSON{}, "OrganisationCalendar": app.OrganisationCalendarJSON{},
	} {
		props := doc.Components.Schemas[schema].Properties
		typ := reflect.TypeOf(v)
		fields := map[string]bool{}
		for _, f := range reflect.VisibleFields(typ) {
			if f.Anonymous {
				continue // its fields are promoted, and so is their JSON
			}
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			fields[name] = true
			if _, ok := props[name]; !ok {
				t.Errorf("schema %s lacks property %q", schema, name)
			}
		}
		for p := range props {
			if !fields[p] {
				t.Errorf("schema %s documents %q, which the server never sends", schema, p)
			}
		}
	}
}
