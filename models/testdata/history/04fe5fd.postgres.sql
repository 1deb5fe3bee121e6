-- Convene database made at commit 04fe5fd (2026-11-30T19:18:08+00:00) by tools/schemahistory/dump.sh
SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;
SET default_tablespace = '';
SET default_table_access_method = heap;
CREATE TABLE public.activities (
    id bigint NOT NULL,
    event_id bigint,
    registration_id bigint,
    user_id bigint,
    action character varying(40) NOT NULL,
    detail text,
    created_at timestamp with time zone
);
CREATE SEQUENCE public.activities_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.activities_id_seq OWNED BY public.activities.id;
CREATE TABLE public.allocations (
    id bigint NOT NULL,
    event_id bigint NOT NULL,
    label character varying(120) NOT NULL,
    organisation_id bigint,
    places bigint NOT NULL,
    taken bigint DEFAULT 0 NOT NULL,
    release_at timestamp with time zone,
    released_at timestamp with time zone,
    contact_email character varying(254),
    code_nonce character varying(32) NOT NULL,
    created_at timestamp with time zone,
    updated_at timestamp with time zone
);
CREATE SEQUENCE public.allocations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.allocations_id_seq OWNED BY public.allocations.id;
CREATE TABLE public.anniversaries (
    id bigint NOT NULL,
    organisation_id bigint NOT NULL,
    title character varying(200) NOT NULL,
    month bigint NOT NULL,
    day bigint NOT NULL,
    year bigint DEFAULT 0 NOT NULL,
    created_at timestamp with time zone
);
CREATE SEQUENCE public.anniversaries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.anniversaries_id_seq OWNED BY public.anniversaries.id;
CREATE TABLE public.api_tokens (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    name character varying(100),
    token_hash character varying(64) NOT NULL,
    last_used_at timestamp with time zone,
    revoked_at timestamp with time zone,
    created_at timestamp with time zone,
    scope character varying(10) DEFAULT 'read'::character varying NOT NULL,
    expires_at timestamp with time zone
);
CREATE SEQUENCE public.api_tokens_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.api_tokens_id_seq OWNED BY public.api_tokens.id;
CREATE TABLE public.attendee_feeds (
    id bigint NOT NULL,
    email_norm character varying(254) NOT NULL,
    nonce character varying(32) NOT NULL,
    token_hash character varying(64) NOT NULL,
    created_at timestamp with time zone
);
CREATE SEQUENCE public.attendee_feeds_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.attendee_feeds_id_seq OWNED BY public.attendee_feeds.id;
CREATE TABLE public.calendar_feeds (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    organisation_id bigint NOT NULL,
    token_hash character varying(64) NOT NULL,
    created_at timestamp with time zone
);
CREATE SEQUENCE public.calendar_feeds_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.calendar_feeds_id_seq OWNED BY public.calendar_feeds.id;
CREATE TABLE public.catering_tallies (
    id bigint NOT NULL,
    event_id bigint NOT NULL,
    diet character varying(20) NOT NULL,
    people bigint NOT NULL
);
CREATE SEQUENCE public.catering_tallies_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.catering_tallies_id_seq OWNED BY public.catering_tallies.id;
CREATE TABLE public.cover_images (
    id bigint NOT NULL,
    name character varying(40) NOT NULL,
    event_id bigint NOT NULL,
    content_type character varying(40) NOT NULL,
    data bytea NOT NULL,
    created_at timestamp with time zone
);
CREATE SEQUENCE public.cover_images_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.cover_images_id_seq OWNED BY public.cover_images.id;
CREATE TABLE public.door_assignments (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    event_id bigint NOT NULL,
    created_by_id bigint,
    created_at timestamp with time zone
);
CREATE SEQUENCE public.door_assignments_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.door_assignments_id_seq OWNED BY public.door_assignments.id;
CREATE TABLE public.event_hosts (
    id bigint NOT NULL,
    event_id bigint NOT NULL,
    organisation_id bigint NOT NULL,
    role character varying(20) DEFAULT 'host'::character varying NOT NULL,
    "position" bigint DEFAULT 0 NOT NULL
);
CREATE SEQUENCE public.event_hosts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.event_hosts_id_seq OWNED BY public.event_hosts.id;
CREATE TABLE public.events (
    id bigint NOT NULL,
    slug character varying(80) NOT NULL,
    title character varying(200) NOT NULL,
    summary character varying(500),
    description text,
    kind character varying(20) NOT NULL,
    status character varying(20) NOT NULL,
    tentative boolean DEFAULT false NOT NULL,
    starts_at timestamp with time zone NOT NULL,
    ends_at timestamp with time zone NOT NULL,
    timezone character varying(64) NOT NULL,
    start_rule character varying(20),
    local_date character varying(10),
    sunset_offset_minutes bigint,
    duration_minutes bigint,
    in_person boolean NOT NULL,
    online boolean DEFAULT false NOT NULL,
    venue_name character varying(200),
    venue_address character varying(500),
    latitude numeric,
    longitude numeric,
    access_notes text,
    address_visibility character varying(20) DEFAULT 'public'::character varying NOT NULL,
    stream_url character varying(500),
    capacity bigint,
    online_capacity bigint,
    taken bigint DEFAULT 0 NOT NULL,
    online_taken bigint DEFAULT 0 NOT NULL,
    waitlist_seq bigint DEFAULT 0 NOT NULL,
    max_guests bigint DEFAULT 0 NOT NULL,
    waitlist boolean NOT NULL,
    registration_opens_at timestamp with time zone,
    registration_closes_at timestamp with time zone,
    series_id bigint,
    sequence bigint DEFAULT 0 NOT NULL,
    cancel_message text,
    reminder_hours bigint NOT NULL,
    created_by_id bigint,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    status_change_at timestamp with time zone,
    revision bigint DEFAULT 0 NOT NULL,
    iftar_at timestamp with time zone,
    registration_mode character varying(20) DEFAULT 'instant'::character varying NOT NULL,
    reserved bigint DEFAULT 0 NOT NULL,
    skip_dietary boolean DEFAULT false NOT NULL,
    answers_retention_days bigint DEFAULT 7 NOT NULL,
    cover_name character varying(40),
    cover_alt character varying(300),
    cover_width bigint DEFAULT 0 NOT NULL,
    cover_height bigint DEFAULT 0 NOT NULL
);
CREATE SEQUENCE public.events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.events_id_seq OWNED BY public.events.id;
CREATE TABLE public.heartbeats (
    id bigint NOT NULL,
    beat_at timestamp with time zone NOT NULL
);
CREATE TABLE public.memberships (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    organisation_id bigint NOT NULL,
    role character varying(20) DEFAULT 'organiser'::character varying NOT NULL
);
CREATE SEQUENCE public.memberships_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.memberships_id_seq OWNED BY public.memberships.id;
CREATE TABLE public.organisations (
    id bigint NOT NULL,
    slug character varying(80) NOT NULL,
    name character varying(200) NOT NULL,
    kind character varying(40),
    description text,
    website character varying(300),
    email character varying(254),
    timezone character varying(64) DEFAULT 'Europe/London'::character varying NOT NULL,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    revision bigint DEFAULT 0 NOT NULL,
    home_place character varying(100),
    home_latitude numeric,
    home_longitude numeric,
    iftar_method character varying(30),
    hijri_offset bigint DEFAULT 0 NOT NULL
);
CREATE SEQUENCE public.organisations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.organisations_id_seq OWNED BY public.organisations.id;
CREATE TABLE public.outbox_mails (
    id bigint NOT NULL,
    kind character varying(40) NOT NULL,
    event_id bigint,
    registration_id bigint,
    "to" character varying(254) NOT NULL,
    data text,
    status character varying(20) NOT NULL,
    attempts bigint DEFAULT 0 NOT NULL,
    next_attempt_at timestamp with time zone,
    last_error character varying(500),
    sent_at timestamp with time zone,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    claimed_by character varying(100),
    claimed_until timestamp with time zone,
    dedupe_key character varying(120)
);
CREATE SEQUENCE public.outbox_mails_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.outbox_mails_id_seq OWNED BY public.outbox_mails.id;
CREATE TABLE public.password_tokens (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    token_hash character varying(64) NOT NULL,
    expires_at timestamp with time zone,
    used_at timestamp with time zone,
    created_by_id bigint,
    created_at timestamp with time zone
);
CREATE SEQUENCE public.password_tokens_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.password_tokens_id_seq OWNED BY public.password_tokens.id;
CREATE TABLE public.questions (
    id bigint NOT NULL,
    event_id bigint NOT NULL,
    key character varying(60) NOT NULL,
    label character varying(300) NOT NULL,
    hint character varying(300),
    kind character varying(20) NOT NULL,
    options text,
    required boolean DEFAULT false NOT NULL,
    "position" bigint DEFAULT 0 NOT NULL
);
CREATE SEQUENCE public.questions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.questions_id_seq OWNED BY public.questions.id;
CREATE TABLE public.registrations (
    id bigint NOT NULL,
    event_id bigint NOT NULL,
    name character varying(200) NOT NULL,
    email character varying(254) NOT NULL,
    email_norm character varying(254) NOT NULL,
    guests bigint DEFAULT 0 NOT NULL,
    attendance character varying(20) NOT NULL,
    status character varying(20) NOT NULL,
    waitlist_seq bigint DEFAULT 0 NOT NULL,
    answers text,
    dietary character varying(20),
    dietary_other character varying(200),
    access_needs text,
    consent_at timestamp with time zone,
    token_nonce character varying(32) NOT NULL,
    token_hash character varying(64) NOT NULL,
    feed_nonce character varying(32) NOT NULL,
    feed_token_hash character varying(64) NOT NULL,
    checked_in_at timestamp with time zone,
    promoted_at timestamp with time zone,
    cancelled_at timestamp with time zone,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    purged_at timestamp with time zone,
    allocation_id bigint,
    allocated bigint DEFAULT 0 NOT NULL,
    guest_dietary text DEFAULT '[]'::text NOT NULL,
    checked_in_people bigint DEFAULT 0 NOT NULL,
    cancelled_by_id bigint,
    cancelled_from character varying(20),
    answers_purged_at timestamp with time zone
);
CREATE SEQUENCE public.registrations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.registrations_id_seq OWNED BY public.registrations.id;
CREATE TABLE public.schema_migrations (
    version bigint NOT NULL,
    name text,
    applied_at timestamp with time zone
);
CREATE TABLE public.series (
    id bigint NOT NULL,
    slug character varying(80) NOT NULL,
    title character varying(200) NOT NULL,
    description text,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    revision bigint DEFAULT 0 NOT NULL
);
CREATE SEQUENCE public.series_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.series_id_seq OWNED BY public.series.id;
CREATE TABLE public.sessions (
    id bigint NOT NULL,
    user_id bigint NOT NULL,
    token_hash character varying(64) NOT NULL,
    created_at timestamp with time zone,
    last_seen_at timestamp with time zone,
    expires_at timestamp with time zone NOT NULL
);
CREATE SEQUENCE public.sessions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.sessions_id_seq OWNED BY public.sessions.id;
CREATE TABLE public.users (
    id bigint NOT NULL,
    email character varying(254) NOT NULL,
    name character varying(200),
    password_hash character varying(200),
    admin boolean DEFAULT false NOT NULL,
    created_at timestamp with time zone,
    updated_at timestamp with time zone,
    disabled boolean DEFAULT false NOT NULL
);
CREATE SEQUENCE public.users_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;
ALTER TABLE ONLY public.activities ALTER COLUMN id SET DEFAULT nextval('public.activities_id_seq'::regclass);
ALTER TABLE ONLY public.allocations ALTER COLUMN id SET DEFAULT nextval('public.allocations_id_seq'::regclass);
ALTER TABLE ONLY public.anniversaries ALTER COLUMN id SET DEFAULT nextval('public.anniversaries_id_seq'::regclass);
ALTER TABLE ONLY public.api_tokens ALTER COLUMN id SET DEFAULT nextval('public.api_tokens_id_seq'::regclass);
ALTER TABLE ONLY public.attendee_feeds ALTER COLUMN id SET DEFAULT nextval('public.attendee_feeds_id_seq'::regclass);
ALTER TABLE ONLY public.calendar_feeds ALTER COLUMN id SET DEFAULT nextval('public.calendar_feeds_id_seq'::regclass);
ALTER TABLE ONLY public.catering_tallies ALTER COLUMN id SET DEFAULT nextval('public.catering_tallies_id_seq'::regclass);
ALTER TABLE ONLY public.cover_images ALTER COLUMN id SET DEFAULT nextval('public.cover_images_id_seq'::regclass);
ALTER TABLE ONLY public.door_assignments ALTER COLUMN id SET DEFAULT nextval('public.door_assignments_id_seq'::regclass);
ALTER TABLE ONLY public.event_hosts ALTER COLUMN id SET DEFAULT nextval('public.event_hosts_id_seq'::regclass);
ALTER TABLE ONLY public.events ALTER COLUMN id SET DEFAULT nextval('public.events_id_seq'::regclass);
ALTER TABLE ONLY public.memberships ALTER COLUMN id SET DEFAULT nextval('public.memberships_id_seq'::regclass);
ALTER TABLE ONLY public.organisations ALTER COLUMN id SET DEFAULT nextval('public.organisations_id_seq'::regclass);
ALTER TABLE ONLY public.outbox_mails ALTER COLUMN id SET DEFAULT nextval('public.outbox_mails_id_seq'::regclass);
ALTER TABLE ONLY public.password_tokens ALTER COLUMN id SET DEFAULT nextval('public.password_tokens_id_seq'::regclass);
ALTER TABLE ONLY public.questions ALTER COLUMN id SET DEFAULT nextval('public.questions_id_seq'::regclass);
ALTER TABLE ONLY public.registrations ALTER COLUMN id SET DEFAULT nextval('public.registrations_id_seq'::regclass);
ALTER TABLE ONLY public.series ALTER COLUMN id SET DEFAULT nextval('public.series_id_seq'::regclass);
ALTER TABLE ONLY public.sessions ALTER COLUMN id SET DEFAULT nextval('public.sessions_id_seq'::regclass);
ALTER TABLE ONLY public.users ALTER COLUMN id SET DEFAULT nextval('public.users_id_seq'::regclass);
INSERT INTO public.activities (id, event_id, registration_id, user_id, action, detail, created_at) VALUES (1, 1, NULL, 1, 'event_created', 'Vigil for Refugees Lost at Sea', '2026-11-26 12:00:00+00');
INSERT INTO public.activities (id, event_id, registration_id, user_id, action, detail, created_at) VALUES (2, 2, NULL, 1, 'event_created', 'Public Meeting: Standing Together Against Hate Crime', '2026-11-26 12:00:00+00');
INSERT INTO public.activities (id, event_id, registration_id, user_id, action, detail, created_at) VALUES (3, 3, NULL, 1, 'event_created', 'Solidarity Iftar: Breaking Bread Together', '2026-11-26 12:00:00+00');
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (1, 1, 1, 'host', 0);
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (2, 1, 4, 'co-host', 1);
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (3, 2, 1, 'host', 0);
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (4, 3, 3, 'host', 0);
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (5, 3, 2, 'co-host', 1);
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (6, 4, 1, 'host', 0);
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (7, 4, 5, 'co-host', 1);
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (8, 5, 2, 'host', 0);
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (9, 5, 3, 'co-host', 1);
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (10, 5, 4, 'co-host', 2);
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (11, 6, 1, 'host', 0);
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (12, 7, 3, 'host', 0);
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (13, 7, 1, 'co-host', 1);
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (14, 8, 4, 'host', 0);
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (15, 8, 2, 'co-host', 1);
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (16, 9, 1, 'host', 0);
INSERT INTO public.event_hosts (id, event_id, organisation_id, role, "position") VALUES (17, 9, 5, 'co-host', 1);
INSERT INTO public.events (id, slug, title, summary, description, kind, status, tentative, starts_at, ends_at, timezone, start_rule, local_date, sunset_offset_minutes, duration_minutes, in_person, online, venue_name, venue_address, latitude, longitude, access_notes, address_visibility, stream_url, capacity, online_capacity, taken, online_taken, waitlist_seq, max_guests, waitlist, registration_opens_at, registration_closes_at, series_id, sequence, cancel_message, reminder_hours, created_by_id, created_at, updated_at, status_change_at, revision, iftar_at, registration_mode, reserved, skip_dietary, answers_retention_days, cover_name, cover_alt, cover_width, cover_height) VALUES (1, 'past-vigil-for-refugees', 'Vigil for Refugees Lost at Sea', 'A candlelit vigil remembering those who died seeking safety.', '', 'memorial', 'published', false, '2026-10-17 17:00:00+00', '2026-10-17 18:30:00+00', 'Europe/London', '', '', 0, 0, true, false, 'Riverside Gardens', 'Riverside Walk, London SE1 9PX', 51.5072, -0.1088, '', 'public', '', 200, NULL, 30, 0, 0, 0, true, NULL, NULL, NULL, 0, '', 24, 1, '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', NULL, 1, NULL, 'instant', 0, false, 7, '', '', 0, 0);
INSERT INTO public.events (id, slug, title, summary, description, kind, status, tentative, starts_at, ends_at, timezone, start_rule, local_date, sunset_offset_minutes, duration_minutes, in_person, online, venue_name, venue_address, latitude, longitude, access_notes, address_visibility, stream_url, capacity, online_capacity, taken, online_taken, waitlist_seq, max_guests, waitlist, registration_opens_at, registration_closes_at, series_id, sequence, cancel_message, reminder_hours, created_by_id, created_at, updated_at, status_change_at, revision, iftar_at, registration_mode, reserved, skip_dietary, answers_retention_days, cover_name, cover_alt, cover_width, cover_height) VALUES (5, 'hmd-interfaith-memorial', 'Holocaust Memorial Day: An Interfaith Commemoration', 'Survivor testimony, prayers and candle lighting, in person and online.', 'Northside Synagogue and Al-Noor Mosque come together to remember the six million Jews murdered in the Holocaust, and the victims of Nazi persecution and of later genocides.
The commemoration is also streamed for those who cannot attend.', 'memorial', 'published', false, '2027-01-27 18:00:00+00', '2027-01-27 19:30:00+00', 'Europe/London', '', '', 0, 0, true, true, 'St Mary''s Church', 'Upper Street, London N1 2TX', 51.5393, -0.1028, '', 'public', 'https://stream.riverside-radio.example.org/live/hmd', 150, 300, 44, 20, 0, 3, true, NULL, NULL, NULL, 0, '', 24, 1, '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', NULL, 1, NULL, 'instant', 0, false, 7, '', '', 0, 0);
INSERT INTO public.events (id, slug, title, summary, description, kind, status, tentative, starts_at, ends_at, timezone, start_rule, local_date, sunset_offset_minutes, duration_minutes, in_person, online, venue_name, venue_address, latitude, longitude, access_notes, address_visibility, stream_url, capacity, online_capacity, taken, online_taken, waitlist_seq, max_guests, waitlist, registration_opens_at, registration_closes_at, series_id, sequence, cancel_message, reminder_hours, created_by_id, created_at, updated_at, status_change_at, revision, iftar_at, registration_mode, reserved, skip_dietary, answers_retention_days, cover_name, cover_alt, cover_width, cover_height) VALUES (3, 'solidarity-iftar', 'Solidarity Iftar: Breaking Bread Together', 'Break the fast with neighbours of every faith and none, at sunset.', 'Northside Synagogue and Al-Noor Mosque invite you to a shared iftar. We break the fast at sunset with dates and water, pray, then eat together.
Please tell us your dietary needs: all food is halal and kosher-supervised, with vegetarian and vegan dishes.', 'iftar', 'published', true, '2027-02-17 17:19:00+00', '2027-02-17 19:49:00+00', 'Europe/London', 'sunset', '2027-02-17', 0, 150, true, false, 'Northside Synagogue Hall', '12 Hill Rise, London N8 7QP', 51.5862, -0.1235, 'Ramp at the side door; accessible toilet.', 'registrants', '', 120, NULL, 50, 0, 0, 4, true, NULL, NULL, NULL, 0, '', 24, 1, '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', NULL, 1, '2027-02-17 17:19:00+00', 'instant', 0, false, 7, '', '', 0, 0);
INSERT INTO public.events (id, slug, title, summary, description, kind, status, tentative, starts_at, ends_at, timezone, start_rule, local_date, sunset_offset_minutes, duration_minutes, in_person, online, venue_name, venue_address, latitude, longitude, access_notes, address_visibility, stream_url, capacity, online_capacity, taken, online_taken, waitlist_seq, max_guests, waitlist, registration_opens_at, registration_closes_at, series_id, sequence, cancel_message, reminder_hours, created_by_id, created_at, updated_at, status_change_at, revision, iftar_at, registration_mode, reserved, skip_dietary, answers_retention_days, cover_name, cover_alt, cover_width, cover_height) VALUES (2, 'public-meeting-hate-crime', 'Public Meeting: Standing Together Against Hate Crime', 'Local councillors, police and community leaders answer your questions.', 'Hate crime reports have risen across the borough. Join us to hear from those working to stop it, and to say what you need.
**Speakers**
- A borough councillor
- The local policing team
- Faith and community leaders
Tea and coffee from 6:30pm. Step-free access throughout.', 'meeting', 'published', false, '2026-12-08 19:00:00+00', '2026-12-08 21:00:00+00', 'Europe/London', '', '', 0, 0, true, false, 'Friends Meeting House', '173 Euston Road, London NW1 2BJ', 51.5275, -0.1303, 'Step-free entrance on Euston Road; hearing loop in the main hall.', 'public', '', 80, NULL, 78, 0, 0, 2, true, NULL, NULL, NULL, 0, '', 24, 1, '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', NULL, 1, NULL, 'instant', 0, false, 7, '', '', 0, 0);
INSERT INTO public.events (id, slug, title, summary, description, kind, status, tentative, starts_at, ends_at, timezone, start_rule, local_date, sunset_offset_minutes, duration_minutes, in_person, online, venue_name, venue_address, latitude, longitude, access_notes, address_visibility, stream_url, capacity, online_capacity, taken, online_taken, waitlist_seq, max_guests, waitlist, registration_opens_at, registration_closes_at, series_id, sequence, cancel_message, reminder_hours, created_by_id, created_at, updated_at, status_change_at, revision, iftar_at, registration_mode, reserved, skip_dietary, answers_retention_days, cover_name, cover_alt, cover_width, cover_height) VALUES (8, 'week-of-action-closing-vigil', 'Week of Action: Closing Vigil', '', '', 'memorial', 'published', false, '2027-01-03 17:00:00+00', '2027-01-03 18:00:00+00', 'Europe/London', '', '', 0, 0, true, false, 'St Mary''s Churchyard', 'Upper Street, London N1 2TX', NULL, NULL, '', 'public', '', NULL, NULL, 8, 0, 0, 0, true, NULL, NULL, 1, 0, '', 24, 1, '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', NULL, 1, NULL, 'instant', 0, false, 7, '', '', 0, 0);
INSERT INTO public.events (id, slug, title, summary, description, kind, status, tentative, starts_at, ends_at, timezone, start_rule, local_date, sunset_offset_minutes, duration_minutes, in_person, online, venue_name, venue_address, latitude, longitude, access_notes, address_visibility, stream_url, capacity, online_capacity, taken, online_taken, waitlist_seq, max_guests, waitlist, registration_opens_at, registration_closes_at, series_id, sequence, cancel_message, reminder_hours, created_by_id, created_at, updated_at, status_change_at, revision, iftar_at, registration_mode, reserved, skip_dietary, answers_retention_days, cover_name, cover_alt, cover_width, cover_height) VALUES (9, 'panel-on-press-freedom', 'Panel: Press Freedom in Exile', 'Cancelled: the speakers could not travel.', '', 'meeting', 'cancelled', false, '2026-12-22 19:00:00+00', '2026-12-22 20:30:00+00', 'Europe/London', '', '', 0, 0, true, false, 'Conway Hall', '25 Red Lion Square, London WC1R 4RL', NULL, NULL, '', 'public', '', 60, NULL, 5, 0, 0, 0, true, NULL, NULL, NULL, 1, 'We are very sorry: our speakers could not travel. We hope to reschedule in the spring.', 24, 1, '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', 2, NULL, 'instant', 0, false, 7, '', '', 0, 0);
INSERT INTO public.events (id, slug, title, summary, description, kind, status, tentative, starts_at, ends_at, timezone, start_rule, local_date, sunset_offset_minutes, duration_minutes, in_person, online, venue_name, venue_address, latitude, longitude, access_notes, address_visibility, stream_url, capacity, online_capacity, taken, online_taken, waitlist_seq, max_guests, waitlist, registration_opens_at, registration_closes_at, series_id, sequence, cancel_message, reminder_hours, created_by_id, created_at, updated_at, status_change_at, revision, iftar_at, registration_mode, reserved, skip_dietary, answers_retention_days, cover_name, cover_alt, cover_width, cover_height) VALUES (6, 'week-of-action-opening-rally', 'Week of Action: Opening Rally', '', '', 'meeting', 'published', false, '2026-12-29 18:00:00+00', '2026-12-29 19:30:00+00', 'Europe/London', '', '', 0, 0, true, false, 'Town Hall Square', 'Town Hall Square, London N1 1AA', NULL, NULL, '', 'public', '', NULL, NULL, 15, 0, 0, 0, true, NULL, NULL, 1, 0, '', 24, 1, '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', NULL, 1, NULL, 'instant', 0, false, 7, '', '', 0, 0);
INSERT INTO public.events (id, slug, title, summary, description, kind, status, tentative, starts_at, ends_at, timezone, start_rule, local_date, sunset_offset_minutes, duration_minutes, in_person, online, venue_name, venue_address, latitude, longitude, access_notes, address_visibility, stream_url, capacity, online_capacity, taken, online_taken, waitlist_seq, max_guests, waitlist, registration_opens_at, registration_closes_at, series_id, sequence, cancel_message, reminder_hours, created_by_id, created_at, updated_at, status_change_at, revision, iftar_at, registration_mode, reserved, skip_dietary, answers_retention_days, cover_name, cover_alt, cover_width, cover_height) VALUES (4, 'livestream-voices-of-uyghur-women', 'Livestream: Voices of Uyghur Women', 'Testimony and conversation, broadcast live with Riverside Community Radio.', '', 'livestream', 'published', false, '2026-12-15 18:30:00+00', '2026-12-15 20:00:00+00', 'Europe/London', '', '', 0, 0, false, true, '', '', NULL, NULL, '', 'public', 'https://stream.riverside-radio.example.org/live/voices', NULL, 500, 0, 25, 0, 0, true, NULL, NULL, NULL, 0, '', 24, 1, '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', NULL, 1, NULL, 'instant', 0, false, 7, '', '', 0, 0);
INSERT INTO public.events (id, slug, title, summary, description, kind, status, tentative, starts_at, ends_at, timezone, start_rule, local_date, sunset_offset_minutes, duration_minutes, in_person, online, venue_name, venue_address, latitude, longitude, access_notes, address_visibility, stream_url, capacity, online_capacity, taken, online_taken, waitlist_seq, max_guests, waitlist, registration_opens_at, registration_closes_at, series_id, sequence, cancel_message, reminder_hours, created_by_id, created_at, updated_at, status_change_at, revision, iftar_at, registration_mode, reserved, skip_dietary, answers_retention_days, cover_name, cover_alt, cover_width, cover_height) VALUES (7, 'week-of-action-bystander-workshop', 'Week of Action: Bystander Intervention Workshop', 'Practical training: what to do when you witness harassment.', '', 'meeting', 'published', false, '2026-12-31 14:00:00+00', '2026-12-31 16:00:00+00', 'Europe/London', '', '', 0, 0, true, false, 'Al-Noor Community Centre', '40 Green Lanes, London N4 2BL', NULL, NULL, '', 'public', '', 20, NULL, 20, 0, 7, 1, true, NULL, NULL, 1, 0, '', 24, 1, '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', NULL, 1, NULL, 'instant', 0, false, 7, '', '', 0, 0);
INSERT INTO public.memberships (id, user_id, organisation_id, role) VALUES (1, 1, 1, 'organiser');
INSERT INTO public.memberships (id, user_id, organisation_id, role) VALUES (2, 1, 2, 'organiser');
INSERT INTO public.memberships (id, user_id, organisation_id, role) VALUES (3, 1, 3, 'organiser');
INSERT INTO public.organisations (id, slug, name, kind, description, website, email, timezone, created_at, updated_at, revision, home_place, home_latitude, home_longitude, iftar_method, hijri_offset) VALUES (1, 'open-doors', 'Open Doors Human Rights', 'charity', 'A small human-rights charity bringing communities together against hatred.', 'https://opendoors.example.org', 'events@opendoors.example.org', 'Europe/London', '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', 1, '', NULL, NULL, '', 0);
INSERT INTO public.organisations (id, slug, name, kind, description, website, email, timezone, created_at, updated_at, revision, home_place, home_latitude, home_longitude, iftar_method, hijri_offset) VALUES (2, 'northside-synagogue', 'Northside Synagogue', 'synagogue', 'A welcoming Reform community in north London.', '', '', 'Europe/London', '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', 1, '', NULL, NULL, '', 0);
INSERT INTO public.organisations (id, slug, name, kind, description, website, email, timezone, created_at, updated_at, revision, home_place, home_latitude, home_longitude, iftar_method, hijri_offset) VALUES (3, 'al-noor-mosque', 'Al-Noor Mosque', 'mosque', 'A neighbourhood mosque and community centre.', '', '', 'Europe/London', '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', 1, '', NULL, NULL, '', 0);
INSERT INTO public.organisations (id, slug, name, kind, description, website, email, timezone, created_at, updated_at, revision, home_place, home_latitude, home_longitude, iftar_method, hijri_offset) VALUES (4, 'st-marys-church', 'St Mary''s Church', 'church', 'A parish church with a long tradition of interfaith work.', '', '', 'Europe/London', '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', 1, '', NULL, NULL, '', 0);
INSERT INTO public.organisations (id, slug, name, kind, description, website, email, timezone, created_at, updated_at, revision, home_place, home_latitude, home_longitude, iftar_method, hijri_offset) VALUES (5, 'riverside-radio', 'Riverside Community Radio', 'media', 'Community broadcaster and livestream partner.', '', '', 'Europe/London', '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', 1, '', NULL, NULL, '', 0);
INSERT INTO public.outbox_mails (id, kind, event_id, registration_id, "to", data, status, attempts, next_attempt_at, last_error, sent_at, created_at, updated_at, claimed_by, claimed_until, dedupe_key) VALUES (1, 'confirmation', 1, 1, 'guest000.past-vig@example.org', '{}', 'held', 0, '2026-10-14 17:00:00+00', '', NULL, '2026-10-14 17:00:00+00', '2026-10-14 17:00:00+00', '', NULL, NULL);
INSERT INTO public.outbox_mails (id, kind, event_id, registration_id, "to", data, status, attempts, next_attempt_at, last_error, sent_at, created_at, updated_at, claimed_by, claimed_until, dedupe_key) VALUES (2, 'confirmation', 1, 2, 'guest001.past-vig@example.org', '{}', 'held', 0, '2026-10-14 17:00:00+00', '', NULL, '2026-10-14 17:00:00+00', '2026-10-14 17:00:00+00', '', NULL, NULL);
INSERT INTO public.outbox_mails (id, kind, event_id, registration_id, "to", data, status, attempts, next_attempt_at, last_error, sent_at, created_at, updated_at, claimed_by, claimed_until, dedupe_key) VALUES (3, 'confirmation', 1, 3, 'guest002.past-vig@example.org', '{}', 'held', 0, '2026-10-14 17:00:00+00', '', NULL, '2026-10-14 17:00:00+00', '2026-10-14 17:00:00+00', '', NULL, NULL);
INSERT INTO public.registrations (id, event_id, name, email, email_norm, guests, attendance, status, waitlist_seq, answers, dietary, dietary_other, access_needs, consent_at, token_nonce, token_hash, feed_nonce, feed_token_hash, checked_in_at, promoted_at, cancelled_at, created_at, updated_at, purged_at, allocation_id, allocated, guest_dietary, checked_in_people, cancelled_by_id, cancelled_from, answers_purged_at) VALUES (1, 1, 'Amira Haddad', 'guest000.past-vig@example.org', 'guest000.past-vig@example.org', 0, 'in_person', 'confirmed', 0, '{}', 'none', '', '', '2026-10-14 17:00:00+00', '8mEyg4Z7wdojhYgcDwZIKg', '13ca6968b83dc7bb5e74c8436d495ae5c0a6e985f32b25767f71d10d9fc68644', 'SjEpdt2zeT3XyIMa80yiSg', '0145cd426a6ad8dfa5194f5c30251a14fa7758fcef6af98e0f22670e7b516628', NULL, NULL, NULL, '2026-10-14 17:00:00+00', '2026-10-14 17:00:00+00', NULL, NULL, 0, '[]', 0, NULL, NULL, NULL);
INSERT INTO public.registrations (id, event_id, name, email, email_norm, guests, attendance, status, waitlist_seq, answers, dietary, dietary_other, access_needs, consent_at, token_nonce, token_hash, feed_nonce, feed_token_hash, checked_in_at, promoted_at, cancelled_at, created_at, updated_at, purged_at, allocation_id, allocated, guest_dietary, checked_in_people, cancelled_by_id, cancelled_from, answers_purged_at) VALUES (2, 1, 'Daniel Cohen', 'guest001.past-vig@example.org', 'guest001.past-vig@example.org', 0, 'in_person', 'confirmed', 0, '{}', 'vegetarian', '', '', '2026-10-14 17:00:00+00', 'RnxHOe3IrY2Ks7APgjvhuw', 'b0f1ef411ecf221c2805a3bfcc95deed676af405f8301605c1be0d90c0685560', 'LuprhV0VJNtKE_56dppcFA', '5dc98d9689b449a9f1baacd64e6c1c13b0cd751c86532cdd1c14e44b9779d4a8', NULL, NULL, NULL, '2026-10-14 17:00:00+00', '2026-10-14 17:00:00+00', NULL, NULL, 0, '[]', 0, NULL, NULL, NULL);
INSERT INTO public.registrations (id, event_id, name, email, email_norm, guests, attendance, status, waitlist_seq, answers, dietary, dietary_other, access_needs, consent_at, token_nonce, token_hash, feed_nonce, feed_token_hash, checked_in_at, promoted_at, cancelled_at, created_at, updated_at, purged_at, allocation_id, allocated, guest_dietary, checked_in_people, cancelled_by_id, cancelled_from, answers_purged_at) VALUES (3, 1, 'Fatima Begum', 'guest002.past-vig@example.org', 'guest002.past-vig@example.org', 0, 'in_person', 'confirmed', 0, '{}', 'halal', '', '', '2026-10-14 17:00:00+00', 'UqT_9XhfgTAQVItLFw-P-w', 'cbfb8adc28fc10424621430a68ee7797e285838c09b924c4ec74306f234bd13e', 'PMtY4nqIBZC57UTEIrDb8g', 'b4c981c2a16656a53af563bf11568a287e3ff1d7e03b6f1e77ac7a071787ded6', NULL, NULL, NULL, '2026-10-14 17:00:00+00', '2026-10-14 17:00:00+00', NULL, NULL, 0, '[]', 0, NULL, NULL, NULL);
INSERT INTO public.registrations (id, event_id, name, email, email_norm, guests, attendance, status, waitlist_seq, answers, dietary, dietary_other, access_needs, consent_at, token_nonce, token_hash, feed_nonce, feed_token_hash, checked_in_at, promoted_at, cancelled_at, created_at, updated_at, purged_at, allocation_id, allocated, guest_dietary, checked_in_people, cancelled_by_id, cancelled_from, answers_purged_at) VALUES (4, 1, 'Grace Okafor', 'guest003.past-vig@example.org', 'guest003.past-vig@example.org', 0, 'in_person', 'confirmed', 0, '{}', 'kosher', '', '', '2026-10-14 17:00:00+00', 'U4EnCVqondMfconMxVLAFQ', '5748038f2b4beb4953d96fd36df893fd848a39faf4572617467db4db90144ff3', 'dZiMqOXC9jLwq8xB9XMhCA', '9794be637acd1b86e9f89b145afa3372295f057ffdd17e3f04776ef4d152c3c9', NULL, NULL, NULL, '2026-10-14 17:00:00+00', '2026-10-14 17:00:00+00', NULL, NULL, 0, '[]', 0, NULL, NULL, NULL);
INSERT INTO public.registrations (id, event_id, name, email, email_norm, guests, attendance, status, waitlist_seq, answers, dietary, dietary_other, access_needs, consent_at, token_nonce, token_hash, feed_nonce, feed_token_hash, checked_in_at, promoted_at, cancelled_at, created_at, updated_at, purged_at, allocation_id, allocated, guest_dietary, checked_in_people, cancelled_by_id, cancelled_from, answers_purged_at) VALUES (5, 1, 'Hannah Levi', 'guest004.past-vig@example.org', 'guest004.past-vig@example.org', 0, 'in_person', 'confirmed', 0, '{}', 'vegan', '', '', '2026-10-14 17:00:00+00', 'FP1y5bQC_NI1-7qInhx8sQ', '458c6f5ba28cbe59addf9e6371d29f06c2401c1e47d3f8b4e4c0ad558d9116bd', 'IJWCOa1XTm-C_cRtPGeULQ', 'e0bac31b6992ade2a95adb480972090e466bbc4e1b385a3d5acafb17adc0e102', NULL, NULL, NULL, '2026-10-14 17:00:00+00', '2026-10-14 17:00:00+00', NULL, NULL, 0, '[]', 0, NULL, NULL, NULL);
INSERT INTO public.registrations (id, event_id, name, email, email_norm, guests, attendance, status, waitlist_seq, answers, dietary, dietary_other, access_needs, consent_at, token_nonce, token_hash, feed_nonce, feed_token_hash, checked_in_at, promoted_at, cancelled_at, created_at, updated_at, purged_at, allocation_id, allocated, guest_dietary, checked_in_people, cancelled_by_id, cancelled_from, answers_purged_at) VALUES (6, 1, 'Ibrahim Yusuf', 'guest005.past-vig@example.org', 'guest005.past-vig@example.org', 0, 'in_person', 'confirmed', 0, '{}', 'none', '', '', '2026-10-14 17:00:00+00', '793NaBBKfJALUKGGHdqDrQ', 'e38af51113d7479a421358a2686a47675e2b6f6088fc3f8723776017a589eada', 'P7wKEN5b_AErMvL0yTsPmg', '26b144fe292bdba28aebff3ae3b606c13f6863f9cefc9f4a7027a342af077f08', NULL, NULL, NULL, '2026-10-14 17:00:00+00', '2026-10-14 17:00:00+00', NULL, NULL, 0, '[]', 0, NULL, NULL, NULL);
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (1, 'initial schema', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (2, 'waitlist order index', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (3, 'attendee feeds', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (4, 'organiser workspace: sessions, invitations, door assignments', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (5, 'outbox claims, leases and dedupe keys', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (6, 'disabled accounts', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (7, 'tokens carry the registration id: no indexes of token hashes', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (8, 'revision counters: change detection without clocks', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (60, 'heartbeat row: readiness checks make a real write', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (30, 'calendar awareness: home places, iftar method, Hijri offset, anniversaries, observance feeds, iftar times', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (50, 'registration modes: email-confirmed and approved registration', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (10, 'API tokens: scopes and expiry', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (11, 'email addresses matched with ASCII case folding only', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (12, 'retention: purged flag, catering tallies, dietary choices dropped from anonymised rows', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (61, 'one schema for databases made by AutoMigrate', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (20, 'registration answers are a JSON object, never null', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (51, 'reserved places (allocations) for communities', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (40, 'food per person: dietary question per event, each guest''s own requirement', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (43, 'partial check-in: how many of a party have arrived', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (44, 'an organiser''s cancellation can be undone: who cancelled, from which status', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (70, 'privacy: answers erased a set number of days after each event', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.schema_migrations (version, name, applied_at) VALUES (46, 'cover images: one per event, in the database under a random name', '2026-11-30 19:26:35.761352+00');
INSERT INTO public.series (id, slug, title, description, created_at, updated_at, revision) VALUES (1, 'week-of-action', 'Week of Action Against Hate', 'A coalition week of talks, workshops and vigils across three organisations.', '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', 1);
INSERT INTO public.users (id, email, name, password_hash, admin, created_at, updated_at, disabled) VALUES (1, 'organiser@example.org', 'Demo Organiser', '$2a$12$ChFUNHNsNDslS2C7qyLPp.0M9FWdoDCLpWElWpNFadfCU2Jj/M58a', true, '2026-11-26 12:00:00+00', '2026-11-26 12:00:00+00', false);
SELECT pg_catalog.setval('public.activities_id_seq', 10, true);
SELECT pg_catalog.setval('public.allocations_id_seq', 1, false);
SELECT pg_catalog.setval('public.anniversaries_id_seq', 1, false);
SELECT pg_catalog.setval('public.api_tokens_id_seq', 1, false);
SELECT pg_catalog.setval('public.attendee_feeds_id_seq', 1, false);
SELECT pg_catalog.setval('public.calendar_feeds_id_seq', 1, false);
SELECT pg_catalog.setval('public.catering_tallies_id_seq', 1, false);
SELECT pg_catalog.setval('public.cover_images_id_seq', 1, false);
SELECT pg_catalog.setval('public.door_assignments_id_seq', 1, false);
SELECT pg_catalog.setval('public.event_hosts_id_seq', 17, true);
SELECT pg_catalog.setval('public.events_id_seq', 9, true);
SELECT pg_catalog.setval('public.memberships_id_seq', 3, true);
SELECT pg_catalog.setval('public.organisations_id_seq', 5, true);
SELECT pg_catalog.setval('public.outbox_mails_id_seq', 268, true);
SELECT pg_catalog.setval('public.password_tokens_id_seq', 1, false);
SELECT pg_catalog.setval('public.questions_id_seq', 1, false);
SELECT pg_catalog.setval('public.registrations_id_seq', 263, true);
SELECT pg_catalog.setval('public.series_id_seq', 1, true);
SELECT pg_catalog.setval('public.sessions_id_seq', 1, false);
SELECT pg_catalog.setval('public.users_id_seq', 1, true);
ALTER TABLE ONLY public.activities
    ADD CONSTRAINT activities_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.allocations
    ADD CONSTRAINT allocations_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.anniversaries
    ADD CONSTRAINT anniversaries_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT api_tokens_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.attendee_feeds
    ADD CONSTRAINT attendee_feeds_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.calendar_feeds
    ADD CONSTRAINT calendar_feeds_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.catering_tallies
    ADD CONSTRAINT catering_tallies_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.cover_images
    ADD CONSTRAINT cover_images_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.door_assignments
    ADD CONSTRAINT door_assignments_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.event_hosts
    ADD CONSTRAINT event_hosts_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.heartbeats
    ADD CONSTRAINT heartbeats_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.organisations
    ADD CONSTRAINT organisations_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.outbox_mails
    ADD CONSTRAINT outbox_mails_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.password_tokens
    ADD CONSTRAINT password_tokens_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.questions
    ADD CONSTRAINT questions_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.registrations
    ADD CONSTRAINT registrations_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.schema_migrations
    ADD CONSTRAINT schema_migrations_pkey PRIMARY KEY (version);
ALTER TABLE ONLY public.series
    ADD CONSTRAINT series_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.sessions
    ADD CONSTRAINT sessions_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);
CREATE INDEX idx_activities_action ON public.activities USING btree (action, id);
CREATE INDEX idx_activities_event_id ON public.activities USING btree (event_id);
CREATE INDEX idx_activities_registration_id ON public.activities USING btree (registration_id);
CREATE INDEX idx_allocations_event_id ON public.allocations USING btree (event_id);
CREATE INDEX idx_anniversaries_organisation_id ON public.anniversaries USING btree (organisation_id);
CREATE UNIQUE INDEX idx_api_tokens_token_hash ON public.api_tokens USING btree (token_hash);
CREATE INDEX idx_api_tokens_user_id ON public.api_tokens USING btree (user_id);
CREATE UNIQUE INDEX idx_attendee_feeds_email_norm ON public.attendee_feeds USING btree (email_norm);
CREATE UNIQUE INDEX idx_attendee_feeds_token_hash ON public.attendee_feeds USING btree (token_hash);
CREATE UNIQUE INDEX idx_calendar_feed ON public.calendar_feeds USING btree (user_id, organisation_id);
CREATE UNIQUE INDEX idx_catering_tally ON public.catering_tallies USING btree (event_id, diet);
CREATE INDEX idx_cover_images_event_id ON public.cover_images USING btree (event_id);
CREATE UNIQUE INDEX idx_cover_images_name ON public.cover_images USING btree (name);
CREATE UNIQUE INDEX idx_door_assignment ON public.door_assignments USING btree (user_id, event_id);
CREATE INDEX idx_door_assignments_event_id ON public.door_assignments USING btree (event_id);
CREATE UNIQUE INDEX idx_event_host ON public.event_hosts USING btree (event_id, organisation_id);
CREATE INDEX idx_event_hosts_organisation_id ON public.event_hosts USING btree (organisation_id);
CREATE INDEX idx_events_kind ON public.events USING btree (kind);
CREATE INDEX idx_events_revision ON public.events USING btree (revision);
CREATE INDEX idx_events_series_id ON public.events USING btree (series_id);
CREATE UNIQUE INDEX idx_events_slug ON public.events USING btree (slug);
CREATE INDEX idx_events_starts_at ON public.events USING btree (starts_at);
CREATE INDEX idx_events_status ON public.events USING btree (status);
CREATE INDEX idx_events_updated_at ON public.events USING btree (updated_at);
CREATE UNIQUE INDEX idx_membership ON public.memberships USING btree (user_id, organisation_id);
CREATE UNIQUE INDEX idx_organisations_slug ON public.organisations USING btree (slug);
CREATE INDEX idx_outbox_due ON public.outbox_mails USING btree (status, next_attempt_at);
CREATE UNIQUE INDEX idx_outbox_mails_dedupe_key ON public.outbox_mails USING btree (dedupe_key);
CREATE INDEX idx_outbox_mails_registration_id ON public.outbox_mails USING btree (registration_id);
CREATE UNIQUE INDEX idx_password_tokens_token_hash ON public.password_tokens USING btree (token_hash);
CREATE INDEX idx_password_tokens_user_id ON public.password_tokens USING btree (user_id);
CREATE INDEX idx_questions_event_id ON public.questions USING btree (event_id);
CREATE UNIQUE INDEX idx_registrations_active_email ON public.registrations USING btree (event_id, email_norm) WHERE ((status)::text <> ALL ((ARRAY['cancelled'::character varying, 'unconfirmed'::character varying])::text[]));
CREATE INDEX idx_registrations_waitlist ON public.registrations USING btree (event_id, attendance, status, waitlist_seq);
CREATE UNIQUE INDEX idx_series_slug ON public.series USING btree (slug);
CREATE INDEX idx_sessions_expires_at ON public.sessions USING btree (expires_at);
CREATE UNIQUE INDEX idx_sessions_token_hash ON public.sessions USING btree (token_hash);
CREATE INDEX idx_sessions_user_id ON public.sessions USING btree (user_id);
CREATE UNIQUE INDEX idx_users_email ON public.users USING btree (email);
ALTER TABLE ONLY public.allocations
    ADD CONSTRAINT fk_allocations_organisation FOREIGN KEY (organisation_id) REFERENCES public.organisations(id);
ALTER TABLE ONLY public.api_tokens
    ADD CONSTRAINT fk_api_tokens_user FOREIGN KEY (user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.cover_images
    ADD CONSTRAINT fk_cover_images_event FOREIGN KEY (event_id) REFERENCES public.events(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.door_assignments
    ADD CONSTRAINT fk_door_assignments_user FOREIGN KEY (user_id) REFERENCES public.users(id);
ALTER TABLE ONLY public.event_hosts
    ADD CONSTRAINT fk_event_hosts_organisation FOREIGN KEY (organisation_id) REFERENCES public.organisations(id);
ALTER TABLE ONLY public.allocations
    ADD CONSTRAINT fk_events_allocations FOREIGN KEY (event_id) REFERENCES public.events(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.event_hosts
    ADD CONSTRAINT fk_events_hosts FOREIGN KEY (event_id) REFERENCES public.events(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.questions
    ADD CONSTRAINT fk_events_questions FOREIGN KEY (event_id) REFERENCES public.events(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.events
    ADD CONSTRAINT fk_events_series FOREIGN KEY (series_id) REFERENCES public.series(id);
ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT fk_memberships_organisation FOREIGN KEY (organisation_id) REFERENCES public.organisations(id);
ALTER TABLE ONLY public.registrations
    ADD CONSTRAINT fk_registrations_event FOREIGN KEY (event_id) REFERENCES public.events(id) ON DELETE CASCADE;
ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT fk_users_memberships FOREIGN KEY (user_id) REFERENCES public.users(id);
