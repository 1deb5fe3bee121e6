package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"convene/models"
)

func runCmd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), err
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir) // .env lookup and relative paths stay inside the test
	dbPath := filepath.Join(dir, "cli.db")
	t.Setenv("DATABASE_URL", dbPath)
	t.Setenv("SECRET_KEY", "")
	t.Setenv("CONVENE_ENV", "")

	if out, err := runCmd(t, "", "version"); err != nil || !strings.HasPrefix(out, "convene ") {
		t.Fatalf("version: %q %v", out, err)
	}
	if out, err := runCmd(t, "", "migrate"); err != nil || !strings.Contains(out, "schema version") {
		t.Fatalf("migrate: %q %v", out, err)
	}
	if out, err := runCmd(t, "", "migrate"); err != nil || out != "" {
		t.Fatalf("second migrate should apply nothing: %q %v", out, err)
	}

	out, err := runCmd(t, "", "token", "create", "--email", "First@Example.org", "--name", "First")
	if err != nil {
		t.Fatal(err)
	}
	token := lastLine(out)
	if !strings.HasPrefix(token, models.APITokenPrefix) || !strings.Contains(out, "(admin)") {
		t.Fatalf("token create: %q", out)
	}
	db, err := models.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tok, err := models.AuthenticateAPIToken(db.DB, token, testTime())
	if err != nil || tok.User.Email != "first@example.org" || !tok.User.Admin || tok.Scope != models.ScopeWrite {
		t.Fatalf("token does not authenticate the first (admin) organiser for writing: %+v %v", tok, err)
	}
	out, err = runCmd(t, "", "token", "create", "--email", "second@example.org")
	if err != nil || strings.Contains(out, "(admin)") {
		t.Fatalf("second organiser must not be admin: %q %v", out, err)
	}

	// Scope and expiry: the token stays the last line.
	out, err = runCmd(t, "", "token", "create", "--email", "second@example.org", "--scope", "read", "--expires", "30d")
	if err != nil {
		t.Fatal(err)
	}
	tok, err = models.AuthenticateAPIToken(db.DB, lastLine(out), testTime())
	if err != nil || tok.Scope != models.ScopeRead || tok.ExpiresAt.Sub(testTime()) > 30*24*time.Hour || tok.ExpiresAt.Sub(testTime()) < 29*24*time.Hour {
		t.Fatalf("read token for 30 days: %q %+v %v", out, tok, err)
	}
	if !strings.Contains(out, "scope read, expires ") {
		t.Fatalf("token create does not say the scope and expiry: %q", out)
	}
	date := testTime().AddDate(0, 2, 0).Format("2006-01-02")
	if out, err = runCmd(t, "", "token", "create", "--email", "second@example.org", "--expires", date); err != nil {
		t.Fatalf("token until %s: %v", date, err)
	}
	if tok, err = models.AuthenticateAPIToken(db.DB, lastLine(out), testTime()); err != nil || tok.Scope != models.ScopeWrite || tok.ExpiresAt.Format("2006-01-02") != date {
		t.Fatalf("token until %s: %q %+v %v", date, out, tok, err)
	}
	for _, args := range [][]string{{"--scope", "admin"}, {"--expires", "400d"}, {"--expires", "yesterday"}, {"--expires", "0d"}} {
		if _, err := runCmd(t, "", append([]string{"token", "create", "--email", "second@example.org"}, args...)...); err == nil {
			t.Errorf("token create %v: no error", args)
		}
	}

	// user add: password from standard input, or a generated one shown once.
	if out, err := runCmd(t, "a long enough password\n", "user", "add", "--email", "pw@example.org"); err != nil || strings.Contains(out, "generated") {
		t.Fatalf("user add with stdin: %q %v", out, err)
	}
	var pw models.User
	db.Where("email = ?", "pw@example.org").Take(&pw)
	if !pw.CheckPassword("a long enough password") {
		t.Fatal("password from stdin not set")
	}
	// Setting a password again from the command line is a reset: the
	// account's API tokens stop working.
	out, err = runCmd(t, "", "token", "create", "--email", "pw@example.org")
	if err != nil {
		t.Fatal(err)
	}
	pwToken := lastLine(out)
	if _, err := runCmd(t, "another long password\n", "user", "add", "--email", "pw@example.org"); err != nil {
		t.Fatal(err)
	}
	if _, err := models.AuthenticateAPIToken(db.DB, pwToken, testTime()); err == nil {
		t.Fatal("a token survived a password set from the command line")
	}
	out, err = runCmd(t, "", "user", "add", "--email", "gen@example.org", "--admin")
	if err != nil || !strings.Contains(out, "generated password") {
		t.Fatalf("user add generated: %q %v", out, err)
	}
	var gen models.User
	db.Where("email = ?", "gen@example.org").Take(&gen)
	if !gen.Admin || !gen.CheckPassword(lastLine(out)) {
		t.Fatal("generated password does not work or admin flag lost")
	}

	if out, err := runCmd(t, "", "seed"); err != nil || !strings.Contains(out, "demo data loaded") {
		t.Fatalf("seed: %q %v", out, err)
	}
	if out, err := runCmd(t, "", "seed"); err != nil || !strings.Contains(out, "already present") {
		t.Fatalf("second seed: %q %v", out, err)
	}

	backup := filepath.Join(dir, "backup.db")
	if _, err := runCmd(t, "", "backup", backup); err != nil {
		t.Fatal(err)
	}
	b, err := models.Open(backup)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	b.Model(&models.Event{}).Count(&n)
	b.Close()
	if n == 0 {
		t.Fatal("backup holds no events")
	}
	if _, err := runCmd(t, "", "backup", backup); err == nil {
		t.Fatal("backup overwrote an existing file")
	}

	if out, err := runCmd(t, "", "purge"); err != nil || !strings.Contains(out, "retention") || !strings.Contains(out, "answers") {
		t.Fatalf("purge: %q %v", out, err)
	}

	// Privacy: export and erase an address that registered (demo data).
	pdb, err := models.Open(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	var reg models.Registration
	err = pdb.Where("purged_at IS NULL AND status = ?", models.RegConfirmed).Order("id").Take(&reg).Error
	pdb.Close()
	if err != nil {
		t.Fatalf("no demo registration to erase: %v", err)
	}
	out, err = runCmd(t, "", "privacy", "export", strings.ToUpper(reg.Email))
	if err != nil || !strings.Contains(out, `"email": "`+reg.EmailNorm+`"`) || !strings.Contains(out, `"registrations": [`) {
		t.Fatalf("privacy export: %q %v", out, err)
	}
	if out, err := runCmd(t, "", "privacy", "erase", reg.Email); err != nil || !strings.Contains(out, "--yes") {
		t.Fatalf("privacy erase without --yes: %q %v", out, err)
	}
	if out, err := runCmd(t, "", "privacy", "export", reg.Email); err != nil || strings.Contains(out, `"registrations": []`) {
		t.Fatalf("erase without --yes erased: %q %v", out, err)
	}
	if out, err := runCmd(t, "", "privacy", "erase", reg.Email, "--yes"); err != nil || !strings.Contains(out, "erased ") || strings.Contains(out, reg.Email) {
		t.Fatalf("privacy erase: %q %v", out, err)
	}
	if out, err := runCmd(t, "", "privacy", "export", reg.Email); err != nil || !strings.Contains(out, `"registrations": []`) {
		t.Fatalf("export after erasing: %q %v", out, err)
	}

	bad := []struct {
		args []string
		want string
	}{
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"token"}, "usage"},
		{[]string{"token", "create"}, "--email is required"},
		{[]string{"token", "create", "--email", "not-an-email"}, "email"},
		{[]string{"user", "add", "--email", "x@example.org"}, ""}, // stdin empty: generated, fine
		{[]string{"backup"}, "usage"},
		{[]string{"privacy"}, "usage"},
		{[]string{"privacy", "export"}, "usage"},
		{[]string{"privacy", "forget", "a@example.org"}, "usage"},
		{[]string{"privacy", "export", "a@example.org", "--yes"}, "usage"},
		{[]string{"privacy", "erase", "not an address", "--yes"}, "email"},
	}
	for _, tt := range bad {
		_, err := runCmd(t, "", tt.args...)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%v: %v", tt.args, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want %q", tt.args, err, tt.want)
		}
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("CONVENE_ENV", "production")
	t.Setenv("SECRET_KEY", "")
	t.Setenv("BASE_URL", "http://insecure.example.org")
	_, err := runCmd(t, "", "migrate")
	if err == nil || !strings.Contains(err.Error(), "SECRET_KEY") || !strings.Contains(err.Error(), "https") {
		t.Fatalf("production without secrets: %v", err)
	}
	t.Setenv("CONVENE_ENV", "")
	t.Setenv("RATE_LIMIT_PER_MINUTE", "lots")
	if _, err := runCmd(t, "", "migrate"); err == nil || !strings.Contains(err.Error(), "RATE_LIMIT_PER_MINUTE") {
		t.Fatalf("bad number: %v", err)
	}
}

