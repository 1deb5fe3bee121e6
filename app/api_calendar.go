package app

import (
	"github.com/gofiber/fiber/v2"
	"gorm.io/gorm"

	"convene/calendar"
	"convene/models"
)

// OrganisationCalendarJSON is an organisation's calendar settings in the
// API, with the estimates they give for the coming year.
type OrganisationCalendarJSON struct {
	Organisation    string            `json:"organisation"`
	HomePlace       HomePlaceJSON     `json:"home_place"`
	IftarMethod     string            `json:"iftar_method"`
	HijriOffsetDays int               `json:"hijri_offset_days"`
	Anniversaries   []AnniversaryJSON `json:"anniversaries"`
	Estimates       *EstimatesJSON    `json:"estimates"`
}

// HomePlaceJSON is where an organisation's online events and calendar are
// timed.
type HomePlaceJSON struct {
	Name      string  `json:"name"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Timezone  string  `json:"timezone"`
}

// AnniversaryJSON is a date an organisation remembers every year.
type AnniversaryJSON struct {
	Title string `json:"title"`
	Month int    `json:"month"`
	Day   int    `json:"day"`
	Year  *int   `json:"year"`
}

// EstimatesJSON is the coming Ramadan and Eids: estimates that depend on
// the sighting of the moon.
type EstimatesJSON struct {
	HijriYear    int    `json:"hijri_year"`
	RamadanStart string `json:"ramadan_start"`
	RamadanEnd   string `json:"ramadan_end"`
	EidAlFitr    string `json:"eid_al_fitr"`
	EidAlAdha    string `json:"eid_al_adha"`
}

// calendarSettingsBody is the body of PATCH …/calendar; absent fields are
// left as they are, and anniversaries, when given, replace the list.
type calendarSettingsBody struct {
	HomePlace *struct {
		Name      *string  `json:"name"`
		Latitude  *float64 `json:"latitude"`
		Longitude *float64 `json:"longitude"`
		Timezone  *string  `json:"timezone"`
	} `json:"home_place"`
	IftarMethod     *string            `json:"iftar_method"`
	HijriOffsetDays *int               `json:"hijri_offset_days"`
	Anniversaries   *[]AnniversaryJSON `json:"anniversaries"`
}

func (a *App) calendarJSON(c *fiber.Ctx, o *models.Organisation) (OrganisationCalendarJSON, error) {
	p := o.CalendarPlace()
	j := OrganisationCalendarJSON{Organisation: o.Slug, IftarMethod: o.CalendarOptions().Method.Code, HijriOffsetDays: o.HijriOffset,
		HomePlace:     HomePlaceJSON{Name: p.Name, Latitude: p.Latitude, Longitude: p.Longitude, Timezone: p.Zone.String()},
		Anniversaries: []AnniversaryJSON{}}
	anns, err := models.Anniversaries(a.dbc(c).Read, o.ID)
	if err != nil {
		return j, err
	}
	for _, an := range anns {
		aj := AnniversaryJSON{Title: an.Title, Month: an.Month, Day: an.Day}
		if an.Year != 0 {
			y := an.Year
			aj.Year = &y
		}
		j.Anniversaries = append(j.Anniversaries, aj)
	}
	if e, ok := calendar.NextEstimate(calendar.DateOf(a.now().In(p.Zone)), o.HijriOffset); ok {
		j.Estimates = &EstimatesJSON{HijriYear: e.HijriYear, RamadanStart: e.RamadanStart.String(), RamadanEnd: e.RamadanEnd.String(),
			EidAlFitr: e.EidAlFitr.String(), EidAlAdha: e.EidAlAdha.String()}
	}
	return j, nil
}

func (a *App) apiGetCalendarSettings(c *fiber.Ctx) error {
	o, err := a.ownOrganisation(c)
	if err != nil {
		return err
	}
	j, err := a.calendarJSON(c, o)
	if err != nil {
		return err
	}
	return c.JSON(j)
}

func (a *App) apiUpdateCalendarSettings(c *fiber.Ctx) error {
	o, err := a.ownOrganisation(c)
	if err != nil {
		return err
	}
	var b calendarSettingsBody
	p, err := a.decodeBody(c, &b)
	if err != nil {
		return err
	}
	in := models.CalendarSettingsInput{IftarMethod: b.IftarMethod, HijriOffset: b.HijriOffsetDays}
	if h := b.HomePlace; h != nil {
		in.HomePlace, in.HomeLatitude, in.HomeLongitude, in.Timezone = h.Name, h.Latitude, h.Longitude, h.Timezone
	}
	if b.Anniversaries != nil {
		list := make([]models.AnniversaryInput, len(*b.Anniversaries))
		for i, an := range *b.Anniversaries {
			list[i] = models.AnniversaryInput{Title: an.Title, Month: an.Month, Day: an.Day}
			if an.Year != nil {
				list[i].Year = *an.Year
			}
		}
		in.Anniversaries = &list
	}
	var saved *models.Organisation
	save := func(db *gorm.DB) (err error) {
		saved, err = models.SaveCalendarSettings(db, o.ID, in, &staff(c).ID, a.now())
		return err
	}
	if !p.none() {
		return refuse(p, nil, a.dryRun(c, save))
	}
	err = save(a.dbc(c).DB)
	a.events.reset()
	if err != nil {
		return err
	}
	j, err := a.calendarJSON(c, saved)
	if err != nil {
		return err
	}
	return c.JSON(j)
}
