package mail

import (
	"bytes"
	"io"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	smtp "github.com/emersion/go-smtp"
)

// delivery is one message the test server accepted.
type delivery struct {
	From string
	To   []string
	Data []byte
	At   time.Time
}

// Header parses the delivered message's header.
func (d delivery) Header(t *testing.T) (*mail.Message, error) {
	t.Helper()
	return mail.ReadMessage(bytes.NewReader(d.Data))
}

// testServer is a real SMTP server on 127.0.0.1 that records what it
// accepts and can refuse recipients.
type testServer struct {
	Addr string
	srv  *smtp.Server
	// reject answers RCPT TO for an address; nil accepts.
	reject func(to string) error
	// accepted, when set, runs after a message is accepted and before the
	// server says so: the moment between delivery and its record.
	accepted func()

	mu       sync.Mutex
	received []delivery
	notify   chan delivery
}

// startServer listens on addr ("127.0.0.1:0" for any free port).
func startServer(t testing.TB, addr string, configure func(*testServer)) *testServer {
	t.Helper()
	ts := &testServer{notify: make(chan delivery, 1000)}
	if configure != nil {
		configure(ts)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	ts.Addr = ln.Addr().String()
	ts.srv = smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{ts: ts}, nil }))
	ts.srv.Domain = "localhost"
	ts.srv.ReadTimeout = 10 * time.Second
	ts.srv.WriteTimeout = 10 * time.Second
	ts.srv.ErrorLog = discardLogger{}
	go func() { _ = ts.srv.Serve(ln) }()
	t.Cleanup(ts.Close)
	return ts
}

// Close stops the server; closing twice is fine.
func (ts *testServer) Close() { _ = ts.srv.Close() }

// Received returns a copy of what was delivered so far.
func (ts *testServer) Received() []delivery {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]delivery(nil), ts.received...)
}

// Wait returns the next delivery, failing the test after timeout.
func (ts *testServer) Wait(t testing.TB, timeout time.Duration) delivery {
	t.Helper()
	select {
	case d := <-ts.notify:
		return d
	case <-time.After(timeout):
		t.Fatalf("no mail arrived within %s", timeout)
		return delivery{}
	}
}

type session struct {
	ts   *testServer
	from string
	to   []string
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.ts.reject != nil {
		if err := s.ts.reject(to); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	d := delivery{From: s.from, To: s.to, Data: b, At: time.Now()}
	s.ts.mu.Lock()
	s.ts.received = append(s.ts.received, d)
	s.ts.mu.Unlock()
	s.ts.notify <- d
	if s.ts.accepted != nil {
		s.ts.accepted()
	}
	return nil
}

// permanentRefusal is the 550 a server gives for an unknown mailbox.
var permanentRefusal = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such mailbox"}

type discardLogger struct{}

func (discardLogger) Printf(string, ...any) {}
func (discardLogger) Println(...any)        {}

// freeAddr finds a local port nothing listens on.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// messageID returns the Message-ID of a delivery without angle brackets.
func messageID(t *testing.T, d delivery) string {
	t.Helper()
	m, err := d.Header(t)
	if err != nil {
		t.Fatalf("parse delivered mail: %v", err)
	}
	return strings.Trim(m.Header.Get("Message-Id"), "<>")
}
