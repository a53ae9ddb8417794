import Foundation
import ServiceCircleApp
import ServiceCircleDomain

/// The bodies of the coverage answers (JSON, GeoJSON, SVG), shared by the routes and `servicecircle coverage`.
public enum CoverageOutput {
    public enum Format: String, CaseIterable, Sendable {
        case json, geojson, svg
    }

    public static func render(_ report: CoverageReport, as format: Format, suggestionsOnly: Bool = false, layer: CoverageLayer? = nil) -> [UInt8] {
        switch format {
        case .json: json(report, suggestionsOnly: suggestionsOnly).bytes
        case .geojson: geojson(report, layer: layer).bytes
        case .svg: Array(CoverageMap.svg(report).utf8)
        }
    }

    public static func contentType(_ format: Format) -> String {
        switch format {
        case .json: "application/json; charset=utf-8"
        case .geojson: "application/geo+json; charset=utf-8"
        case .svg: "image/svg+xml; charset=utf-8"
        }
    }

    /// Degrees to 1e-6 (about 0.1 m).
    static func deg(_ v: Double) -> Double { (v * 1e6).rounded() / 1e6 }

    static func percent(_ w: inout JSONWriter, _ v: Double?) { if let v { w.double(v) } else { w.null() } }

    static func totals(_ w: inout JSONWriter, _ t: CoverageTotals) {
        w.key("covered"); w.int(t.covered)
        w.key("covered_points"); w.int(t.coveredPoints)
        w.key("percent"); percent(&w, t.percent)
        w.key("points"); w.int(t.points)
        w.key("total"); w.int(t.population)
        w.key("uncovered"); w.int(t.uncovered)
    }

    static func ring(_ w: inout JSONWriter, _ ring: [GeoPoint]) {
        w.beginArray()
        for p in ring { w.beginArray(); w.double(deg(p.lon)); w.double(deg(p.lat)); w.endArray() }
        w.endArray()
    }

    static func query(_ w: inout JSONWriter, _ r: CoverageReport) {
        let p = r.parameters
        w.key("query")
        w.beginObject()
        w.key("bbox")
        if case .bbox(let b) = r.area.kind {
            w.beginArray(); w.double(b.minLon); w.double(b.minLat); w.double(b.maxLon); w.double(b.maxLat); w.endArray()
        } else { w.null() }
        w.key("businesses"); w.beginArray(); for b in p.businesses { w.string(b.rawValue) }; w.endArray()
        w.key("candidates"); w.string(p.candidates.text)
        w.key("cell_m"); w.double(p.cellMetres)
        w.key("exclude"); w.beginArray(); for e in p.exclude { w.string(e) }; w.endArray()
        w.key("k"); w.int(p.suggestions)
        w.key("radius_m"); w.double(p.radius)
        w.key("region")
        if case .region(let reg) = r.area.kind {
            w.beginObject()
            w.key("boundary_source"); w.optional(reg.boundarySource)
            w.key("code"); w.string(reg.code)
            w.key("name"); w.string(reg.name)
            w.key("parent_code"); w.optional(reg.parentCode)
            w.endObject()
        } else { w.null() }
        let t = p.time
        w.key("time")
        w.beginObject()
        w.key("at"); if t.window == nil { w.string(t.from.rfc3339) } else { w.null() }
        w.key("calendar_known"); w.bool(t.day.known)
        w.key("date"); w.string(t.day.date.description)
        w.key("day_kind"); w.string(t.day.kind.rawValue)
        w.key("during"); w.optional(t.window?.rawValue)
        w.key("holiday_name"); w.optional(t.day.nameZh)
        w.key("label_zh"); w.string(t.labelZh)
        w.key("min_open_minutes"); w.int(t.minOpenMinutes)
        w.key("window_end"); w.string(t.to.rfc3339)
        w.key("window_start"); w.string(t.from.rfc3339)
        w.endObject()
        w.endObject()
    }

