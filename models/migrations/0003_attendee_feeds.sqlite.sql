-- Migration 3: one private feed address per attendee email.
CREATE TABLE `attendee_feeds` (`id` integer PRIMARY KEY AUTOINCREMENT,`email_norm` text NOT NULL,`nonce` text NOT NULL,`token_hash` text NOT NULL,`created_at` datetime);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_attendee_feeds_token_hash` ON `attendee_feeds`(`token_hash`);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_attendee_feeds_email_norm` ON `attendee_feeds`(`email_norm`);
-- FeedFingerprint read MAX(updated_at) on every feed request.
CREATE INDEX IF NOT EXISTS idx_events_updated_at ON events (updated_at);
