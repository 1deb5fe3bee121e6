-- Migration 1, SQLite: the initial schema. Frozen when migrations became SQL:
-- the tables as the models then declared them, without what migrations 2–8
-- added. (Before, this migration ran GORM's AutoMigrate of whatever the
-- structs said; migration 61 brings databases made that way to this schema.)
CREATE TABLE `organisations` (`id` integer PRIMARY KEY AUTOINCREMENT,`slug` text NOT NULL,`name` text NOT NULL,`kind` text,`description` text,`website` text,`email` text,`timezone` text NOT NULL DEFAULT "Europe/London",`created_at` datetime,`updated_at` datetime);
CREATE UNIQUE INDEX `idx_organisations_slug` ON `organisations`(`slug`);
CREATE TABLE `series` (`id` integer PRIMARY KEY AUTOINCREMENT,`slug` text NOT NULL,`title` text NOT NULL,`description` text,`created_at` datetime,`updated_at` datetime);
CREATE UNIQUE INDEX `idx_series_slug` ON `series`(`slug`);
CREATE TABLE `events` (`id` integer PRIMARY KEY AUTOINCREMENT,`slug` text NOT NULL,`title` text NOT NULL,`summary` text,`description` text,`kind` text NOT NULL,`status` text NOT NULL,`tentative` numeric NOT NULL DEFAULT false,`starts_at` datetime NOT NULL,`ends_at` datetime NOT NULL,`timezone` text NOT NULL,`start_rule` text,`local_date` text,`sunset_offset_minutes` integer,`duration_minutes` integer,`in_person` numeric NOT NULL,`online` numeric NOT NULL DEFAULT false,`venue_name` text,`venue_address` text,`latitude` real,`longitude` real,`access_notes` text,`address_visibility` text NOT NULL DEFAULT "public",`stream_url` text,`capacity` integer,`online_capacity` integer,`taken` integer NOT NULL DEFAULT 0,`online_taken` integer NOT NULL DEFAULT 0,`waitlist_seq` integer NOT NULL DEFAULT 0,`max_guests` integer NOT NULL DEFAULT 0,`waitlist` numeric NOT NULL,`registration_opens_at` datetime,`registration_closes_at` datetime,`series_id` integer,`sequence` integer NOT NULL DEFAULT 0,`cancel_message` text,`reminder_hours` integer NOT NULL,`created_by_id` integer,`created_at` datetime,`updated_at` datetime,`status_change_at` datetime,CONSTRAINT `fk_events_series` FOREIGN KEY (`series_id`) REFERENCES `series`(`id`));
CREATE INDEX `idx_events_series_id` ON `events`(`series_id`);
CREATE INDEX `idx_events_starts_at` ON `events`(`starts_at`);
CREATE INDEX `idx_events_status` ON `events`(`status`);
CREATE INDEX `idx_events_kind` ON `events`(`kind`);
CREATE UNIQUE INDEX `idx_events_slug` ON `events`(`slug`);
CREATE TABLE `event_hosts` (`id` integer PRIMARY KEY AUTOINCREMENT,`event_id` integer NOT NULL,`organisation_id` integer NOT NULL,`role` text NOT NULL DEFAULT "host",`position` integer NOT NULL DEFAULT 0,CONSTRAINT `fk_events_hosts` FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON DELETE CASCADE,CONSTRAINT `fk_event_hosts_organisation` FOREIGN KEY (`organisation_id`) REFERENCES `organisations`(`id`));
CREATE INDEX `idx_event_hosts_organisation_id` ON `event_hosts`(`organisation_id`);
CREATE UNIQUE INDEX `idx_event_host` ON `event_hosts`(`event_id`,`organisation_id`);
CREATE TABLE `questions` (`id` integer PRIMARY KEY AUTOINCREMENT,`event_id` integer NOT NULL,`key` text NOT NULL,`label` text NOT NULL,`hint` text,`kind` text NOT NULL,`options` text,`required` numeric NOT NULL DEFAULT false,`position` integer NOT NULL DEFAULT 0,CONSTRAINT `fk_events_questions` FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON DELETE CASCADE);
CREATE INDEX `idx_questions_event_id` ON `questions`(`event_id`);
CREATE TABLE `registrations` (`id` integer PRIMARY KEY AUTOINCREMENT,`event_id` integer NOT NULL,`name` text NOT NULL,`email` text NOT NULL,`email_norm` text NOT NULL,`guests` integer NOT NULL DEFAULT 0,`attendance` text NOT NULL,`status` text NOT NULL,`waitlist_seq` integer NOT NULL DEFAULT 0,`answers` text,`dietary` text,`dietary_other` text,`access_needs` text,`consent_at` datetime,`token_nonce` text NOT NULL,`token_hash` text NOT NULL,`feed_nonce` text NOT NULL,`feed_token_hash` text NOT NULL,`checked_in_at` datetime,`promoted_at` datetime,`cancelled_at` datetime,`created_at` datetime,`updated_at` datetime,CONSTRAINT `fk_registrations_event` FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON DELETE CASCADE);
-- One active registration per email per event, whatever the load.
CREATE UNIQUE INDEX idx_registrations_active_email ON registrations (event_id, email_norm) WHERE status <> 'cancelled';
CREATE TABLE `users` (`id` integer PRIMARY KEY AUTOINCREMENT,`email` text NOT NULL,`name` text,`password_hash` text,`admin` numeric NOT NULL DEFAULT false,`created_at` datetime,`updated_at` datetime);
CREATE UNIQUE INDEX `idx_users_email` ON `users`(`email`);
CREATE TABLE `memberships` (`id` integer PRIMARY KEY AUTOINCREMENT,`user_id` integer NOT NULL,`organisation_id` integer NOT NULL,`role` text NOT NULL DEFAULT "organiser",CONSTRAINT `fk_users_memberships` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`),CONSTRAINT `fk_memberships_organisation` FOREIGN KEY (`organisation_id`) REFERENCES `organisations`(`id`));
CREATE UNIQUE INDEX `idx_membership` ON `memberships`(`user_id`,`organisation_id`);
CREATE TABLE `api_tokens` (`id` integer PRIMARY KEY AUTOINCREMENT,`user_id` integer NOT NULL,`name` text,`token_hash` text NOT NULL,`last_used_at` datetime,`revoked_at` datetime,`created_at` datetime,CONSTRAINT `fk_api_tokens_user` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`));
CREATE UNIQUE INDEX `idx_api_tokens_token_hash` ON `api_tokens`(`token_hash`);
CREATE INDEX `idx_api_tokens_user_id` ON `api_tokens`(`user_id`);
CREATE TABLE `activities` (`id` integer PRIMARY KEY AUTOINCREMENT,`event_id` integer,`registration_id` integer,`user_id` integer,`action` text NOT NULL,`detail` text,`created_at` datetime);
CREATE INDEX `idx_activities_registration_id` ON `activities`(`registration_id`);
CREATE INDEX `idx_activities_event_id` ON `activities`(`event_id`);
CREATE TABLE `outbox_mails` (`id` integer PRIMARY KEY AUTOINCREMENT,`kind` text NOT NULL,`event_id` integer,`registration_id` integer,`to` text NOT NULL,`data` text,`status` text NOT NULL,`attempts` integer NOT NULL DEFAULT 0,`next_attempt_at` datetime,`last_error` text,`sent_at` datetime,`created_at` datetime,`updated_at` datetime);
CREATE INDEX `idx_outbox_mails_registration_id` ON `outbox_mails`(`registration_id`);
