package app

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/gofiber/fiber/v2"
)

// TestClientIP serves over a real loopback connection, so the proxy the
// app sees is 127.0.0.1, and checks which address stands for the client.
func TestClientIP(t *testing.T) {
	tests := []struct {
		name    string
		proxies string
		xff     []string // header lines, in order
		want    string
	}{
		{"no proxies: the connection", "", []string{"203.0.113.9"}, "127.0.0.1"},
		{"connection not from a proxy", "10.0.0.1", []string{"203.0.113.9"}, "127.0.0.1"},
		{"one proxy", "127.0.0.1", []string{"203.0.113.9"}, "203.0.113.9"},
		{"forged entry on the left is ignored", "127.0.0.1", []string{"6.6.6.6, 203.0.113.9"}, "203.0.113.9"},
		{"two proxies", "127.0.0.1, 10.0.0.0/8", []string{"6.6.6.6, 203.0.113.9, 10.1.2.3"}, "203.0.113.9"},
		{"header lines joined in order", "127.0.0.1", []string{"6.6.6.6", "203.0.113.9"}, "203.0.113.9"},
		{"not an address beyond the proxies", "127.0.0.1", []string{"203.0.113.9, not-an-ip"}, "127.0.0.1"},
		{"junk on the left", "127.0.0.1", []string{"<script>, 203.0.113.9"}, "203.0.113.9"},
		{"address with port", "127.0.0.1", []string{"[2001:db8::1]:4711"}, "2001:db8::1"},
		{"mapped IPv4", "127.0.0.1", []string{"::ffff:203.0.113.9"}, "203.0.113.9"},
		{"every hop trusted: the farthest", "127.0.0.0/8, 10.0.0.0/8", []string{"10.0.0.3, 10.0.0.2"}, "10.0.0.3"},
		{"no header", "127.0.0.1", nil, "127.0.0.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var list []string
			for _, p := range strings.Split(tt.proxies, ",") {
				if p = strings.TrimSpace(p); p != "" {
					list = append(list, p)
				}
			}
			a := &App{proxies: parseProxies(list)}
			f := fiber.New(fiber.Config{DisableStartupMessage: true})
			f.Get("/", func(c *fiber.Ctx) error { return c.SendString(a.clientIP(c)) })
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			go f.Listener(ln)
			defer f.Shutdown()
			req, _ := http.NewRequest("GET", "http://"+ln.Addr().String()+"/", nil)
			for _, h := range tt.xff {
				req.Header.Add("X-Forwarded-For", h)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if string(b) != tt.want {
				t.Fatalf("client %q, want %q", b, tt.want)
			}
		})
	}
}
