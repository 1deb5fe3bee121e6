// Package views holds the html/template files: one layout, partials, and
// pages by resource. They are compiled into the binary.
package views

import "embed"

// FS holds layouts/, partials/, pages/ and mail/ (the mail templates).
//
//go:embed layouts partials pages mail
var FS embed.FS
