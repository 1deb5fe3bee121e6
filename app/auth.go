package app

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"convene/models"
)

const userLocal = "user"

func bearer(c *fiber.Ctx) string { return bearerToken(c.Get(fiber.HeaderAuthorization)) }

// bearerToken is the token of an Authorization header of the Bearer scheme.
func bearerToken(h string) string {
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// requireToken admits requests with a live organiser API token.
func (a *App) requireToken(c *fiber.Ctx) error {
	t := bearer(c)
	if t == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="convene"`)
		return fiber.NewError(fiber.StatusUnauthorized, "Send an organiser API token as Authorization: Bearer <token>.")
	}
	u, err := models.UserByAPIToken(a.db.DB, t, a.now())
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="convene", error="invalid_token"`)
			return fiber.NewError(fiber.StatusUnauthorized, "The API token is unknown or revoked.")
		}
		return err
	}
	c.Locals(userLocal, u)
	return c.Next()
}

// optionalToken identifies an organiser when a token is sent.
func (a *App) optionalToken(c *fiber.Ctx) error {
	if bearer(c) == "" {
		return c.Next()
	}
	return a.requireToken(c)
}