    static func suggestions(_ w: inout JSONWriter, _ r: CoverageReport) {
        w.key("suggestions")
        w.beginArray()
        for s in r.suggestions {
            let c = s.candidate
            w.beginObject()
            w.key("added_population"); w.int(s.addedPopulation)
            w.key("candidate"); candidate(&w, c)
            w.key("covered_after"); w.int(s.coveredAfter)
            w.key("demand_point")
            if let a = s.at {
                let d = a.point
                w.beginObject()
                w.key("code"); w.string(d.code)
                w.key("kind"); w.string(d.kind.rawValue)
                w.key("name"); w.string(d.name)
                w.key("population"); w.int(d.population)
                w.key("region_code"); w.optional(a.region ?? d.regionCode)
                w.key("street"); w.string(d.street)
                w.endObject()
            } else { w.null() }
            w.key("location"); w.point(PointDTO(c.location))
            w.key("location_gcj02"); w.point(PointDTO(Datum.wgs84ToGcj02(c.location)))
            w.key("percent_after")
            percent(&w, r.totals.population > 0 ? (Double(s.coveredAfter) * 1000 / Double(r.totals.population)).rounded() / 10 : nil)
            w.key("rank"); w.int(s.rank)
            w.endObject()
        }
        w.endArray()
    }

    /// `{"id": "grid:1000:3:-2", "kind": "grid", "name": "", "outlet_code": null, "outlet_kind": null}`.
    static func candidate(_ w: inout JSONWriter, _ c: SiteCandidate) {
        w.beginObject()
        w.key("id"); w.string(c.id)
        w.key("kind"); w.string(c.kind.rawValue)
        w.key("name"); w.string(c.name)
        w.key("outlet_code"); w.optional(c.outletCode)
        w.key("outlet_kind"); w.optional(c.outletKind?.rawValue)
        w.endObject()
    }

    static let methodNote = "greedy maximal covering: k rounds, each adding the candidate (candidates=: the area's demand points by default, a grid, or outlets of a kind) that newly covers the most uncovered residents within radius_m; within 1-1/e of the optimum in the worst case (see README for the measured gap)"

    /// The JSON answer (keys sorted). With `suggestionsOnly` the cells and outlets are left out.
    static func json(_ r: CoverageReport, suggestionsOnly: Bool = false) -> JSONWriter {
        var w = JSONWriter(capacity: 64 * 1024)
        w.beginObject()
        w.key("headline_zh"); w.string(r.headlineZh)
        w.key("method"); w.string(methodNote)
        if !suggestionsOnly {
            w.key("outlets")
            w.beginArray()
            for o in r.outlets {
                w.beginObject()
                w.key("open_in_window")
                w.beginArray()
                for (a, b) in o.openIntervals { w.beginObject(); w.key("from"); w.string(a.rfc3339); w.key("to"); w.string(b.rfc3339); w.endObject() }
                w.endArray()
                w.key("outlet"); w.outletSummary(o.item)
                w.key("population_within_radius"); w.int(o.populationWithinRadius)
                w.endObject()
            }
            w.endArray()
            w.key("outlets_closed_in_window"); w.int(r.closedOutlets)
        }
        w.key("population"); w.beginObject(); totals(&w, r.totals); w.endObject()
        query(&w, r)
        w.key("regions")
        w.beginArray()
        for (reg, t) in r.breakdown {
            w.beginObject()
            w.key("boundary_source"); w.optional(reg?.boundarySource)
            w.key("code"); w.optional(reg?.code)
            w.key("name"); w.optional(reg?.name)
            w.key("parent_code"); w.optional(reg?.parentCode)
            w.key("population_reference"); w.optional(reg?.population)
            w.key("population_reference_estimated"); w.bool(reg?.populationEstimated ?? false)
            totals(&w, t)
            w.endObject()
        }
        w.endArray()
        suggestions(&w, r)
        if !suggestionsOnly {
            w.key("uncovered")
            w.beginObject()
            w.key("cell_area_km2"); w.double((r.grid.cellAreaKm2 * 1000).rounded() / 1000)
            w.key("cell_m"); w.double(r.parameters.cellMetres)
            w.key("features")
            w.beginArray()
            for c in r.cells { cellFeature(&w, c) }
            w.endArray()
            w.key("grid_origin"); w.point(PointDTO(r.grid.origin))
            w.key("type"); w.string("FeatureCollection")
            w.endObject()
        }
        w.endObject()
        return w
    }

    static func cellFeature(_ w: inout JSONWriter, _ c: UncoveredCell) {
        w.beginObject()
        w.key("geometry")
        w.beginObject()
        w.key("coordinates"); w.beginArray(); for r in PolygonRing.rfc7946([c.ring]) { ring(&w, r) }; w.endArray()
        w.key("type"); w.string("Polygon")
        w.endObject()
        w.key("id"); w.string(c.cell.id)
        w.key("properties")
        w.beginObject()
        w.key("centre"); w.point(PointDTO(c.centre))
        w.key("kind"); w.string("uncovered_cell")
        w.key("points"); w.int(c.points)
        w.key("population"); w.int(c.population)
        w.endObject()
        w.key("type"); w.string("Feature")
        w.endObject()
    }

