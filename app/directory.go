package app

import (
	"strings"
	"unicode/utf8"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// The public indexes /organisations and /series: where someone who trims
// the address of an organisation's or a series' page lands.

// shortLimit is the length (in characters) of a description in an index.
const shortLimit = 180

// shortText cuts s to at most n characters at a word, marked with "…".
func shortText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)[:n]
	if i := strings.LastIndexByte(string(r), ' '); i > n/2 {
		return strings.TrimRight(string(r)[:i], " ,;:.-–—") + "…"
	}
	return string(r) + "…"
}

// orgKindLabel names an organisation's kind; "other" and none say nothing.
func orgKindLabel(kind string) string {
	if kind == "" || kind == "other" {
		return ""
	}
	return strings.ToUpper(kind[:1]) + kind[1:]
}

type orgIndexEntry struct {
	models.OrganisationEntry
	KindLabel, Short string
	Feed             feedLink
}

type seriesIndexEntry struct {
	models.SeriesEntry
	Short string
	Feed  feedLink
}

type seriesIndexData struct {
	Active, Quiet []seriesIndexEntry
}

// organisationIndexPage is /organisations: every partner organisation by name,
// with its upcoming events and its calendar.
func (a *App) organisationIndexPage(c *fiber.Ctx) error {
	orgs, err := models.OrganisationDirectory(a.dbc(c).Read, a.now())
	if err != nil {
		return err
	}
	out := make([]orgIndexEntry, len(orgs))
	for i, o := range orgs {
		out[i] = orgIndexEntry{OrganisationEntry: o, KindLabel: orgKindLabel(o.Kind), Short: shortText(o.Description, shortLimit),
			Feed: a.feedLink(o.Name, "", "/organisations/"+o.Slug+".ics")}
	}
	return a.render(c, 200, "organisations", Page{Title: "Organisations", Nav: "organisations",
		Description: "The charities, faith communities and groups that host Convene's events.", Data: out})
}

// seriesIndexPage is /series: the series with events coming up, soonest
// first, then those with none (past or not yet dated) by title.
func (a *App) seriesIndexPage(c *fiber.Ctx) error {
	series, err := models.SeriesDirectory(a.dbc(c).Read, a.now())
	if err != nil {
		return err
	}
	var d seriesIndexData
	for _, s := range series {
		e := seriesIndexEntry{SeriesEntry: s, Short: shortText(s.Description, shortLimit), Feed: a.feedLink(s.Title, "", "/series/"+s.Slug+".ics")}
		if s.Active() {
			d.Active = append(d.Active, e)
		} else {
			d.Quiet = append(d.Quiet, e)
		}
	}
	return a.render(c, 200, "series", Page{Title: "Series", Nav: "series",
		Description: "Weeks of action and other series of events, and their calendars.", Data: d})
}
