-- Migration 50: registration modes: email-confirmed and approved registration.
ALTER TABLE `events` ADD `registration_mode` text NOT NULL DEFAULT "instant";
-- Unconfirmed requests hold no address: the index leaves them out as it does
-- cancellations (see activeStatuses).
DROP INDEX IF EXISTS idx_registrations_active_email;
CREATE UNIQUE INDEX idx_registrations_active_email ON registrations (event_id, email_norm) WHERE status NOT IN ('cancelled', 'unconfirmed');
