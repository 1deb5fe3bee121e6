package app

import (
	"bytes"
	"compress/gzip"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// compressAnswer compresses with fasthttp's brotli-or-gzip handler, which
// is what Fiber's middleware/compress runs; it is called here directly so
// that the decision can look at the finished answer (its method, type and
// Cache-Control). Brotli at fasthttp's default level (4) and gzip at 6:
// pages are compressed on every answer (each carries its own CSRF token),
// so speed matters more than the last percent.
var compressAnswer = fasthttp.CompressHandlerBrotliLevel(func(*fasthttp.RequestCtx) {},
	fasthttp.CompressBrotliDefaultCompression, fasthttp.CompressDefaultCompression)

// compress sends pages, feeds and JSON compressed when the client accepts
// it (brotli, else gzip). It leaves alone:
//   - answers to other methods than GET and HEAD: a form sent back with
//     what was typed beside the CSRF token is the pattern BREACH measures;
//   - answers marked no-store (organiser pages, manage pages, private
//     feeds): they hold personal data or private links, and some reflect
//     a query beside them;
//   - answers compressed already (static files and public feeds, kept
//     compressed: see precompressed; /metrics) or without a body.
//
// Every answer it could compress says Vary: Accept-Encoding, compressed or
// not (a small body is sent as it is), so that shared caches keep both.
func compress(c *fiber.Ctx) error {
	if err := c.Next(); err != nil {
		return err
	}
	if m := c.Method(); m != fiber.MethodGet && m != fiber.MethodHead {
		return nil
	}
	res := c.Response()
	if len(res.Header.ContentEncoding()) > 0 || !compressible(string(res.Header.ContentType())) {
		return nil
	}
	if bytes.Contains(res.Header.Peek(fiber.HeaderCacheControl), []byte("no-store")) {
		return nil
	}
	c.Vary(fiber.HeaderAcceptEncoding)
	if res.StatusCode() == fiber.StatusNotModified || res.StatusCode() == fiber.StatusNoContent {
		return nil
	}
	compressAnswer(c.Context())
	return nil
}

// compressible says whether content of this type gains from compression.
func compressible(ctype string) bool {
	for _, p := range []string{"text/", "application/json", "application/problem+json", "application/javascript", "application/ld+json", "image/svg+xml"} {
		if strings.HasPrefix(ctype, p) {
			return true
		}
	}
	return false
}

// compressionLevels are the brotli and gzip levels of a precompressed body.
type compressionLevels struct{ brotli, gzip int }

var (
	// bestLevels suit small files compressed once (CSS, scripts).
	bestLevels = compressionLevels{brotli.BestCompression, gzip.BestCompression}
	// feedLevels suit feeds of up to megabytes, compressed once per build.
	feedLevels = compressionLevels{6, gzip.DefaultCompression}
)

// precompressed is a body that is sent many times: it is compressed once,
// on the first request that accepts a coding, and kept.
type precompressed struct {
	body     []byte
	levels   compressionLevels
	once     sync.Once
	gzip, br []byte
}

func newPrecompressed(body []byte, levels compressionLevels) *precompressed {
	return &precompressed{body: body, levels: levels}
}

func (p *precompressed) encoded() (gz, br []byte) {
	p.once.Do(func() {
		p.gzip = gzipBytes(p.body, p.levels.gzip)
		p.br = brotliBytes(p.body, p.levels.brotli)
	})
	return p.gzip, p.br
}

// send writes the body in the best coding the client accepts (brotli, else
// gzip, else none), with Vary: Accept-Encoding. The caller has set the
// other headers. The ETag names the bytes before compression: the same for
// every coding (no ranges are served, so codings cannot be spliced).
func (p *precompressed) send(c *fiber.Ctx) error {
	c.Vary(fiber.HeaderAcceptEncoding)
	ae := c.Get(fiber.HeaderAcceptEncoding)
	br, gz := acceptsEncoding(ae, "br"), acceptsEncoding(ae, "gzip")
	if len(p.body) < 200 || !(br || gz) {
		return c.Send(p.body)
	}
	gzBody, brBody := p.encoded()
	if br {
		c.Set(fiber.HeaderContentEncoding, "br")
		return c.Send(brBody)
	}
	c.Set(fiber.HeaderContentEncoding, "gzip")
	return c.Send(gzBody)
}

// gzipBytes and brotliBytes compress into memory, where writes do not fail.
func gzipBytes(b []byte, level int) []byte {
	var out bytes.Buffer
	w, _ := gzip.NewWriterLevel(&out, level)
	_, _ = w.Write(b)
	_ = w.Close()
	return out.Bytes()
}

func brotliBytes(b []byte, level int) []byte {
	var out bytes.Buffer
	w := brotli.NewWriterLevel(&out, level)
	_, _ = w.Write(b)
	_ = w.Close()
	return out.Bytes()
}
