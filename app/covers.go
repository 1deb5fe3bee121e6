package app

import (
	"errors"
	"io"
	"mime/multipart"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"convene/images"
	"convene/models"
)

// uploadBodyLimit is the largest body of a cover upload: a picture of
// images.MaxBytes with the form around it, and room to answer a somewhat
// bigger file with a message beside the field rather than a bare refusal.
// Every other request keeps Fiber's BodyLimit.
const uploadBodyLimit = images.MaxBytes + 4<<20

// bodyLimits is fasthttp's HeaderReceived hook: it raises the body limit
// of a cover upload sent with a session cookie, before the body is read.
// Everything else is refused (413) as soon as its Content-Length says it
// is over BodyLimit, without reading it. The session itself is checked by
// the route, as always; the cookie only keeps strangers to the small limit.
func (a *App) bodyLimits(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
	if !h.IsPost() || len(h.Cookie(a.sessionCookieName())) == 0 {
		return fasthttp.RequestConfig{}
	}
	path, _, _ := strings.Cut(string(h.RequestURI()), "?")
	if strings.HasPrefix(path, "/admin/events/") && strings.HasSuffix(path, "/cover") {
		return fasthttp.RequestConfig{MaxRequestBodySize: uploadBodyLimit}
	}
	return fasthttp.RequestConfig{}
}

// shareData is the Share tab of an event: its address, poster and cover.
type shareData struct {
	Event   *models.Event
	URL     string
	Alt     string
	Saved   string
	Errors  map[string]string
	ErrList []fieldError
}

// sharePage is /admin/events/{slug}/share.
func (a *App) sharePage(c *fiber.Ctx) error {
	ev, _, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	saved := map[string]string{"cover": "Cover image saved.", "alt": "Description saved.", "removed": "Cover image removed."}[c.Query("saved")]
	return a.renderShare(c, 200, ev, ev.CoverAlt, saved, nil)
}

func (a *App) renderShare(c *fiber.Ctx, status int, ev *models.Event, alt, saved string, errs map[string]string) error {
	title := "Share: " + ev.Title
	if len(errs) > 0 {
		title = "Error: " + title
	}
	return a.renderAdmin(c, status, "admin_share", title, "events", shareData{Event: ev, URL: a.cfg.BaseURL + "/events/" + ev.Slug,
		Alt: alt, Saved: saved, Errors: errs, ErrList: formErrors(errs, []string{"cover", "cover_alt"})})
}

// saveCover takes an uploaded cover (multipart field "cover") and its
// description ("cover_alt"), or a new description alone. The picture is
// checked and encoded again by package images; what was uploaded is never
// stored nor served.
func (a *App) saveCover(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	alt := c.FormValue("cover_alt")
	in := models.CoverInput{Alt: alt}
	errs := map[string]string{}
	fh, err := c.FormFile("cover")
	switch {
	case errors.Is(err, fasthttp.ErrMissingFile), errors.Is(err, fasthttp.ErrNoMultipartForm):
		// No file chosen: a new description only.
	case err != nil:
		return err
	case fh.Size > images.MaxBytes:
		errs["cover"] = images.TooBig().Message
	default:
		pic, err := readCover(fh)
		var p *images.Problem
		switch {
		case errors.As(err, &p):
			errs["cover"] = p.Message
		case err != nil:
			return err
		default:
			in.Picture = pic
		}
	}
	if len(errs) == 0 {
		_, err = models.SaveCover(a.dbc(c).DB, ev.Slug, in, &u.ID, a.now())
		var v *models.ValidationError
		if errors.As(err, &v) {
			errs = v.Fields
		} else if err != nil {
			return err
		}
	}
	if len(errs) > 0 {
		if errs["cover"] != "" && errs["cover_alt"] == "" && strings.TrimSpace(alt) == "" {
			// Say both at once: what is wrong with the file, and that the
			// description is needed too.
			errs["cover_alt"] = "Describe the image for people who cannot see it, such as “Candles lit at last year’s vigil”"
		}
		return a.renderShare(c, fiber.StatusUnprocessableEntity, ev, alt, "", errs)
	}
	a.events.touch(ev.ID) // this instance shows it at once; others within the cache's second
	saved := "alt"
	if in.Picture != nil {
		saved = "cover"
	}
	return c.Redirect("/admin/events/"+ev.Slug+"/share?saved="+saved, fiber.StatusSeeOther)
}

// readCover reads an uploaded file (at most one byte past the limit, so
// that a bigger one is refused without reading it all) and prepares it.
func readCover(fh *multipart.FileHeader) (*models.CoverPicture, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, images.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	cover, err := images.PrepareCover(b)
	if err != nil {
		return nil, err
	}
	return &models.CoverPicture{Data: cover.JPEG, ContentType: images.ContentType, Width: cover.Width, Height: cover.Height}, nil
}

// removeCover takes the event's cover away.
func (a *App) removeCover(c *fiber.Ctx) error {
	ev, u, err := a.staffEvent(c, models.ActManage)
	if err != nil {
		return err
	}
	if err := models.RemoveCover(a.dbc(c).DB, ev.Slug, &u.ID, a.now()); err != nil {
		return err
	}
	a.events.touch(ev.ID)
	return c.Redirect("/admin/events/"+ev.Slug+"/share?saved=removed", fiber.StatusSeeOther)
}

// coverImage is /media/covers/{name}: the bytes the app encoded, by their
// random name, which never changes its bytes: cached for a year, never
// sniffed (nosniff is set for every answer), shown inline.
func (a *App) coverImage(c *fiber.Ctx) error {
	img, err := models.CoverByName(a.dbc(c).Read, c.Params("name"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, img.ContentType)
	c.Set(fiber.HeaderCacheControl, immutableCache)
	c.Set(fiber.HeaderContentDisposition, "inline")
	// Link previews and other sites may show it.
	c.Set("Cross-Origin-Resource-Policy", "cross-origin")
	return c.Send(img.Data)
}
