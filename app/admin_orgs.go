package app

import (
	"github.com/gofiber/fiber/v2"

	"convene/models"
)

// orgsData lists the organisations a user may edit.
type orgsData struct {
	Orgs   []models.Organisation
	Series []models.Series
	Admin  bool
}

func (a *App) organisationsPage(c *fiber.Ctx) error {
	u := staff(c)
	all, err := models.Organisations(a.dbc(c).Read)
	if err != nil {
		return err
	}
	var mine []models.Organisation
	for _, o := range all {
		if u.OrganisesOrg(o.ID) {
			mine = append(mine, o)
		}
	}
	return a.renderAdmin(c, 200, "admin_orgs", "Organisations", "orgs", orgsData{Orgs: mine, Admin: u.Admin})
}

// orgForm is the organisation form.
type orgForm struct {
	New     bool
	Slug    string // the organisation's current slug, for the form's address
	In      models.OrganisationInput
	Kinds   []string
	Saved   bool
	Errors  map[string]string
	ErrList []fieldError
}

var orgFieldOrder = []string{"name", "slug", "kind", "description", "website", "email", "timezone"}

func (a *App) renderOrg(c *fiber.Ctx, status int, d orgForm) error {
	d.Kinds = models.OrganisationKinds
	d.ErrList = formErrors(d.Errors, orgFieldOrder)
	title := "New organisation"
	if !d.New {
		title = "Edit: " + d.In.Name
	}
	if len(d.Errors) > 0 {
		title = "Error: " + title
	}
	return a.renderAdmin(c, status, "admin_org_form", title, "orgs", d)
}

func parseOrgForm(c *fiber.Ctx) models.OrganisationInput {
	return models.OrganisationInput{Slug: c.FormValue("slug"), Name: c.FormValue("name"), Kind: c.FormValue("kind"),
		Description: c.FormValue("description"), Website: c.FormValue("website"), Email: c.FormValue("email"), Timezone: c.FormValue("timezone")}
}

func (a *App) newOrganisationPage(c *fiber.Ctx) error {
	return a.renderOrg(c, 200, orgForm{New: true, In: models.OrganisationInput{Timezone: "Europe/London"}})
}

func (a *App) createOrganisation(c *fiber.Ctx) error {
	in := parseOrgForm(c)
	o, err := models.SaveOrganisation(a.dbc(c).DB, 0, in, &staff(c).ID, a.now())
	if fields := validationFields(err); fields != nil {
		return a.renderOrg(c, 422, orgForm{New: true, In: in, Errors: fields})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/organisations/"+o.Slug+"/edit?saved=1", fiber.StatusSeeOther)
}

// ownOrganisation loads the organisation of the route if the user may edit
// it (an admin, or one of its organisers); others get not found.
func (a *App) ownOrganisation(c *fiber.Ctx) (*models.Organisation, error) {
	o, err := models.OrganisationBySlug(a.dbc(c).DB, c.Params("slug"))
	if err != nil {
		return nil, err
	}
	if !staff(c).OrganisesOrg(o.ID) {
		return nil, models.ErrNotFound
	}
	return o, nil
}

func (a *App) editOrganisationPage(c *fiber.Ctx) error {
	o, err := a.ownOrganisation(c)
	if err != nil {
		return err
	}
	in := models.OrganisationInput{Slug: o.Slug, Name: o.Name, Kind: o.Kind, Description: o.Description, Website: o.Website, Email: o.Email, Timezone: o.Timezone}
	return a.renderOrg(c, 200, orgForm{Slug: o.Slug, In: in, Saved: c.Query("saved") == "1"})
}

func (a *App) updateOrganisation(c *fiber.Ctx) error {
	o, err := a.ownOrganisation(c)
	if err != nil {
		return err
	}
	in := parseOrgForm(c)
	saved, err := models.SaveOrganisation(a.dbc(c).DB, o.ID, in, &staff(c).ID, a.now())
	if fields := validationFields(err); fields != nil {
		return a.renderOrg(c, 422, orgForm{Slug: o.Slug, In: in, Errors: fields})
	}
	if err != nil {
		return err
	}
	a.events.reset()
	return c.Redirect("/admin/organisations/"+saved.Slug+"/edit?saved=1", fiber.StatusSeeOther)
}

// seriesForm is the series form.
type seriesForm struct {
	New     bool
	Slug    string
	In      models.SeriesInput
	Saved   bool
	Errors  map[string]string
	ErrList []fieldError
}

func (a *App) renderSeries(c *fiber.Ctx, status int, d seriesForm) error {
	d.ErrList = formErrors(d.Errors, []string{"title", "slug", "description"})
	title := "New series"
	if !d.New {
		title = "Edit: " + d.In.Title
	}
	if len(d.Errors) > 0 {
		title = "Error: " + title
	}
	return a.renderAdmin(c, status, "admin_series_form", title, "orgs", d)
}

func (a *App) seriesListPage(c *fiber.Ctx) error {
	all, err := models.AllSeries(a.dbc(c).Read)
	if err != nil {
		return err
	}
	return a.renderAdmin(c, 200, "admin_series", "Series", "orgs", orgsData{Series: all, Admin: true})
}

func (a *App) newSeriesPage(c *fiber.Ctx) error {
	return a.renderSeries(c, 200, seriesForm{New: true})
}

func parseSeriesForm(c *fiber.Ctx) models.SeriesInput {
	return models.SeriesInput{Slug: c.FormValue("slug"), Title: c.FormValue("title"), Description: c.FormValue("description")}
}

func (a *App) createSeries(c *fiber.Ctx) error {
	in := parseSeriesForm(c)
	s, err := models.SaveSeries(a.dbc(c).DB, 0, in, &staff(c).ID, a.now())
	if fields := validationFields(err); fields != nil {
		return a.renderSeries(c, 422, seriesForm{New: true, In: in, Errors: fields})
	}
	if err != nil {
		return err
	}
	return c.Redirect("/admin/series/"+s.Slug+"/edit?saved=1", fiber.StatusSeeOther)
}

func (a *App) loadSeries(c *fiber.Ctx) (*models.Series, error) {
	return models.SeriesBySlug(a.dbc(c).DB, c.Params("slug"))
}

func (a *App) editSeriesPage(c *fiber.Ctx) error {
	s, err := a.loadSeries(c)
	if err != nil {
		return err
	}
	return a.renderSeries(c, 200, seriesForm{Slug: s.Slug, In: models.SeriesInput{Slug: s.Slug, Title: s.Title, Description: s.Description}, Saved: c.Query("saved") == "1"})
}

func (a *App) updateSeries(c *fiber.Ctx) error {
	s, err := a.loadSeries(c)
	if err != nil {
		return err
	}
	in := parseSeriesForm(c)
	saved, err := models.SaveSeries(a.dbc(c).DB, s.ID, in, &staff(c).ID, a.now())
	if fields := validationFields(err); fields != nil {
		return a.renderSeries(c, 422, seriesForm{Slug: s.Slug, In: in, Errors: fields})
	}
	if err != nil {
		return err
	}
	a.events.reset()
	return c.Redirect("/admin/series/"+saved.Slug+"/edit?saved=1", fiber.StatusSeeOther)
}
