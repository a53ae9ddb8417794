-- The State Council holiday schedules, one row per date of every loaded year (ordinary days included),
-- so that "is this date known?" is "is there a row?". Loaded from SeedData/calendar/*.csv by `seed`.
CREATE TABLE calendar_days (
    date     date PRIMARY KEY,
    day_kind text NOT NULL CHECK (day_kind IN ('holiday', 'makeup_workday', 'workday', 'restday')),
    name_zh  text,
    name_en  text,
    source   text,
    CHECK ((day_kind IN ('holiday', 'makeup_workday')) = (name_zh IS NOT NULL))
);

-- What the seed loader has loaded, by file and checksum, so that a restart loads nothing twice.
CREATE TABLE seed_loads (
    name      text PRIMARY KEY,
    checksum  text NOT NULL,
    rows      integer NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT now()
);
