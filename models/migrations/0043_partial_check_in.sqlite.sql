-- Migration 43: part of a party can be checked in (2 of 3 arrived).
ALTER TABLE `registrations` ADD `checked_in_people` integer NOT NULL DEFAULT 0;
-- Check-ins made before counted the whole party.
UPDATE `registrations` SET `checked_in_people` = 1 + `guests` WHERE `checked_in_at` IS NOT NULL;
