-- Migration 6: disabled accounts.
ALTER TABLE `users` ADD `disabled` numeric NOT NULL DEFAULT false;