func TestDotEnvIsRead(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	os.Unsetenv("DATABASE_URL")
	t.Setenv("DATABASE_URL", "") // restored after the test
	os.Unsetenv("DATABASE_URL")
	if err := os.WriteFile(".env", []byte("DATABASE_URL=from-dotenv.db\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runCmd(t, "", "migrate"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "from-dotenv.db")); err != nil {
		t.Fatalf(".env DATABASE_URL not used: %v", err)
	}
}

func testTime() time.Time { return time.Now().UTC() }

func TestSeedRefusedInProduction(t *testing.T) {
	t.Chdir(t.TempDir())
	t.Setenv("CONVENE_ENV", "production")
	t.Setenv("SECRET_KEY", "55bcfc3264eda96f09ef0a93484580f71661ccd86ca15e08cfe253c1af95e98a")
	t.Setenv("BASE_URL", "https://events.example.org")
	t.Setenv("DATABASE_URL", "prod.db")
	if _, err := runCmd(t, "", "seed"); err == nil || !strings.Contains(err.Error(), "development only") {
		t.Fatalf("seed in production: %v", err)
	}
}

// TestRunEvery: serve's scheduled jobs (the retention purge among them) run
// after the first delay, then again every interval, until serve stops.
func TestRunEvery(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	runs := make(chan struct{}, 10)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runEvery(ctx, slog.New(slog.NewTextHandler(io.Discard, nil)), "test job", time.Millisecond, time.Millisecond, func() error {
			runs <- struct{}{}
			return errors.New("a failure is logged, and the job runs again")
		})
	}()
	for i := 0; i < 3; i++ {
		<-runs
	}
	cancel()
	<-done
}
