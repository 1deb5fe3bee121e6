package app

import (
	"crypto/sha256"
	"encoding/base64"
	"html"
	"html/template"
	"regexp"
	"slices"
	"strings"
)

// contentSecurityPolicy is the policy of every response: our own assets
// only, no inline script or style, no framing. styleHashes, when given,
// allow exactly those inline style attributes (CSP 'unsafe-hashes'), for
// a page that shows one of our own HTML mails.
func contentSecurityPolicy(styleHashes ...string) string {
	style := "style-src 'self'"
	if len(styleHashes) > 0 {
		style += " 'unsafe-hashes'"
		for _, h := range styleHashes {
			style += " '" + h + "'"
		}
	}
	return "default-src 'self'; img-src 'self' data:; " + style + "; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
}

var styleAttr = regexp.MustCompile(`\sstyle="([^"]*)"`)

// mailPreview turns an HTML mail of ours (views/mail, html/template output,
// so its text is escaped already) into markup to show inside a page: its
// <body> becomes a <div> with the body's style, and the hashes of its style
// attributes are returned for the page's policy. A mail without a body
// gives nothing.
func mailPreview(mail string) (template.HTML, []string) {
	start := strings.Index(mail, "<body")
	end := strings.LastIndex(mail, "</body>")
	if start < 0 || end < start {
		return "", nil
	}
	open := strings.IndexByte(mail[start:end], '>')
	if open < 0 {
		return "", nil
	}
	attrs, inner := mail[start+len("<body"):start+open], mail[start+open+1:end]
	out := `<div class="mail-html"` + attrs + ">" + inner + "</div>"
	var hashes []string
	for _, m := range styleAttr.FindAllStringSubmatch(out, -1) {
		sum := sha256.Sum256([]byte(html.UnescapeString(m[1])))
		if h := "sha256-" + base64.StdEncoding.EncodeToString(sum[:]); !slices.Contains(hashes, h) {
			hashes = append(hashes, h)
		}
	}
	return template.HTML(out), hashes //nolint:gosec // our own html/template output (see above)
}
