-- Migration 5: outbox claims, leases and dedupe keys.
ALTER TABLE `outbox_mails` ADD `claimed_by` text;
ALTER TABLE `outbox_mails` ADD `claimed_until` datetime;
ALTER TABLE `outbox_mails` ADD `dedupe_key` text;
CREATE UNIQUE INDEX IF NOT EXISTS `idx_outbox_mails_dedupe_key` ON `outbox_mails`(`dedupe_key`);
-- Senders look for due rows by state and time.
CREATE INDEX IF NOT EXISTS idx_outbox_due ON outbox_mails (status, next_attempt_at);
