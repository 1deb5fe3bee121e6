package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"

	"convene/models"
)

// Config is Convene's configuration, read from the environment (and an
// optional .env file, loaded by the command before LoadConfig).
type Config struct {
	Addr               string
	DatabaseURL        string
	BaseURL            string
	SecretKey          string
	Env                string
	SMTPURL            string
	MailFrom           string
	RetentionDays      int
	RateLimitPerMinute int
	LogLevel           slog.Level
	// TrustedProxies are the addresses (or CIDR ranges) of reverse proxies
	// whose X-Forwarded-For names the client, for rate limits.
	TrustedProxies []string
	// MetricsToken, when set, is the bearer token /metrics requires.
	// MetricsAddr, when set, is a listener of its own serving only /metrics.
	// In production /metrics on the main listener needs the token.
	MetricsToken string
	MetricsAddr  string
}

// DevSecret is the key used in development when SECRET_KEY is unset. It is
// refused in production.
const DevSecret = "development-only-secret-key-do-not-use-in-production"

// Production reports whether CONVENE_ENV is production.
func (c Config) Production() bool { return c.Env == "production" }

// LoadConfig reads the configuration with getenv (os.Getenv in the command,
// a map in tests) and validates it; the error lists everything to fix.
func LoadConfig(getenv func(string) string) (Config, error) {
	get := func(key, def string) string {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			return v
		}
		return def
	}
	c := Config{
		Addr:         get("CONVENE_ADDR", ":3000"),
		DatabaseURL:  get("DATABASE_URL", "convene.db"),
		BaseURL:      strings.TrimRight(get("BASE_URL", "http://localhost:3000"), "/"),
		SecretKey:    get("SECRET_KEY", ""),
		Env:          get("CONVENE_ENV", "development"),
		SMTPURL:      get("SMTP_URL", ""),
		MailFrom:     get("MAIL_FROM", "Convene <no-reply@localhost>"),
		MetricsToken: get("METRICS_TOKEN", ""),
		MetricsAddr:  get("METRICS_ADDR", ""),
	}
	var problems []string
	intVar := func(key string, def, min, max int) int {
		s := get(key, strconv.Itoa(def))
		n, err := strconv.Atoi(s)
		if err != nil || n < min || n > max {
			problems = append(problems, fmt.Sprintf("%s must be a whole number from %d to %d (got %q)", key, min, max, s))
			return def
		}
		return n
	}
	c.RetentionDays = intVar("RETENTION_DAYS", 30, 1, 3650)
	for _, p := range strings.Split(get("TRUSTED_PROXIES", ""), ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				problems = append(problems, fmt.Sprintf("TRUSTED_PROXIES must list IP addresses or CIDR ranges (got %q)", p))
				continue
			}
		}
		c.TrustedProxies = append(c.TrustedProxies, p)
	}
	c.RateLimitPerMinute = intVar("RATE_LIMIT_PER_MINUTE", 30, 0, 100000)
	switch strings.ToLower(get("LOG_LEVEL", "info")) {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn", "warning":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		problems = append(problems, "LOG_LEVEL must be debug, info, warn or error")
	}
	if c.Env != "development" && c.Env != "production" && c.Env != "test" {
		problems = append(problems, "CONVENE_ENV must be development or production")
	}
	if u, err := url.Parse(c.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		problems = append(problems, "BASE_URL must be an absolute http(s) URL such as https://events.example.org")
	}
	if c.SMTPURL != "" {
		if u, err := url.Parse(c.SMTPURL); err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
			problems = append(problems, "SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465")
		}
	}
	if !strings.HasPrefix(c.DatabaseURL, "postgres") && strings.Contains(c.DatabaseURL, "://") && !strings.HasPrefix(c.DatabaseURL, "sqlite://") {
		problems = append(problems, "DATABASE_URL must be a SQLite file path or a postgres:// URL")
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			problems = append(problems, fmt.Sprintf("METRICS_ADDR must be an address such as 127.0.0.1:9100 (got %q)", c.MetricsAddr))
		} else if c.MetricsAddr == c.Addr {
			problems = append(problems, "METRICS_ADDR must differ from CONVENE_ADDR: it is a listener of its own, kept away from the public")
		}
	}
	if c.Production() {
		if c.MetricsToken != "" && len(c.MetricsToken) < 32 {
			problems = append(problems, "METRICS_TOKEN must be at least 32 random characters in production (for example: openssl rand -hex 32)")
		}
		switch {
		case c.SecretKey == "":
			problems = append(problems, "SECRET_KEY is required in production: set it to 32 or more random characters (for example: openssl rand -hex 32)")
		case len(c.SecretKey) < 32 || c.SecretKey == DevSecret:
			problems = append(problems, "SECRET_KEY must be at least 32 random characters in production")
		}
		if !strings.HasPrefix(c.BaseURL, "https://") {
			problems = append(problems, "BASE_URL must start with https:// in production")
		}
	} else if c.SecretKey == "" {
		c.SecretKey = DevSecret
	}
	if len(problems) > 0 {
		return c, errors.New("configuration: " + strings.Join(problems, "; "))
	}
	return c, nil
}

// Tokens derives registration tokens from the secret key.
func (c Config) Tokens() models.Tokens { return models.NewTokens([]byte(c.SecretKey)) }
