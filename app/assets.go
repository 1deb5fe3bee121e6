package app

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"path"
	"strings"
	"sync"

	"github.com/gofiber/fiber/v2"

	"convene/public"
)

// Cache lifetimes of the files under /public. A content-hashed name never
// changes its bytes, so browsers and proxies keep it for a year without
// asking again; the plain name (kept for old pages, bookmarks and mails)
// may change with any release, so it is kept briefly and revalidated by ETag.
const (
	immutableCache = "public, max-age=31536000, immutable"
	plainCache     = "public, max-age=300"
)

// staticAsset is one file of public/ under one of its names.
type staticAsset struct {
	*assetBody
	// hashed says the name is the content-hashed one.
	hashed bool
}

// assetBody is a file's bytes, read and hashed at start.
type assetBody struct {
	contentType string
	etag        string
	// compress says the type gains from compression (not PNG or JPEG).
	compress bool
	*precompressed
}

// staticAssets are the embedded files by path below /public/, under both
// their names ("css/app.css" and "css/app.1a2b3c4d5e.css"), and the
// hashed URL of each plain name for the templates.
type staticAssets struct {
	files map[string]*staticAsset
	urls  map[string]string
}

// embeddedAssets reads public.FS once: the files are compiled into the
// binary, so the hashes are computed at start and never change.
var embeddedAssets = sync.OnceValues(func() (*staticAssets, error) { return loadAssets(public.FS) })

// loadAssets reads every file of fsys, hashes and compresses it.
func loadAssets(fsys fs.FS) (*staticAssets, error) {
	s := &staticAssets{files: map[string]*staticAsset{}, urls: map[string]string{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(p)
		ctype := mime.TypeByExtension(ext)
		if ctype == "" {
			ctype = fiber.MIMEOctetStream
		}
		f := &assetBody{contentType: ctype, etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`,
			compress: compressible(ctype), precompressed: newPrecompressed(b, bestLevels)}
		hashedName := strings.TrimSuffix(p, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		s.files[p] = &staticAsset{assetBody: f}
		s.files[hashedName] = &staticAsset{assetBody: f, hashed: true}
		s.urls[p] = "/public/" + hashedName
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("app: unable to read the static assets: %w", err)
	}
	return s, nil
}

// url is the content-hashed address of the asset at name ("css/app.css"),
// for the templates' asset function. An unknown name is an error, so that a
// template naming a missing file fails its tests instead of a page.
func (s *staticAssets) url(name string) (string, error) {
	u, ok := s.urls[name]
	if !ok {
		return "", fmt.Errorf("app: no static asset %q", name)
	}
	return u, nil
}

// assetURL is the templates' asset function.
func assetURL(name string) (string, error) {
	s, err := embeddedAssets()
	if err != nil {
		return "", err
	}
	return s.url(name)
}

// static answers /public/*: the file by its plain or hashed name, already
// compressed as the client accepts, 304 for a matching If-None-Match.
func (a *App) static(c *fiber.Ctx) error {
	s, err := embeddedAssets()
	if err != nil {
		return err
	}
	f, ok := s.files[c.Params("*")]
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, f.contentType)
	c.Set(fiber.HeaderETag, f.etag)
	if f.hashed {
		c.Set(fiber.HeaderCacheControl, immutableCache)
	} else {
		c.Set(fiber.HeaderCacheControl, plainCache)
	}
	if etagMatches(c.Get(fiber.HeaderIfNoneMatch), f.etag) {
		if f.compress {
			c.Vary(fiber.HeaderAcceptEncoding)
		}
		return c.SendStatus(fiber.StatusNotModified)
	}
	if !f.compress {
		return c.Send(f.body)
	}
	return f.send(c)
}

// etagMatches applies If-None-Match by weak comparison (RFC 9110, 13.1.2):
// W/"x" and "x" both match "x".
func etagMatches(ifNoneMatch, etag string) bool {
	if ifNoneMatch == "" {
		return false
	}
	for _, tag := range strings.Split(ifNoneMatch, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag {
			return true
		}
	}
	return false
}

// acceptsEncoding reports whether an Accept-Encoding header accepts coding
// (by name or *) with a quality above zero.
func acceptsEncoding(header, coding string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name != coding && name != "*" {
			continue
		}
		ok := true
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				v = strings.TrimRight(strings.TrimSpace(v), "0")
				ok = v != "" && v != "0." && v != "0"
			}
		}
		if name == coding {
			return ok
		}
		star = ok
	}
	return star
}
