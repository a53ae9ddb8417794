#!/usr/bin/env python3
"""Reports (does not fix) how the seed data sits on the real map; writes SeedData/boundaries/CHECK.md.

Run from the repository root, after scripts/make-boundaries.py (same virtual environment; see its first lines):

    .venv-tools/bin/python scripts/check-seed-geography.py [--census PATH] [--out PATH]

What it reads (files only; it builds and runs no Swift):
- SeedData/boundaries/regions.geojson (the seed regions' polygons, ≤ 30 m from the source) and
  national-districts.geojson (to say where a stray point actually lies).
- SeedData/outlets/*.jsonl: every outlet file the seed loader loads. `servicecircle generate-seed` writes the
  whole article catalogue (SeedGenerator.articleCatalogue) to articles.jsonl, so that file holds every seed outlet;
  the national catalogue (SeedGenerator.national, `generate-seed --count N`) is generated on demand for benchmarks
  and lives in no file: of it, this reports what the source states — the table of city centres.
- The anchors (SeedData/generator/anchors.csv: the points seed outlets and demand are scattered around, with their
  radii) and the national city centres (SeedData/generator/national-cities.csv).
- SeedData/demand/demand-points.csv and district-populations.csv, the census table and the development-zone shares
  the demand sums to (SeedData/demand/census-2020.csv, a copy of shared/data/census-2020-districts.csv, and
  zone-shares.csv) and SeedData/regions.csv.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections import defaultdict
from pathlib import Path

import numpy as np
import pyproj
import shapely
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "SeedData"
BOUNDARIES = SEED / "boundaries"
BORDERLINE_M = 30.0  # the seed polygons are within 30 m of the source: a point closer than that to the border is undecided


def load_features(path: Path) -> list[tuple[dict, object]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [(f["properties"], shape(f["geometry"])) for f in data["features"]]


class Locator:
    """Point-in-polygon over a layer, and distances in metres."""

    def __init__(self, features: list[tuple[dict, object]]):
        self.props = [p for p, _ in features]
        self.geoms = np.array([g for _, g in features], dtype=object)
        self.tree = shapely.STRtree(self.geoms)
        self.by_code = {p["adcode"]: g for p, g in features}
        for g in self.geoms:
            shapely.prepare(g)

    def which(self, lat: float, lon: float) -> dict | None:
        hits = self.tree.query(shapely.Point(lon, lat), predicate="intersects")
        return self.props[hits[0]] if len(hits) else None


def metres_outside(geom, lat: float, lon: float) -> float:
    """Distance in metres from the point to the polygon (0 inside), in a transverse Mercator centred on the point."""
    p = shapely.Point(lon, lat)
    if geom.intersects(p):
        return 0.0
    t = pyproj.Transformer.from_crs("EPSG:4326", f"+proj=tmerc +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m", always_xy=True)
    near = shapely.shortest_line(p, geom)
    (x0, x1), (y0, y1) = t.transform(*near.xy)
    return float(np.hypot(x1 - x0, y1 - y0))


def metres_inside(geom, lat: float, lon: float) -> float:
    """Distance in metres from a point inside the polygon to its border."""
    p = shapely.Point(lon, lat)
    t = pyproj.Transformer.from_crs("EPSG:4326", f"+proj=tmerc +lat_0={lat} +lon_0={lon} +ellps=WGS84 +units=m", always_xy=True)
    near = shapely.shortest_line(p, geom.boundary)
    (x0, x1), (y0, y1) = t.transform(*near.xy)
    return float(np.hypot(x1 - x0, y1 - y0))


def generator_table(name: str) -> list[list[str]]:
    """The data rows of SeedData/generator/NAME (header dropped), as lists of fields."""
    with open(SEED / "generator" / name, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))[1:]


def swift_table(name: str) -> str:
    """The text of `static let NAME = \"\"\" ... \"\"\"` wherever it is under Sources/ (empty if it is gone)."""
    for f in sorted((ROOT / "Sources").rglob("*.swift")):
        text = f.read_text(encoding="utf-8")
        m = re.search(r"static let " + name + r' = """\n(.*?)\n\s*"""', text, re.S)
        if m:
            return m.group(1)
    print(f"warning: no `static let {name}` table under Sources/; that section is empty")
    return ""


def table_rows(text: str) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        t = line.strip()
        if t and not t.startswith("#"):
            rows.append(t.split("|"))
    return rows


def fmt_int(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def pct(a: float, b: float | None) -> str:
    if not b:
        return "—"
    return f"{(a - b) / b * 100:+.1f} %"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_census = SEED / "demand/census-2020.csv"
    ap.add_argument("--census", type=Path, default=default_census)
    ap.add_argument("--boundaries", type=Path, default=BOUNDARIES, help="folder of the polygons (default SeedData/boundaries)")
    ap.add_argument("--out", type=Path, default=None, help="report file (default: CHECK.md in the boundaries folder)")
    args = ap.parse_args()
    boundaries = args.boundaries
    args.out = args.out or boundaries / "CHECK.md"

    seed = Locator(load_features(boundaries / "regions.geojson"))
    national = Locator(load_features(boundaries / "national-districts.geojson"))
    seed_districts = {p["adcode"]: p for p in seed.props if p["level"] == "district"}
    md: list[str] = []
    summary: list[str] = []

    def where(lat: float, lon: float) -> str:
        hit = seed.which(lat, lon)
        hit = hit if hit and hit["level"] == "district" else None
        hit = hit or national.which(lat, lon)
        return f"{hit['adcode']} {hit['name']}" if hit else "no district (sea or outside China)"

    # ---- Outlets ---------------------------------------------------------------------------------------------
    outlets = []
    files = sorted((SEED / "outlets").glob("*.jsonl"))
    for f in files:
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                o = json.loads(line)
                o["_file"] = f.name
                outlets.append(o)
    per_district: dict[str, list] = defaultdict(list)
    strays = []
    unknown = []
    for o in outlets:
        code = o["district_code"]
        geom = seed.by_code.get(code)
        if geom is None:
            unknown.append(o)
            continue
        d = metres_outside(geom, o["lat"], o["lon"])
        per_district[code].append(d)
        if d > 0:
            strays.append((o, d))
    md.append("## Seed outlets outside the polygon of their `district_code`\n")
    md.append(f"Files: {', '.join('`outlets/' + f.name + '`' for f in files)} — {len(outlets):,} outlets. "
              f"A point less than {BORDERLINE_M:.0f} m outside is within the polygons' simplification error "
              "(borderline); farther out it is outside the district as Amap draws it (the source of the polygons).\n")
    md.append("| district_code | district | outlets | inside | outside | of which borderline (< 30 m) | farthest outside m |")
    md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for code, p in seed_districts.items():
        ds = per_district.get(code, [])
        out = [d for d in ds if d > 0]
        md.append(f"| {code} | {p['name']} | {len(ds)} | {len(ds) - len(out)} | {len(out)} | "
                  f"{sum(1 for d in out if d < BORDERLINE_M)} | {max(out) if out else 0:,.0f} |")
    total_out = len(strays)
    far = [s for s in strays if s[1] >= BORDERLINE_M]
    md.append(f"| | **all** | **{len(outlets) - len(unknown)}** | **{len(outlets) - len(unknown) - total_out}** | "
              f"**{total_out}** | **{total_out - len(far)}** | |\n")
    if unknown:
        md.append(f"{len(unknown)} outlets carry a district_code with no polygon in `regions.geojson`: "
                  + ", ".join(sorted({o['district_code'] for o in unknown})) + "\n")
    if strays:
        md.append("Every outlet outside its district, farthest first:\n")
        md.append("| code | name | district_code | lat | lon | m outside | lies in |")
        md.append("| --- | --- | --- | ---: | ---: | ---: | --- |")
        for o, d in sorted(strays, key=lambda s: -s[1]):
            md.append(f"| {o['code']} | {o['name']} | {o['district_code']} {o['district']} | {o['lat']} | {o['lon']} | "
                      f"{d:,.0f} | {where(o['lat'], o['lon'])} |")
        md.append("")
    summary.append(f"- Outlets: {total_out} of {len(outlets) - len(unknown):,} seed outlets lie outside the polygon of "
                   f"their district_code ({len(far)} by 30 m or more, {total_out - len(far)} borderline)"
                   + (f"; {len(unknown)} have a code without polygon" if unknown else "") + ".")

    # ---- Anchors -----------------------------------------------------------------------------------------------
    anchors = generator_table("anchors.csv")
    md.append("## Anchors (`SeedData/generator/anchors.csv`)\n")
    md.append("Seed outlets are scattered uniformly within each anchor's radius (and demand communities around it), so "
              "an anchor outside its district, or one whose disc reaches over the border, puts points outside. "
              "Listed: every anchor outside its district, or less than its radius from the border.\n")
    md.append("| district | place | lat | lon | radius km | inside? | m to border | disc over border by m | point lies in |")
    md.append("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | --- |")
    bad_anchor = over = 0
    for a in anchors:
        code, place, _street, lat, lon, radius = a[0], a[1], a[2], float(a[3]), float(a[4]), float(a[5])
        geom = seed.by_code.get(code)
        if geom is None:
            continue
        out = metres_outside(geom, lat, lon)
        if out > 0:
            bad_anchor += 1
            md.append(f"| {code} {seed_districts[code]['name']} | {place} | {lat} | {lon} | {radius} | no ({out:,.0f} m out) | — | — | {where(lat, lon)} |")
        else:
            inside = metres_inside(geom, lat, lon)
            if inside < radius * 1000:
                over += 1
                md.append(f"| {code} {seed_districts[code]['name']} | {place} | {lat} | {lon} | {radius} | yes | {inside:,.0f} | "
                          f"{radius * 1000 - inside:,.0f} | |")
    md.append(f"\n{len(anchors)} anchors: {bad_anchor} outside their district, {over} more whose disc reaches over the border.\n")
    summary.append(f"- Anchors: {bad_anchor} of {len(anchors)} lie outside their district; {over} more have a scatter disc "
                   "reaching over the border.")

    # ---- National generator ----------------------------------------------------------------------------------
    cities = generator_table("national-cities.csv")
    nat_city = Locator(load_features(boundaries / "national-cities.geojson"))
    md.append("## National generator centres (`SeedData/generator/national-cities.csv`)\n")
    md.append("The national catalogue is not a file: its outlets are drawn around these centres (up to `maxKm` away) "
              "and carry the centre's code as district_code, so only the centres can be checked here. Each centre "
              "against the polygon of its code (a city, or for the few district/county codes, that district):\n")
    bad_centres = []
    for c in cities:
        code, name, lat, lon = c[0], c[1], float(c[3]), float(c[4])
        geom = nat_city.by_code.get(code) or national.by_code.get(code)
        if geom is None:
            bad_centres.append((code, name, lat, lon, None))
            continue
        d = metres_outside(geom, lat, lon)
        if d > 0:
            bad_centres.append((code, name, lat, lon, d))
    if bad_centres:
        md.append("| code | name | lat | lon | m outside | lies in |")
        md.append("| --- | --- | ---: | ---: | ---: | --- |")
        for code, name, lat, lon, d in bad_centres:
            lies = national.which(lat, lon)
            md.append(f"| {code} | {name} | {lat} | {lon} | {'no polygon with this code' if d is None else f'{d:,.0f}'} | "
                      f"{(lies['adcode'] + ' ' + lies['name'] + ' (' + lies['city'] + ')') if lies else 'no district'} |")
    md.append(f"\n{len(cities)} centres: {len(bad_centres)} outside the polygon of their code (the national layer is "
              "simplified to about a kilometre; see README).\n")
    summary.append(f"- National generator: {len(bad_centres)} of {len(cities)} city centres lie outside the polygon of their code.")

    # ---- Demand ------------------------------------------------------------------------------------------------
    with open(SEED / "demand/district-populations.csv", encoding="utf-8", newline="") as f:
        targets = {r["code"]: r for r in csv.DictReader(f)}
    census: dict[str, dict] = {}
    census_zones = []
    if args.census and args.census.exists():
        with open(args.census, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                if r["district_code"]:
                    census[r["district_code"]] = r
                else:
                    census_zones.append(r)
    shares: dict[str, list] = defaultdict(list)
    shares_file = SEED / "demand/zone-shares.csv"
    if shares_file.exists():
        with open(shares_file, encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                shares[r["district_code"]].append(r)
    points: dict[str, list] = defaultdict(list)
    with open(SEED / "demand/demand-points.csv", encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            points[r["region_code"]].append(r)
    md.append("## Demand points vs the 2020 census\n")
    md.append(f"`demand/demand-points.csv` summed per `region_code`, against the generator's target "
              f"(`demand/district-populations.csv`) and the census row (`{args.census.name if args.census else 'census file not found'}`). "
              "Δ is the demand sum against the census row plus the district's estimated shares of development zones "
              "(`demand/zone-shares.csv`; 0 where none). \"Outside\": points (and residents) whose coordinates lie outside "
              "the polygon of their region_code.\n")
    md.append("| code | district | points | residents in demand | generator target | how the target was made | census 2020 | zone shares (estimated) | Δ vs census + shares | points outside | residents outside | census note |")
    md.append("| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |")
    tot_pts = tot_out = tot_out_pop = 0
    off_by_10 = []
    exact = []
    by_city: dict[str, list] = defaultdict(list)
    for code, p in seed_districts.items():
        pts = points.get(code, [])
        pop = sum(int(r["population"]) for r in pts)
        geom = seed.by_code[code]
        outside = [r for r in pts if not geom.intersects(shapely.Point(float(r["lon"]), float(r["lat"])))]
        out_pop = sum(int(r["population"]) for r in outside)
        t = targets.get(code)
        c = census.get(code)
        cpop = int(c["pop_2020"]) if c and c["pop_2020"] else None
        zone = sum(int(z["residents"]) for z in shares.get(code, []))
        expected = cpop + zone if cpop is not None else None
        tot_pts += len(pts)
        tot_out += len(outside)
        tot_out_pop += out_pop
        if expected is not None and pop == expected:
            exact.append(p["name"])
        if expected and abs(pop - expected) > 0.1 * expected:
            off_by_10.append((code, p["name"], pop, expected))
        by_city[p["parent_adcode"]].append((pop, cpop, zone))
        method = (t["method"] if t else "not in file").replace("|", "/")
        md.append(f"| {code} | {p['name']} | {len(pts)} | {pop:,} | {fmt_int(int(t['population']) if t else None)} | {method} | "
                  f"{fmt_int(cpop)} | {fmt_int(zone) if zone else '—'} | {pct(pop, expected)} | {len(outside)} | {out_pop:,} | {(c['note'] if c else '').replace('|', '/')} |")
    md.append("")
    gaps = {}
    for city_code, name in (("420100", "武汉市"), ("130100", "石家庄市"), ("520100", "贵阳市")):
        rows = by_city.get(city_code, [])
        c = census.get(city_code)
        if not rows or not c:
            continue
        dsum = sum(r[0] for r in rows)
        csum = sum(r[1] or 0 for r in rows)
        zsum_city = sum(r[2] for r in rows)
        gaps[city_code] = int(c["pop_2020"]) - csum
        md.append(f"- {name}: the {len(rows)} districts in regions.csv hold {dsum:,} residents in demand: their census rows "
                  f"({csum:,}) plus {zsum_city:,} estimated residents of development zones"
                  f" ({pct(dsum, csum + zsum_city)} against that sum); the city's census total is {int(c['pop_2020']):,}, "
                  f"{int(c['pop_2020']) - csum - zsum_city:,} more than rows and shares together — "
                  + ("every district is covered, so they match the communiqué" if int(c['pop_2020']) == csum + zsum_city
                     else "the counties and districts the catalogue does not cover")
                  + f" ({c['note'] or c['source']}).")
    if census_zones:
        zones = "; ".join(f"{z['name']} {int(z['pop_2020']):,} ({z['note'].strip()})" for z in census_zones)
        zsum = sum(int(z["pop_2020"]) for z in census_zones)
        hanan = int(census["420113"]["pop_2020"]) if "420113" in census else 0
        if gaps.get("420100") == zsum - hanan:
            zones += (f" — together {zsum:,}, or {zsum - hanan:,} without 汉南区 (a sub-row of 武汉经开区): exactly what 武汉市's "
                      "total has beyond its 13 district rows")
        md.append(f"- Census rows with no GB/T 2260 code (development zones counted on their own): {zones}. By the notes "
                  "above, their residents live inside the legal boundaries (the polygons) of 洪山区, 江夏区, 武昌区 and 蔡甸区, "
                  "whose census rows leave them out; in 石家庄市 the census file's notes name the same case: 高新区 "
                  "(304,675) is in neither 长安区's nor 裕华区's row, 循环化工园区 (56,147) not in 藁城区's. The demand "
                  "adds each zone to the districts containing it by the estimated shares of `demand/zone-shares.csv` "
                  "(column \"zone shares\" above; those points say `estimated`), so the covered districts match the "
                  "communiqué where the city is wholly covered (武汉市).")
    md.append("")
    total_pop = sum(int(r["population"]) for code in seed_districts for r in points.get(code, []))
    summary.append(f"- Demand: {tot_pts:,} points ({total_pop:,} residents) in {len(seed_districts)} districts; {tot_out:,} points "
                   f"({tot_out_pop:,} residents) lie outside the polygon of their region_code. {len(exact)} districts sum exactly "
                   f"to their census row plus their estimated development-zone shares"
                   + (f" ({len(seed_districts) - len(exact)} do not: " + ", ".join(n for n in (p["name"] for c, p in seed_districts.items()) if n not in exact) + ")"
                      if len(exact) < len(seed_districts) else "")
                   + f"; {len(off_by_10)} differ from it by more than 10 %"
                   + (": " + ", ".join(f"{n} {pct(a, b)}" for _, n, a, b in off_by_10) if off_by_10 else "") + ".")

    # ---- regions.csv -------------------------------------------------------------------------------------------
    md.append("## regions.csv against the polygons\n")
    md.append("| adcode | name | centroid inside? | inside point inside? (m to border) | area_km2 (csv) | polygon km² | Δ area |")
    md.append("| --- | --- | --- | --- | ---: | ---: | ---: |")
    bad_inside = 0
    with open(SEED / "regions.csv", encoding="utf-8", newline="") as f:
        regions = list(csv.DictReader(f))
    rows_by_code = {p["adcode"]: p for p in seed.props}
    for r in regions:
        code = r["adcode"]
        geom = seed.by_code[code]
        clat, clon = float(r["centroid_lat_wgs84"]), float(r["centroid_lon_wgs84"])
        ilat, ilon = float(r["inside_lat_wgs84"]), float(r["inside_lon_wgs84"])
        c_out = metres_outside(geom, clat, clon)
        i_out = metres_outside(geom, ilat, ilon)
        if i_out > 0:
            bad_inside += 1
        laea = pyproj.Transformer.from_crs("EPSG:4326", f"+proj=laea +lat_0={clat} +lon_0={clon} +ellps=WGS84 +units=m", always_xy=True)
        area = shapely.transform(geom, lambda xy: np.column_stack(laea.transform(xy[:, 0], xy[:, 1]))).area / 1e6
        csv_area = float(r["area_km2"])
        md.append(f"| {code} | {r['name']} | {'yes' if c_out == 0 else f'no ({c_out:,.0f} m out)'} | "
                  f"{'yes (' + format(metres_inside(geom, ilat, ilon), ',.0f') + ' m)' if i_out == 0 else f'NO ({i_out:,.0f} m out)'} | "
                  f"{csv_area:,.1f} | {area:,.1f} | {pct(area, csv_area)} |")
    md.append("")
    summary.append(f"- regions.csv: {bad_inside} of {len(regions)} inside points lie outside their polygon.")
    del rows_by_code

    text = ("# Seed geography check (generated)\n\n"
            "Written by `scripts/check-seed-geography.py` from the files named below; it reports and fixes nothing. "
            "Polygons: `regions.geojson` (seed regions, ≤ 30 m from the source) and `national-*.geojson`.\n\n"
            "## Summary\n\n" + "\n".join(summary) + "\n\n" + "\n".join(md))
    args.out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
