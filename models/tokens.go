package models

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
)

// Tokens derives the private tokens of registrations (manage link, private
// feed) from a random per-registration nonce and the server's secret key.
// The database keeps the nonce and the token's SHA-256, so a copy of the
// database alone cannot produce a working link, while the server can put the
// same link in every mail without storing it.
type Tokens struct {
	key []byte
}

// NewTokens returns a Tokens deriving with secret.
func NewTokens(secret []byte) Tokens { return Tokens{key: append([]byte(nil), secret...)} }

// Manage is the manage-link token of a registration nonce.
func (t Tokens) Manage(nonce string) string { return t.derive("manage:", nonce) }

// Feed is the private-feed token of a feed nonce.
func (t Tokens) Feed(nonce string) string { return t.derive("feed:", nonce) }

func (t Tokens) derive(purpose, nonce string) string {
	m := hmac.New(sha256.New, t.key)
	m.Write([]byte(purpose))
	m.Write([]byte(nonce))
	// 24 bytes = 192 bits, 32 URL-safe characters.
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:24])
}

// HashToken is the stored form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewNonce returns 128 random bits, URL-safe.
func NewNonce() string {
	return RandomString(16)
}

// RandomString returns n random bytes, base64url-encoded.
func RandomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("models: no randomness: " + err.Error()) // crypto/rand never fails on supported platforms
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
