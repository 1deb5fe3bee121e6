package mail

import "time"

// Schedule says how long to wait after a temporary failure.
type Schedule struct {
	// Delays are the waits after the first, second, … failed attempt.
	Delays []time.Duration
	// Every is the wait after each later attempt.
	Every time.Duration
	// GiveUp is how long, in waits added up, a mail is retried before it
	// is marked failed.
	GiveUp time.Duration
}

// DefaultSchedule retries after 10 s, 30 s, 1 min, 5 min and 15 min, then
// hourly, and gives up once the waits would pass a day.
func DefaultSchedule() Schedule {
	return Schedule{
		Delays: []time.Duration{10 * time.Second, 30 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute},
		Every:  time.Hour,
		GiveUp: 24 * time.Hour,
	}
}

// Next is the wait after attempt number attempts (from 1) failed, and
// false when the mail has waited long enough and should fail.
func (s Schedule) Next(attempts int) (time.Duration, bool) {
	attempts = max(attempts, 1)
	var total, d time.Duration
	for i := 1; i <= attempts; i++ {
		d = s.Every
		if i <= len(s.Delays) {
			d = s.Delays[i-1]
		}
		total += d
		if total > s.GiveUp || d <= 0 {
			return 0, false
		}
	}
	return d, true
}
