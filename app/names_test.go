package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"convene/models"
)

// TestSpoofedNamesRefusedOnForms: a name with a line break or a direction
// override gets a message beside the field on the web form and in the API,
// and nothing is stored.
func TestSpoofedNamesRefusedOnForms(t *testing.T) {
	e := newEnv(t, nil)
	e.event("names", nil)
	for _, name := range []string{"Mallory\r\nBcc: everyone", "Evil\u202egnp.exe", "Sam\u2067 Admin\u2069"} {
		b := e.browser()
		b.get("/events/names")
		r, page := b.post("/events/names/register", regForm(name, "m@example.org"))
		if r.StatusCode != 422 || !strings.Contains(page, `href="#name"`) || !strings.Contains(page, "no invisible characters that change the direction") {
			t.Errorf("web form, name %q: status %d", name, r.StatusCode)
		}
		body, _ := json.Marshal(map[string]any{"name": name, "email": "m@example.org", "consent": true})
		r2, p := e.jsonReq("POST", "/api/v1/events/names/registrations", string(body), "")
		if errs, _ := p["errors"].(map[string]any); r2.StatusCode != 422 || errs["name"] == nil {
			t.Errorf("API, name %q: status %d %v", name, r2.StatusCode, p)
		}
	}
	var n int64
	e.db.Model(&models.Registration{}).Count(&n)
	if n != 0 {
		t.Fatalf("%d registrations stored", n)
	}
}
