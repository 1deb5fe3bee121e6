-- Migration 10: API tokens get a scope and an expiry.
ALTER TABLE `api_tokens` ADD `scope` text NOT NULL DEFAULT "read";
ALTER TABLE `api_tokens` ADD `expires_at` datetime;
-- Tokens made before scopes could do everything their account could: write,
-- or door for door volunteers' accounts (no admin, door memberships only).
UPDATE api_tokens SET scope = 'write' WHERE expires_at IS NULL;
UPDATE api_tokens SET scope = 'door' WHERE expires_at IS NULL AND user_id IN (
	SELECT u.id FROM users u WHERE u.admin = false
	AND EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id)
	AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.role <> 'door'));
