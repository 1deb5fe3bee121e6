// Command convene serves the Convene web app and runs its maintenance tasks.
//
//	convene [serve]                      serve the app (migrates; demo data on an empty development database)
//	convene migrate                      apply database migrations
//	convene seed                         load demo data (idempotent)
//	convene version                      print the version
//	convene token create --email E [--name N] [--admin] [--scope read|write|door] [--expires 90d|2027-03-01]
//	convene user add --email E [--name N] [--admin]   (password from standard input, or generated)
//	convene backup PATH                  consistent copy of the SQLite database
//	convene purge                        apply the data-retention policy now
//	convene privacy export EMAIL         print everything held about an address (JSON)
//	convene privacy erase EMAIL [--yes]  erase everything held about an address
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/joho/godotenv"
	_ "time/tzdata" // time zones even on machines without tzdata

	"convene/app"
	"convene/mail"
	"convene/models"
)

func main() {
	if err := run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "convene:", err)
		os.Exit(1)
	}
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	_ = godotenv.Load() // a .env file is optional; real environment variables win
	cmd := "serve"
	if len(args) > 0 {
		cmd, args = args[0], args[1:]
	}
	if cmd == "version" || cmd == "--version" {
		fmt.Fprintln(stdout, "convene", app.Version, "schema", models.SchemaVersion())
		return nil
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" {
		fmt.Fprintln(stdout, usage)
		return nil
	}
	cfg, err := app.LoadConfig(os.Getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	switch cmd {
	case "serve":
		return serve(cfg, log, stdout)
	case "migrate":
		db, err := openMigrated(cfg, stdout)
		if err != nil {
			return err
		}
		return db.Close()
	case "seed":
		if cfg.Production() {
			return errors.New("seed loads demo data with a published demo password: it is for development only (CONVENE_ENV=production)")
		}
		db, err := openMigrated(cfg, io.Discard)
		if err != nil {
			return err
		}
		defer db.Close()
		loaded, err := models.Seed(db.DB, cfg.Tokens(), time.Now())
		if err != nil {
			return err
		}
		if loaded {
			fmt.Fprintf(stdout, "demo data loaded; sign in at %s/admin/login as %s with password %s\n", cfg.BaseURL, models.DemoEmail, models.DemoPassword)
		} else {
			fmt.Fprintln(stdout, "demo data already present; nothing changed")
		}
		return nil
	case "token":
		return tokenCmd(cfg, args, stdout)
	case "user":
		return userCmd(cfg, args, stdin, stdout)
	case "backup":
		return backupCmd(cfg, args, stdout)
	case "privacy":
		return privacyCmd(cfg, args, stdout)
	case "purge":
		db, err := openMigrated(cfg, io.Discard)
		if err != nil {
			return err
		}
		defer db.Close()
		n, err := models.Purge(db.DB, time.Now().UTC(), cfg.RetentionDays)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "retention: erased the answers of %d registrations (events past their answers_retention_days), anonymised %d registrations, deleted %d address feeds and %d mails (events ended over %d days ago)\n",
			n.Answers, n.Registrations, n.Feeds, n.Mails, cfg.RetentionDays)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

const usage = `usage: convene [serve|migrate|seed|version|purge]
       convene token create --email EMAIL [--name NAME] [--admin] [--scope read|write|door] [--expires 90d|YYYY-MM-DD]
       convene user add --email EMAIL [--name NAME] [--admin]
       convene backup PATH
       convene privacy export EMAIL | convene privacy erase EMAIL [--yes]`

func openMigrated(cfg app.Config, out io.Writer) (*models.DB, error) {
	db, err := models.Open(cfg.DatabaseURL)
	if err != nil {
		return nil, err
	}
	n, err := models.Migrate(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	if n > 0 {
		fmt.Fprintf(out, "applied %d migration(s); schema version %d\n", n, models.SchemaVersion())
	}
	return db, nil
}

func serve(cfg app.Config, log *slog.Logger, stdout io.Writer) error {
	start := time.Now()
	db, err := openMigrated(cfg, io.Discard)
	if err != nil {
		return err
	}
	defer db.Close()
	seeded := false
	if !cfg.Production() {
		var n int64
		if err := db.Model(&models.Event{}).Count(&n).Error; err != nil {
			return err
		}
		if n == 0 {
			if seeded, err = models.Seed(db.DB, cfg.Tokens(), time.Now()); err != nil {
				return fmt.Errorf("loading demo data: %w", err)
			}
		}
	}
	go models.PrepareSignIn()
	a, err := app.New(cfg, db, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Retention runs hourly: answers are due a set number of days after
	// each event ends, so a daily run would keep them up to a day longer.
	go runEvery(ctx, log, "retention purge", time.Minute, time.Hour, func() error {
		res, err := models.Purge(db.DB, time.Now().UTC(), cfg.RetentionDays)
		if res != (models.PurgeResult{}) {
			log.Info("retention purge", "answers_erased", res.Answers, "registrations_anonymised", res.Registrations,
				"feeds_deleted", res.Feeds, "mails_deleted", res.Mails)
		}
		return err
	})
	// Reserved places join the public pool at their release time even when
	// nobody registers: every instance checks each minute.
	go runEvery(ctx, log, "releasing reserved places", time.Minute, time.Minute, func() error {
		_, err := models.ReleaseAllocations(db.DB, time.Now().UTC())
		return err
	})
	go runEvery(ctx, log, "expiring unconfirmed requests", time.Hour, time.Hour, func() error {
		_, err := models.ExpireRequests(db.DB, time.Now().UTC())
		return err
	})
	sender, err := mail.New(db, mail.Config{
		SMTPURL:     cfg.SMTPURL,
		Composer:    mail.Composer{BaseURL: cfg.BaseURL, From: cfg.MailFrom, Tokens: cfg.Tokens()},
		Development: !cfg.Production(),
		Log:         log,
	})
	if err != nil {
		return err
	}
	mailDone := make(chan struct{})
	go func() {
		defer close(mailDone)
		sender.Run(ctx)
	}()

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("unable to listen on CONVENE_ADDR %s: %w", cfg.Addr, err)
	}
	errc := make(chan error, 2)
	if cfg.MetricsAddr != "" {
		mln, err := net.Listen("tcp", cfg.MetricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("unable to listen on METRICS_ADDR %s: %w", cfg.MetricsAddr, err)
		}
		ms := &http.Server{Handler: a.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := ms.Serve(mln); !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("metrics listener: %w", err)
			}
		}()
		defer ms.Close()
	} else if cfg.Production() && cfg.MetricsToken == "" {
		log.Info("/metrics is not served: set METRICS_TOKEN or METRICS_ADDR to serve it")
	}
	go func() { errc <- a.Fiber.Listener(ln) }()
	log.Info("Convene is serving", "url", cfg.BaseURL, "addr", cfg.Addr, "env", cfg.Env, "database", dbKind(cfg.DatabaseURL), "ready_ms", time.Since(start).Milliseconds())
	fmt.Fprintf(stdout, "Convene is running at %s\n", cfg.BaseURL)
	if seeded || (!cfg.Production() && demoLoginWorks(db)) {
		fmt.Fprintf(stdout, "Demo organiser: sign in at %s/admin/login as %s with password %s\n", cfg.BaseURL, models.DemoEmail, models.DemoPassword)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = a.Fiber.ShutdownWithContext(shutdown)
	// The sender finishes the message in flight and hands back the rest.
	select {
	case <-mailDone:
	case <-shutdown.Done():
		log.Warn("mail sender did not stop in time; its claims will lapse and be retried")
	}
	return err
}

func demoLoginWorks(db *models.DB) bool {
	var u models.User
	if db.Where("email = ?", models.DemoEmail).Take(&u).Error != nil {
		return false
	}
	return u.CheckPassword(models.DemoPassword)
}

func dbKind(url string) string {
	if models.IsPostgres(url) {
		return "postgresql"
	}
	return "sqlite"
}

// runEvery runs job after first, then every interval, until ctx ends. Jobs
// are idempotent, also across instances sharing the database, so every
// instance runs them.
func runEvery(ctx context.Context, log *slog.Logger, what string, first, interval time.Duration, job func() error) {
	t := time.NewTimer(first)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := job(); err != nil {
				log.Error(what+" failed", "err", err)
			}
			t.Reset(interval)
		}
	}
}

