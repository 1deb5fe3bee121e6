package models_test

import (
	"errors"
	"strings"
	"testing"

	"convene/models"
	"convene/models/modelstest"
)

func TestSaveCover(t *testing.T) {
	db := modelstest.Open(t)
	ev := newEvent(t, db, models.EventInput{Slug: sp("vigil"), Venue: &models.VenueInput{Name: sp("Hall")}})
	pic := func(w int) *models.CoverPicture {
		return &models.CoverPicture{Data: []byte("jpeg bytes"), ContentType: "image/jpeg", Width: w, Height: w / 2}
	}
	refusals := []struct {
		name  string
		in    models.CoverInput
		field string
	}{
		{"no picture and none yet", models.CoverInput{Alt: "Candles"}, "cover"},
		{"no description", models.CoverInput{Picture: pic(800), Alt: "  "}, "cover_alt"},
		{"description too long", models.CoverInput{Picture: pic(800), Alt: strings.Repeat("é", 301)}, "cover_alt"},
		{"control characters", models.CoverInput{Picture: pic(800), Alt: "Candles\x00"}, "cover_alt"},
	}
	for _, tt := range refusals {
		t.Run(tt.name, func(t *testing.T) {
			_, err := models.SaveCover(db.DB, "vigil", tt.in, nil, now)
			var v *models.ValidationError
			if !errors.As(err, &v) || v.Fields[tt.field] == "" {
				t.Fatalf("error %v, want a message for %s", err, tt.field)
			}
			if got, _ := models.FindEvent(db.DB, "vigil"); got.CoverName != "" || got.Revision != ev.Revision {
				t.Errorf("refused, yet the event changed: cover %q, revision %d", got.CoverName, got.Revision)
			}
		})
	}

	first, err := models.SaveCover(db.DB, "vigil", models.CoverInput{Picture: pic(800), Alt: " Candles at the vigil "}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if first.CoverAlt != "Candles at the vigil" || first.CoverWidth != 800 || first.CoverHeight != 400 || len(first.CoverName) != 28 {
		t.Errorf("cover %q %q %d×%d", first.CoverName, first.CoverAlt, first.CoverWidth, first.CoverHeight)
	}
	if first.Revision != ev.Revision+1 || first.Sequence != ev.Sequence || !first.UpdatedAt.Equal(ev.UpdatedAt) {
		t.Errorf("revision %d (was %d), sequence %d (was %d), updated %v: a cover changes pages, not calendars",
			first.Revision, ev.Revision, first.Sequence, ev.Sequence, first.UpdatedAt)
	}
	img, err := models.CoverByName(db.DB, first.CoverName)
	if err != nil || string(img.Data) != "jpeg bytes" || img.EventID != ev.ID {
		t.Fatalf("stored cover %v, %v", img, err)
	}

	second, err := models.SaveCover(db.DB, "vigil", models.CoverInput{Picture: pic(1200), Alt: "Another"}, nil, now)
	if err != nil {
		t.Fatal(err)
	}
	if second.CoverName == first.CoverName {
		t.Error("a new picture kept the old name: caches would show the old one")
	}
	if _, err := models.CoverByName(db.DB, first.CoverName); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("old cover: %v, want ErrNotFound", err)
	}
	described, err := models.SaveCover(db.DB, "vigil", models.CoverInput{Alt: "Described again"}, nil, now)
	if err != nil || described.CoverName != second.CoverName || described.CoverAlt != "Described again" {
		t.Errorf("new description: %v, %+v", err, described)
	}

	if err := models.RemoveCover(db.DB, "vigil", nil, now); err != nil {
		t.Fatal(err)
	}
	gone, _ := models.FindEvent(db.DB, "vigil")
	if gone.CoverName != "" || gone.CoverAlt != "" || gone.CoverWidth != 0 {
		t.Errorf("after removal: %q %q %d", gone.CoverName, gone.CoverAlt, gone.CoverWidth)
	}
	if _, err := models.CoverByName(db.DB, second.CoverName); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("removed cover: %v", err)
	}
	if err := models.RemoveCover(db.DB, "vigil", nil, now); err != nil {
		t.Errorf("removing twice: %v", err)
	}
	if _, err := models.SaveCover(db.DB, "nope", models.CoverInput{Picture: pic(800), Alt: "x"}, nil, now); !errors.Is(err, models.ErrNotFound) {
		t.Errorf("unknown event: %v", err)
	}
}
