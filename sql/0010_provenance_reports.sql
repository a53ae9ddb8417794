-- Provenance and problem reports (docs/editing.md "Provenance" and "Problem reports").

-- Where an outlet's data came from and when its hours were last confirmed. Every outlet that exists when this
-- migration runs came from the illustrative seed: `generated`, never verified.
ALTER TABLE outlets ADD COLUMN source text NOT NULL DEFAULT 'generated' CHECK (btrim(source) <> '' AND length(source) <= 200);
ALTER TABLE outlets ADD COLUMN verified_at timestamptz;
-- Rows inserted later by hand (SQL, bulk loads without the service's settings) are recorded as `sql:<role>`.
ALTER TABLE outlets ALTER COLUMN source SET DEFAULT 'sql';

-- Sets source and verified_at from the transaction settings the service writes with (`servicecircle.source`,
-- `servicecircle.verified_at`, `servicecircle.action`): the seed marks rows `generated`; an editor's or an import's
-- write marks them with its source, confirmed now (or at the instant the editor sent). A write without the settings
-- (SQL typed by hand) keeps an update's provenance and records an insert as `sql:<role>` with no confirmation date
-- (whoever types SQL answers for it; such rows carry no caution until an editor confirms them).
CREATE FUNCTION outlets_provenance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    src text := nullif(current_setting('servicecircle.source', true), '');
    verified text := nullif(current_setting('servicecircle.verified_at', true), '');
BEGIN
    IF src IS NULL AND current_setting('servicecircle.action', true) = 'seed' THEN
        NEW.source := 'generated';
        NEW.verified_at := NULL;
    ELSIF src IS NOT NULL THEN
        NEW.source := src;
        NEW.verified_at := coalesce(verified::timestamptz, date_trunc('second', now()));
    ELSIF TG_OP = 'INSERT' AND NEW.source = 'sql' THEN
        NEW.source := 'sql:' || session_user;
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER outlets_provenance BEFORE INSERT OR UPDATE ON outlets
    FOR EACH ROW EXECUTE FUNCTION outlets_provenance();

-- Problem reports from the public: no personal data. `reporter_tag` is a keyed hash of the client's address (the
-- key lives only in the serving process's memory), kept only to tell independent reporters apart and cleared after
-- 7 days; it can identify nobody without the key.
CREATE TABLE outlet_reports (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- No foreign keys: reports, like the history, must not block a TRUNCATE or a hard delete of outlets.
    outlet_id    bigint NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('closed', 'wrong_hours', 'moved', 'wrong_phone', 'other')),
    text         text CHECK (text IS NULL OR length(text) <= 500),
    created_at   timestamptz NOT NULL DEFAULT now(),
    reporter_tag text,
    state        text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'resolved', 'dismissed')),
    resolved_at  timestamptz,
    resolved_by  text,
    -- The history entry of the edit that resolved the report, when it was resolved by one.
    history_id   bigint,
    note         text CHECK (note IS NULL OR length(note) <= 500),
    CHECK ((state = 'open') = (resolved_at IS NULL))
);
CREATE INDEX outlet_reports_state ON outlet_reports (state, id);
CREATE INDEX outlet_reports_outlet ON outlet_reports (outlet_id, id);
CREATE INDEX outlet_reports_tagged ON outlet_reports (created_at) WHERE reporter_tag IS NOT NULL;

-- Every committed change to the reports announces itself on the change feed, so each process refreshes its set of
-- warnings (one small query); it is not an outlet change: the read model and place index ignore it.
CREATE FUNCTION notify_report_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('servicecircle_changes', '{"table":"outlet_reports","reload":false}');
    RETURN NULL;
END $$;

CREATE TRIGGER outlet_reports_notify AFTER INSERT OR UPDATE OR DELETE ON outlet_reports
    FOR EACH STATEMENT EXECUTE FUNCTION notify_report_changes();