type userFlags struct {
	email, name string
	admin       bool
	// token create only
	scope, expires string
}

func parseUserFlags(name string, args []string) (userFlags, error) {
	var f userFlags
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.StringVar(&f.email, "email", "", "organiser's email address (required)")
	fs.StringVar(&f.name, "name", "", "organiser's name")
	fs.BoolVar(&f.admin, "admin", false, "make the organiser an admin")
	if name == "token create" {
		fs.StringVar(&f.scope, "scope", "", "what the token may do: read, write or door (default: write, or door for a door volunteer)")
		fs.StringVar(&f.expires, "expires", "", fmt.Sprintf("when the token stops working: a number of days (30d) or a date (2027-03-01); default %dd, at most %dd",
			int(models.DefaultTokenLifetime.Hours()/24), int(models.MaxTokenLifetime.Hours()/24)))
	}
	if err := fs.Parse(args); err != nil {
		return f, err
	}
	if strings.TrimSpace(f.email) == "" {
		return f, errors.New(name + ": --email is required")
	}
	return f, nil
}

func tokenCmd(cfg app.Config, args []string, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: convene token create --email EMAIL [--name NAME] [--admin] [--scope read|write|door] [--expires 90d|YYYY-MM-DD]")
	}
	f, err := parseUserFlags("token create", args[1:])
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	in := models.APITokenInput{Name: "command line", Scope: f.scope}
	if f.expires != "" {
		if in.ExpiresAt, err = parseExpiry(f.expires, now); err != nil {
			return err
		}
	}
	db, err := openMigrated(cfg, io.Discard)
	if err != nil {
		return err
	}
	defer db.Close()
	u, created, err := models.EnsureUser(db.DB, f.email, f.name, f.admin, "", now)
	if err != nil {
		return describe(err)
	}
	token, row, err := models.NewAPIToken(db.DB, u.ID, in, now)
	if err != nil {
		return describe(err)
	}
	if created {
		fmt.Fprintf(stdout, "created organiser %s%s\n", u.Email, map[bool]string{true: " (admin)", false: ""}[u.Admin])
	}
	fmt.Fprintf(stdout, "API token, scope %s, expires %s (shown once; use as Authorization: Bearer <token>):\n", row.Scope, row.ExpiresAt.Format(time.RFC3339))
	fmt.Fprintln(stdout, token)
	return nil
}

