-- TRUNCATE fires no row or transition-table trigger: tell listeners to reload (README "Change feed").
CREATE FUNCTION notify_outlets_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('servicecircle_changes', '{"table":"outlets","op":"truncate","reload":true}');
    RETURN NULL;
END
$$;

CREATE TRIGGER outlets_notify_truncate AFTER TRUNCATE ON outlets
    FOR EACH STATEMENT EXECUTE FUNCTION notify_outlets_truncated();
