-- Migration 51: reserved places (allocations) for communities.
-- events.reserved holds the in-person places kept for unreleased
-- allocations and not yet taken, so that one guarded UPDATE of the event row
-- keeps taken + reserved within capacity.
ALTER TABLE `events` ADD `reserved` integer NOT NULL DEFAULT 0;
CREATE TABLE `allocations` (`id` integer PRIMARY KEY AUTOINCREMENT,`event_id` integer NOT NULL,`label` text NOT NULL,`organisation_id` integer,`places` integer NOT NULL,`taken` integer NOT NULL DEFAULT 0,`release_at` datetime,`released_at` datetime,`contact_email` text,`code_nonce` text NOT NULL,`created_at` datetime,`updated_at` datetime,CONSTRAINT `fk_events_allocations` FOREIGN KEY (`event_id`) REFERENCES `events`(`id`) ON DELETE CASCADE,CONSTRAINT `fk_allocations_organisation` FOREIGN KEY (`organisation_id`) REFERENCES `organisations`(`id`));
CREATE INDEX `idx_allocations_event_id` ON `allocations`(`event_id`);
-- A registration through an allocation's code names it; allocated is how
-- many of its places come from the allocation (the rest from the public).
ALTER TABLE `registrations` ADD `allocation_id` integer;
ALTER TABLE `registrations` ADD `allocated` integer NOT NULL DEFAULT 0;
