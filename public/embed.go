// Package public holds the static assets (CSS, images, small scripts) that
// are compiled into the binary and served under /public.
package public

import "embed"

// FS holds css/, js/ and img/.
//
//go:embed css img js
var FS embed.FS
