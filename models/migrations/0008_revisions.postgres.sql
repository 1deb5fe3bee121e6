-- Migration 8: revision counters, for change detection without clocks.
ALTER TABLE "organisations" ADD "revision" bigint NOT NULL DEFAULT 0;
ALTER TABLE "series" ADD "revision" bigint NOT NULL DEFAULT 0;
ALTER TABLE "events" ADD "revision" bigint NOT NULL DEFAULT 0;
-- FeedFingerprint sums revisions on every public feed request.
CREATE INDEX IF NOT EXISTS idx_events_revision ON events (revision);
