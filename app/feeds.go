package app

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/sync/singleflight"

	"convene/feeds"
	"convene/models"
)

// feedWindow is how far back feeds go: events that ended within it stay, and
// so do cancelled events for that long after their last change.
const feedWindow = 30 * 24 * time.Hour

// feedRebuildAfter is how long a built public feed is served without being
// built again, at most: as long as shared caches may keep it.
const feedRebuildAfter = 5 * time.Minute

// feedCacheMax bounds the cache of built public feeds (one per kind,
// organisation, series and event).
const feedCacheMax = 5000

// feedCache keeps built public feeds with their ETag, so that a repeat
// request costs one cheap query (models.FeedFingerprint) and a map lookup.
// It also remembers the ETag of private feeds, never their bytes, to date
// their changes.
type feedCache struct {
	// builds makes requests that miss together share one build: after an
	// edit, a feed of thousands of events is read and built once.
	builds singleflight.Group
	mu     sync.RWMutex
	m      map[string]*builtFeed
	// epoch is when the cache started empty: a feed first built after it may
	// have changed at any time before, so its Last-Modified is no earlier.
	epoch time.Time
}

// builtFeed is one built feed. It is never changed once stored.
type builtFeed struct {
	fingerprint string
	// expires is when the feed must be built again: when an event leaves it
	// by time passing, or feedRebuildAfter after it was built.
	expires      time.Time
	body         []byte
	etag         string
	lastModified time.Time
	filename     string // Content-Disposition of a single event's file
	// coded is the body compressed once for every request that accepts it
	// (public feeds only).
	coded *precompressed
}

func newFeedCache(now time.Time) *feedCache {
	return &feedCache{m: map[string]*builtFeed{}, epoch: now.Truncate(time.Second)}
}

// fresh returns the feed stored under key if it was built at fingerprint fp
// and nothing has left it since.
func (fc *feedCache) fresh(key, fp string, now time.Time) *builtFeed {
	fc.mu.RLock()
	f := fc.m[key]
	fc.mu.RUnlock()
	if f == nil || f.body == nil || f.fingerprint != fp || (!f.expires.IsZero() && !now.Before(f.expires)) {
		return nil
	}
	return f
}

// store records f, a feed just built from what changed last at newest, and
// returns it with its ETag and Last-Modified. Last-Modified is newest or,
// when the bytes differ from the last ones stored under key (an event may
// have left the feed without anything being changed), the time that was
// noticed. The body is kept only when keep is true.
func (fc *feedCache) store(key string, f builtFeed, newest, now time.Time, keep bool) *builtFeed {
	f.etag = etagOf(f.body)
	fc.mu.Lock()
	defer fc.mu.Unlock()
	prev := fc.m[key]
	if prev == nil && len(fc.m) >= feedCacheMax {
		clear(fc.m)
		fc.epoch = now.Truncate(time.Second)
	}
	switch {
	case prev != nil && prev.etag == f.etag:
		f.lastModified = prev.lastModified
	case prev != nil:
		f.lastModified = now
	default:
		f.lastModified = fc.epoch
	}
	if newest.After(f.lastModified) {
		f.lastModified = newest
	}
	f.lastModified = f.lastModified.UTC().Truncate(time.Second)
	if keep {
		f.coded = newPrecompressed(f.body, feedLevels)
	}
	stored := f
	if !keep {
		stored.body = nil
	}
	fc.m[key] = &stored
	return &f
}

// etagOf is a strong ETag: the bytes' SHA-256, shortened.
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

// feedOptions are the builder options of this site.
func (a *App) feedOptions(private, single bool) feeds.Options {
	return feeds.Options{BaseURL: a.cfg.BaseURL, Private: private, Single: single, KindLabel: kindLabel}
}

// feedSource loads what a public feed shows: its name and events.
type feedSource func(since time.Time) (feeds.Meta, []models.Event, error)