    static func pointGeometry(_ w: inout JSONWriter, _ p: GeoPoint) {
        w.key("geometry")
        w.beginObject()
        w.key("coordinates"); w.beginArray(); w.double(deg(p.lon)); w.double(deg(p.lat)); w.endArray()
        w.key("type"); w.string("Point")
        w.endObject()
    }

    /// One GeoJSON FeatureCollection for GIS tools: without `layer`, uncovered cells, the outlets that counted and the
    /// suggested sites (`properties.kind` tells them apart); with `layer`, one of them, or the regions' outlines, so
    /// that every feature has one geometry type (GeoPackage, shapefiles). The figures in a `coverage` foreign member.
    static func geojson(_ r: CoverageReport, layer: CoverageLayer? = nil) -> JSONWriter {
        var w = JSONWriter(capacity: 64 * 1024)
        w.beginObject()
        w.key("coverage")
        w.beginObject()
        w.key("headline_zh"); w.string(r.headlineZh)
        w.key("layer"); w.optional(layer?.rawValue)
        w.key("population"); w.beginObject(); totals(&w, r.totals); w.endObject()
        query(&w, r)
        w.endObject()
        w.key("features")
        w.beginArray()
        if layer == nil || layer == .cells { for c in r.cells { cellFeature(&w, c) } }
        if layer == nil || layer == .outlets {
            for o in r.outlets {
                w.beginObject()
                pointGeometry(&w, o.item.outlet.location)
                w.key("id"); w.string("outlet:\(o.item.outlet.id.rawValue)")
                w.key("properties")
                w.beginObject()
                w.key("code"); w.string(o.item.outlet.code)
                w.key("kind"); w.string("outlet")
                w.key("name"); w.string(o.item.outlet.name)
                w.key("outlet_kind"); w.string(o.item.outlet.kind.rawValue)
                w.key("population_within_radius"); w.int(o.populationWithinRadius)
                w.endObject()
                w.key("type"); w.string("Feature")
                w.endObject()
            }
        }
        if layer == nil || layer == .sites {
            for s in r.suggestions {
                w.beginObject()
                pointGeometry(&w, s.candidate.location)
                w.key("id"); w.string("suggestion:\(s.rank)")
                w.key("properties")
                w.beginObject()
                w.key("added_population"); w.int(s.addedPopulation)
                w.key("candidate_id"); w.string(s.candidate.id)
                w.key("candidate_kind"); w.string(s.candidate.kind.rawValue)
                w.key("covered_after"); w.int(s.coveredAfter)
                w.key("kind"); w.string("suggested_site")
                w.key("name"); w.string(s.candidate.name)
                w.key("rank"); w.int(s.rank)
                w.key("street"); w.string(s.at?.point.street ?? "")
                w.endObject()
                w.key("type"); w.string("Feature")
                w.endObject()
            }
        }
        if layer == .boundary {
            for (reg, t) in r.breakdown {
                guard let reg, let b = reg.boundary, !b.isEmpty else { continue }
                w.beginObject()
                w.key("geometry")
                w.beginObject()
                w.key("coordinates")
                w.beginArray()
                for poly in PolygonRing.rfc7946(b) { w.beginArray(); for ring in poly { self.ring(&w, ring) }; w.endArray() }
                w.endArray()
                w.key("type"); w.string("MultiPolygon")
                w.endObject()
                w.key("id"); w.string("region:\(reg.code)")
                w.key("properties")
                w.beginObject()
                w.key("boundary_source"); w.optional(reg.boundarySource)
                w.key("code"); w.string(reg.code)
                w.key("covered"); w.int(t.covered)
                w.key("kind"); w.string("boundary")
                w.key("name"); w.string(reg.name)
                w.key("percent"); percent(&w, t.percent)
                w.key("population"); w.int(t.population)
                w.key("population_estimated"); w.bool(reg.populationEstimated)
                w.endObject()
                w.key("type"); w.string("Feature")
                w.endObject()
            }
        }
        w.endArray()
        w.key("type"); w.string("FeatureCollection")
        w.endObject()
        return w
    }
}
