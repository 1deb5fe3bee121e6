package app_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

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

func browserContext(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(390, 844), // a phone
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
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
