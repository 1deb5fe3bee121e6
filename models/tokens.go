package models

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"hash"
	"strconv"
	"strings"
	"sync"
)

// Tokens derives the private tokens of registrations (manage link, private
// feed) from a random per-registration nonce and the server's secret key.
// The database keeps the nonce and the token's SHA-256, so a copy of the
// database alone cannot produce a working link, while the server can put the
// same link in every mail without storing it.
type Tokens struct {
	key []byte
	// macs holds HMAC-SHA-256s with the key, reused: a reset one starts
	// from the hashed key pads it keeps, so a derivation hashes two
	// SHA-256 blocks and allocates nothing but its result.
	macs *sync.Pool
}

// NewTokens returns a Tokens deriving with secret.
func NewTokens(secret []byte) Tokens {
	key := append([]byte(nil), secret...)
	return Tokens{key: key, macs: &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}
}

// Manage is the secret part of a manage link, derived from a registration's
// nonce; TokenHash stores its SHA-256.
func (t Tokens) Manage(nonce string) string { return t.derive("manage:", nonce) }

// Feed is the secret part of a private feed token, derived from a feed
// nonce; FeedTokenHash stores its SHA-256.
func (t Tokens) Feed(nonce string) string { return t.derive("feed:", nonce) }

// ManageToken is the token of a registration's manage link: its ID, "_",
// then the secret part. The ID finds the row by primary key, so no index of
// random hashes has to grow with every registration (the most expensive part
// of an insert); the secret part is checked against the stored hash.
func (t Tokens) ManageToken(r *Registration) string {
	return strconv.FormatUint(uint64(r.ID), 10) + "_" + t.Manage(r.TokenNonce)
}

// FeedToken is the token of a registration's private feed, built like
// ManageToken.
func (t Tokens) FeedToken(r *Registration) string {
	return strconv.FormatUint(uint64(r.ID), 10) + "_" + t.Feed(r.FeedNonce)
}

// splitToken parses "<id>_<secret>"; ok is false for anything else.
func splitToken(token string) (id uint, secret string, ok bool) {
	i := strings.IndexByte(token, '_')
	if i < 1 || i > 10 || len(token)-i-1 != 32 {
		return 0, "", false
	}
	n, err := strconv.ParseUint(token[:i], 10, 32)
	if err != nil || n == 0 {
		return 0, "", false
	}
	return uint(n), token[i+1:], true
}

// sameHash compares a secret with a stored hash in constant time.
func sameHash(secret, stored string) bool {
	return subtle.ConstantTimeCompare([]byte(HashToken(secret)), []byte(stored)) == 1
}

func (t Tokens) derive(purpose, nonce string) string {
	var m hash.Hash
	if t.macs != nil {
		m = t.macs.Get().(hash.Hash)
		defer t.macs.Put(m)
		m.Reset()
	} else {
		m = hmac.New(sha256.New, t.key)
	}
	var in [64]byte // purpose and nonce are short: no allocation
	m.Write(append(append(in[:0], purpose...), nonce...))
	// 24 bytes = 192 bits, 32 URL-safe characters.
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(m.Sum(sum[:0])[:24])
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