// publicFeed answers a public feed, from the cache while nothing changed.
// The fingerprint is read before the events, so a change made in between
// is seen by the next request.
func (a *App) publicFeed(c *fiber.Ctx, key string, single bool, load feedSource) error {
	now := a.now()
	fp, err := models.FeedFingerprint(a.dbc(c).Read)
	if err != nil {
		return err
	}
	if f := a.feeds.fresh(key, fp, now); f != nil {
		return sendFeed(c, f, false)
	}
	f, err, _ := a.feeds.builds.Do(key+"\x00"+fp, func() (any, error) {
		return a.buildPublicFeed(key, fp, single, now, load)
	})
	if err != nil {
		return err
	}
	return sendFeed(c, f.(*builtFeed), false)
}

// buildPublicFeed loads, builds and stores a public feed.
func (a *App) buildPublicFeed(key, fp string, single bool, now time.Time, load feedSource) (*builtFeed, error) {
	meta, evs, err := load(now.Add(-feedWindow))
	if err != nil {
		return nil, err
	}
	items := make([]feeds.Item, len(evs))
	// Rebuilt at least every few minutes whatever the fingerprint says: it
	// cannot see a change that bumps no revision (a hand-made UPDATE).
	// Same bytes keep their ETag.
	expires := now.Add(feedRebuildAfter)
	var newest time.Time
	for i := range evs {
		ev := &evs[i]
		items[i] = feeds.Item{Event: ev}
		newest = later(newest, ev.UpdatedAt)
		if single {
			continue
		}
		leaves := ev.EndsAt.Add(feedWindow)
		if ev.Status == models.StatusCancelled {
			leaves = earlier(leaves, ev.UpdatedAt.Add(feedWindow))
		}
		expires = earlier(expires, leaves)
	}
	built := builtFeed{fingerprint: fp, expires: expires, body: feeds.Build(meta, items, a.feedOptions(false, single))}
	if single && len(evs) == 1 {
		built.filename = evs[0].Slug + ".ics"
	}
	return a.feeds.store(key, built, newest, now, true), nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// earlier is the earlier of a and b, where a zero a means none yet.
func earlier(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

// sendFeed writes a feed, or 304 Not Modified when the client has it.
func sendFeed(c *fiber.Ctx, f *builtFeed, private bool) error {
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderETag, f.etag)
	c.Set(fiber.HeaderLastModified, f.lastModified.Format(http.TimeFormat))
	if private {
		// The address holds a secret and the feed personal data: never in a
		// shared cache, never indexed.
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		c.Set("X-Robots-Tag", "noindex")
	} else {
		c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	}
	if f.filename != "" {
		c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+f.filename+`"`)
	}
	if notModified(c, f) {
		c.Status(fiber.StatusNotModified)
		return nil
	}
	if f.coded != nil {
		return f.coded.send(c)
	}
	return c.Send(f.body)
}

// notModified applies If-None-Match, or If-Modified-Since when there is no
// If-None-Match (RFC 9110, 13.1.3).
func notModified(c *fiber.Ctx, f *builtFeed) bool {
	if inm := c.Get(fiber.HeaderIfNoneMatch); inm != "" {
		for _, tag := range strings.Split(inm, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || tag == f.etag {
				return true
			}
		}
		return false
	}
	if ims := c.Get(fiber.HeaderIfModifiedSince); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !f.lastModified.After(t)
	}
	return false
}

// allEventsFeed is /calendar.ics: every published event.
func (a *App) allEventsFeed(c *fiber.Ctx) error {
	return a.publicFeed(c, "all", false, func(since time.Time) (feeds.Meta, []models.Event, error) {
		evs, err := models.ListEvents(a.dbc(c).Read, models.EventFilter{From: &since, CancelledSince: &since})
		return feeds.Meta{Name: "Convene events", URL: a.cfg.BaseURL + "/",
			Description: "Public meetings, solidarity iftars, livestreams and interfaith memorials."}, evs, err
	})
}

// kindFeed is /calendar/{kind}.ics.
func (a *App) kindFeed(c *fiber.Ctx) error {
	kind := c.Params("kind")
	if !contains(models.Kinds, kind) {
		return fiber.NewError(fiber.StatusNotFound, "There is no such kind of event.")
	}
	return a.publicFeed(c, "kind:"+kind, false, func(since time.Time) (feeds.Meta, []models.Event, error) {
		evs, err := models.ListEvents(a.dbc(c).Read, models.EventFilter{Kind: kind, From: &since, CancelledSince: &since})
		return feeds.Meta{Name: "Convene: " + kindPlural(kind), URL: a.cfg.BaseURL + "/?kind=" + kind}, evs, err
	})
}

