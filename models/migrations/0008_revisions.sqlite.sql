-- Migration 8: revision counters, for change detection without clocks.
ALTER TABLE `organisations` ADD `revision` integer NOT NULL DEFAULT 0;
ALTER TABLE `series` ADD `revision` integer NOT NULL DEFAULT 0;
ALTER TABLE `events` ADD `revision` integer NOT NULL DEFAULT 0;
-- FeedFingerprint sums revisions on every public feed request.
CREATE INDEX IF NOT EXISTS idx_events_revision ON events (revision);