// parseExpiry reads --expires: a number of days from now ("30d", or "30")
// or a date, when the token stops working at midnight UTC.
func parseExpiry(s string, now time.Time) (*time.Time, error) {
	if n, err := strconv.Atoi(strings.TrimSuffix(s, "d")); err == nil {
		if n < 1 {
			return nil, errors.New("token create: --expires must be at least 1 day")
		}
		t := now.Add(time.Duration(n) * 24 * time.Hour)
		return &t, nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return nil, fmt.Errorf("token create: --expires takes a number of days (30d) or a date (2027-03-01), not %q", s)
	}
	return &t, nil
}

func userCmd(cfg app.Config, args []string, stdin io.Reader, stdout io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("usage: convene user add --email EMAIL [--name NAME] [--admin]")
	}
	f, err := parseUserFlags("user add", args[1:])
	if err != nil {
		return err
	}
	password := readPassword(stdin)
	generated := password == ""
	if generated {
		password = models.RandomString(15)
	}
	db, err := openMigrated(cfg, io.Discard)
	if err != nil {
		return err
	}
	defer db.Close()
	u, created, err := models.EnsureUser(db.DB, f.email, f.name, f.admin, password, time.Now().UTC())
	if err != nil {
		return describe(err)
	}
	verb := "updated"
	if created {
		verb = "created"
	}
	fmt.Fprintf(stdout, "%s organiser %s%s\n", verb, u.Email, map[bool]string{true: " (admin)", false: ""}[u.Admin])
	if generated {
		fmt.Fprintln(stdout, "generated password (shown once):")
		fmt.Fprintln(stdout, password)
	}
	return nil
}

// readPassword reads one line from standard input when it is not a terminal.
func readPassword(stdin io.Reader) string {
	if f, ok := stdin.(*os.File); ok {
		if st, err := f.Stat(); err != nil || st.Mode()&os.ModeCharDevice != 0 {
			return ""
		}
	}
	line, _ := bufio.NewReader(stdin).ReadString('\n')
	return strings.TrimRight(line, "\r\n")
}

func backupCmd(cfg app.Config, args []string, stdout io.Writer) error {
	if len(args) != 1 || args[0] == "" {
		return errors.New("usage: convene backup PATH")
	}
	if models.IsPostgres(cfg.DatabaseURL) {
		return errors.New("backup copies SQLite databases; for PostgreSQL use pg_dump (for example: pg_dump --format=custom \"$DATABASE_URL\" > convene.dump)")
	}
	db, err := models.Open(cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := models.Backup(db, args[0]); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s\n", args[0])
	return nil
}

const privacyUsage = "usage: convene privacy export EMAIL | convene privacy erase EMAIL [--yes]"

// privacyCmd exports (as JSON, on standard output) or erases everything
// held about an email address, across events; both are audited under the
// address's digest. Erasing asks for --yes, after saying what it would do.
func privacyCmd(cfg app.Config, args []string, stdout io.Writer) error {
	if len(args) < 2 || (args[0] != "export" && args[0] != "erase") {
		return errors.New(privacyUsage)
	}
	action, email, yes := args[0], args[1], len(args) == 3 && args[2] == "--yes"
	if len(args) > 3 || (len(args) == 3 && (!yes || action != "erase")) {
		return errors.New(privacyUsage)
	}
	db, err := openMigrated(cfg, io.Discard)
	if err != nil {
		return err
	}
	defer db.Close()
	now, tok := time.Now().UTC(), cfg.Tokens()
	held, err := models.ExportAddress(db.DB, email, cfg.RetentionDays)
	if err != nil {
		return describe(err)
	}
	if action == "export" {
		if err := models.AuditAddressExport(db.DB, tok, email, nil, now); err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(held)
	}
	if !yes {
		fmt.Fprintf(stdout, "%s holds %d registrations (the places of those still ahead go to the waitlist).\nRun again with --yes to erase them; this cannot be undone.\n",
			held.Email, len(held.Registrations))
		return nil
	}
	res, err := models.EraseAddress(db.DB, tok, email, nil, now)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "erased %d registrations (%d gave up a place, a waitlist place or a request); audit log: address %s\n",
		res.Registrations, res.Cancelled, models.AddressDigest(tok, email))
	if res.OrganiserAccount {
		fmt.Fprintln(stdout, "the address is also an organiser account's: take its roles away on its page under /admin/users")
	}
	return nil
}

func describe(err error) error {
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		var parts []string
		for k, v := range ve.Fields {
			parts = append(parts, k+": "+v)
		}
		return errors.New(strings.Join(parts, "; "))
	}
	return err
}
