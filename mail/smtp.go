package mail

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// NewClient makes an SMTP client from SMTP_URL:
//
//	smtp://user:password@host:587     STARTTLS, required (default port 587);
//	                                  to localhost/127.0.0.1/::1 only when offered
//	smtp://host:25?tls=opportunistic  STARTTLS when the server offers it, else plain
//	smtp://localhost:1025?tls=none    plain text, for a local test server only
//	smtps://user:password@host:465    implicit TLS (default port 465)
//
// With a user name it authenticates with the strongest mechanism the server
// offers; go-mail never sends a password in the clear, except with
// tls=none, where PLAIN is allowed because the operator asked for plain.
// timeout bounds the connection and each SMTP command.
func NewClient(smtpURL string, timeout time.Duration) (*gomail.Client, error) {
	u, err := url.Parse(smtpURL)
	if err != nil {
		return nil, errors.New("mail: SMTP_URL is not a URL")
	}
	if u.Hostname() == "" {
		return nil, errors.New("mail: SMTP_URL names no host")
	}
	opts := []gomail.Option{gomail.WithTimeout(timeout)}
	port := 587
	plain := false
	switch u.Scheme {
	case "smtp":
		switch tlsPolicy(u) {
		case "opportunistic":
			opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
		case "", "required", "starttls":
			// By default a mail goes out only over TLS: it carries private
			// links (manage, feed, stream) that a downgraded link would expose.
			opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
		case "none":
			opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
			plain = true
		default:
			return nil, errors.New("mail: SMTP_URL tls= must be opportunistic, required or none")
		}
	case "smtps":
		port = 465
		opts = append(opts, gomail.WithSSL())
	default:
		return nil, errors.New("mail: SMTP_URL must start with smtp:// or smtps://")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, errors.New("mail: SMTP_URL has an invalid port")
		}
		port = n
	}
	opts = append(opts, gomail.WithPort(port))
	if name := u.User.Username(); name != "" {
		password, _ := u.User.Password()
		auth := gomail.SMTPAuthAutoDiscover
		if plain {
			auth = gomail.SMTPAuthPlainNoEnc
		}
		opts = append(opts, gomail.WithSMTPAuth(auth), gomail.WithUsername(name), gomail.WithPassword(password))
	}
	c, err := gomail.NewClient(u.Hostname(), opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: unable to set up the SMTP client: %w", err)
	}
	return c, nil
}

// tlsPolicy is the tls= of an smtp:// URL, with its default filled in:
// required, except for a relay on this machine (a local MTA, a test sink),
// where nobody on the path can strip STARTTLS, so it is used when offered.
func tlsPolicy(u *url.URL) string {
	p := u.Query().Get("tls")
	if p == "" && isLoopback(u.Hostname()) {
		return "opportunistic"
	}
	return p
}

// isLoopback reports whether host is this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
