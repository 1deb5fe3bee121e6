package app_test

import (
	"testing"
	"testing/fstest"

	"convene/app"
	"convene/views"
)

// TestEveryPageParses: pages are parsed on first use, so a broken page
// template must fail here, not on a visitor's request.
func TestEveryPageParses(t *testing.T) {
	r, err := app.NewRenderer(views.FS)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Warm(); err != nil {
		t.Fatal(err)
	}
	broken := fstest.MapFS{
		"layouts/base.html":  {Data: []byte(`{{define "base"}}{{template "content" .}}{{end}}`)},
		"partials/none.html": {Data: []byte(``)},
		"pages/fine.html":    {Data: []byte(`{{define "content"}}fine{{end}}`)},
		"pages/broken.html":  {Data: []byte(`{{define "content"}}{{if}}{{end}}`)},
	}
	r, err = app.NewRenderer(broken)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Warm(); err == nil {
		t.Fatal("a page that does not parse passed Warm")
	}
}
