package app

import (
	_ "embed"

	"github.com/gofiber/fiber/v2"
)

// openAPI describes the JSON API; TestOpenAPIMatchesRoutes keeps it in step
// with the routes.
//
//go:embed openapi.json
var openAPI []byte

func (a *App) apiOpenAPI(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	return c.Send(openAPI)
}
