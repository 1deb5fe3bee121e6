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

// Which token scopes each kind of API route needs: reading organiser data,
// changing it, checking people in.
var (
	readScopes    = []string{models.ScopeRead, models.ScopeWrite}
	writeScopes   = []string{models.ScopeWrite}
	checkInScopes = []string{models.ScopeWrite, models.ScopeDoor}
)

// requireToken admits requests with a live API token (not revoked, not
// expired) whose scope is one of scopes, putting its *models.User in
// c.Locals("user"). What the account may do with the event is checked by
// the handler (models.Authorize).
func (a *App) requireToken(scopes []string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		t, err := a.authenticate(c)
		if err != nil {
			return err
		}
		if !contains(scopes, t.Scope) {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="convene", error="insufficient_scope", scope="`+strings.Join(scopes, " ")+`"`)
			return fiber.NewError(fiber.StatusForbidden, "This token's scope is "+t.Scope+"; this needs a token with scope "+strings.Join(scopes, " or ")+".")
		}
		return c.Next()
	}
}

// authenticate checks the bearer token of the request.
func (a *App) authenticate(c *fiber.Ctx) (*models.APIToken, error) {
	raw := bearer(c)
	if raw == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="convene"`)
		return nil, fiber.NewError(fiber.StatusUnauthorized, "Send an organiser API token as Authorization: Bearer <token>.")
	}
	t, err := models.AuthenticateAPIToken(a.dbc(c).DB, raw, a.now())
	if err != nil {
		if errors.Is(err, models.ErrNotFound) {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="convene", error="invalid_token"`)
			return nil, fiber.NewError(fiber.StatusUnauthorized, "The API token is unknown, revoked or expired.")
		}
		return nil, err
	}
	c.Locals(userLocal, &t.User)
	return t, nil
}

// optionalToken identifies an organiser when a token is sent: a token that
// may read (read or write scope) shows organisers' views; a door token is
// no more than no token.
func (a *App) optionalToken(c *fiber.Ctx) error {
	if bearer(c) == "" {
		return c.Next()
	}
	t, err := a.authenticate(c)
	if err != nil {
		return err
	}
	if !contains(readScopes, t.Scope) {
		c.Locals(userLocal, nil)
	}
	return c.Next()
}
