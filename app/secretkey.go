package app

import (
	"fmt"
	"math"
	"strings"
)

// MinSecretBits is the least entropy a production secret must hold.
const MinSecretBits = 128

// secretKeyHelp says how to make a good key, in every refusal.
const secretKeyHelp = "generate one with: openssl rand -hex 32"

// checkSecret says what is wrong with a production secret called name
// (SECRET_KEY, METRICS_TOKEN), or "" when it is good. It estimates the
// secret's entropy as its length times the bits of the smallest alphabet it
// is written in (hexadecimal 4, base64 6, printable ASCII 6.55), which holds
// for random strings only; so it first refuses what random strings do not
// look like: few different symbols, a skewed mix of symbols, a repeated
// block ("abcabc…") or a run of seven ("aaaaaaa", "1234567"). The secret
// itself never appears in the message.
func checkSecret(name, key string) string {
	if key == DevSecret {
		return name + " is the development key; " + secretKeyHelp
	}
	s := []rune(key)
	n := len(s)
	alphabet := alphabetSize(key)
	bits := float64(n) * math.Log2(float64(alphabet))
	switch {
	case n < 32:
		return fmt.Sprintf("%s must be at least 32 random characters (it has %d); %s", name, n, secretKeyHelp)
	case distinct(s) < min(alphabet, n)/4:
		return name + " uses too few different characters to be random; " + secretKeyHelp
	case shannon(s) < 0.6*math.Log2(float64(min(alphabet, n))):
		return name + " repeats some characters far too often to be random; " + secretKeyHelp
	case repeatsBlock(s):
		return name + " repeats a pattern; " + secretKeyHelp
	case hasRun(s, 7):
		return name + " holds a run of repeated or consecutive characters (like aaaaaaa or 1234567); " + secretKeyHelp
	case bits < MinSecretBits:
		return fmt.Sprintf("%s holds about %.0f bits of randomness, fewer than %d; %s", name, bits, MinSecretBits, secretKeyHelp)
	}
	return ""
}

// alphabetSize is the size of the smallest usual alphabet key is written
// in: hexadecimal, base64 (standard or URL-safe, with padding), or
// printable ASCII (anything else).
func alphabetSize(key string) int {
	hex, b64 := true, true
	lower, upper := false, false
	for _, r := range strings.TrimRight(key, "=") {
		isDigit := r >= '0' && r <= '9'
		isLower, isUpper := r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z'
		lower, upper = lower || isLower, upper || isUpper
		hex = hex && (isDigit || (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F'))
		b64 = b64 && (isDigit || isLower || isUpper || strings.ContainsRune("+/-_", r))
	}
	switch {
	case hex && !(lower && upper):
		return 16
	case b64:
		return 64
	}
	return 94
}

func distinct(s []rune) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// shannon is the empirical entropy of s, in bits per symbol.
func shannon(s []rune) float64 {
	count := map[rune]int{}
	for _, r := range s {
		count[r]++
	}
	h := 0.0
	for _, c := range count {
		p := float64(c) / float64(len(s))
		h -= p * math.Log2(p)
	}
	return h
}

// repeatsBlock reports whether s is mostly one block said again and again:
// for some shift up to half its length, three quarters of its symbols equal
// the one that many places before.
func repeatsBlock(s []rune) bool {
	for p := 1; p <= len(s)/2; p++ {
		same := 0
		for i := p; i < len(s); i++ {
			if s[i] == s[i-p] {
				same++
			}
		}
		if 4*same >= 3*(len(s)-p) {
			return true
		}
	}
	return false
}

// hasRun reports whether s holds n symbols in a row that stay the same or
// step by one ("aaaaaa", "abcdef", "654321").
func hasRun(s []rune, n int) bool {
	length := 1
	for i := 1; i < len(s); i++ {
		step := s[i] - s[i-1]
		switch {
		case step < -1 || step > 1:
			length = 1
		case length == 1 || step == s[i-1]-s[i-2]:
			length++
		default:
			length = 2
		}
		if length >= n {
			return true
		}
	}
	return false
}
