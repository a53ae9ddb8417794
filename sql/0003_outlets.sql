-- The outlet catalogue. Location is WGS-84 geography so that distances are geodesic metres.
CREATE TABLE outlets (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$'),
    name            text NOT NULL CHECK (btrim(name) <> ''),
    kind            text NOT NULL REFERENCES outlet_kinds (code),
    address         text NOT NULL DEFAULT '',
    province        text NOT NULL CHECK (btrim(province) <> ''),
    city            text NOT NULL CHECK (btrim(city) <> ''),
    district        text NOT NULL CHECK (btrim(district) <> ''),
    -- GB/T 2260 six-digit administrative division code of the district the outlet lies in.
    district_code   text NOT NULL CHECK (district_code ~ '^[1-9][0-9]{5}$'),
    phone           text CHECK (phone IS NULL OR phone ~ '^[0-9+() -]{3,32}$'),
    -- WGS-84 degrees. Kept as plain columns because geography input silently wraps out-of-range
    -- coordinates (latitude 95 becomes 85), so a CHECK on the geography could never see the mistake.
    lat             double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon             double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    location        geography(Point, 4326) NOT NULL
                    GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED,
    operating_state text NOT NULL DEFAULT 'active'
                    CHECK (operating_state IN ('active', 'temporarily_closed', 'closed')),
    businesses      text[] NOT NULL DEFAULT '{}' CHECK (array_position(businesses, NULL) IS NULL),
    -- {"rules": [...], "exceptions": [...]} as DESIGN.md "Hours semantics"; validated by the service.
    hours           jsonb NOT NULL DEFAULT '{"rules": [], "exceptions": []}'
                    CHECK (jsonb_typeof(hours) = 'object' AND jsonb_typeof(hours -> 'rules') = 'array'),
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- What `q` searches: name, address and the administrative names, so "黄陂" finds outlets in 黄陂区.
    search_text     text GENERATED ALWAYS AS (name || ' ' || address || ' ' || province || ' ' || city || ' ' || district) STORED
);

-- Business codes live in an array (one row read per outlet on the hot path); a trigger keeps them
-- true to business_types, since a CHECK cannot consult another table.
CREATE FUNCTION outlets_check_businesses() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unknown text;
BEGIN
    SELECT b INTO unknown FROM unnest(NEW.businesses) AS b
     WHERE NOT EXISTS (SELECT 1 FROM business_types t WHERE t.code = b) LIMIT 1;
    IF unknown IS NOT NULL THEN
        RAISE EXCEPTION 'unknown business code: %', unknown USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER outlets_check_businesses BEFORE INSERT OR UPDATE OF businesses ON outlets
    FOR EACH ROW EXECUTE FUNCTION outlets_check_businesses();

CREATE INDEX outlets_location_gist ON outlets USING gist (location);
CREATE INDEX outlets_businesses_gin ON outlets USING gin (businesses);
CREATE INDEX outlets_kind ON outlets (kind, id);
CREATE INDEX outlets_district ON outlets (district_code, id);
CREATE INDEX outlets_city ON outlets (city, id);
CREATE INDEX outlets_search_trgm ON outlets USING gin (search_text gin_trgm_ops);
