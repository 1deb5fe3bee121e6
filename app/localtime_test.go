package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"convene/models"
)

// TestLocalTimeMarkup: online and hybrid events carry their times for the
// visitor's zone script (event page, manage page, lists); in-person events
// do not; every time names the event's zone.
func TestLocalTimeMarkup(t *testing.T) {
	e := newEnv(t, nil)
	yes, no := true, false
	e.event("hall", nil)
	hybrid := e.event("hybrid", func(in *models.EventInput) { in.Online = &yes })
	e.event("online", func(in *models.EventInput) { in.Online, in.InPerson = &yes, &no })
	tz := "America/New_York"
	newyork := e.event("newyork", func(in *models.EventInput) { in.Online, in.Timezone = &yes, &tz })
	manage := func(ev *models.Event) string {
		res, err := models.Register(e.db.DB, e.cfg.Tokens(), ev.ID, models.RegisterInput{Name: "Ada", Email: ev.Slug + "@example.org",
			Attendance: models.Online, Consent: true}, testNow)
		if err != nil {
			t.Fatal(err)
		}
		return models.ManagePath(e.cfg.Tokens().ManageToken(res.Registration))
	}
	tests := []struct {
		path      string
		localTime bool
		zone      string
	}{
		{"/events/hall", false, "GMT, London time"},
		{"/events/hybrid", true, "GMT, London time"},
		{"/events/online", true, "GMT, London time"},
		{"/events/newyork", true, "EST, New York time"},
		{manage(hybrid), true, "GMT, London time"},
		{manage(newyork), true, "EST, New York time"},
		{"/", true, "EST, New York time"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res, page := e.get(tt.path)
			if res.StatusCode != 200 {
				t.Fatalf("%d", res.StatusCode)
			}
			if got := strings.Contains(page, "data-local-time"); got != tt.localTime {
				t.Errorf("local time markup %v, want %v", got, tt.localTime)
			}
			if tt.localTime && !strings.Contains(page, `<script src="/public/js/event.`) {
				t.Error("the local time script is not loaded")
			}
			if !strings.Contains(page, tt.zone) {
				t.Errorf("the zone %q is not named", tt.zone)
			}
		})
	}
}

// TestBrowserLocalTime: a visitor in New York sees a London event's time in
// their own zone too; a visitor in London, or in a zone whose clock shows
// the same times (UTC in winter), sees nothing added.
func TestBrowserLocalTime(t *testing.T) {
	e := newEnv(t, nil)
	yes := true
	e.event("hybrid", func(in *models.EventInput) { in.Online = &yes })
	base := e.serve()
	for _, tt := range []struct {
		zone, want string
		shown      bool
	}{
		{"America/New_York", "New York", true},
		{"Asia/Tokyo", "Tokyo", true},
		{"Europe/London", "", false},
		{"UTC", "", false}, // the same clock as London in winter: nothing to add
	} {
		t.Run(tt.zone, func(t *testing.T) {
			ctx := browserContext(t)
			err := chromedp.Do(ctx,
				func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
					_, err := cdp.Call(ctx, tg, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: tt.zone})
					return chromedp.Void{}, err
				},
				chromedp.Navigate(base+"/events/hybrid"),
				chromedp.WaitReady(chromedp.CSS(`.summary-card`)))
			if err != nil {
				t.Fatal(err)
			}
			hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector(".summary-card [data-local-time]").hidden`))
			if err != nil {
				t.Fatal(err)
			}
			text, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(`.summary-card [data-local-time]`)))
			if err != nil {
				t.Fatal(err)
			}
			if hidden == tt.shown {
				t.Fatalf("local time shown %v, want %v (%q)", !hidden, tt.shown, text)
			}
			if tt.shown && (!strings.HasPrefix(text, "Your time: ") || !strings.Contains(text, tt.want)) {
				t.Errorf("local time %q, want the zone %s named", text, tt.want)
			}
		})
	}
}
