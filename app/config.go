package app

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

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
	// RequestTimeout bounds each request: its database work is cancelled at
	// the deadline and the answer is 503. Zero means DefaultRequestTimeout.
	RequestTimeout time.Duration
}

// DefaultRequestTimeout is REQUEST_TIMEOUT's default.
const DefaultRequestTimeout = 10 * time.Second

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
	addr := get("CONVENE_ADDR", ":3000")
	c := Config{
		Addr:         addr,
		DatabaseURL:  get("DATABASE_URL", "convene.db"),
		BaseURL:      strings.TrimRight(get("BASE_URL", defaultBaseURL(addr)), "/"),
		SecretKey:    get("SECRET_KEY", ""),
		Env:          get("CONVENE_ENV", "development"),
		SMTPURL:      get("SMTP_URL", ""),
		MailFrom:     get("MAIL_FROM", "Convene <no-reply@localhost>"),
		MetricsToken: get("METRICS_TOKEN", ""),
		MetricsAddr:  get("METRICS_ADDR", ""),
	}
	var problems []string
	if _, _, err := net.SplitHostPort(addr); err != nil {
		problems = append(problems, fmt.Sprintf("CONVENE_ADDR must be host:port or :port, such as :3000 or 127.0.0.1:3000 (got %q)", addr))
	}
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
	timeout := get("REQUEST_TIMEOUT", "10s")
	if d, err := time.ParseDuration(timeout); err != nil || d < 100*time.Millisecond || d > 10*time.Minute {
		problems = append(problems, fmt.Sprintf("REQUEST_TIMEOUT must be a duration from 100ms to 10m, such as 10s or 1m30s (got %q)", timeout))
	} else {
		c.RequestTimeout = d
	}
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
		if c.MetricsToken != "" {
			if why := checkSecret("METRICS_TOKEN", c.MetricsToken); why != "" {
				problems = append(problems, why)
			}
		}
		if c.SecretKey == "" {
			problems = append(problems, "SECRET_KEY is required in production: "+secretKeyHelp)
		} else if why := checkSecret("SECRET_KEY", c.SecretKey); why != "" {
			problems = append(problems, why)
		}
		if strings.TrimSpace(getenv("BASE_URL")) == "" {
			problems = append(problems, "BASE_URL is required in production: the public https address of the site, such as https://events.example.org")
		} else if !strings.HasPrefix(c.BaseURL, "https://") {
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

// defaultBaseURL is the address people reach a server on addr at, when
// BASE_URL is not set (in development): http, the host of addr or
// localhost when addr names every interface, and addr's port.
func defaultBaseURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://localhost:3000"
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "localhost"
	}
	if port == "80" || port == "" {
		return "http://" + hostForURL(host)
	}
	return "http://" + net.JoinHostPort(host, port)
}

func hostForURL(host string) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]"
	}
	return host
}

// Tokens derives registration tokens from the secret key.
func (c Config) Tokens() models.Tokens { return models.NewTokens([]byte(c.SecretKey)) }
