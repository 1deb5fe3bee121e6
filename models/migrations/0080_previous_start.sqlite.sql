-- Migration 80: a published event whose start is moved keeps the start it
-- had when last announced (schema.org EventRescheduled, previousStartDate).
-- Events moved before this migration have none: their earlier start was
-- never stored.
ALTER TABLE `events` ADD `previous_starts_at` datetime;
