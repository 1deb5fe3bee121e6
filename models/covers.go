package models

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"
)

// CoverPicture is a picture ready to be stored as a cover: encoded by the
// app (package images), never the uploaded file itself.
type CoverPicture struct {
	Data          []byte
	ContentType   string
	Width, Height int
}

// CoverInput sets an event's cover: a new picture with its description, or
// (Picture nil) a new description of the cover it has.
type CoverInput struct {
	Picture *CoverPicture
	Alt     string
}

// coverAltMax is the longest description kept (events.cover_alt).
const coverAltMax = 300

// SaveCover makes in the event's cover. A new picture gets a new random
// name and the old one is deleted: a name never changes its bytes, so
// pages and link previews may cache it for ever. The event's revision goes
// up (pages and link previews change); its sequence and updated_at do not,
// since calendars show no cover.
func SaveCover(db *gorm.DB, slug string, in CoverInput, userID *uint, now time.Time) (*Event, error) {
	alt := strings.TrimSpace(in.Alt)
	var v ValidationError
	switch {
	case alt == "":
		v.Add("cover_alt", "Describe the image for people who cannot see it, such as “Candles lit at last year’s vigil”")
	case utf8.RuneCountInString(alt) > coverAltMax:
		v.Add("cover_alt", fmt.Sprintf("Describe the image in %d characters or fewer", coverAltMax))
	case !CleanText(alt):
		v.Add("cover_alt", "Remove the invisible control characters from the description")
	}
	var out *Event
	err := db.Transaction(func(tx *gorm.DB) error {
		cur, err := FindEvent(tx, slug)
		if err != nil {
			return err
		}
		ev, err := lockEvent(tx, cur.ID)
		if err != nil {
			return err
		}
		if in.Picture == nil && ev.CoverName == "" {
			v.Add("cover", "Choose an image file")
		}
		if err := v.Err(); err != nil {
			return err
		}
		changes := map[string]any{"cover_alt": alt, "revision": gorm.Expr("revision + 1")}
		action, detail := "", ""
		action = "cover_described"
		if p := in.Picture; p != nil {
			if err := tx.Where("event_id = ?", ev.ID).Delete(&CoverImage{}).Error; err != nil {
				return fmt.Errorf("models: unable to delete the old cover: %w", err)
			}
			img := CoverImage{Name: RandomString(18) + ".jpg", EventID: ev.ID, ContentType: p.ContentType, Data: p.Data, CreatedAt: now}
			if err := tx.Create(&img).Error; err != nil {
				return fmt.Errorf("models: unable to store the cover: %w", err)
			}
			changes["cover_name"], changes["cover_width"], changes["cover_height"] = img.Name, p.Width, p.Height
			action = "cover_changed"
			detail = fmt.Sprintf("%d × %d", p.Width, p.Height)
		}
		if err := tx.Model(&Event{}).Where("id = ?", ev.ID).UpdateColumns(changes).Error; err != nil {
			return err
		}
		if err := logActivity(tx, ev.ID, nil, userID, action, detail, now); err != nil {
			return err
		}
		out, err = FindEvent(tx, slug)
		return err
	})
	return out, err
}

// RemoveCover takes the event's cover away (nothing to do when it has none).
func RemoveCover(db *gorm.DB, slug string, userID *uint, now time.Time) error {
	return db.Transaction(func(tx *gorm.DB) error {
		cur, err := FindEvent(tx, slug)
		if err != nil {
			return err
		}
		ev, err := lockEvent(tx, cur.ID)
		if err != nil {
			return err
		}
		if ev.CoverName == "" {
			return nil
		}
		if err := tx.Where("event_id = ?", ev.ID).Delete(&CoverImage{}).Error; err != nil {
			return err
		}
		if err := tx.Model(&Event{}).Where("id = ?", ev.ID).UpdateColumns(map[string]any{
			"cover_name": "", "cover_alt": "", "cover_width": 0, "cover_height": 0, "revision": gorm.Expr("revision + 1")}).Error; err != nil {
			return err
		}
		return logActivity(tx, ev.ID, nil, userID, "cover_removed", "", now)
	})
}
