-- The citizen app's operational tables (as Hue-S would keep them), read incrementally by the IOC.
-- Run with search_path set to the target schema (PostgresReportSource.create_schema does that).
--
-- Change tracking: every row carries `_txid`, the id of the transaction that last wrote it (column default
-- on insert, trigger on update; xid8 never wraps). The reader's cursor is a transaction-id bound, not a
-- clock: see pipelines/sources/postgres.py for why. `updated_at` stays the app's own "last changed" time
-- (kept as given, set to now() by the trigger when an update does not set it).

create table if not exists hues_reports (
    report_id          text primary key,
    source             text,
    channel            text,
    category_code      text,
    title              text,
    description        text,
    lat                double precision,
    lon                double precision,
    admin_unit_code    text,
    received_at        timestamptz,
    process_type       text,
    is_valid           boolean,
    invalid_reason     text,
    reporter_name      text,
    reporter_phone     text,
    status             text,
    unit_id            text,
    deadline_at        timestamptz,
    resolved_at        timestamptz,
    rating             text,
    expected_datetime  timestamptz,
    updated_at         timestamptz not null default now(),
    _txid              xid8 not null default pg_current_xact_id()
);

create table if not exists hues_report_events (
    event_id     text primary key,
    report_id    text not null,
    event_type   text not null,
    at           timestamptz,
    unit_id      text,
    to_unit_id   text,
    deadline_at  timestamptz,
    rating       text,
    note         text,
    updated_at   timestamptz not null default now(),
    _txid        xid8 not null default pg_current_xact_id()
);

-- Reference tables: the handling units and the categories the app routes reports with. The IOC loads them
-- before the facts, so every code the app uses is known when its reports arrive.
create table if not exists hues_units (
    unit_id          text primary key,
    name             text not null,
    unit_type        text,             -- state | enterprise
    sector           text,
    admin_unit_code  text,             -- the area it serves, when local
    joined_on        date              -- when it joined the handling network
);

create table if not exists hues_categories (
    category_code          text primary key,
    name_vi                text not null,
    name_en                text,
    process_type           text,       -- immediate | timed
    deadline_hours         integer,    -- immediate processing
    deadline_working_days  integer     -- timed processing
);

create index if not exists hues_reports_updated on hues_reports (updated_at);
create index if not exists hues_report_events_updated on hues_report_events (updated_at);
create index if not exists hues_reports_txid on hues_reports (_txid);
create index if not exists hues_report_events_txid on hues_report_events (_txid);
create index if not exists hues_report_events_report on hues_report_events (report_id);

create or replace function hues_touch() returns trigger language plpgsql as $$
begin
    new._txid := pg_current_xact_id();
    if new.updated_at is not distinct from old.updated_at then
        new.updated_at := now();
    end if;
    return new;
end
$$;

create or replace trigger hues_reports_touch before update on hues_reports
    for each row execute function hues_touch();
create or replace trigger hues_report_events_touch before update on hues_report_events
    for each row execute function hues_touch();
