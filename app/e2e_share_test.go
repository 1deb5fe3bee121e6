package app_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"convene/models"
)

// TestBrowserSharing opens an event page in a real browser under the
// strict CSP: the content-hashed stylesheet and scripts load (compressed),
// nothing is blocked, the Copy button copies the public address, and the
// poster prints on one A4 page. With CONVENE_SCREENSHOTS=1 it saves
// docs/screenshots/event-share-{phone,desktop}.png and poster-a4.png.
func TestBrowserSharing(t *testing.T) {
	e := seeded(t)
	base := e.serve()
	ctx := browserContext(t)
	const slug = "hmd-interfaith-memorial"
	eventURL := "http://convene.test/events/" + slug

	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	eval := func(js string, opts ...chromedp.EvaluateOption) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, opts...))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	shots := t.TempDir()
	if os.Getenv("CONVENE_SCREENSHOTS") == "1" {
		shots = filepath.Join("..", "docs", "screenshots")
	}
	shot := func(name string) {
		t.Helper()
		// From the top: a sticky card would otherwise sit where the last
		// scroll left it.
		eval(`window.scrollTo(0, 0); "top"`)
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	step("watch for CSP violations, allow the clipboard, take the focus",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
				Source: `window.cspViolations = []; document.addEventListener("securitypolicyviolation", function (e) { window.cspViolations.push(e.violatedDirective + " " + e.blockedURI); });`})
			if err != nil {
				return err
			}
			if _, err := chromedp.CallBrowser(ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
				Permission: &cdpbrowser.PermissionDescriptor{Name: "clipboard-write", AllowWithoutSanitization: true},
				Setting:    cdpbrowser.PermissionSettingGranted, Origin: base}); err != nil {
				return err
			}
			_, err = chromedp.Call(ctx, page.BringToFront, cdp.Empty{})
			return err
		}))
	// The organiser gives the event a cover on its Share tab.
	cover := filepath.Join(t.TempDir(), "vigil.png")
	if err := os.WriteFile(cover, coverPicture(t), 0o644); err != nil {
		t.Fatal(err)
	}
	step("sign in",
		chromedp.Navigate(base+"/admin/login"),
		chromedp.SendKeys(chromedp.CSS(`#email`), models.DemoEmail),
		chromedp.SendKeys(chromedp.CSS(`#password`), models.DemoPassword),
		chromedp.Click(chromedp.CSS(`form[action="/admin/login"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.admin-nav`)))
	step("upload a cover without describing it",
		chromedp.Navigate(base+"/admin/events/"+slug+"/share"),
		chromedp.WaitVisible(chromedp.CSS(`#cover`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#cover`), []string{cover}),
		chromedp.Click(chromedp.CSS(`form[action$="/cover"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.error-summary`)))
	if msg := eval(`document.querySelector("#cover_alt-error").textContent`); !strings.Contains(msg, "Describe the image") {
		t.Errorf("without a description: %q", msg)
	}
	step("describe it and upload again",
		chromedp.SetUploadFiles(chromedp.CSS(`#cover`), []string{cover}),
		chromedp.SendKeys(chromedp.CSS(`#cover_alt`), "Candles lit at last year's commemoration"),
		chromedp.Click(chromedp.CSS(`form[action$="/cover"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.cover-preview img`)))
	if saved := eval(`document.querySelector(".notice-success").textContent`); saved != "Cover image saved." {
		t.Errorf("after the upload: %q", saved)
	}
	step("the Share tab on a desktop", chromedp.EmulateViewport(1280, 900))
	shot("admin-share-desktop.png")
	step("back to a phone", chromedp.EmulateViewport(390, 844))
	step("open the event page",
		chromedp.Navigate(base+"/events/"+slug),
		chromedp.WaitVisible(chromedp.CSS(`.share-link button[data-copy]`)))

	if loaded := eval(`String(document.querySelector(".event-cover img").naturalWidth)`); loaded != "1600" {
		t.Errorf("cover image: natural width %s, want 1600", loaded)
	}
	if bg := eval(`getComputedStyle(document.querySelector(".site-header")).backgroundColor`); bg != "rgb(29, 78, 137)" {
		t.Errorf("header background %q: the hashed stylesheet did not apply", bg)
	}
	assets := eval(`JSON.stringify(performance.getEntriesByType("resource").filter(function (r) { return r.name.indexOf("/public/") >= 0; }).map(function (r) { return [r.name.replace(location.origin, ""), r.encodedBodySize < r.decodedBodySize]; }))`)
	for _, want := range []string{`"/public/css/app.`, `"/public/js/share.`} {
		if !strings.Contains(assets, want) {
			t.Errorf("loaded assets %s lack %s…", assets, want)
		}
	}
	if strings.Contains(assets, `.css",false]`) || strings.Contains(assets, `.js",false]`) {
		t.Errorf("assets sent uncompressed to a browser: %s", assets)
	}

	// What the button writes is recorded on its way to the real clipboard
	// (reading the clipboard back needs focus, which parallel browsers
	// take from one another).
	eval(`(function () { var write = navigator.clipboard.writeText.bind(navigator.clipboard); navigator.clipboard.writeText = function (s) { window.copied = s; return write(s); }; return "ok"; })()`)
	step("copy the link",
		chromedp.Click(chromedp.CSS(`.share-link button[data-copy]`)),
		chromedp.WaitVisible(chromedp.CSS(`.share-status`)),
		chromedp.Poll[chromedp.Void](`document.querySelector(".share-status").textContent !== ""`))
	if status := eval(`document.querySelector(".share-status").textContent`); status != "Link copied." {
		t.Errorf("status after Copy: %q", status)
	}
	if copied := eval(`window.copied`); copied != eventURL {
		t.Errorf("clipboard holds %q, want %q", copied, eventURL)
	}
	if ld := eval(`JSON.parse(document.querySelector('script[type="application/ld+json"]').textContent).eventAttendanceMode`); ld != "https://schema.org/MixedEventAttendanceMode" {
		t.Errorf("JSON-LD read by the browser: eventAttendanceMode %q", ld)
	}
	step("phone and desktop", chromedp.EmulateViewport(390, 844), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.share-link`)))
	shot("event-share-phone.png")
	step("desktop", chromedp.EmulateViewport(1280, 900), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.share-link`)))
	shot("event-share-desktop.png")

	// The poster of the demo event, and of one with the longest title and
	// summary an event can have: one A4 page each, the QR code on it.
	long := e.event("poster-longest", func(in *models.EventInput) {
		in.Title = sp(strings.Repeat("Remembrance and solidarity ", 8)[:200])
		in.Summary = sp(strings.Repeat("Testimony, prayers, music and candle lighting for everyone. ", 9)[:500])
	})
	for _, s := range []string{slug, long.Slug} {
		step("open the poster of "+s,
			chromedp.EmulateViewport(1280, 900),
			chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: ""})
				return err
			}),
			chromedp.Navigate(base+"/events/"+s+"/poster"),
			chromedp.WaitVisible(chromedp.CSS(`button[data-print]`)))
		if v := eval(`JSON.stringify(window.cspViolations)`); v != "[]" {
			t.Errorf("CSP violations: %s", v)
		}
		step("print it",
			chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
				res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: ptrTo(true)})
				if err != nil {
					return err
				}
				if n := pdfPages(res.Data); n != 1 {
					t.Errorf("%s: the poster prints on %d pages, want 1", s, n)
				}
				// A4 at 96 CSS pixels per inch, as printed.
				_, err = chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
				return err
			}),
			chromedp.EmulateViewport(794, 1123))
		if display := eval(`getComputedStyle(document.querySelector(".site-header")).display`); display != "none" {
			t.Errorf("%s: printed poster shows the site header (display %q)", s, display)
		}
		if fits := eval(`String(document.querySelector(".poster .qr").getBoundingClientRect().bottom <= 1123)`); fits != "true" {
			t.Errorf("%s: the QR code falls off the printed page", s)
		}
		if s == slug {
			shot("poster-a4.png")
		}
	}
}

