import Foundation
import ServiceCircleDomain

/// The layers of `GET /v1/coverage.geojson?layer=`: each one geometry type (GeoPackage and shapefiles need that).
public enum CoverageLayer: String, CaseIterable, Sendable {
    /// Uncovered cells (Polygon).
    case cells
    /// Suggested sites (Point).
    case sites
    /// Outlets that counted (Point).
    case outlets
    /// The outlines of the area's regions (MultiPolygon).
    case boundary
}

/// The planners' coverage query, shared by the HTTP routes and `servicecircle coverage`: parameters are read by the
/// same parser (so the CLI refuses what the API refuses, with the same words), the area, demand and outlets come
/// from PostgreSQL, and the maths is ``CoverageAnalysis`` in the domain.
public struct CoverageService: Sendable {
    let regions: any RegionRepository
    let catalogue: any CatalogueRepository
    let calendar: CalendarCache
    let clock: any AppClock

    public init(deps: AppDependencies) {
        catalogue = deps.catalogue
        regions = deps.regions
        calendar = deps.calendar
        clock = deps.clock
    }

    /// What to analyse, as parsed from the parameters.
    public struct Request: Sendable {
        public enum Area: Sendable {
            case region(String)
            case bbox(Region.BoundingBox)
        }
        public var area: Area
        public var parameters: CoverageParameters
        /// `layer=` of the GeoJSON answer (nil: every layer in one collection).
        public var layer: CoverageLayer? = nil
    }

    /// The parameter names every coverage route takes.
    public static let parameterNames: Set<String> = ["region", "bbox", "business", "radius_m", "at", "during", "date", "min_open_minutes",
                                                      "cell_m", "k", "candidates", "exclude"]
    /// The GeoJSON route also takes `layer`.
    public static let geojsonParameterNames = parameterNames.union(["layer"])
    /// At most this many ids in `exclude`.
    public static let maxExclude = 1000

    /// Parses query parameters (name → values). `defaultK` is 0 for /v1/coverage and the map, 3 for the suggestions.
    public func parse(_ values: [String: [String]], defaultK: Int = 0, allowed: Set<String> = parameterNames) async throws -> Request {
        try await parse(QueryParameters(values: values, allowed: allowed), defaultK: defaultK)
    }

