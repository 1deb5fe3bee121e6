-- Migration 2: the waitlist in order, per event and way of attending.
CREATE INDEX IF NOT EXISTS idx_registrations_waitlist ON registrations (event_id, attendance, status, waitlist_seq);