// pdfPages counts the pages of a PDF that Chromium printed (its page
// objects are "/Type /Page", its page tree "/Type /Pages").
func pdfPages(pdf []byte) int {
	return bytes.Count(pdf, []byte("/Type /Page")) - bytes.Count(pdf, []byte("/Type /Pages"))
}

func ptrTo[T any](v T) *T { return &v }

// coverPicture draws a 2400 × 1200 picture (dusk, a row of candles) as a
// PNG: a phone-sized upload for the cover.
func coverPicture(t *testing.T) []byte {
	t.Helper()
	const w, h = 2400, 1200
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		sky := color.RGBA{uint8(30 + 60*y/h), uint8(40 + 30*y/h), uint8(90 - 40*y/h), 255}
		for x := 0; x < w; x++ {
			img.Set(x, y, sky)
		}
	}
	for i := 0; i < 9; i++ {
		cx := 300 + i*225
		for y := 700; y < 1100; y++ {
			for x := cx - 40; x < cx+40; x++ {
				img.Set(x, y, color.RGBA{240, 232, 210, 255})
			}
		}
		for y := 560; y < 690; y++ {
			half := (y - 560) / 4
			if y > 640 {
				half = (690 - y) / 2
			}
			for x := cx - half; x <= cx+half; x++ {
				img.Set(x, y, color.RGBA{255, 190, 60, 255})
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