    /// Parses query parameters as read from a request's query string.
    package func parse(_ query: QueryParameters, defaultK: Int = 0) async throws -> Request {
        var p = query
        let cal = try await calendar.current()
        // Area: exactly one of region and bbox.
        var area: Request.Area?
        let region = p.string("region")
        let bboxItems = p.list("bbox")
        if region != nil && p.has("bbox") {
            p.fail("bbox", "give region or bbox, not both")
        } else if let region {
            if region.count != 6 || !region.allSatisfy({ $0.isASCII && $0.isNumber }) {
                p.fail("region", "'\(region)' is not a six-digit GB/T 2260 code")
            } else { area = .region(region) }
        } else if p.has("bbox") {
            let nums = bboxItems.map { DecimalText.double($0) }
            if nums.count != 4 || nums.contains(where: { $0 == nil || !$0!.isFinite }) {
                p.fail("bbox", "must be four numbers min_lon,min_lat,max_lon,max_lat (WGS-84 degrees, GeoJSON order)")
            } else {
                let (w, s, e, n) = (nums[0]!, nums[1]!, nums[2]!, nums[3]!)
                let maxSpan = CoverageParameters.maxBBoxDegrees
                if !(-180...180).contains(w) || !(-180...180).contains(e) || !(-90...90).contains(s) || !(-90...90).contains(n) {
                    p.fail("bbox", "out of range: longitudes within ±180, latitudes within ±90 (order min_lon,min_lat,max_lon,max_lat)")
                } else if w >= e || s >= n {
                    p.fail("bbox", "min_lon must be below max_lon and min_lat below max_lat (order min_lon,min_lat,max_lon,max_lat)")
                } else if e - w > maxSpan || n - s > maxSpan {
                    p.fail("bbox", "too large: at most \(maxSpan)° of longitude and of latitude (about 240 km × 275 km at 30° N); use region= for a whole city")
                } else {
                    area = .bbox(Region.BoundingBox(minLat: s, minLon: w, maxLat: n, maxLon: e))
                }
            }
        } else {
            p.fail("region", "is required: a region code (GET /v1/regions lists them), or bbox=min_lon,min_lat,max_lon,max_lat")
        }
        let businesses = p.codes("business", BusinessCode.self)
        if businesses.isEmpty && !p.has("business") { p.fail("business", "is required: one or more business codes, comma-separated") }
        let radius = p.double("radius_m", in: CoverageParameters.radiusRange) ?? CoverageParameters.defaultRadius
        let cell = p.double("cell_m", in: CoverageParameters.cellMetresRange) ?? CoverageParameters.defaultCellMetres
        let k = p.int("k", in: 0...CoverageParameters.maxSuggestions) ?? defaultK
        let minOpen = p.int("min_open_minutes", in: 1...720) ?? CoverageTime.defaultMinOpenMinutes
        // Time: exactly one of at and during.
        var time: CoverageTime?
        let at = p.instant("at")
        let during = p.code("during", CoverageWindow.self)
        let date = p.date("date")
        if p.has("at") && p.has("during") {
            p.fail("during", "give during or at, not both")
        } else if let at {
            if p.has("date") { p.fail("date", "applies to during only; at is already a date and time") }
            time = CoverageTime(at: at, calendar: cal, minOpenMinutes: minOpen)
        } else if let during {
            if let date {
                let info = cal.info(date)
                if during.accepts(info) { time = CoverageTime(window: during, date: date, calendar: cal, minOpenMinutes: minOpen) } else {
                    p.fail("date", "\(date) is a \(info.kind.rawValue) (\(weekdayName(date))); during=\(during.rawValue) needs \(during.dateRequirement)")
                }
            } else if let ref = during.referenceDate(onOrAfter: clock.now().localDate, calendar: cal) {
                time = CoverageTime(window: during, date: ref, calendar: cal, minOpenMinutes: minOpen)
            } else {
                p.fail("during", "no statutory holiday on or after \(clock.now().localDate) in the loaded calendar (to \(cal.last)); load the next year's schedule or pass date=")
            }
        } else if !p.has("at") && !p.has("during") {
            p.fail("during", "is required: one of \(CoverageWindow.allCases.map(\.rawValue).joined(separator: ", ")), or at=<RFC 3339 instant>")
        }
        var candidates = SiteCandidates.demand
        if let c = p.string("candidates") {
            switch SiteCandidates.parse(c) {
            case .success(let v): candidates = v
            case .failure(let e): p.fail(e.name, e.reason)
            }
        }
        let exclude = p.list("exclude")
        if exclude.count > Self.maxExclude { p.fail("exclude", "at most \(Self.maxExclude) ids") }
        for id in Set(exclude).sorted() where !Self.wellFormed(id, for: candidates) {
            p.fail("exclude", "'\(id)' is not a candidate id of candidates=\(candidates.text): \(Self.idForm(candidates))")
            break
        }
        let layer = p.code("layer", CoverageLayer.self)
        try p.check()
        // Unknown region: a 400 naming the parameter, like every other unknown code.
        if case .region(let code) = area, try await regions.region(code: code) == nil {
            throw DomainError.invalid("region", "unknown region code '\(code)'; GET /v1/regions lists the known ones")
        }
        guard let area, let time else { throw DomainError.invalid("region", "is required") }
        var parameters = CoverageParameters(businesses: businesses, radius: radius, time: time, cellMetres: cell, suggestions: k)
        parameters.candidates = candidates
        parameters.exclude = Array(Set(exclude)).sorted()
        return Request(area: area, parameters: parameters, layer: layer)
    }

    /// What the ids of a kind of candidate look like.
    static func idForm(_ c: SiteCandidates) -> String {
        switch c {
        case .demand: "demand point codes such as 420116-0001"
        case .grid: "lattice points such as grid:1000:12:-3 (as the suggestions name them)"
        case .outletKind: "outlet ids such as outlet:42"
        }
    }

    static func wellFormed(_ id: String, for c: SiteCandidates) -> Bool {
        func digits(_ s: Substring, signed: Bool = false) -> Bool {
            let body = signed && s.hasPrefix("-") ? s.dropFirst() : s
            return !body.isEmpty && body.count <= 9 && body.allSatisfy { $0.isASCII && $0.isNumber }
        }
        switch c {
        case .demand:
            let parts = id.split(separator: "-", omittingEmptySubsequences: false)
            return parts.count == 2 && parts[0].count == 6 && digits(parts[0]) && digits(parts[1])
        case .grid(let m):
            let parts = id.split(separator: ":", omittingEmptySubsequences: false)
            return parts.count == 4 && parts[0] == "grid" && Double(parts[1]) == m && digits(parts[1])
                && digits(parts[2], signed: true) && digits(parts[3], signed: true)
        case .outletKind:
            return id.hasPrefix("outlet:") && digits(id.dropFirst(7))
        }
    }

