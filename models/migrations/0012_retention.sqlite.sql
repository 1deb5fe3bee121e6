-- Migration 12: retention: a purged flag on registrations, catering tallies of purged ones.
-- (The rows anonymised before the flag are cleaned by the Go half of the migration.)
ALTER TABLE `registrations` ADD `purged_at` datetime;
CREATE TABLE `catering_tallies` (`id` integer PRIMARY KEY AUTOINCREMENT,`event_id` integer NOT NULL,`diet` text NOT NULL,`people` integer NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_catering_tally` ON `catering_tallies`(`event_id`,`diet`);
