import Foundation

/// A region as the coverage answer reports it.
public struct CoverageRegion: Hashable, Sendable {
    public var code: String
    public var name: String
    public var parentCode: String?
    /// The figure of regions.csv (census, or estimate when `populationEstimated`).
    public var population: Int?
    public var populationEstimated: Bool
    /// `uploaded`, `reference` (the land polygon of SeedData/boundaries/regions.geojson) or `approximate` (generated
    /// from the demand points); nil when the region has no boundary.
    public var boundarySource: String?
    /// The boundary (polygons of rings of WGS-84 points), when known.
    public var boundary: MultiPolygon?

    public init(code: String, name: String, parentCode: String?, population: Int?, populationEstimated: Bool,
                boundarySource: String?, boundary: MultiPolygon?) {
        self.code = code
        self.name = name
        self.parentCode = parentCode
        self.population = population
        self.populationEstimated = populationEstimated
        self.boundarySource = boundarySource
        self.boundary = boundary
    }
}

/// What a coverage query analyses.
public struct CoverageArea: Sendable {
    /// A region (`region=`), or a bounding box (`bbox=`).
    public enum Kind: Sendable {
        case region(CoverageRegion)
        case bbox(Region.BoundingBox)

        public var isBBox: Bool { if case .bbox = self { true } else { false } }
    }
    public var kind: Kind
    /// The regions whose population is broken down: a district's own row, a city's districts, or the regions the
    /// demand points of a bbox are assigned to.
    public var subRegions: [CoverageRegion]

    public init(kind: Kind, subRegions: [CoverageRegion]) {
        self.kind = kind
        self.subRegions = subRegions
    }

    /// The region's name, or the bbox in figures.
    public var nameZh: String {
        switch kind {
        case .region(let r): r.name
        case .bbox(let b): "\(b.minLat),\(b.minLon)–\(b.maxLat),\(b.maxLon)"
        }
    }
}

/// A demand point with the region its position falls in (by the regions' boundaries; nil: in none).
public struct AssignedDemand: Sendable {
    public var point: DemandPoint
    public var region: String?
    public init(point: DemandPoint, region: String?) {
        self.point = point
        self.region = region
    }
}

/// Polygons, each a list of rings (exterior first), each a closed list of WGS-84 points (GeoJSON MultiPolygon).
public typealias MultiPolygon = [[[GeoPoint]]]

/// Everything a coverage query needs besides the data: businesses, radius, time, cells, suggestions.
public struct CoverageParameters: Sendable {
    public var businesses: [BusinessCode]
    public var radius: Double
    public var time: CoverageTime
    public var cellMetres: Double
    /// Suggested new sites wanted (0: none).
    public var suggestions: Int
    /// Where suggested sites may go (`candidates=`), and candidate ids ruled out (`exclude=`).
    public var candidates: SiteCandidates = .demand
    public var exclude: [String] = []

    public static let defaultRadius = 5_000.0
    public static let radiusRange = 100.0...50_000.0
    public static let defaultCellMetres = 1_000.0
    /// Hexagon edge bounds: below 100 m a cell holds a building, not a neighbourhood; above 20 km it holds a county.
    public static let cellMetresRange = 100.0...20_000.0
    public static let maxSuggestions = 20
    /// A bbox may span at most this many degrees of latitude and of longitude (about 275 km × 240 km at 30° N):
    /// a city and its surroundings, which is what one planner's question is about.
    public static let maxBBoxDegrees = 2.5

    public init(businesses: [BusinessCode], radius: Double = defaultRadius, time: CoverageTime,
                cellMetres: Double = defaultCellMetres, suggestions: Int = 0) {
        self.businesses = businesses
        self.radius = radius
        self.time = time
        self.cellMetres = cellMetres
        self.suggestions = suggestions
    }
}

/// An outlet that counted: open for the businesses in the window and within the radius of some demand of the area.
public struct CountedOutlet: Sendable {
    public var item: IndexedOutlet
    /// Its open intervals inside the window.
    public var openIntervals: [(Instant, Instant)]
    /// Residents of the area within the radius.
    public var populationWithinRadius: Int
}

/// Uncovered residents in one hexagonal cell.
public struct UncoveredCell: Sendable {
    public var cell: HexGrid.Cell
    public var ring: [GeoPoint]
    public var centre: GeoPoint
    public var population: Int
    public var points: Int
}

