package mail

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"convene/models/modelstest"
)

// TestStuckDatabaseDoesNotHoldTheSender: while another transaction holds
// the database, the sender's claim waits at most Timeout (its own context),
// so asking it to stop is answered instead of waiting for the database.
func TestStuckDatabaseDoesNotHoldTheSender(t *testing.T) {
	db := modelstest.Open(t)
	fill(t, db.DB, 1) // one confirmation due
	writer, err := db.DB.DB()
	if err != nil {
		t.Fatal(err)
	}
	waits := writer.Stats().WaitCount
	blocker := db.DB.Begin() // SQLite: the only writer connection, which a claim needs
	if err := blocker.Error; err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback()
	s, err := New(db, Config{SMTPURL: "smtp://127.0.0.1:1", Composer: testComposer(), Poll: 5 * time.Millisecond,
		Timeout: 200 * time.Millisecond, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Run(ctx)
	}()
	for deadline := time.Now().Add(5 * time.Second); writer.Stats().WaitCount == waits; {
		if time.Now().After(deadline) {
			t.Fatal("the sender never came to claim")
		}
		time.Sleep(5 * time.Millisecond) // polling a condition, not timing a result
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the sender did not stop while the database was held: its claim waits for ever")
	}
}
