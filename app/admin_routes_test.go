package app

import "testing"

// TestLocalPath keeps sign-in's "next" on this site, whatever browsers do
// with tabs, backslashes and schemes.
func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/admin/events":           "/admin/events",
		"/admin/events?q=a%20b":   "/admin/events?q=a%20b",
		"//evil.example":          "/admin",
		"/\t/evil.example":        "/admin",
		"/\\evil.example":         "/admin",
		"https://evil.example/":   "/admin",
		"/admin\r\nSet-Cookie: x": "/admin",
		"javascript:alert(1)":     "/admin",
		"":                        "/admin",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
