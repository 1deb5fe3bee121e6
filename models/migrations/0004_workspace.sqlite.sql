-- Migration 4: organiser workspace: sessions, invitations, door assignments.
CREATE TABLE `sessions` (`id` integer PRIMARY KEY AUTOINCREMENT,`user_id` integer NOT NULL,`token_hash` text NOT NULL,`created_at` datetime,`last_seen_at` datetime,`expires_at` datetime NOT NULL);
CREATE INDEX IF NOT EXISTS `idx_sessions_expires_at` ON `sessions`(`expires_at`);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_sessions_token_hash` ON `sessions`(`token_hash`);
CREATE INDEX IF NOT EXISTS `idx_sessions_user_id` ON `sessions`(`user_id`);
CREATE TABLE `password_tokens` (`id` integer PRIMARY KEY AUTOINCREMENT,`user_id` integer NOT NULL,`token_hash` text NOT NULL,`expires_at` datetime,`used_at` datetime,`created_by_id` integer,`created_at` datetime);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_password_tokens_token_hash` ON `password_tokens`(`token_hash`);
CREATE INDEX IF NOT EXISTS `idx_password_tokens_user_id` ON `password_tokens`(`user_id`);
CREATE TABLE `door_assignments` (`id` integer PRIMARY KEY AUTOINCREMENT,`user_id` integer NOT NULL,`event_id` integer NOT NULL,`created_by_id` integer,`created_at` datetime,CONSTRAINT `fk_door_assignments_user` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`));
CREATE INDEX IF NOT EXISTS `idx_door_assignments_event_id` ON `door_assignments`(`event_id`);
CREATE UNIQUE INDEX IF NOT EXISTS `idx_door_assignment` ON `door_assignments`(`user_id`,`event_id`);
CREATE INDEX IF NOT EXISTS idx_activities_action ON activities (action, id);
