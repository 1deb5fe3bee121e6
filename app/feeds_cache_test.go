package app

import (
	"strconv"
	"testing"
	"time"
)

func TestFeedCacheDates(t *testing.T) {
	start := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return start.Add(time.Duration(h) * time.Hour) }
	steps := []struct {
		name         string
		body         string
		newest, now  time.Time
		wantModified time.Time
	}{
		{"first build: not before the cache started", "a", at(-5), at(1), start},
		{"first build after a newer change: the change", "a", at(2), at(3), at(2)},
		{"same bytes: unchanged", "a", at(2), at(4), at(2)},
		{"new bytes after a change: when they were seen, never earlier", "b", at(5), at(6), at(6)},
		{"new bytes, nothing newer changed (an event left): when noticed", "c", at(5), at(8), at(8)},
		{"same bytes again: unchanged", "c", at(5), at(9), at(8)},
	}
	fc := newFeedCache(start)
	for _, s := range steps {
		f := fc.store("all", builtFeed{fingerprint: s.name, body: []byte(s.body)}, s.newest, s.now, true)
		if !f.lastModified.Equal(s.wantModified) {
			t.Errorf("%s: Last-Modified %s, want %s", s.name, f.lastModified, s.wantModified)
		}
		if f.etag != etagOf([]byte(s.body)) {
			t.Errorf("%s: ETag %s", s.name, f.etag)
		}
	}
}

func TestFeedCacheFresh(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	fc := newFeedCache(now)
	fc.store("all", builtFeed{fingerprint: "fp1", body: []byte("x"), expires: now.Add(time.Hour)}, now, now, true)
	fc.store("me:h", builtFeed{body: []byte("private")}, now, now, false)
	tests := []struct {
		name, key, fp string
		now           time.Time
		want          bool
	}{
		{"same fingerprint", "all", "fp1", now, true},
		{"another fingerprint", "all", "fp2", now, false},
		{"an event has left the feed since", "all", "fp1", now.Add(time.Hour), false},
		{"unknown feed", "series:x", "fp1", now, false},
		{"private bytes are never kept", "me:h", "", now, false},
	}
	for _, tt := range tests {
		if got := fc.fresh(tt.key, tt.fp, tt.now) != nil; got != tt.want {
			t.Errorf("%s: fresh %v, want %v", tt.name, got, tt.want)
		}
	}
	// A full cache starts again, with a new epoch.
	for i := 0; i < feedCacheMax; i++ {
		fc.store("event:"+strconv.Itoa(i), builtFeed{body: []byte("e")}, now, now.Add(time.Minute), true)
	}
	if n := len(fc.m); n > feedCacheMax {
		t.Errorf("%d feeds kept, at most %d", n, feedCacheMax)
	}
	if fc.fresh("all", "fp1", now) != nil {
		t.Error("the cache kept growing instead of starting again")
	}
	f := fc.store("all", builtFeed{fingerprint: "fp1", body: []byte("x")}, now, now.Add(time.Minute), true)
	if !f.lastModified.Equal(now.Add(time.Minute)) {
		t.Errorf("Last-Modified %s after the cache started again, want its new start", f.lastModified)
	}
}
