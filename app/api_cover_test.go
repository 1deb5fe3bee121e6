package app

import (
	"encoding/json"
	"strings"
	"testing"

	"convene/models"
)

// TestAPIEventCoverURL: event objects carry cover_url, the absolute address
// of the cover image (null without one), in the list, the event and the
// answers to POST/PATCH; event bodies refuse it as an unknown field, as
// they refuse places_left.
func TestAPIEventCoverURL(t *testing.T) {
	f := newFixture(t, nil)
	coverURL := func(t *testing.T, path, role string) any {
		t.Helper()
		res := f.do(request{method: "GET", path: path, role: role, bearer: true})
		var got map[string]any
		if err := json.Unmarshal([]byte(readBody(t, res)), &got); err != nil || res.StatusCode != 200 {
			t.Fatalf("GET %s: %d %v", path, res.StatusCode, err)
		}
		if events, ok := got["events"].([]any); ok {
			for _, e := range events {
				if e.(map[string]any)["slug"] == f.ev.Slug {
					return e.(map[string]any)["cover_url"]
				}
			}
			t.Fatalf("%s lacks %s", path, f.ev.Slug)
		}
		v, ok := got["cover_url"]
		if !ok {
			t.Fatalf("%s: no cover_url", path)
		}
		return v
	}
	for _, path := range []string{"/api/v1/events/" + f.ev.Slug, "/api/v1/events"} {
		if got := coverURL(t, path, roleAnon); got != nil {
			t.Errorf("%s without a cover: cover_url %v, want null", path, got)
		}
	}
	ev := must(models.SaveCover(f.db.DB, f.ev.Slug, models.CoverInput{Picture: &models.CoverPicture{Data: []byte("jpeg bytes"),
		ContentType: "image/jpeg", Width: 1200, Height: 630}, Alt: "Candles"}, nil, f.now))
	f.app.events.touch(ev.ID) // the cache's second, passed (the test's clock stands still)
	want := "http://convene.test/media/covers/" + ev.CoverName
	for _, path := range []string{"/api/v1/events/" + f.ev.Slug, "/api/v1/events"} {
		for _, role := range []string{roleAnon, roleOrganiser} {
			if got := coverURL(t, path, role); got != want {
				t.Errorf("%s as %s: cover_url %v, want %s", path, role, got, want)
			}
		}
	}
	res := f.do(request{method: "GET", path: strings.TrimPrefix(want, "http://convene.test")})
	if b := readBody(t, res); res.StatusCode != 200 || b != "jpeg bytes" {
		t.Fatalf("the cover_url does not serve the cover: %d %q", res.StatusCode, b)
	}

	tests := []struct {
		name, method, path, body string
		status                   int
		field                    string // named in errors
	}{
		{"PATCH with cover_url", "PATCH", "/api/v1/events/" + f.ev.Slug, `{"cover_url":"https://evil.example/x.jpg"}`, 422, "cover_url"},
		{"PATCH with null cover_url", "PATCH", "/api/v1/events/" + f.ev.Slug, `{"title":"Iftar","cover_url":null}`, 422, "cover_url"},
		{"PATCH with places_left, likewise", "PATCH", "/api/v1/events/" + f.ev.Slug, `{"places_left":3}`, 422, "places_left"},
		{"POST with cover_url", "POST", "/api/v1/events", `{"title":"T","kind":"meeting","starts_at":"2026-12-01T18:00:00Z","cover_url":"x"}`, 422, "cover_url"},
		{"PATCH without it: the cover stays", "PATCH", "/api/v1/events/" + f.ev.Slug, `{"summary":"Changed"}`, 200, ""},
		{"POST without it: no cover", "POST", "/api/v1/events", `{"title":"T","kind":"meeting","starts_at":"2026-12-01T18:00:00Z"}`, 201, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.do(request{method: tt.method, path: tt.path, role: roleOrganiser, bearer: true, json: tt.body})
			var got map[string]any
			if err := json.Unmarshal([]byte(readBody(t, res)), &got); err != nil || res.StatusCode != tt.status {
				t.Fatalf("%d, want %d: %v %v", res.StatusCode, tt.status, got, err)
			}
			if tt.field != "" {
				if errs, _ := got["errors"].(map[string]any); errs[tt.field] == nil {
					t.Errorf("errors do not name %s: %v", tt.field, got)
				}
			} else if tt.method == "PATCH" && got["cover_url"] != want {
				t.Errorf("cover_url %v, want %s", got["cover_url"], want)
			} else if tt.method == "POST" && got["cover_url"] != nil {
				t.Errorf("a new event's cover_url %v, want null", got["cover_url"])
			}
			if cur := must(models.FindEvent(f.db.DB, f.ev.Slug)); cur.CoverName != ev.CoverName {
				t.Errorf("the cover changed: %q", cur.CoverName)
			}
		})
	}
}
