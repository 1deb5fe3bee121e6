package feeds_test

import (
	"testing"
	"time"

	"convene/feeds"
	"convene/models"
)

// manyEvents is n events over two years, mostly in London, cycling through
// the fixture's kinds, statuses and venues.
func manyEvents(n int) []models.Event {
	base := fixture()
	out := make([]models.Event, n)
	for i := range out {
		ev := base[i%len(base)]
		ev.ID = uint(i + 1)
		ev.Slug = ev.Slug + "-" + time.Duration(i).String()
		ev.StartsAt = utc("2026-11-01 18:00").Add(time.Duration(i) * 9 * time.Hour)
		ev.EndsAt = ev.StartsAt.Add(2 * time.Hour)
		out[i] = ev
	}
	return out
}

// BenchmarkBuild2000 builds a public feed of 2,000 events.
func BenchmarkBuild2000(b *testing.B) {
	its := items(manyEvents(2000))
	meta := feeds.Meta{Name: "Convene events", URL: baseURL + "/"}
	b.ReportAllocs()
	var size int
	for b.Loop() {
		size = len(feeds.Build(meta, its, public()))
	}
	b.ReportMetric(float64(size)/1024, "KiB/feed")
}
