package models_test

import (
	"fmt"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// BenchmarkRegister runs the registration transaction alone on a SQLite file.
func BenchmarkRegister(b *testing.B) {
	db := modelstest.Open(b)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	start := now.AddDate(0, 1, 0)
	s := func(v string) *string { return &v }
	capacity := models.MaxCapacity
	ev, err := models.CreateEvent(db.DB, models.EventInput{Slug: s("bench"), Title: s("Bench"), Kind: s(models.KindMeeting), Status: s(models.StatusPublished),
		StartsAt: &start, CapacitySet: true, Capacity: &capacity}, nil, nil, now)
	if err != nil {
		b.Fatal(err)
	}
	tok := modelstest.Tokens()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		_, err := models.Register(db.DB, tok, ev.ID, models.RegisterInput{Name: "P", Email: fmt.Sprintf("p%d@example.org", i), Attendance: models.InPerson, Consent: true}, now)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "registrations/s")
}
