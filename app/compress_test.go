package app

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"convene/public"
)

// decode undoes a Content-Encoding.
func decode(t *testing.T, res *http.Response, b []byte) []byte {
	t.Helper()
	var r io.Reader
	switch ce := res.Header.Get("Content-Encoding"); ce {
	case "":
		return b
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("gzip: %v", err)
		}
		r = zr
	case "br":
		r = brotli.NewReader(bytes.NewReader(b))
	default:
		t.Fatalf("Content-Encoding %q", ce)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s body does not decode: %v", res.Header.Get("Content-Encoding"), err)
	}
	return out
}

// fetchEncoded sends GET path with an Accept-Encoding (and a session for
// role) and returns the answer and its decoded body.
func (f *fixture) fetchEncoded(method, path, role, acceptEncoding string, form url.Values) (*http.Response, []byte) {
	f.t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("_csrf", testCSRF)
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	req.AddCookie(&http.Cookie{Name: "convene_csrf", Value: testCSRF})
	if role != "" {
		req.AddCookie(&http.Cookie{Name: "convene_session", Value: f.sessions[role]})
	}
	res, err := f.app.Fiber.Test(req, -1)
	if err != nil {
		f.t.Fatal(err)
	}
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return res, decode(f.t, res, raw)
}

func TestCompressionNegotiated(t *testing.T) {
	f := newFixture(t, nil)
	paths := []struct {
		name, path, want string
	}{
		{"home page", "/", "</html>"},
		{"event page", "/events/iftar", "Solidarity Iftar"},
		{"feed", "/calendar.ics", "BEGIN:VCALENDAR"},
		{"event file", "/events/iftar.ics", "BEGIN:VCALENDAR"},
		{"API list", "/api/v1/events", `"events"`},
		{"stylesheet", "/public/css/app.css", "--brand"},
		{"script", "/public/js/event.js", "use strict"},
	}
	encodings := []struct {
		accept, want string
	}{
		{"", ""},
		{"identity", ""},
		{"gzip", "gzip"},
		{"deflate, gzip", "gzip"},
		{"gzip, deflate, br", "br"},
		{"br;q=0, gzip", "gzip"},
		{"gzip;q=0", ""},
		{"br;q=0.0, gzip;q=0", ""},
	}
	for _, p := range paths {
		_, plain := f.fetchEncoded("GET", p.path, "", "", nil)
		for _, e := range encodings {
			t.Run(p.name+"/"+e.accept, func(t *testing.T) {
				res, got := f.fetchEncoded("GET", p.path, "", e.accept, nil)
				if res.StatusCode != 200 {
					t.Fatalf("status %d", res.StatusCode)
				}
				if ce := res.Header.Get("Content-Encoding"); ce != e.want {
					t.Errorf("Content-Encoding %q, want %q", ce, e.want)
				}
				if !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
					t.Errorf("Vary %q lacks Accept-Encoding", res.Header.Get("Vary"))
				}
				if !strings.Contains(string(got), p.want) {
					t.Errorf("decoded body lacks %q", p.want)
				}
				// Bytes that do not depend on the request (all but pages,
				// which carry a CSRF token) decode to the identity bytes.
				if !strings.HasSuffix(p.path, "/") && p.name != "event page" && !bytes.Equal(got, plain) {
					t.Errorf("decoded body differs from the identity one (%d vs %d bytes)", len(got), len(plain))
				}
			})
		}
	}
}

func TestCompressionLeavesPrivateAndFormAnswers(t *testing.T) {
	f := newFixture(t, nil)
	tests := []struct {
		name, method, path, role string
		form                     url.Values
		status                   int
	}{
		{"organiser page", "GET", "/admin", roleOrganiser, nil, 200},
		{"attendee list", "GET", "/admin/events/iftar/attendees", roleOrganiser, nil, 200},
		{"form sent back with errors", "POST", "/events/iftar/register", "", url.Values{"name": {"<b>typed</b>"}}, 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, b := f.fetchEncoded(tt.method, tt.path, tt.role, "gzip, br", tt.form)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if len(b) < 1000 {
				t.Fatalf("body of %d bytes: too small to tell", len(b))
			}
			if ce := res.Header.Get("Content-Encoding"); ce != "" {
				t.Errorf("Content-Encoding %q: private and form answers go uncompressed (BREACH)", ce)
			}
		})
	}
}

