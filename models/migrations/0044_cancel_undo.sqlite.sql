-- Migration 44: an organiser's cancellation can be undone for a while: who
-- cancelled, and the status the registration had before.
ALTER TABLE `registrations` ADD `cancelled_by_id` integer;
ALTER TABLE `registrations` ADD `cancelled_from` text;
