package app

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"convene/images"
	"convene/models"
)

// testPNG is a w × h PNG with a text chunk holding secret (metadata that
// must not survive).
func testPNG(t *testing.T, w, h int, secret string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, color.RGBA{uint8(x), 80, uint8(y), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	p := b.Bytes()
	data := []byte("Comment\x00" + secret)
	var chunk bytes.Buffer
	_ = binary.Write(&chunk, binary.BigEndian, uint32(len(data)))
	chunk.WriteString("tEXt")
	chunk.Write(data)
	_ = binary.Write(&chunk, binary.BigEndian, crc32.ChecksumIEEE(append([]byte("tEXt"), data...)))
	end := 8 + 8 + 13 + 4
	return append(append(append([]byte{}, p[:end]...), chunk.Bytes()...), p[end:]...)
}

// upload sends the cover form as role, with a file (nil: none) named name.
func (f *fixture) upload(role, slug, name, ctype string, file []byte, alt string) *http.Response {
	f.t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", testCSRF)
	_ = w.WriteField("cover_alt", alt)
	if file != nil {
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{`form-data; name="cover"; filename="` + name + `"`}
		h["Content-Type"] = []string{ctype}
		part, err := w.CreatePart(h)
		if err != nil {
			f.t.Fatal(err)
		}
		_, _ = part.Write(file)
	}
	_ = w.Close()
	req := httptest.NewRequest("POST", "/admin/events/"+slug+"/cover", &body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "convene_csrf", Value: testCSRF})
	req.AddCookie(&http.Cookie{Name: "convene_session", Value: f.sessions[role]})
	res, err := f.app.Fiber.Test(req, -1)
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

func (f *fixture) event(slug string) *models.Event {
	f.t.Helper()
	ev, err := models.FindEvent(f.db.DB, slug)
	if err != nil {
		f.t.Fatal(err)
	}
	return ev
}

func TestCoverUpload(t *testing.T) {
	f := newFixture(t, nil)
	const secret = "GPS 51.5 -0.1 taken on Amira's phone"
	const alt = `Candles lit at last year's vigil, "together"`
	res := f.upload(roleOrganiser, "iftar", "vigil.png", "image/png", testPNG(t, 2000, 1000, secret), alt)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/admin/events/iftar/share?saved=cover" {
		t.Fatalf("upload: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), readBody(t, res))
	}
	ev := f.event("iftar")
	if ev.CoverName == "" || ev.CoverAlt != alt || ev.CoverWidth != images.MaxSide || ev.CoverHeight != images.MaxSide/2 {
		t.Fatalf("cover %q %q %d×%d", ev.CoverName, ev.CoverAlt, ev.CoverWidth, ev.CoverHeight)
	}
	if strings.Contains(ev.CoverName, "vigil") || !strings.HasSuffix(ev.CoverName, ".jpg") || len(ev.CoverName) < 24 {
		t.Errorf("cover name %q: want a random name, never the uploaded one", ev.CoverName)
	}

	t.Run("served", func(t *testing.T) {
		res := f.do(request{method: "GET", path: "/media/covers/" + ev.CoverName})
		b := []byte(readBody(t, res))
		if res.StatusCode != 200 {
			t.Fatalf("status %d", res.StatusCode)
		}
		for h, want := range map[string]string{"Content-Type": "image/jpeg", "Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"} {
			if got := res.Header.Get(h); got != want {
				t.Errorf("%s %q, want %q", h, got, want)
			}
		}
		img, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil || img.Bounds().Dx() != images.MaxSide {
			t.Fatalf("not the resized JPEG: %v", err)
		}
		if bytes.Contains(b, []byte("Amira")) || bytes.Contains(b, []byte("GPS")) {
			t.Error("the served image keeps the upload's metadata")
		}
	})

	t.Run("on the page and in previews", func(t *testing.T) {
		res := f.do(request{method: "GET", path: "/events/iftar"})
		page := readBody(t, res)
		url := "http://convene.test/media/covers/" + ev.CoverName
		for _, want := range []string{
			`<img src="/media/covers/` + ev.CoverName + `" alt="Candles lit at last year&#39;s vigil, &#34;together&#34;" width="1600" height="800">`,
			`<meta property="og:image" content="` + url + `">`,
			`<meta property="og:image:alt" content="Candles lit at last year&#39;s vigil, &#34;together&#34;">`,
			`<meta property="og:image:width" content="1600">`,
			`<meta name="twitter:card" content="summary_large_image">`,
			`"image":["` + url + `"]`,
		} {
			if !strings.Contains(page, want) {
				t.Errorf("event page lacks %s", want)
			}
		}
		res = f.do(request{method: "GET", path: "/events/iftar/poster"})
		if page := readBody(t, res); !strings.Contains(page, `class="poster-cover" src="/media/covers/`+ev.CoverName+`"`) {
			t.Error("the poster lacks the cover")
		}
	})

	t.Run("description alone", func(t *testing.T) {
		res := f.upload(roleOrganiser, "iftar", "", "", nil, "Candles at the vigil")
		if res.StatusCode != 303 {
			t.Fatalf("status %d\n%s", res.StatusCode, readBody(t, res))
		}
		if got := f.event("iftar"); got.CoverName != ev.CoverName || got.CoverAlt != "Candles at the vigil" || got.Revision <= ev.Revision {
			t.Errorf("after a new description: name %q (was %q), alt %q, revision %d (was %d)", got.CoverName, ev.CoverName, got.CoverAlt, got.Revision, ev.Revision)
		}
		if page := readBody(t, f.do(request{method: "GET", path: "/events/iftar"})); !strings.Contains(page, `alt="Candles at the vigil"`) {
			t.Error("the event page does not show the new description")
		}
	})

	t.Run("replaced", func(t *testing.T) {
		res := f.upload(roleOrganiser, "iftar", "other.png", "image/png", testPNG(t, 600, 400, ""), "Another picture")
		if res.StatusCode != 303 {
			t.Fatalf("status %d", res.StatusCode)
		}
		now := f.event("iftar")
		if now.CoverName == ev.CoverName || now.CoverWidth != 600 {
			t.Fatalf("not replaced: %q %d", now.CoverName, now.CoverWidth)
		}
		if res := f.do(request{method: "GET", path: "/media/covers/" + ev.CoverName}); res.StatusCode != 404 {
			t.Errorf("old cover: status %d, want 404", res.StatusCode)
		}
		ev = now
	})

	t.Run("outsider", func(t *testing.T) {
		res := f.upload(roleOutsider, "iftar", "x.png", "image/png", testPNG(t, 600, 400, ""), "Mine now")
		if !denied(res) {
			t.Errorf("an organiser of another organisation: status %d", res.StatusCode)
		}
		if f.event("iftar").CoverName != ev.CoverName {
			t.Error("an outsider changed the cover")
		}
	})

	t.Run("removed", func(t *testing.T) {
		res := f.do(request{method: "POST", path: "/admin/events/iftar/cover/remove", role: roleOrganiser})
		if res.StatusCode != 303 {
			t.Fatalf("status %d", res.StatusCode)
		}
		if got := f.event("iftar"); got.CoverName != "" || got.CoverAlt != "" {
			t.Errorf("cover %q after removal", got.CoverName)
		}
		if res := f.do(request{method: "GET", path: "/media/covers/" + ev.CoverName}); res.StatusCode != 404 {
			t.Errorf("removed cover: status %d", res.StatusCode)
		}
		page := readBody(t, f.do(request{method: "GET", path: "/events/iftar"}))
		if strings.Contains(page, "og:image") || strings.Contains(page, "/media/covers/") {
			t.Error("the page still shows a cover")
		}
	})
}

func TestCoverUploadRefused(t *testing.T) {
	f := newFixture(t, nil)
	good := testPNG(t, 600, 400, "")
	huge := append(append([]byte{}, good...), make([]byte, images.MaxBytes)...)
	tests := []struct {
		name, file, ctype string
		data              []byte
		alt               string
		field, message    string
	}{
		{"no file", "", "", nil, "A picture", "cover", "Choose an image file"},
		{"text named .png", "poster.png", "image/png", []byte("just some words, honestly a picture"), "A picture", "cover", "must be a JPEG, PNG, GIF or WebP"},
		{"a page named .jpg", "x.jpg", "image/jpeg", []byte("<html><script>alert(1)</script></html>"), "A picture", "cover", "must be a JPEG, PNG, GIF or WebP"},
		{"SVG", "x.svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "A picture", "cover", "must be a JPEG, PNG, GIF or WebP"},
		{"damaged", "x.png", "image/png", good[:len(good)/3], "A picture", "cover", "could not be read"},
		{"too small", "x.png", "image/png", testPNG(t, 120, 90, ""), "A picture", "cover", "at least 400 pixels wide"},
		{"too big", "x.png", "image/png", huge, "A picture", "cover", "smaller than 8 MB"},
		{"no description", "x.png", "image/png", good, "  ", "cover_alt", "Describe the image"},
		{"description too long", "x.png", "image/png", good, strings.Repeat("a", 301), "cover_alt", "300 characters or fewer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := f.upload(roleOrganiser, "iftar", tt.file, tt.ctype, tt.data, tt.alt)
			page := readBody(t, res)
			if res.StatusCode != 422 {
				t.Fatalf("status %d, want 422", res.StatusCode)
			}
			if !strings.Contains(page, `<p class="field-error" id="`+tt.field+`-error">`) || !strings.Contains(page, tt.message) {
				t.Errorf("no message %q beside %s", tt.message, tt.field)
			}
			if !strings.Contains(page, `href="#`+tt.field+`"`) {
				t.Errorf("the error summary does not link to %s", tt.field)
			}
			if alt := strings.TrimSpace(tt.alt); alt != "" && !strings.Contains(page, `value="`+alt+`"`) {
				t.Error("the description typed is lost")
			}
			if got := f.event("iftar"); got.CoverName != "" {
				t.Errorf("a refused upload was kept as %q", got.CoverName)
			}
		})
	}
}

func TestBodyLimits(t *testing.T) {
	f := newFixture(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = f.app.Fiber.Listener(ln) }()
	t.Cleanup(func() { _ = f.app.Fiber.Shutdown() })
	base := "http://" + ln.Addr().String()
	good := testPNG(t, 600, 400, "")
	// A file just over images.MaxBytes, in a form under uploadBodyLimit:
	// the organiser gets a message beside the field.
	bigFile := append(append([]byte{}, good...), make([]byte, images.MaxBytes)...)
	tests := []struct {
		name, path string
		session    bool
		body       int
		status     int
	}{
		{"a form over 256 KB", "/events/iftar/register", true, 300 << 10, 413},
		{"an upload without a session", "/admin/events/iftar/cover", false, 300 << 10, 413},
		{"an upload over the upload limit", "/admin/events/iftar/cover", true, uploadBodyLimit + 1, 413},
		{"an upload of a file over 8 MB", "/admin/events/iftar/cover", true, -1, 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body bytes.Buffer
			w := multipart.NewWriter(&body)
			_ = w.WriteField("_csrf", testCSRF)
			_ = w.WriteField("cover_alt", "Candles")
			part, _ := w.CreateFormFile("cover", "big.png")
			if tt.body < 0 {
				_, _ = part.Write(bigFile)
			} else {
				_, _ = part.Write(make([]byte, tt.body))
			}
			_ = w.Close()
			cookies := "convene_csrf=" + testCSRF
			if tt.session {
				cookies += "; convene_session=" + f.sessions[roleOrganiser]
			}
			// Announce the whole body but send only what the server should
			// read: a refusal must come from the headers alone (and a client
			// still writing would see the connection reset, not the answer).
			conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			send := body.Bytes()
			if tt.status == 413 {
				send = send[:1024]
			}
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: convene.test\r\nContent-Type: %s\r\nCookie: %s\r\nContent-Length: %d\r\n\r\n",
				tt.path, w.FormDataContentType(), cookies, body.Len())
			if _, err := conn.Write(send); err != nil {
				t.Fatal(err)
			}
			_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
			res, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
			}
			if tt.status == 422 && !strings.Contains(string(page), "smaller than 8 MB") {
				t.Error("no message beside the field")
			}
		})
	}
}