func TestFeedETagWithCompression(t *testing.T) {
	f := newFixture(t, nil)
	plain, _ := f.fetchEncoded("GET", "/calendar.ics", "", "", nil)
	etag := plain.Header.Get("ETag")
	if !regexp.MustCompile(`^"[^"]+"$`).MatchString(etag) {
		t.Fatalf("ETag %q", etag)
	}
	for _, ae := range []string{"", "gzip", "br"} {
		res, _ := f.fetchEncoded("GET", "/calendar.ics", "", ae, nil)
		if res.Header.Get("ETag") != etag {
			t.Errorf("%q: ETag %q, want %q (it names the calendar, whatever the coding)", ae, res.Header.Get("ETag"), etag)
		}
		req := httptest.NewRequest("GET", "/calendar.ics", nil)
		req.Header.Set("If-None-Match", etag)
		if ae != "" {
			req.Header.Set("Accept-Encoding", ae)
		}
		r304, err := f.app.Fiber.Test(req, -1)
		if err != nil {
			t.Fatal(err)
		}
		if r304.StatusCode != 304 || r304.Header.Get("Content-Encoding") != "" || !strings.Contains(r304.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("%q: repeat request %d, Content-Encoding %q, Vary %q; want 304 with Vary: Accept-Encoding",
				ae, r304.StatusCode, r304.Header.Get("Content-Encoding"), r304.Header.Get("Vary"))
		}
	}
}

func TestHashedAssets(t *testing.T) {
	f := newFixture(t, nil)
	css, err := fs.ReadFile(public.FS, "css/app.css")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(css)
	hashed := "/public/css/app." + hex.EncodeToString(sum[:5]) + ".css"

	_, page := f.fetchEncoded("GET", "/events/iftar", "", "", nil)
	for _, want := range []string{`href="` + hashed + `"`, `src="/public/js/event.`} {
		if !strings.Contains(string(page), want) {
			t.Errorf("event page lacks %s", want)
		}
	}
	if strings.Contains(string(page), `"/public/css/app.css"`) {
		t.Error("event page links the unhashed stylesheet")
	}

	tests := []struct {
		path, cache string
		status      int
	}{
		{hashed, "public, max-age=31536000, immutable", 200},
		{"/public/css/app.css", "public, max-age=300", 200},
		{"/public/css/app.0000000000.css", "", 404},
		{"/public/css/", "", 404},
		{"/public/embed.go", "", 404},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, b := f.fetchEncoded("GET", tt.path, "", "br", nil)
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if tt.status != 200 {
				return
			}
			if got := res.Header.Get("Cache-Control"); got != tt.cache {
				t.Errorf("Cache-Control %q, want %q", got, tt.cache)
			}
			if !bytes.Equal(b, css) {
				t.Error("body is not public/css/app.css")
			}
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/css") {
				t.Errorf("Content-Type %q", ct)
			}
			req := httptest.NewRequest("GET", tt.path, nil)
			req.Header.Set("If-None-Match", res.Header.Get("ETag"))
			r, err := f.app.Fiber.Test(req, -1)
			if err != nil {
				t.Fatal(err)
			}
			if r.StatusCode != 304 {
				t.Errorf("If-None-Match: status %d, want 304", r.StatusCode)
			}
		})
	}
}

func TestAcceptsEncoding(t *testing.T) {
	tests := []struct {
		header, coding string
		want           bool
	}{
		{"", "gzip", false},
		{"gzip", "gzip", true},
		{"GZIP", "gzip", true},
		{"deflate, gzip;q=0.5", "gzip", true},
		{"gzip;q=0", "gzip", false},
		{"gzip; q=0.000", "gzip", false},
		{"gzip;q=1.0", "gzip", true},
		{"*", "br", true},
		{"*;q=0", "br", false},
		{"br;q=0, *", "br", false},
		{"*, br;q=0", "br", false},
		{"x-gzip", "gzip", false},
		{"gzipx", "gzip", false},
	}
	for _, tt := range tests {
		if got := acceptsEncoding(tt.header, tt.coding); got != tt.want {
			t.Errorf("acceptsEncoding(%q, %q) = %v, want %v", tt.header, tt.coding, got, tt.want)
		}
	}
}
