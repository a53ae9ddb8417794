-- The change feed: every committed change to the catalogue or the calendar issues a NOTIFY on the
-- channel `servicecircle_changes`, so in-process read models and caches refresh (README "Change feed").
-- Payloads (JSON text):
--   {"table":"outlets","op":"insert|update|delete","id":42,"version":3}   one per changed outlet
--   {"table":"outlets","op":"insert|update|delete","rows":N,"reload":true} a statement that touched more
--                                                                           than 1,000 outlets (bulk loads)
--   {"table":"calendar_days","reload":true}                                 any calendar change
-- PostgreSQL delivers notifications only when the transaction commits, and drops duplicates within one.

CREATE FUNCTION notify_outlet_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
    r record;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT count(*) INTO n FROM old_rows;
    ELSE
        SELECT count(*) INTO n FROM new_rows;
    END IF;
    IF n = 0 THEN
        RETURN NULL;
    ELSIF n > 1000 THEN
        PERFORM pg_notify('servicecircle_changes',
            json_build_object('table', 'outlets', 'op', lower(TG_OP), 'rows', n, 'reload', true)::text);
    ELSIF TG_OP = 'DELETE' THEN
        FOR r IN SELECT id, version FROM old_rows ORDER BY id LOOP
            PERFORM pg_notify('servicecircle_changes',
                json_build_object('table', 'outlets', 'op', 'delete', 'id', r.id, 'version', r.version)::text);
        END LOOP;
    ELSE
        FOR r IN SELECT id, version FROM new_rows ORDER BY id LOOP
            PERFORM pg_notify('servicecircle_changes',
                json_build_object('table', 'outlets', 'op', lower(TG_OP), 'id', r.id, 'version', r.version)::text);
        END LOOP;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER outlets_notify_insert AFTER INSERT ON outlets
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_outlet_changes();
CREATE TRIGGER outlets_notify_update AFTER UPDATE ON outlets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_outlet_changes();
CREATE TRIGGER outlets_notify_delete AFTER DELETE ON outlets
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION notify_outlet_changes();

CREATE FUNCTION notify_calendar_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('servicecircle_changes', '{"table":"calendar_days","reload":true}');
    RETURN NULL;
END
$$;

CREATE TRIGGER calendar_days_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_days
    FOR EACH STATEMENT EXECUTE FUNCTION notify_calendar_changes();
