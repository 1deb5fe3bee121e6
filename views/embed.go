// Package views holds the html/template files: one layout, partials, and
// pages by resource. They are compiled into the binary.
package views

import "embed"

// FS holds layouts/, partials/ and pages/.
//
//go:embed layouts partials pages
var FS embed.FS