// organisationFeed is /organisations/{slug}.ics: the events it hosts or co-hosts.
func (a *App) organisationFeed(c *fiber.Ctx) error {
	slug := c.Params("slug")
	return a.publicFeed(c, "organisation:"+slug, false, func(since time.Time) (feeds.Meta, []models.Event, error) {
		o, err := models.OrganisationBySlug(a.dbc(c).Read, slug)
		if err != nil {
			return feeds.Meta{}, nil, err
		}
		evs, err := models.ListEvents(a.dbc(c).Read, models.EventFilter{Organisation: o.Slug, From: &since, CancelledSince: &since})
		return feeds.Meta{Name: o.Name + " events", Description: o.Description, URL: a.cfg.BaseURL + "/organisations/" + o.Slug}, evs, err
	})
}

// seriesFeed is /series/{slug}.ics.
func (a *App) seriesFeed(c *fiber.Ctx) error {
	slug := c.Params("slug")
	return a.publicFeed(c, "series:"+slug, false, func(since time.Time) (feeds.Meta, []models.Event, error) {
		s, err := models.SeriesBySlug(a.dbc(c).Read, slug)
		if err != nil {
			return feeds.Meta{}, nil, err
		}
		evs, err := models.ListEvents(a.dbc(c).Read, models.EventFilter{Series: s.Slug, From: &since, CancelledSince: &since})
		return feeds.Meta{Name: s.Title, Description: s.Description, URL: a.cfg.BaseURL + "/series/" + s.Slug}, evs, err
	})
}

// eventFeed is /events/{slug}.ics: one event to add to a calendar, whatever
// its date or status (a cancelled one says so).
func (a *App) eventFeed(c *fiber.Ctx) error {
	slug := c.Params("slug")
	return a.publicFeed(c, "event:"+slug, true, func(time.Time) (feeds.Meta, []models.Event, error) {
		ev, err := models.FindEvent(a.dbc(c).Read, slug)
		if err != nil {
			return feeds.Meta{}, nil, err
		}
		if !ev.Public() {
			return feeds.Meta{}, nil, models.ErrNotFound
		}
		return feeds.Meta{Name: ev.Title, URL: feeds.EventURL(a.cfg.BaseURL, ev)}, []models.Event{*ev}, nil
	})
}

// privateFeed is /me/{token}.ics: a registration's own feed, or with an
// attendee feed token (only ever mailed) every active registration of that
// email address. It is built on every request: it is small, and its bytes
// are never kept.
func (a *App) privateFeed(c *fiber.Ctx) error {
	token := c.Params("token")
	now := a.now()
	regs, err := models.FeedRegistrations(a.dbc(c).Read, token, now.Add(-feedWindow))
	if err != nil {
		return err
	}
	items := make([]feeds.Item, len(regs))
	var newest time.Time
	for i := range regs {
		items[i] = feeds.Item{Event: regs[i].Event, Registration: &regs[i]}
		newest = later(later(newest, regs[i].UpdatedAt), regs[i].Event.UpdatedAt)
	}
	meta := feeds.Meta{Name: "My Convene events",
		Description: "Your own registrations, with the address and online link once your place is confirmed. Keep this address private."}
	built := builtFeed{body: feeds.Build(meta, items, a.feedOptions(true, false))}
	return sendFeed(c, a.feeds.store("me:"+models.HashToken(token), built, newest, now, false), true)
}

// rotateFeed gives a registration a new private feed address; the old one
// stops working.
func (a *App) rotateFeed(c *fiber.Ctx) error {
	reg, _, err := a.loadManage(c)
	if err != nil {
		return err
	}
	if _, err := models.RotateFeedToken(a.dbc(c).DB, a.tok, reg.ID, a.now()); err != nil {
		return err
	}
	return c.Redirect(models.ManagePath(c.Params("token"))+"?feed=new", fiber.StatusSeeOther)
}

// FeedWebcal is the private feed's address for calendar apps.
func (d manageData) FeedWebcal() template.URL { return webcalURL(d.FeedURL) }

