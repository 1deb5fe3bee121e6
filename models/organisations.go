package models

import (
	"errors"
	"net/url"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// OrganisationInput creates or changes an organisation.
type OrganisationInput struct {
	Slug, Name, Kind, Description, Website, Email, Timezone string
}

// OrganisationKinds are the kinds of organisation offered in forms.
var OrganisationKinds = []string{"charity", "synagogue", "mosque", "church", "community", "media", "other"}

func validSlug(s string) bool { return slugRe.MatchString(s) && len(s) <= 80 }

// SaveOrganisation creates an organisation (id 0) or changes one.
func SaveOrganisation(db *gorm.DB, id uint, in OrganisationInput, userID *uint, now time.Time) (*Organisation, error) {
	v := &ValidationError{}
	o := Organisation{
		Slug: strings.TrimSpace(in.Slug), Name: strings.TrimSpace(in.Name), Kind: strings.TrimSpace(in.Kind),
		Description: strings.TrimSpace(in.Description), Website: strings.TrimSpace(in.Website),
		Email: NormaliseEmail(in.Email), Timezone: strings.TrimSpace(in.Timezone),
	}
	if o.Slug == "" {
		o.Slug = Slugify(o.Name)
	}
	if !validSlug(o.Slug) {
		v.Add("slug", "Use lower-case letters, digits and single hyphens (at most 80)")
	}
	checkName(v, "name", o.Name, "Enter the organisation's name")
	if o.Kind != "" && !contains(OrganisationKinds, o.Kind) {
		v.Add("kind", "Choose a kind from the list")
	}
	if o.Website != "" {
		u, err := url.Parse(o.Website)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(o.Website) > 300 {
			v.Add("website", "Enter a web address starting with https://")
		}
	}
	if o.Email != "" && (!ValidEmail(o.Email) || len(o.Email) > 254) {
		v.Add("email", "Enter an email address in the correct format, like events@example.org")
	}
	if o.Timezone == "" {
		o.Timezone = "Europe/London"
	}
	if _, err := time.LoadLocation(o.Timezone); err != nil || o.Timezone == "Local" {
		v.Add("timezone", "Use an IANA time zone such as Europe/London")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		action := "organisation_created"
		if id == 0 {
			o.CreatedAt, o.UpdatedAt, o.Revision = now, now, 1
			if err := tx.Create(&o).Error; err != nil {
				return err
			}
		} else {
			var cur Organisation
			// Locked (PostgreSQL; SQLite has one writer), so that two saves
			// at once cannot both write the same next revision.
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&cur, id).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return ErrNotFound
				}
				return err
			}
			o.ID, o.CreatedAt, o.UpdatedAt, o.Revision = cur.ID, cur.CreatedAt, now, cur.Revision+1
			// The calendar settings have a form of their own.
			o.HomePlace, o.HomeLatitude, o.HomeLongitude = cur.HomePlace, cur.HomeLatitude, cur.HomeLongitude
			o.IftarMethod, o.HijriOffset = cur.IftarMethod, cur.HijriOffset
			if err := tx.Save(&o).Error; err != nil {
				return err
			}
			action = "organisation_changed"
		}
		return LogAccountActivity(tx, userID, action, o.Slug, now)
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, Invalid("slug", "Another organisation already uses this address")
	}
	if err != nil {
		return nil, err
	}
	return &o, nil
}

// SeriesInput creates or changes a series.
type SeriesInput struct {
	Slug, Title, Description string
}

// SaveSeries creates a series (id 0) or changes one.
func SaveSeries(db *gorm.DB, id uint, in SeriesInput, userID *uint, now time.Time) (*Series, error) {
	v := &ValidationError{}
	s := Series{Slug: strings.TrimSpace(in.Slug), Title: strings.TrimSpace(in.Title), Description: strings.TrimSpace(in.Description)}
	if s.Slug == "" {
		s.Slug = Slugify(s.Title)
	}
	if !validSlug(s.Slug) {
		v.Add("slug", "Use lower-case letters, digits and single hyphens (at most 80)")
	}
	switch {
	case s.Title == "":
		v.Add("title", "Enter the series title")
	case len([]rune(s.Title)) > 200:
		v.Add("title", "Title must be 200 characters or fewer")
	case !CleanName(s.Title):
		v.Add("title", NameMessage)
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := db.Transaction(func(tx *gorm.DB) error {
		action := "series_created"
		if id == 0 {
			s.CreatedAt, s.UpdatedAt, s.Revision = now, now, 1
			if err := tx.Create(&s).Error; err != nil {
				return err
			}
		} else {
			var cur Series
			// Locked (PostgreSQL; SQLite has one writer), so that two saves
			// at once cannot both write the same next revision.
			if err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&cur, id).Error; err != nil {
				if errors.Is(err, gorm.ErrRecordNotFound) {
					return ErrNotFound
				}
				return err
			}
			s.ID, s.CreatedAt, s.UpdatedAt, s.Revision = cur.ID, cur.CreatedAt, now, cur.Revision+1
			if err := tx.Save(&s).Error; err != nil {
				return err
			}
			action = "series_changed"
		}
		return LogAccountActivity(tx, userID, action, s.Slug, now)
	})
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return nil, Invalid("slug", "Another series already uses this address")
	}
	if err != nil {
		return nil, err
	}
	return &s, nil
}
