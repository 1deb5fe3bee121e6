package app

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"convene/calendar"
	"convene/models"
)

// Renderer holds the templates: each page is parsed together with the
// layout and partials, and executed into a buffer before anything is written
// so that a template error never sends half a page. A page is parsed when
// first rendered (or by Warm), so that the app starts without parsing the
// forty-odd pages it may not need yet: that was most of its start time.
type Renderer struct {
	fsys  fs.FS
	base  *template.Template
	mu    sync.Mutex // Clone of base, one at a time
	pages map[string]*lazyPage
	bufs  sync.Pool
}

type lazyPage struct {
	file string
	once sync.Once
	t    *template.Template
	err  error
}

// NewRenderer parses layouts/*.html and partials/*.html, and finds the
// pages in pages/*.html.
func NewRenderer(fsys fs.FS) (*Renderer, error) {
	base, err := template.New("base").Funcs(templateFuncs).ParseFS(fsys, "layouts/*.html", "partials/*.html")
	if err != nil {
		return nil, fmt.Errorf("app: unable to parse layout: %w", err)
	}
	pages, err := fs.Glob(fsys, "pages/*.html")
	if err != nil {
		return nil, err
	}
	r := &Renderer{fsys: fsys, base: base, pages: map[string]*lazyPage{}, bufs: sync.Pool{New: func() any { return new(bytes.Buffer) }}}
	for _, p := range pages {
		r.pages[strings.TrimSuffix(path.Base(p), ".html")] = &lazyPage{file: p}
	}
	return r, nil
}

// page returns the parsed template of page name.
func (r *Renderer) page(name string) (*template.Template, error) {
	p, ok := r.pages[name]
	if !ok {
		return nil, fmt.Errorf("app: no page template %q", name)
	}
	p.once.Do(func() {
		r.mu.Lock()
		t, err := r.base.Clone()
		r.mu.Unlock()
		if err == nil {
			t, err = t.ParseFS(r.fsys, p.file)
		}
		if err != nil {
			p.err = fmt.Errorf("app: unable to parse %s: %w", p.file, err)
			return
		}
		p.t = t
	})
	return p.t, p.err
}

// Warm parses every page not parsed yet and reports the first error.
func (r *Renderer) Warm() error {
	for name := range r.pages {
		if _, err := r.page(name); err != nil {
			return err
		}
	}
	return nil
}

// Page is the data every page gets; Data is the page's own.
type Page struct {
	Title       string
	Description string
	CSRF        string
	Flash       string
	Nav         string
	BaseURL     string
	// Social, when set, describes the page to link previews and search
	// engines (app/share.go).
	Social *socialMeta
	Data   any
}

// render writes page name with status.
func (a *App) render(c *fiber.Ctx, status int, name string, p Page) error {
	if p.CSRF == "" {
		p.CSRF, _ = c.Locals(csrfLocal).(string)
	}
	buf := a.views.bufs.Get().(*bytes.Buffer)
	defer a.views.bufs.Put(buf)
	if err := a.renderTo(buf, name, p); err != nil {
		return err
	}
	c.Status(status)
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	return c.Send(buf.Bytes())
}

// renderTo executes page name into buf (reset first).
func (a *App) renderTo(buf *bytes.Buffer, name string, p Page) error {
	t, err := a.views.page(name)
	if err != nil {
		return err
	}
	p.BaseURL = a.cfg.BaseURL
	buf.Reset()
	if err := t.ExecuteTemplate(buf, "base", p); err != nil {
		return fmt.Errorf("app: render %s: %w", name, err)
	}
	return nil
}

var markdown = goldmark.New(goldmark.WithExtensions(extension.Linkify, extension.Strikethrough))

// renderMarkdown renders Markdown with raw HTML off (goldmark's default:
// HTML blocks and dangerous link schemes are dropped).
func renderMarkdown(s string) template.HTML {
	var b bytes.Buffer
	if err := markdown.Convert([]byte(s), &b); err != nil {
		return template.HTML(template.HTMLEscapeString(s))
	}
	return template.HTML(b.String()) //nolint:gosec // goldmark without WithUnsafe escapes raw HTML
}

