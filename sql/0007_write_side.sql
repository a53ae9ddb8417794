-- The write side (README "Editing the catalogue"): API keys, the version every write bumps (ETags), and the
-- audit history written by the same transaction as the change it records.

-- API keys. Only a SHA-256 hash of the secret is stored; `key_id` is the public part of the key
-- (`sck_<key_id>_<secret>`) used to find the row, after which the hashes are compared in constant time.
CREATE TABLE api_keys (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key_id      text NOT NULL UNIQUE CHECK (key_id ~ '^[a-z0-9]{8,32}$'),
    name        text NOT NULL CHECK (name ~ '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$'),
    role        text NOT NULL CHECK (role IN ('editor', 'admin')),
    secret_hash bytea NOT NULL CHECK (length(secret_hash) = 32),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL,
    revoked_at  timestamptz
);
-- A name identifies its holder in the history: at most one live key per name.
CREATE UNIQUE INDEX api_keys_live_name ON api_keys (name) WHERE revoked_at IS NULL;

-- Every write bumps the version (the ETag) and the update time, whatever path it takes (API, import, SQL).
CREATE FUNCTION outlets_bump_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    RETURN NEW;
END $$;

CREATE TRIGGER outlets_bump_version BEFORE UPDATE ON outlets
    FOR EACH ROW EXECUTE FUNCTION outlets_bump_version();

-- The audit history: one row per changed outlet per statement, before and after, who and why.
-- `actor` and `action` come from the transaction-local settings `servicecircle.actor` / `servicecircle.action`
-- that the service sets (key name, e.g. "patch"); a change made by hand in SQL is recorded as `sql:<role>`.
-- No foreign key to outlets: history outlives a (hard) delete and must not block TRUNCATE.
CREATE TABLE outlet_history (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    outlet_id  bigint NOT NULL,
    version    integer NOT NULL,
    action     text NOT NULL,
    actor      text NOT NULL,
    -- clock_timestamp(): the moment of the change, so that a transaction that started earlier but wrote later
    -- (after waiting for the row lock) is still ordered after the change it waited for.
    changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    before     jsonb,
    after      jsonb
);
CREATE INDEX outlet_history_outlet ON outlet_history (outlet_id, changed_at, id);

-- The recorded form of an outlet: its editable fields (what the API's PUT takes), nothing derived.
CREATE FUNCTION outlet_snapshot(o outlets) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_build_object(
        'code', o.code, 'name', o.name, 'kind', o.kind, 'address', o.address, 'province', o.province,
        'city', o.city, 'district', o.district, 'district_code', o.district_code, 'phone', o.phone,
        'lat', o.lat, 'lon', o.lon, 'operating_state', o.operating_state,
        'businesses', to_jsonb(o.businesses), 'hours', o.hours)
$$;

CREATE FUNCTION outlet_history_actor() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('servicecircle.actor', true), ''), 'sql:' || session_user)
$$;

CREATE FUNCTION outlet_history_action(fallback text) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT coalesce(nullif(current_setting('servicecircle.action', true), ''), fallback)
$$;

CREATE FUNCTION record_outlet_inserts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outlet_history (outlet_id, version, action, actor, before, after)
    SELECT n.id, n.version, outlet_history_action('create'), outlet_history_actor(), NULL, outlet_snapshot(n)
      FROM new_rows n;
    RETURN NULL;
END $$;

CREATE FUNCTION record_outlet_updates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outlet_history (outlet_id, version, action, actor, before, after)
    SELECT n.id, n.version, outlet_history_action('update'), outlet_history_actor(), outlet_snapshot(o), outlet_snapshot(n)
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE outlet_snapshot(o) IS DISTINCT FROM outlet_snapshot(n);
    RETURN NULL;
END $$;

CREATE FUNCTION record_outlet_deletes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outlet_history (outlet_id, version, action, actor, before, after)
    SELECT o.id, o.version + 1, outlet_history_action('delete'), outlet_history_actor(), outlet_snapshot(o), NULL
      FROM old_rows o;
    RETURN NULL;
END $$;

CREATE TRIGGER outlets_history_insert AFTER INSERT ON outlets
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_outlet_inserts();
CREATE TRIGGER outlets_history_update AFTER UPDATE ON outlets
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION record_outlet_updates();
CREATE TRIGGER outlets_history_delete AFTER DELETE ON outlets
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION record_outlet_deletes();

-- Outlets that existed before this migration get a baseline entry, so `?as_of=` can answer for them.
INSERT INTO outlet_history (outlet_id, version, action, actor, changed_at, before, after)
SELECT o.id, o.version, 'baseline', 'migration:0007', o.updated_at, NULL, outlet_snapshot(o) FROM outlets o;
