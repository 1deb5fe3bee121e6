-- Migration 30: calendar awareness: organisations' home places, iftar method and Hijri
-- offset, anniversaries, observance feeds, iftar times.
ALTER TABLE `organisations` ADD `home_place` text;
ALTER TABLE `organisations` ADD `home_latitude` real;
ALTER TABLE `organisations` ADD `home_longitude` real;
ALTER TABLE `organisations` ADD `iftar_method` text;
ALTER TABLE `organisations` ADD `hijri_offset` integer NOT NULL DEFAULT 0;
ALTER TABLE `events` ADD `iftar_at` datetime;
CREATE TABLE `anniversaries` (`id` integer PRIMARY KEY AUTOINCREMENT,`organisation_id` integer NOT NULL,`title` text NOT NULL,`month` integer NOT NULL,`day` integer NOT NULL,`year` integer NOT NULL DEFAULT 0,`created_at` datetime);
CREATE INDEX IF NOT EXISTS `idx_anniversaries_organisation_id` ON `anniversaries`(`organisation_id`);
CREATE TABLE `calendar_feeds` (`id` integer PRIMARY KEY AUTOINCREMENT,`user_id` integer NOT NULL,`organisation_id` integer NOT NULL,`token_hash` text NOT NULL,`created_at` datetime);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_calendar_feed` ON `calendar_feeds`(`user_id`,`organisation_id`);
