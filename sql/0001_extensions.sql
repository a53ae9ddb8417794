-- Spatial types and geodesic distance; trigram search for Chinese names and addresses;
-- GiST support for scalar columns (exclusion constraints, combined indexes).
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gist;
