package mail

import (
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"convene/models"
	"convene/models/modelstest"
)

// TestSentRecordedWhenTheDatabaseDropsConnections: a PostgreSQL restart
// right after the mail server accepted a message (every connection of the
// database terminated with pg_terminate_backend, and new ones refused for
// a moment) must not deliver the mail again. Recording "sent" fails on the
// dead connection; the sender retries it while its lease lasts, instead of
// letting the lease run out and the row be claimed and sent a second time.
func TestSentRecordedWhenTheDatabaseDropsConnections(t *testing.T) {
	dbURL := modelstest.PostgresURL(t)
	db := modelstest.OpenURL(t, dbURL)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	admin, err := models.Open(modelstest.PostgresServer())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	allow := func(on bool) {
		if err := admin.Exec(fmt.Sprintf("ALTER DATABASE %s WITH ALLOW_CONNECTIONS %v", name, on)).Error; err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() { allow(true) })

	ev := testEvent(t, db.DB, 10)
	registerAs(t, db.DB, ev, "amina@example.org", models.InPerson, 0)
	var once sync.Once
	var killed int64
	cut := make(chan struct{}) // closed once the database is down
	srv := startServer(t, "127.0.0.1:0", func(ts *testServer) {
		ts.accepted = func() {
			once.Do(func() {
				defer close(cut)
				// The database goes down: connections cut, new ones refused.
				allow(false)
				if err := admin.Raw("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = ? AND pid <> pg_backend_pid()", name).
					Row().Scan(&killed); err != nil {
					t.Error(err)
				}
			})
		}
	})
	logs := &logBuffer{}
	// The sender's clock, moved past the lease below instead of waiting.
	var ahead atomic.Int64
	const lease = 3 * time.Second
	runSender(t, db, "smtp://"+srv.Addr+"?tls=opportunistic", func(c *Config) {
		c.Lease, c.Timeout = lease, 500*time.Millisecond
		c.Log = slog.New(slog.NewTextHandler(logs, nil))
		c.Now = func() time.Time { return time.Now().UTC().Add(time.Duration(ahead.Load())) }
	})
	srv.Wait(t, 10*time.Second)
	select {
	case <-cut:
	case <-time.After(10 * time.Second):
		t.Fatal("the database was not cut")
	}
	if killed == 0 {
		t.Fatal("no connection of the sender was terminated: the test did not cut the database")
	}
	// The database comes back once recording the outcome has failed.
	eventually(t, 10*time.Second, "a failed record, retried", func() bool {
		return strings.Contains(logs.String(), "retrying while the claim lasts")
	})
	allow(true)
	eventually(t, 10*time.Second, "the mail recorded as sent", func() bool {
		var m models.OutboxMail
		return db.Where("kind = ?", models.MailConfirmation).Take(&m).Error == nil && m.Status == models.MailSent
	})
	// Past the lease, a lost record would let the sender claim the mail
	// again. Move its clock there, and wait for a mail queued after that:
	// the step that sends it would have claimed the first one too.
	ahead.Store(int64(2 * lease))
	registerAs(t, db.DB, ev, "later@example.org", models.InPerson, 0)
	if d := srv.Wait(t, 10*time.Second); !slices.Contains(d.To, "later@example.org") {
		t.Fatalf("delivered again to %v, want the later mail", d.To)
	}
	if got := len(srv.Received()); got != 2 {
		t.Fatalf("%d deliveries, want the first mail once and the later one", got)
	}
}