func kindPlural(kind string) string {
	switch kind {
	case models.KindMeeting:
		return "Public meetings"
	case models.KindIftar:
		return "Solidarity iftars"
	case models.KindLivestream:
		return "Livestreams"
	case models.KindMemorial:
		return "Interfaith memorials"
	}
	return kind
}

// webcalURL turns one of our feed addresses (BASE_URL is http or https)
// into webcal://, which opens the calendar app to subscribe (Apple, Outlook,
// Thunderbird). It is marked safe for templates, which refuse the scheme.
func webcalURL(u string) template.URL {
	rest := strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	return template.URL("webcal://" + rest) //nolint:gosec // always webcal://, built from BASE_URL
}

// googleSubscribeURL opens Google Calendar's "add by URL" for a feed.
func googleSubscribeURL(feed string) string {
	return "https://calendar.google.com/calendar/render?cid=" + url.QueryEscape(string(webcalURL(feed)))
}

// feedLink is one subscribable feed on the /calendar page.
type feedLink struct {
	Title  string
	Hint   string
	URL    string // https
	Webcal template.URL
	Google string
}

func (a *App) feedLink(title, hint, path string) feedLink {
	u := a.cfg.BaseURL + path
	return feedLink{Title: title, Hint: hint, URL: u, Webcal: webcalURL(u), Google: googleSubscribeURL(u)}
}

type calendarPageData struct {
	All           feedLink
	Kinds         []feedLink
	Organisations []feedLink
	Series        []feedLink
}

// calendarPage is /calendar: every feed, and how to subscribe.
func (a *App) calendarPage(c *fiber.Ctx) error {
	orgs, err := models.Organisations(a.dbc(c).Read)
	if err != nil {
		return err
	}
	series, err := models.AllSeries(a.dbc(c).Read)
	if err != nil {
		return err
	}
	d := calendarPageData{All: a.feedLink("All events", "Everything published, in one calendar.", "/calendar.ics")}
	for _, k := range models.Kinds {
		d.Kinds = append(d.Kinds, a.feedLink(kindPlural(k), "", "/calendar/"+k+".ics"))
	}
	for _, o := range orgs {
		d.Organisations = append(d.Organisations, a.feedLink(o.Name, "Events it hosts or co-hosts.", "/organisations/"+o.Slug+".ics"))
	}
	for _, s := range series {
		d.Series = append(d.Series, a.feedLink(s.Title, "", "/series/"+s.Slug+".ics"))
	}
	return a.render(c, 200, "calendar", Page{Title: "Add our events to your calendar", Nav: "calendar",
		Description: "Subscribe to Convene's events in Google Calendar, Apple Calendar, Outlook or Thunderbird.", Data: d})
}

// GoogleCalendarURL adds the event in Google Calendar (its event template).
func (v EventView) GoogleCalendarURL() string {
	q := url.Values{}
	q.Set("action", "TEMPLATE")
	q.Set("text", v.Title)
	q.Set("dates", v.StartsAt.UTC().Format("20060102T150405Z")+"/"+v.EndsAt.UTC().Format("20060102T150405Z"))
	q.Set("ctz", v.Timezone)
	q.Set("details", v.calendarDetails())
	if loc := feeds.PublicLocation(v.Event); loc != "" {
		q.Set("location", loc)
	}
	return "https://calendar.google.com/calendar/render?" + encodeQuery(q)
}

// OutlookURL adds the event in Outlook.com (its compose deeplink).
func (v EventView) OutlookURL() string {
	q := url.Values{}
	q.Set("path", "/calendar/action/compose")
	q.Set("rru", "addevent")
	q.Set("subject", v.Title)
	q.Set("startdt", v.StartsAt.UTC().Format(time.RFC3339))
	q.Set("enddt", v.EndsAt.UTC().Format(time.RFC3339))
	q.Set("body", v.calendarDetails())
	if loc := feeds.PublicLocation(v.Event); loc != "" {
		q.Set("location", loc)
	}
	return "https://outlook.live.com/calendar/0/deeplink/compose?" + encodeQuery(q)
}

func (v EventView) calendarDetails() string {
	if v.Summary == "" {
		return v.URL
	}
	return v.Summary + "\n\n" + v.URL
}

// encodeQuery encodes spaces as %20: Outlook reads a "+" literally.
func encodeQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "+", "%20")
}
