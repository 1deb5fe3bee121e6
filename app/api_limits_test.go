package app_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"convene/models"
)

// limit is one bound the schema declares on a field.
type limit struct {
	field    string // dotted: venue.name
	rule     string // "venue.name ≤ 200"
	at, over any    // a value on the bound, and one just past it
}

// schemaLimits lists the maxLength, minimum and maximum of the scalar
// properties of a request schema and its nested objects.
func schemaLimits(t *testing.T, schemas map[string]map[string]any, name, prefix string) []limit {
	t.Helper()
	var out []limit
	props, _ := schemas[name]["properties"].(map[string]any)
	for field, raw := range props {
		p := raw.(map[string]any)
		if ref, ok := p["$ref"].(string); ok {
			out = append(out, schemaLimits(t, schemas, strings.TrimPrefix(ref, "#/components/schemas/"), prefix+field+".")...)
			continue
		}
		f := prefix + field
		num := func(n float64) string { return strconv.FormatFloat(n, 'f', -1, 64) }
		if n, ok := p["maxLength"].(float64); ok {
			out = append(out, limit{f, fmt.Sprintf("%s ≤ %s", f, num(n)), strings.Repeat("a", int(n)), strings.Repeat("a", int(n)+1)})
		}
		if n, ok := p["maximum"].(float64); ok {
			out = append(out, limit{f, fmt.Sprintf("%s ≤ %s", f, num(n)), n, n + 1})
		}
		if n, ok := p["minimum"].(float64); ok {
			out = append(out, limit{f, fmt.Sprintf("%s ≥ %s", f, num(n)), n, n - 1})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].rule < out[j].rule })
	return out
}

// nest makes {"venue":{"name":v}} of venue.name.
func nest(field string, v any) map[string]any {
	parts := strings.Split(field, ".")
	out := map[string]any{parts[len(parts)-1]: v}
	for i := len(parts) - 2; i >= 0; i-- {
		out = map[string]any{parts[i]: out}
	}
	return out
}

