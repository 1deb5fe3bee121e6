package app

import (
	"bytes"
	"testing"

	"github.com/valyala/fasthttp"
)

// TestRenderedPage: a cached page cut at its placeholders and filled per
// request reads exactly as replacing the placeholders in the whole page.
func TestRenderedPage(t *testing.T) {
	p := newPageCache()
	c, s := p.placeholder, p.stampPlaceholder
	for _, html := range []string{
		"",
		"no placeholder at all",
		c,
		"<input value=" + c + "><input value=" + s + ">",
		s + " first, then " + c + " and " + c + " again " + s,
		"<p>" + c + c + s + s + "</p>",
	} {
		r := p.put("slug", eventVersion{}, []byte(html))
		var res fasthttp.Response
		res.SetBodyString("left from before")
		r.writeTo(&res, "TOKEN", "STAMP")
		want := bytes.ReplaceAll(bytes.ReplaceAll([]byte(html), []byte(c), []byte("TOKEN")), []byte(s), []byte("STAMP"))
		if !bytes.Equal(res.Body(), want) {
			t.Errorf("%q: got %q, want %q", html, res.Body(), want)
		}
		if got, ok := p.get("slug", eventVersion{}); !ok || len(got.parts) != len(r.parts) {
			t.Errorf("%q: not kept", html)
		}
	}
}