/// A suggested new site (greedy maximal covering).
public struct SuggestedSite: Sendable {
    public var rank: Int
    /// The candidate the site is placed at (a demand point, a lattice point or an outlet).
    public var candidate: SiteCandidate
    /// The demand point, when the candidate is one.
    public var at: AssignedDemand? { candidate.demand }
    public var addedPopulation: Int
    /// Covered residents once this and the earlier suggestions are added.
    public var coveredAfter: Int
}

/// Totals of a coverage answer.
public struct CoverageTotals: Sendable {
    public var population: Int
    public var covered: Int
    public var points: Int
    public var coveredPoints: Int
    /// Residents at demand points whose figure is an estimate (`estimated` in the demand files), not census-based.
    public var estimated: Int = 0
    public var uncovered: Int { population - covered }
    /// Covered share in percent, one decimal; nil when nobody lives in the area.
    public var percent: Double? { population > 0 ? (Double(covered) * 1000 / Double(population)).rounded() / 10 : nil }
}

/// The answer to a coverage query.
public struct CoverageReport: Sendable {
    public var area: CoverageArea
    public var parameters: CoverageParameters
    public var totals: CoverageTotals
    /// Per sub-region: the region (nil for demand in no region) and its totals.
    public var breakdown: [(region: CoverageRegion?, totals: CoverageTotals)]
    public var outlets: [CountedOutlet]
    /// Active outlets offering the businesses near the area that did not count (closed in the window).
    public var closedOutlets: Int
    public var grid: HexGrid
    public var cells: [UncoveredCell]
    /// Covered residents binned the same way (the map shows them lightly).
    public var coveredCells: [UncoveredCell] = []
    public var suggestions: [SuggestedSite]

    /// The headline of the map, e.g. `周六 黄陂区 电动自行车登记上牌 五公里覆盖率 71.3%`.
    public var headlineZh: String {
        let business = parameters.businesses.map(\.nameZh).joined(separator: "、")
        let pct = totals.percent.map { String(format: "%.1f%%", $0) } ?? "—"
        return "\(parameters.time.labelZh) \(area.nameZh) \(business) \(Self.radiusZh(parameters.radius))覆盖率 \(pct)"
    }

    /// `五公里` for 5000, `2.5公里` for 2500, `800米` for 800.
    public static func radiusZh(_ r: Double) -> String {
        let digits = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
        if r >= 1000 {
            let km = r / 1000
            if km == km.rounded() && km <= 10 { return digits[Int(km)] + "公里" }
            if km == km.rounded() { return "\(Int(km))公里" }
            return String(format: "%g公里", km)
        }
        return "\(Int(r.rounded()))米"
    }
}

/// The coverage analysis: who lives within `radius` of an outlet that is open for the businesses in the window.
public enum CoverageAnalysis {
    /// An outlet candidate: the outlet with its hours compiled against the calendar.
    public typealias Candidate = IndexedOutlet