var templateFuncs = template.FuncMap{
	"markdown": renderMarkdown,
	"when":     formatWhen,
	"date":     func(t time.Time, tz string) string { return inZone(t, tz).Format("Monday 2 January 2006") },
	// time names the zone, as every time on a page does: "7pm GMT".
	"time": func(t time.Time, tz string) string {
		lt := inZone(t, tz)
		abbr, _ := lt.Zone()
		return calendar.Clock(lt) + " " + abbr
	},
	"zone": zoneName,
	"shortdate": func(t time.Time, tz string) string {
		return inZone(t, tz).Format("Mon 2 Jan")
	},
	"datey": func(t time.Time, tz string) string {
		return inZone(t, tz).Format("2 Jan 2006")
	},
	"iso":       func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"kindLabel": kindLabel,
	"deref": func(p *int) int {
		if p == nil {
			return 0
		}
		return *p
	},
	"seq": func(n int) []int {
		out := make([]int, n+1)
		for i := range out {
			out[i] = i
		}
		return out
	},
	"dietLabel":   dietLabel,
	"statusLabel": statusLabel,
	"scopeLabel": func(scope string) string {
		switch scope {
		case models.ScopeRead:
			return "Read: see events and registrations"
		case models.ScopeWrite:
			return "Write: everything your account can do"
		case models.ScopeDoor:
			return "Door: check people in, nothing else"
		}
		return scope
	},
	"join": strings.Join,
	// listSep goes before name i of n in a sentence: "A, B and C".
	"listSep": models.ListSep,
	"andList": models.AndList,
	"eq2":     func(a, b string) bool { return a == b },
	"plural":  models.Plural,
	"add":     func(a, b int) int { return a + b },
	"sub":     func(a, b int) int { return a - b },
	// caldate writes a civil date: "Tue 9 March 2027".
	"caldate":   func(d calendar.Date) string { return d.In(time.UTC).Format("Mon 2 January 2006") },
	"iftarLine": iftarLine,
	"field": func(id, label, hint, value string, errs map[string]string, key, typ string) formField {
		return formField{ID: id, Label: label, Hint: hint, Value: value, Error: errs[key], Type: typ}
	},
	"question": func(q models.Question, answers, errs map[string]string) questionField {
		return questionField{Q: q, Value: answers[q.Key], Error: errs["answers."+q.Key]}
	},
	// kindHidden hides a section of the event editor meant for other kinds
	// (kinds is space-separated, as in data-kinds), unless one of its fields
	// has an error to show. The server decides, so it works without
	// JavaScript; editor.js only follows a change of kind.
	"kindHidden": func(kinds, kind string, errs map[string]string, keys ...string) bool {
		for _, k := range keys {
			if errs[k] != "" {
				return false
			}
		}
		return !slices.Contains(strings.Fields(kinds), kind)
	},
	"lostLink": func(slug, email, errMsg, csrf string) lostLinkView {
		return lostLinkView{Slug: slug, Email: email, Error: errMsg, CSRF: csrf}
	},
	"auditSentence": auditSentence,
	// actionLabel names a kind of activity for the audit log's filter.
	"actionLabel": func(action string) string {
		s := strings.ReplaceAll(action, "_", " ")
		if s == "" {
			return s
		}
		return strings.ToUpper(s[:1]) + s[1:]
	},
	"selected": func(value, option string) bool {
		for _, v := range strings.Split(value, "\n") {
			if v == option {
				return true
			}
		}
		return false
	},
	// asset is the content-hashed address of a file of public/:
	// {{asset "css/app.css"}} is /public/css/app.1a2b3c4d5e.css.
	"asset": assetURL,
}

// formField is one text input of a form, for the text-field partial.
type formField struct {
	ID, Label, Hint, Value, Error, Type string
}

// questionField is one of an event's questions with what was answered.
type questionField struct {
	Q     models.Question
	Value string
	Error string
}

func inZone(t time.Time, tz string) time.Time {
	loc, _ := models.Zone(tz)
	return t.In(loc)
}

// zoneName names a zone for people: "GMT, London time" (calendar.ZoneName).
func zoneName(t time.Time, tz string) string { return calendar.ZoneName(inZone(t, tz)) }

// formatWhen is an event's "When", as its mails say it (calendar.When).
func formatWhen(start, end time.Time, tz string) string {
	loc, _ := models.Zone(tz)
	return calendar.When(start, end, loc)
}

func kindLabel(k string) string {
	switch k {
	case models.KindMeeting:
		return "Public meeting"
	case models.KindIftar:
		return "Solidarity iftar"
	case models.KindLivestream:
		return "Livestream"
	case models.KindMemorial:
		return "Memorial"
	}
	return k
}

// statusLabel names a registration status for organisers' lists.
func statusLabel(s string) string {
	switch s {
	case models.RegUnconfirmed:
		return "Email not confirmed"
	case models.RegPending:
		return "Awaiting approval"
	case models.RegConfirmed:
		return "Confirmed"
	case models.RegWaitlisted:
		return "Waitlisted"
	case models.RegDeclined:
		return "Declined"
	case models.RegCancelled:
		return "Cancelled"
	}
	return s
}

func dietLabel(d string) string {
	switch d {
	case "", "none":
		return "No special requirements"
	case "other":
		return "Other"
	}
	return strings.ToUpper(d[:1]) + d[1:]
}
