package app_test

import (
	"bytes"
	"context"
	"flag"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// chromium finds a Chromium binary, or skips (fails under
// CONVENE_REQUIRE_BROWSER=1, as in CI).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CONVENE_REQUIRE_BROWSER") == "1" {
		t.Fatal("Chromium required (CONVENE_REQUIRE_BROWSER=1) but not found: apt-get install chromium")
	}
	t.Skip("no Chromium found (apt-get install chromium); set CONVENE_REQUIRE_BROWSER=1 to make this a failure")
	return ""
}

// The package's journeys share one Chromium, started by the first test that
// needs it and stopped by TestMain; each test has its own tab in its own
// browser context (cookies and storage of its own).
var chrome struct {
	once   sync.Once
	ctx    context.Context
	stop   func()
	err    error
	tmpDir string
}

// screenshots is where the journeys save their screenshots, relative to the
// repository's root: go test ./app -run TestBrowser -screenshots=docs/screenshots
// (CONVENE_SCREENSHOTS=1, which the other journeys read, means the same).
var screenshots = flag.String("screenshots", "", "save the browser journeys' screenshots in this directory (relative to the repository root)")

// saveScreenshot saves a screenshot of the tab's page, the viewport's width
// and at most three screens tall, under that name in the -screenshots
// directory (compressed as small as Go's PNG encoder can); without the flag
// it does nothing.
func saveScreenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := *screenshots
	if dir == "" && os.Getenv("CONVENE_SCREENSHOTS") == "1" {
		dir = "docs/screenshots"
	}
	if dir == "" {
		return
	}
	size, err := chromedp.Run(ctx, chromedp.Evaluate[[2]float64](`[innerWidth, Math.min(document.documentElement.scrollHeight, 3 * innerHeight)]`))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	shot, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
		Format: page.CaptureScreenshotFormatPng, CaptureBeyondViewport: ptrTo(true),
		Clip: &page.Viewport{Width: size[0], Height: size[1], Scale: 1}})
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	img, err := png.Decode(bytes.NewReader(shot.Data))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	var out bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&out, img); err != nil {
		t.Fatal(err)
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join("..", dir)
	}
	if err := os.WriteFile(filepath.Join(dir, name), out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if chrome.stop != nil {
		chrome.stop()
		os.RemoveAll(chrome.tmpDir)
	}
	os.Exit(code)
}

// browserContext is a new tab of the shared Chromium, in a browser context
// of its own, with a phone's viewport (390×844) and a deadline (long: the
// machines that run the tests can be busy).
func browserContext(t *testing.T) context.Context {
	t.Helper()
	path := chromium(t)
	chrome.once.Do(func() {
		chrome.tmpDir, chrome.err = os.MkdirTemp("", "convene-chromium-")
		if chrome.err != nil {
			return
		}
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path),
			chromedp.NoSandbox,
			chromedp.DisableGPU,
			chromedp.Flag("disable-quic", true),
			chromedp.Flag("disable-background-networking", true),
			chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true),
			chromedp.UserDataDir(chrome.tmpDir),
			chromedp.WindowSize(1280, 900),
		)
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancelB := chromedp.NewContext(actx)
		chrome.ctx, chrome.stop = bctx, func() { cancelB(); cancelA() }
		chrome.err = chromedp.Do(bctx) // starts the browser
	})
	if chrome.err != nil {
		t.Fatalf("starting Chromium: %v", chrome.err)
	}
	ctx, cancelC := chromedp.NewContext(chrome.ctx, chromedp.WithNewBrowserContext())
	ctx, cancelT := context.WithTimeout(ctx, 9*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844)); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return ctx
}

// TestBrowserRegistration is the attendee journey in a real browser: from
// the home page to an event, a form with a mistake, then a confirmation.
func TestBrowserRegistration(t *testing.T) {
	e := seeded(t)
	base := e.serve()
	ctx := browserContext(t)

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	submit := css(`form[action$="/register"] button[type="submit"]`)

	step("open the event from the home page",
		chromedp.Navigate(base+"/"),
		chromedp.Click(css(`a[href="/events/hmd-interfaith-memorial"]`)),
		chromedp.WaitVisible(css(`#register-title`)))
	heading := text("h1")
	step("submit with mistakes",
		chromedp.SendKeys(css(`#name`), "Hannah Levi"),
		chromedp.SendKeys(css(`#email`), "hannah-at-example.org"),
		chromedp.Click(css(`input[name="attendance"][value="in_person"]`)),
		chromedp.Click(submit),
		chromedp.WaitVisible(css(`.error-summary`)))
	errorSummary := text(".error-summary")
	typedName, err := chromedp.Run(ctx, chromedp.Value(css(`#name`)))
	if err != nil {
		t.Fatal(err)
	}
	step("put it right",
		chromedp.SetValue(css(`#email`), "hannah@example.org"),
		chromedp.Click(css(`#consent`)),
		chromedp.Click(submit),
		chromedp.WaitVisible(css(`.status-panel`)))
	confirmation := text(".status-panel")
	manageURL := text("#manage-url")
	if !strings.Contains(heading, "Holocaust Memorial Day") {
		t.Errorf("event heading %q", heading)
	}
	if !strings.Contains(errorSummary, "email address in the correct format") || !strings.Contains(errorSummary, "Agree") {
		t.Errorf("error summary %q", errorSummary)
	}
	if typedName != "Hannah Levi" {
		t.Errorf("typed name lost: %q", typedName)
	}
	if !strings.Contains(confirmation, "You are registered") {
		t.Errorf("confirmation %q", confirmation)
	}
	if !strings.HasPrefix(manageURL, "http://convene.test/r/") {
		t.Errorf("manage link %q", manageURL)
	}
}