    /// Runs the analysis. `demand` is the area's demand (already filtered to the area); `outlets` are active outlets
    /// offering the businesses within `radius` of the area (others are ignored by distance anyway).
    ///
    /// `sites` are where suggestions may go (already without the excluded ones); nil: the demand points, without
    /// `parameters.exclude`.
    public static func run(area: CoverageArea, demand: [AssignedDemand], outlets: [Candidate],
                           parameters p: CoverageParameters, sites: [SiteCandidate]? = nil) -> CoverageReport {
        let required = BusinessSet(p.businesses)
        // Which outlets are open long enough in the window: decided once per distinct compiled hours.
        var verdicts: [ObjectIdentifier: [(Instant, Instant)]?] = [:]
        var open: [(Candidate, [(Instant, Instant)])] = []
        var closed = 0
        for o in outlets where o.outlet.operatingState == .active && o.businesses.isSuperset(of: required) {
            let key = ObjectIdentifier(o.hours)
            let v: [(Instant, Instant)]?
            if let cached = verdicts[key] { v = cached } else {
                v = p.time.countingIntervals(o.hours, required: required)
                verdicts[key] = v
            }
            if let v { open.append((o, v)) } else { closed += 1 }
        }

        // Coverage: each demand point against the open outlets.
        let demandIndex = PointIndex(demand.map(\.point.location))
        var covered = [Bool](repeating: false, count: demand.count)
        var counted: [CountedOutlet] = []
        for (o, intervals) in open {
            var pop = 0
            demandIndex.forEach(within: p.radius, of: o.outlet.location) { i in
                covered[i] = true
                pop += demand[i].point.population
            }
            if pop > 0 { counted.append(CountedOutlet(item: o, openIntervals: intervals, populationWithinRadius: pop)) }
        }
        counted.sort { ($0.populationWithinRadius, -$0.item.outlet.id.rawValue) > ($1.populationWithinRadius, -$1.item.outlet.id.rawValue) }

        func totals(_ idx: [Int]) -> CoverageTotals {
            var t = CoverageTotals(population: 0, covered: 0, points: idx.count, coveredPoints: 0)
            for i in idx {
                t.population += demand[i].point.population
                if demand[i].point.estimated { t.estimated += demand[i].point.population }
                if covered[i] { t.covered += demand[i].point.population; t.coveredPoints += 1 }
            }
            return t
        }
        let all = Array(demand.indices)
        let byRegion = Dictionary(grouping: all, by: { demand[$0].region ?? "" })
        var breakdown: [(CoverageRegion?, CoverageTotals)] = area.subRegions.map { r in (r, totals(byRegion[r.code] ?? [])) }
        let known = Set(area.subRegions.map(\.code))
        let outside = all.filter { !known.contains(demand[$0].region ?? "") }
        if !outside.isEmpty { breakdown.append((nil, totals(outside))) }

        // Uncovered residents binned in hexagons.
        let centre: GeoPoint = {
            switch area.kind {
            case .bbox(let b): return GeoPoint(lat: (b.minLat + b.maxLat) / 2, lon: (b.minLon + b.maxLon) / 2)
            case .region:
                guard !demand.isEmpty else { return GeoPoint(lat: 0, lon: 0) }
                let lats = demand.map(\.point.location.lat), lons = demand.map(\.point.location.lon)
                return GeoPoint(lat: (lats.min()! + lats.max()!) / 2, lon: (lons.min()! + lons.max()!) / 2)
            }
        }()
        let grid = HexGrid(size: p.cellMetres, around: centre)
        func binned(_ uncovered: Bool) -> [UncoveredCell] {
            var bins: [HexGrid.Cell: (pop: Int, n: Int)] = [:]
            for i in all where covered[i] != uncovered {
                let c = grid.cell(demand[i].point.location)
                bins[c, default: (0, 0)].pop += demand[i].point.population
                bins[c, default: (0, 0)].n += 1
            }
            return bins.keys.sorted().map { c in
                UncoveredCell(cell: c, ring: grid.ring(c), centre: grid.centre(c), population: bins[c]!.pop, points: bins[c]!.n)
            }
        }
        let cells = binned(true)
        let coveredCells = binned(false)

        // Suggestions: candidates are the area's demand points (or the given sites); elements the uncovered points.
        var suggestions: [SuggestedSite] = []
        if p.suggestions > 0 {
            let uncoveredIdx = all.filter { !covered[$0] }
            let excluded = Set(p.exclude)
            let sites = sites ?? demand.filter { !excluded.contains($0.point.code) }.map(SiteCandidate.demandPoint)
            if !uncoveredIdx.isEmpty && !sites.isEmpty {
                let (sets, weights) = coverSets(candidates: sites.map(\.location),
                                                elements: uncoveredIdx.map { demand[$0].point.location },
                                                weights: uncoveredIdx.map { demand[$0].point.population }, radius: p.radius)
                var running = totals(all).covered
                for (rank, pick) in MaximalCovering.greedy(sets: sets, weights: weights, k: p.suggestions).enumerated() {
                    running += pick.gain
                    suggestions.append(SuggestedSite(rank: rank + 1, candidate: sites[pick.candidate], addedPopulation: pick.gain, coveredAfter: running))
                }
            }
        }
        return CoverageReport(area: area, parameters: p, totals: totals(all), breakdown: breakdown, outlets: counted,
                              closedOutlets: closed, grid: grid, cells: cells, coveredCells: coveredCells, suggestions: suggestions)
    }

    /// For each candidate site, the elements within `radius` of it (geodesic): the sets of the covering problem.
    public static func coverSets(candidates: [GeoPoint], elements: [GeoPoint], weights: [Int], radius: Double) -> (sets: [[Int]], weights: [Int]) {
        let index = PointIndex(elements)
        let sets = candidates.map { c -> [Int] in
            var s: [Int] = []
            index.forEach(within: radius, of: c) { s.append($0) }
            return s.sorted()
        }
        return (sets, weights)
    }
}
