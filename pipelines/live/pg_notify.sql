-- LISTEN/NOTIFY for the live service's PostgreSQL path: after every statement that inserts or updates the
-- citizen app's reports or events, notify channel `hue_ioc_reports` (delivered at commit, once per
-- transaction and payload). The live service LISTENs and polls at once instead of waiting for its next turn;
-- without these triggers it simply polls on its schedule. Run with search_path set to the app's schema
-- (pipelines.live.pg_notify.install_notify does that). Idempotent.

create or replace function hue_ioc_notify_change() returns trigger language plpgsql as $$
begin
    perform pg_notify('hue_ioc_reports', tg_table_name);
    return null;
end $$;

drop trigger if exists hue_ioc_notify on hues_reports;
create trigger hue_ioc_notify after insert or update on hues_reports
    for each statement execute function hue_ioc_notify_change();

drop trigger if exists hue_ioc_notify on hues_report_events;
create trigger hue_ioc_notify after insert or update on hues_report_events
    for each statement execute function hue_ioc_notify_change();
