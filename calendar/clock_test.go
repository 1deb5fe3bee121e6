package calendar

import (
	"testing"
	"time"
)

func TestClock(t *testing.T) {
	for _, c := range []struct {
		at   string
		want string
	}{
		{"2027-02-17T17:19:00Z", "5:19pm"},
		{"2027-02-17T19:00:00Z", "7pm"},
		{"2027-02-17T00:00:00Z", "12am"},
		{"2027-02-17T12:05:00Z", "12:05pm"},
		{"2027-02-17T09:30:59Z", "9:30am"},
	} {
		at, err := time.Parse(time.RFC3339, c.at)
		if err != nil {
			t.Fatal(err)
		}
		if got := Clock(at); got != c.want {
			t.Errorf("Clock(%s) = %q, want %q", c.at, got, c.want)
		}
	}
}
