-- Real geography (issue 13): the land polygon of each seeded region, from SeedData/boundaries/regions.geojson
-- (WGS-84, written by scripts/make-boundaries.py), loaded by the seed step. The effective boundary is, in order:
-- an upload, this reference polygon, the approximation generated from the demand points.
ALTER TABLE regions ADD COLUMN geom geometry(MultiPolygon, 4326);
DROP INDEX IF EXISTS regions_boundary_gist;
ALTER TABLE regions DROP COLUMN boundary_source;
ALTER TABLE regions DROP COLUMN boundary;
ALTER TABLE regions ADD COLUMN boundary geometry(MultiPolygon, 4326)
    GENERATED ALWAYS AS (COALESCE(uploaded_boundary, geom, approx_boundary)) STORED;
ALTER TABLE regions ADD COLUMN boundary_source text GENERATED ALWAYS AS (
    CASE WHEN uploaded_boundary IS NOT NULL THEN 'uploaded'
         WHEN geom IS NOT NULL THEN 'reference'
         WHEN approx_boundary IS NOT NULL THEN 'approximate' END) STORED;
CREATE INDEX regions_boundary_gist ON regions USING gist (boundary);