func merged(base map[string]any, extra map[string]any) string {
	m := map[string]any{}
	for k, v := range base {
		m[k] = v
	}
	for k, v := range extra {
		if inner, ok := v.(map[string]any); ok {
			if b, ok := m[k].(map[string]any); ok {
				for ik, iv := range b {
					if _, set := inner[ik]; !set {
						inner[ik] = iv
					}
				}
			}
		}
		m[k] = v
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestSchemaLimitsAgreeWithRules: every length and range the request
// schemas declare is the rules' own. A value on the bound is accepted (so
// the rules are not stricter than the document), and one just past it is
// refused naming the field. The rules' limits the schemas must carry are
// listed too, so a limit the document lacks fails here.
func TestSchemaLimitsAgreeWithRules(t *testing.T) {
	e := newEnv(t, nil)
	e.token("first-admin@example.org", true)
	tok := e.token("org@example.org", false, "charity")
	_, raw := e.get("/api/v1/openapi.json")
	var doc struct {
		Components struct {
			Schemas map[string]map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatal(err)
	}
	schemas := doc.Components.Schemas

	// The limits of the rules (models), each of which the schema must declare.
	rules := map[string][]string{
		"EventInput": {"title ≤ 200", "slug ≤ 80", "summary ≤ 500", "description ≤ 50000", "venue.name ≤ 200", "venue.address ≤ 500",
			"venue.latitude ≥ -90", "venue.latitude ≤ 90", "venue.longitude ≥ -180", "venue.longitude ≤ 180", "capacity ≥ 0",
			"capacity ≤ 1000000", "online_capacity ≥ 0", "online_capacity ≤ 1000000", "max_guests ≥ 0", "max_guests ≤ 50",
			"reminder_hours ≥ 0", "reminder_hours ≤ 336", "sunset_offset_minutes ≥ -180", "sunset_offset_minutes ≤ 180",
			"duration_minutes ≥ 1", "duration_minutes ≤ 20160"},
		"RegistrationInput": {"name ≤ 200", "email ≤ 254", "guests ≥ 0", "guests ≤ 50", "dietary_other ≤ 200", "access_needs ≤ 2000"},
		"RegistrationPatch": {"guests ≥ 0", "guests ≤ 50", "dietary_other ≤ 200", "access_needs ≤ 2000"},
	}
	for name, want := range rules {
		declared := map[string]bool{}
		for _, l := range schemaLimits(t, schemas, name, "") {
			declared[l.rule] = true
		}
		for _, w := range want {
			if !declared[w] {
				t.Errorf("%s: the rules limit %s, the schema does not say so", name, w)
			}
		}
	}

	ev := e.event("limits", func(in *models.EventInput) { in.MaxGuests, in.Capacity = ip(50), nil })
	create := map[string]any{"title": "Limits", "kind": "meeting", "starts_at": "2026-12-20T18:00:00Z"}
	n := 0
	for _, l := range schemaLimits(t, schemas, "EventInput", "") {
		for _, c := range []struct {
			value any
			ok    bool
		}{{l.at, true}, {l.over, false}} {
			extra := nest(l.field, c.value)
			if l.field == "title" && c.ok {
				extra["title"] = c.value
			}
			if l.field == "slug" {
				n++
				extra["slug"] = strings.Replace(fmt.Sprint(c.value), "a", fmt.Sprint(n%10), 1)
			}
			r, m := e.jsonReq("POST", "/api/v1/events", merged(create, extra), tok)
			checkLimit(t, "POST /events", l, c.value, c.ok, r.StatusCode, m, 201)
		}
	}
	person := 0
	for _, l := range schemaLimits(t, schemas, "RegistrationInput", "") {
		for _, c := range []struct {
			value any
			ok    bool
		}{{l.at, true}, {l.over, false}} {
			person++
			v := c.value
			if l.field == "email" {
				v = longEmail(len(fmt.Sprint(c.value)), person)
			}
			base := map[string]any{"name": "P", "email": fmt.Sprintf("p%d@example.org", person), "consent": true}
			r, m := e.jsonReq("POST", "/api/v1/events/"+ev.Slug+"/registrations", merged(base, nest(l.field, v)), "")
			checkLimit(t, "register", l, v, c.ok, r.StatusCode, m, 201)
		}
	}
	_, reg := e.jsonReq("POST", "/api/v1/events/"+ev.Slug+"/registrations", `{"name":"Q","email":"q@example.org","consent":true}`, "")
	manage := reg["manage_url"].(string)
	for _, l := range schemaLimits(t, schemas, "RegistrationPatch", "") {
		for _, c := range []struct {
			value any
			ok    bool
		}{{l.at, true}, {l.over, false}} {
			r, m := e.jsonReq("PATCH", "/api/v1/registrations/"+manage[strings.LastIndex(manage, "/")+1:], merged(nil, nest(l.field, c.value)), "")
			checkLimit(t, "change", l, c.value, c.ok, r.StatusCode, m, 200)
		}
	}
}

func checkLimit(t *testing.T, what string, l limit, v any, ok bool, status int, m map[string]any, success int) {
	t.Helper()
	errs, _ := m["errors"].(map[string]any)
	shown := fmt.Sprint(v)
	if len(shown) > 20 {
		shown = fmt.Sprintf("%d characters", len(shown))
	}
	switch {
	case ok && status != success:
		t.Errorf("%s: %s = %s is on the schema's bound but refused: %d %v", what, l.field, shown, status, errs)
	case !ok && (status != 422 || errs[l.field] == nil):
		t.Errorf("%s: %s = %s is past the schema's bound but not refused by name: %d %v", what, l.field, shown, status, errs)
	}
}

// longEmail is a valid address of n characters (n ≥ 80).
func longEmail(n, i int) string {
	local := fmt.Sprintf("p%d", i)
	domain := ".example.org"
	rest := n - len(local) - 1 - len(domain)
	var labels []string
	for rest > 0 {
		l := min(rest, 60)
		if rest > 60 && rest-l < 2 { // leave room for a dot and a label
			l = rest - 2
		}
		labels = append(labels, strings.Repeat("b", l))
		rest -= l + 1
	}
	return local + "@" + strings.Join(labels, ".") + domain
}
