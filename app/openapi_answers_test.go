package app_test

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"convene/models"
)

// apiDoc is the served OpenAPI document, its schemas compiled with formats
// asserted (date-time, uri, email).
type apiDoc struct {
	t        *testing.T
	doc      map[string]any
	compiler *jsonschema.Compiler
	schemas  map[string]*jsonschema.Schema
	checked  map[string]int // answers checked, by operation and status
}

const docURL = "https://convene.invalid/api/v1/openapi.json"

func loadAPIDoc(t *testing.T, e *testEnv) *apiDoc {
	t.Helper()
	r, raw := e.get("/api/v1/openapi.json")
	if r.StatusCode != 200 {
		t.Fatalf("openapi.json: %d", r.StatusCode)
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(docURL, v); err != nil {
		t.Fatal(err)
	}
	return &apiDoc{t: t, doc: v.(map[string]any), compiler: c, schemas: map[string]*jsonschema.Schema{}, checked: map[string]int{}}
}

func pointerEscape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// responseSchema is the JSON pointer of the schema the document gives for
// an answer: the operation's response for the status (or its range, or
// default), followed through a $ref, for the media type.
func (d *apiDoc) responseSchema(method, template string, status int, mediaType string) (string, error) {
	op, ok := d.doc["paths"].(map[string]any)[template].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if !ok {
		return "", fmt.Errorf("no operation %s %s", method, template)
	}
	responses := op["responses"].(map[string]any)
	ptr := "#/paths/" + pointerEscape(template) + "/" + strings.ToLower(method) + "/responses/"
	var resp map[string]any
	for _, code := range []string{fmt.Sprint(status), fmt.Sprintf("%dXX", status/100), "default"} {
		if r, ok := responses[code].(map[string]any); ok {
			resp, ptr = r, ptr+code
			break
		}
	}
	if resp == nil {
		return "", fmt.Errorf("%s %s documents no %d answer", method, template, status)
	}
	if ref, ok := resp["$ref"].(string); ok {
		name := strings.TrimPrefix(ref, "#/components/responses/")
		resp = d.doc["components"].(map[string]any)["responses"].(map[string]any)[name].(map[string]any)
		ptr = "#/components/responses/" + pointerEscape(name)
	}
	if _, ok := resp["content"].(map[string]any)[mediaType]; !ok {
		return "", fmt.Errorf("%s %s %d documents no %s answer", method, template, status, mediaType)
	}
	return ptr + "/content/" + pointerEscape(mediaType) + "/schema", nil
}

// check validates one answer against the document.
func (d *apiDoc) check(method, template string, r *http.Response, body string) {
	d.t.Helper()
	if r.StatusCode == http.StatusNoContent || r.StatusCode == http.StatusNotModified {
		return
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	ptr, err := d.responseSchema(method, template, r.StatusCode, mediaType)
	if err != nil {
		d.t.Errorf("%v: %s", err, body)
		return
	}
	sch, ok := d.schemas[ptr]
	if !ok {
		if sch, err = d.compiler.Compile(docURL + ptr); err != nil {
			d.t.Fatalf("compile %s: %v", ptr, err)
		}
		d.schemas[ptr] = sch
	}
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
	if err != nil {
		d.t.Errorf("%s %s: answer %d is not JSON: %s", method, template, r.StatusCode, body)
		return
	}
	if err := sch.Validate(v); err != nil {
		d.t.Errorf("%s %s %d does not match its schema:\n%v\n%.600s", method, template, r.StatusCode, err, body)
	}
	d.checked[fmt.Sprintf("%s %s %d", method, template, r.StatusCode)]++
}

// call sends a request and checks its answer against the document.
func (d *apiDoc) call(e *testEnv, method, template string, params map[string]string, payload, token string) (int, map[string]any) {
	d.t.Helper()
	path := "/api/v1" + template
	for k, v := range params {
		path = strings.ReplaceAll(path, "{"+k+"}", url.PathEscape(v))
	}
	if i := strings.Index(template, "?"); i >= 0 {
		template = template[:i]
	}
	req := httptest.NewRequest(method, path, strings.NewReader(payload))
	if payload != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	r := e.do(req)
	b := body(d.t, r)
	d.check(method, template, r, b)
	out := map[string]any{}
	_ = json.Unmarshal([]byte(b), &out)
	return r.StatusCode, out
}

// TestAPIAnswersMatchSchema sends every operation of the API, over all of
// the demo data and through its successes and refusals, and validates each
// answer against the schema the OpenAPI document gives for it (schemas do
// not allow properties they do not list, so an undocumented field fails
// too).
func TestAPIAnswersMatchSchema(t *testing.T) {
	e := seeded(t)
	d := loadAPIDoc(t, e)
	admin := e.token("admin-two@example.org", true)
	tok := e.cfg.Tokens()

	d.call(e, "GET", "/openapi.json", nil, "", "")
	d.call(e, "GET", "/events", nil, "", "")
	d.call(e, "GET", "/events?from=2000-01-01&to=2100-01-01", nil, "", "")
	d.call(e, "GET", "/events?kind=party", nil, "", "")
	var events []models.Event
	e.db.Order("id").Find(&events)
	for _, ev := range events {
		p := map[string]string{"slug": ev.Slug}
		d.call(e, "GET", "/events/{slug}", p, "", "")
		d.call(e, "GET", "/events/{slug}", p, "", admin)
		d.call(e, "GET", "/events/{slug}/registrations", p, "", admin)
	}
	var regs []models.Registration
	e.db.Order("id").Find(&regs)
	for i := range regs {
		d.call(e, "GET", "/registrations/{token}", map[string]string{"token": tok.ManageToken(&regs[i])}, "", "")
	}
	if len(events) < 8 || len(regs) < 50 {
		t.Fatalf("demo data too small to prove much: %d events, %d registrations", len(events), len(regs))
	}

	// Writes, from creation to cancellation.
	status, ev := d.call(e, "POST", "/events", nil, `{"title":"Schema vigil","kind":"memorial","status":"published",
		"starts_at":"2026-12-20T18:00:00Z","capacity":1,"max_guests":2,"hosts":["open-doors"],
		"questions":[{"label":"Your role","kind":"single_choice","options":["Speaker","Guest"]}],
		"venue":{"name":"Hall","address":"1 Street","latitude":51.5,"longitude":-0.1}}`, admin)
	if status != 201 {
		t.Fatalf("create: %d %v", status, ev)
	}
	slug := map[string]string{"slug": ev["slug"].(string)}
	d.call(e, "PATCH", "/events/{slug}", slug, `{"summary":"Candles at dusk.","online":true,"stream_url":"https://stream.example.org/v"}`, admin)
	status, first := d.call(e, "POST", "/events/{slug}/registrations", slug, `{"name":"Ada","email":"ada@example.org","attendance":"in_person","guests":0,"answers":{"your-role":"Guest"},"consent":true}`, "")
	if status != 201 {
		t.Fatalf("register: %d %v", status, first)
	}
	d.call(e, "POST", "/events/{slug}/registrations", slug, `{"name":"Bo","email":"bo@example.org","attendance":"in_person","guests":2,"consent":true}`, "")
	d.call(e, "POST", "/events/{slug}/registrations", slug, `{"name":"Ada","email":"ADA@example.org","attendance":"in_person","consent":true}`, "")
	manage := first["manage_url"].(string)
	token := map[string]string{"token": manage[strings.LastIndex(manage, "/")+1:]}
	d.call(e, "PATCH", "/registrations/{token}", token, `{"answers":{"your-role":"Speaker"},"dietary":"vegan"}`, "")
	var ada models.Registration
	e.db.Where("email_norm = ?", "ada@example.org").Take(&ada)
	checkIn := map[string]string{"slug": slug["slug"], "id": fmt.Sprint(ada.ID)}
	d.call(e, "POST", "/events/{slug}/registrations/{id}/check-in", checkIn, "", admin)
	d.call(e, "PATCH", "/events/{slug}", slug, `{"capacity":0}`, admin)
	d.call(e, "DELETE", "/registrations/{token}", token, "", "")

	// Refusals.
	d.call(e, "POST", "/events", nil, `{"title":1,"bogus":true}`, admin)
	d.call(e, "POST", "/events", nil, `{"title":`, admin)
	d.call(e, "POST", "/events", nil, `{}`, "")
	d.call(e, "POST", "/events", nil, `{}`, "cvn_nonsense")
	d.call(e, "GET", "/events/{slug}", map[string]string{"slug": "no-such-event"}, "", "")
	d.call(e, "GET", "/events/{slug}/registrations", slug, "", "")
	d.call(e, "PATCH", "/events/{slug}", slug, `{"status":"cancelled"}`, admin)
	d.call(e, "POST", "/events/{slug}/registrations", slug, `{"name":"Cy","email":"cy@example.org","consent":true}`, "")
	d.call(e, "PATCH", "/registrations/{token}", map[string]string{"token": "1_nope"}, `{"guests":1}`, "")
	d.call(e, "DELETE", "/registrations/{token}", token, `{"reason":"x"}`, "")
	req := httptest.NewRequest("PUT", "/api/v1/events", nil)
	r := e.do(req)
	d.check("POST", "/events", r, body(t, r)) // 405: the document's 4XX answer

	var seen []string
	for k := range d.checked {
		seen = append(seen, k)
	}
	sort.Strings(seen)
	for _, want := range []string{"GET /registrations/{token} 200", "GET /events/{slug}/registrations 200", "POST /events 201",
		"POST /events 422", "POST /events 400", "POST /events 401", "PATCH /events/{slug} 409", "POST /events/{slug}/registrations 202",
		"POST /events/{slug}/registrations 409", "DELETE /registrations/{token} 422", "POST /events 405"} {
		if d.checked[want] == 0 {
			t.Errorf("no answer %s was checked; checked: %v", want, seen)
		}
	}
}