    func weekdayName(_ d: LocalDate) -> String { ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][d.isoWeekday - 1] }

    /// Map outlines are thinned to about 20 m (1.8e-4°), far below what a map at city scale shows.
    static let outlineSimplification = 0.000_2

    /// Runs a parsed request against the database.
    public func run(_ r: Request) async throws -> CoverageReport {
        let input = try await load(r)
        return CoverageAnalysis.run(area: input.area, demand: input.demand, outlets: input.outlets, parameters: r.parameters, sites: input.sites)
    }

    /// What the analysis reads from PostgreSQL: the area with its sub-regions, the demand, the candidate outlets.
    public struct Input: Sendable {
        public var area: CoverageArea
        public var demand: [AssignedDemand]
        public var outlets: [IndexedOutlet]
        /// Where suggestions may go, without the excluded ones (empty when k = 0).
        public var sites: [SiteCandidate]
    }

    public func load(_ r: Request) async throws -> Input {
        let calendar = try await calendar.current()
        let area: CoverageArea
        let demand: [AssignedDemand]
        switch r.area {
        case .region(let code):
            guard let region = try await regions.region(code: code, simplify: Self.outlineSimplification) else {
                throw DomainError.invalid("region", "unknown region code '\(code)'")
            }
            let children = try await regions.children(of: code, simplify: Self.outlineSimplification)
            let subs = children.isEmpty ? [region.region] : children.map(\.region)
            area = CoverageArea(kind: .region(region.region), subRegions: subs)
            demand = try await regions.demand(assignedTo: subs.map(\.code))
        case .bbox(let b):
            demand = try await regions.demand(in: b)
            var subs: [CoverageRegion] = []
            for code in Set(demand.compactMap(\.region)).sorted() {
                if let s = try await regions.region(code: code, simplify: Self.outlineSimplification) { subs.append(s.region) }
            }
            area = CoverageArea(kind: .bbox(b), subRegions: subs)
        }
        var outlets: [IndexedOutlet] = []
        if !demand.isEmpty {
            let lats = demand.map(\.point.location.lat), lons = demand.map(\.point.location.lon)
            let extent = Region.BoundingBox(minLat: lats.min()!, minLon: lons.min()!, maxLat: lats.max()!, maxLon: lons.max()!)
            let rows = try await regions.outlets(near: extent, radius: r.parameters.radius, businesses: r.parameters.businesses)
            // Hours compiled and rendered once per distinct (hours, businesses): the analysis then decides each once.
            var compiled: [CompiledHoursCache.Key: (CompiledHours, String)] = [:]
            for o in rows {
                let key = CompiledHoursCache.Key(hours: o.hours, businesses: o.businesses)
                let h = compiled[key] ?? (o.compiledHours(calendar: calendar), o.hours.textZh)
                compiled[key] = h
                outlets.append(IndexedOutlet(outlet: o, hours: h.0, hoursTextZh: h.1))
            }
        }
        let sites = r.parameters.suggestions > 0 ? try await sites(r, area: area, demand: demand) : []
        return Input(area: area, demand: demand, outlets: outlets, sites: sites)
    }

    /// The candidate sites of a request, inside the area (its sub-regions' boundaries, or the bbox), without the
    /// excluded ones; a 400 naming `exclude` for an id that is not a candidate, `candidates` for too fine a grid.
    func sites(_ r: Request, area: CoverageArea, demand: [AssignedDemand]) async throws -> [SiteCandidate] {
        let boundaries = area.subRegions.compactMap(\.boundary)
        let index = boundaries.isEmpty ? nil : PolygonIndex(boundaries)
        let box: Region.BoundingBox? = {
            switch area.kind {
            case .bbox(let b): return b
            case .region:
                var lats: [Double] = [], lons: [Double] = []
                for mp in boundaries { for poly in mp { for p in poly.first ?? [] { lats.append(p.lat); lons.append(p.lon) } } }
                if lats.isEmpty { lats = demand.map(\.point.location.lat); lons = demand.map(\.point.location.lon) }
                guard !lats.isEmpty else { return nil }
                return Region.BoundingBox(minLat: lats.min()!, minLon: lons.min()!, maxLat: lats.max()!, maxLon: lons.max()!)
            }
        }()
        func inside(_ p: GeoPoint) -> Bool {
            if case .bbox(let b) = area.kind {
                return p.lat >= b.minLat && p.lat <= b.maxLat && p.lon >= b.minLon && p.lon <= b.maxLon
            }
            return index.map { $0.feature(containing: p) != nil } ?? true
        }
        var all: [SiteCandidate]
        switch r.parameters.candidates {
        case .demand:
            all = demand.map(SiteCandidate.demandPoint)
        case .grid(let metres):
            guard let box else { all = []; break }
            guard let g = SiteCandidate.grid(metres: metres, bbox: box, boundaries: area.kind.isBBox ? [] : boundaries,
                                             limit: SiteCandidates.maxCandidates) else {
                throw DomainError.invalid("candidates", "grid:\(Int(metres)) gives more than \(SiteCandidates.maxCandidates) candidate sites in this area; use a wider spacing")
            }
            all = g
        case .outletKind(let kind):
            guard let box else { all = []; break }
            let rows = try await regions.outlets(near: box, radius: 0, businesses: [])
            all = rows.filter { $0.kind == kind && inside($0.location) }.map(SiteCandidate.outlet)
        }
        let excluded = Set(r.parameters.exclude)
        if !excluded.isEmpty {
            let known = Set(all.map(\.id))
            if let stray = excluded.sorted().first(where: { !known.contains($0) }) {
                throw DomainError.invalid("exclude", "'\(stray)' is not a candidate site of this query (candidates=\(r.parameters.candidates.text))")
            }
            all.removeAll { excluded.contains($0.id) }
        }
        return all
    }
}
