package app

import (
	"encoding/base64"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// strongKey is a key made with openssl rand -hex 32, for production tests.
const strongKey = "6d5c0d9b3eacde30f22843a594f7e3aaa5a1de0fb7258f1b02b047a6e9fed70b"

func TestDefaultBaseURLFollowsTheAddress(t *testing.T) {
	tests := []struct{ addr, base, want string }{
		{"", "", "http://localhost:3000"},
		{":3100", "", "http://localhost:3100"},
		{"127.0.0.1:3101", "", "http://127.0.0.1:3101"},
		{"0.0.0.0:8080", "", "http://localhost:8080"},
		{"[::]:3000", "", "http://localhost:3000"},
		{"[::1]:3000", "", "http://[::1]:3000"},
		{"events.local:80", "", "http://events.local"},
		{":3100", "http://convene.test/", "http://convene.test"},
	}
	for _, tt := range tests {
		t.Run(tt.addr+" "+tt.base, func(t *testing.T) {
			env := map[string]string{"CONVENE_ADDR": tt.addr, "BASE_URL": tt.base}
			cfg, err := LoadConfig(func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if cfg.BaseURL != tt.want {
				t.Fatalf("BASE_URL %q, want %q", cfg.BaseURL, tt.want)
			}
		})
	}
	if _, err := LoadConfig(func(k string) string { return map[string]string{"CONVENE_ADDR": "3100"}[k] }); err == nil || !strings.Contains(err.Error(), "CONVENE_ADDR") {
		t.Fatalf("an address without a port: %v", err)
	}
	prod := map[string]string{"CONVENE_ENV": "production", "SECRET_KEY": strongKey}
	if _, err := LoadConfig(func(k string) string { return prod[k] }); err == nil || !strings.Contains(err.Error(), "BASE_URL is required in production") {
		t.Fatalf("production without BASE_URL: %v", err)
	}
}

func TestProductionSecretKey(t *testing.T) {
	tests := []struct {
		name, key, refusal string // refusal "" = accepted
	}{
		{"openssl rand -hex 32", strongKey, ""},
		{"openssl rand -hex 16", "cadb6b7f62eb6253353d4a341a7ac9fc", ""},
		{"openssl rand -base64 32", "d8yst11b7Nj3Y9IReEfqBTWciRpdq7dk9esLJx4I+V0=", ""},
		{"base64url", "DEyxctMn5K-VHkw0mBlhvjDlYngRAxxo", ""},
		{"upper-case hex", strings.ToUpper(strongKey), ""},
		{"missing", "", "SECRET_KEY is required"},
		{"A × 32", strings.Repeat("A", 32), "too few different characters"},
		{"s × 40", strings.Repeat("s", 40), "too few different characters"},
		{"two symbols", strings.Repeat("ab", 20), "too few different characters"},
		{"a repeated word", strings.Repeat("password", 4), "too few different characters"},
		{"a repeated block", strings.Repeat("Kq7#zR2!mW", 4), "repeats a pattern"},
		{"hex digits twice", strings.Repeat("0123456789abcdef", 2), "repeats a pattern"},
		{"a repeated block with an ending", strings.Repeat("Tr0ub4dor&3", 4) + "x", "repeats a pattern"},
		{"alphabet", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", "run of repeated or consecutive"},
		{"random with a run", "cadb6b7f62eb6253aaaaaaa41a7ac9fc", "run of repeated or consecutive"},
		{"skewed", "aaaaabaaaacaaaaadaaaaaeaaaafaaaaagaaaa", "too few different characters"},
		{"too short", "cadb6b7f62eb6253353d4a341a7ac9", "at least 32"},
		{"development key", DevSecret, "development key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"CONVENE_ENV": "production", "BASE_URL": "https://events.example.org", "SECRET_KEY": tt.key}
			_, err := LoadConfig(func(k string) string { return env[k] })
			switch {
			case tt.refusal == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.refusal != "" && (err == nil || !strings.Contains(err.Error(), tt.refusal)):
				t.Fatalf("error %v, want %q", err, tt.refusal)
			case err != nil && (!strings.Contains(err.Error(), "openssl rand -hex 32") || (tt.key != "" && strings.Contains(err.Error(), tt.key))):
				t.Fatalf("the message must say how to make a key and never show it: %v", err)
			}
		})
	}
	// Development keeps working with any key (and with none).
	dev := map[string]string{"SECRET_KEY": strings.Repeat("A", 32)}
	if _, err := LoadConfig(func(k string) string { return dev[k] }); err != nil {
		t.Fatalf("development: %v", err)
	}
}

// TestRandomKeysAreAccepted: the pattern checks must not refuse the keys
// people are told to make (openssl rand -hex 16 and 32, -base64 32).
func TestRandomKeysAreAccepted(t *testing.T) {
	// Keys from a seeded generator: the same thousand on every run, so the
	// test cannot fail one day in a few hundred on an unlucky draw.
	src := rand.NewChaCha8([32]byte{'c', 'o', 'n', 'v', 'e', 'n', 'e'})
	for i := 0; i < 1000; i++ {
		b := make([]byte, 16+16*(i%2))
		src.Read(b)
		for _, key := range []string{hex.EncodeToString(b), base64.StdEncoding.EncodeToString(append(b, b[:i%3]...))} {
			if len(key) < 32 {
				continue
			}
			if why := checkSecret("SECRET_KEY", key); why != "" {
				t.Fatalf("random key refused: %s", why)
			}
		}
	}
}

// TestRequestTimeout: REQUEST_TIMEOUT is a duration within bounds; anything
// else is refused with a message naming the key.
func TestRequestTimeout(t *testing.T) {
	for _, tt := range []struct {
		value string
		want  time.Duration // 0: refused
	}{
		{"", 10 * time.Second},
		{"2s", 2 * time.Second},
		{"1m30s", 90 * time.Second},
		{"100ms", 100 * time.Millisecond},
		{"99ms", 0},
		{"11m", 0},
		{"10", 0},
		{"-5s", 0},
		{"soon", 0},
	} {
		t.Run(tt.value, func(t *testing.T) {
			cfg, err := LoadConfig(func(k string) string {
				if k == "REQUEST_TIMEOUT" {
					return tt.value
				}
				return ""
			})
			if tt.want == 0 {
				if err == nil || !strings.Contains(err.Error(), "REQUEST_TIMEOUT") {
					t.Fatalf("REQUEST_TIMEOUT=%q: error %v, want one naming REQUEST_TIMEOUT", tt.value, err)
				}
				return
			}
			if err != nil || cfg.RequestTimeout != tt.want {
				t.Fatalf("REQUEST_TIMEOUT=%q: %v, %v; want %v", tt.value, cfg.RequestTimeout, err, tt.want)
			}
		})
	}
}
