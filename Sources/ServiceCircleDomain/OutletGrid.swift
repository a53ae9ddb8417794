import Foundation

/// An outlet ready for the nearest-outlet search: the outlet and its hours compiled against the calendar.
/// One shared instance per outlet, so grid cells copy a reference, not the outlet.
public final class IndexedOutlet: Sendable {
    public let outlet: Outlet
    public let hours: CompiledHours
    public let businesses: BusinessSet
    /// The hours as Chinese text when already rendered (the read model renders each distinct hours once).
    public let hoursTextZh: String?
    /// Outlets with the same hours and businesses share a class (≥ 0), so a search tests "could it be open?"
    /// once per class instead of once per outlet; -1 puts the outlet in a class of its own. Ids are dense
    /// (0, 1, 2, ... as the read model numbers them): searches index arrays by them.
    public let hoursClass: Int
    public init(outlet: Outlet, hours: CompiledHours, hoursTextZh: String? = nil, hoursClass: Int = -1) {
        self.outlet = outlet
        self.hours = hours
        self.businesses = BusinessSet(outlet.businesses)
        self.hoursTextZh = hoursTextZh
        self.hoursClass = hoursClass
    }
}

/// The in-memory spatial index of the read model: active outlets bucketed in cells of 0.05° × 0.05°
/// (about 5.5 km × 4.8 km at 30° N), so a 5 km circle reads at most a handful of cells.
///
/// Distances are geodesic on WGS-84 (``Geodesy/distance(_:_:)``), the same as PostGIS
/// `ST_Distance(geography, geography, true)`, and results are ordered by (distance, id) — the PostGIS
/// path's order — so both paths give the same answers.
public struct OutletGrid: Sendable {
    public static let cellDegrees = 0.05
    static let columns = Int(360 / cellDegrees)   // 7200: longitude wraps
    static let rows = Int(180 / cellDegrees)

    struct Entry: Sendable {
        var id: Int64
        var lat: Double
        var lon: Double
        var cosLat: Double   // for the haversine, computed once
        var kind: OutletKind
        var item: IndexedOutlet
        init(_ item: IndexedOutlet) {
            let o = item.outlet
            id = o.id.rawValue
            lat = o.location.lat
            lon = o.location.lon
            cosLat = cos(o.location.lat * .pi / 180)
            kind = o.kind
            self.item = item
        }
    }

    /// Consecutive entries of a cell with the same hours class (so the same businesses and hours).
    struct Run: Sendable {
        var start: Int
        var end: Int
        var item: IndexedOutlet   // any member: its businesses and hours stand for the run
        var hoursClass: Int
    }

    /// The outlets of one cell, ordered by hours class, with the runs of each class.
    struct Cell: Sendable {
        var entries: [Entry] = []
        var runs: [Run] = []

        mutating func rebuildRuns() {
            entries.sort { ($0.item.hoursClass, $0.id) < ($1.item.hoursClass, $1.id) }
            runs.removeAll(keepingCapacity: true)
            var i = 0
            while i < entries.count {
                let cls = entries[i].item.hoursClass
                var j = i + 1
                if cls >= 0 { while j < entries.count && entries[j].item.hoursClass == cls { j += 1 } }
                runs.append(Run(start: i, end: j, item: entries[i].item, hoursClass: cls))
                i = j
            }
        }
    }

    var cells: [Int: Cell] = [:]
    var cellOf: [Int64: Int] = [:]

    public init() {}

    /// Builds the grid in one pass (each cell sorted once): the read model's full load.
    public init<S: Sequence>(_ items: S) where S.Element == IndexedOutlet {
        for item in items where item.outlet.operatingState == .active {
            let o = item.outlet
            let key = Self.key(row: Self.row(o.location.lat), column: Self.column(o.location.lon))
            if let old = cellOf.updateValue(key, forKey: o.id.rawValue) { cells[old]?.entries.removeAll { $0.id == o.id.rawValue } }
            cells[key, default: Cell()].entries.append(Entry(item))
        }
        for key in Array(cells.keys) {
            if cells[key]!.entries.isEmpty { cells[key] = nil } else { cells[key]!.rebuildRuns() }
        }
    }

    public var count: Int { cellOf.count }

    static func row(_ lat: Double) -> Int { min(rows - 1, max(0, Int(((lat + 90) / cellDegrees).rounded(.down)))) }
    static func column(_ lon: Double) -> Int {
        let c = Int(((lon + 180) / cellDegrees).rounded(.down)) % columns
        return c < 0 ? c + columns : c
    }
    static func key(row: Int, column: Int) -> Int { row * columns + column }

    /// Adds or replaces an outlet; outlets that are not active are removed instead (nearest serves only active ones).
    public mutating func upsert(_ item: IndexedOutlet) {
        remove(id: item.outlet.id.rawValue)
        guard item.outlet.operatingState == .active else { return }
        let o = item.outlet
        let key = Self.key(row: Self.row(o.location.lat), column: Self.column(o.location.lon))
        cells[key, default: Cell()].entries.append(Entry(item))
        cells[key]!.rebuildRuns()
        cellOf[o.id.rawValue] = key
    }

    public mutating func remove(id: Int64) {
        guard let key = cellOf.removeValue(forKey: id) else { return }
        cells[key]?.entries.removeAll { $0.id == id }
        if cells[key]?.entries.isEmpty == true { cells[key] = nil } else { cells[key]?.rebuildRuns() }
    }

    /// A candidate found by the cheap distance: haversine on a sphere of the mean radius, which errs by
    /// less than 0.6 % against the WGS-84 geodesic.
    struct Near {
        var approx: Double
        var item: IndexedOutlet
    }

    static let approxError = 0.006
    /// Mean radius of the sphere the cheap distance uses (that of PostGIS's sphere).
    static let metresPerRadian = 6_371_008.8

    /// The cheap distance from `p` (whose cos φ is `cosLat`) to an entry: haversine on the mean sphere.
    @inline(__always)
    static func approxDistance(from p: GeoPoint, cosLat: Double, to e: Entry) -> Double {
        let sLat = sin((e.lat - p.lat) * .pi / 360)
        let sLon = sin((e.lon - p.lon) * .pi / 360)
        let h = min(1, sLat * sLat + cosLat * e.cosLat * sLon * sLon)
        return 2 * asin(h.squareRoot()) * metresPerRadian
    }

    /// Upper bound of the approximate distance of anything whose geodesic distance is ≤ `d`.
    static func looseAbove(_ d: Double) -> Double { d * (1 + approxError) + 1 }
    /// Lower bound of the approximate distance of anything whose geodesic distance is > `d`.
    static func looseBelow(_ d: Double) -> Double { d * (1 - approxError) - 1 }

    /// One pass over the cells of a box that surely holds the circle: entries passing the filters whose
    /// approximate distance could put them within `radius` and beyond `beyond`.
    func scan(radius: Double, of p: GeoPoint, required: BusinessSet, kinds: [OutletKind], beyond: Double?) -> [Near] {
        // Degrees of latitude are ≥ 110,574 m, of longitude ≥ 111,320·cos φ at the box's worst latitude; 1 % slack.
        let dLat = radius / 110_574 * 1.01
        let lat0 = max(-90, p.lat - dLat), lat1 = min(90, p.lat + dLat)
        let worstCos = cos(min(89.9, max(abs(lat0), abs(lat1))) * .pi / 180)
        let dLon = radius / (111_320 * worstCos) * 1.01
        let r0 = Self.row(lat0), r1 = Self.row(lat1)
        let c0 = Int(((p.lon - dLon + 180) / Self.cellDegrees).rounded(.down))
        let c1 = Int(((p.lon + dLon + 180) / Self.cellDegrees).rounded(.down))
        // A box that reaches a pole holds every longitude.
        let allColumns = c1 - c0 + 1 >= Self.columns || lat0 <= -90 || lat1 >= 90
        let upper = Self.looseAbove(radius)
        let lower = beyond.map(Self.looseBelow) ?? -1
        let cosLat = cos(p.lat * .pi / 180)
        var out: [Near] = []
        for r in r0...r1 {
            for c in (allColumns ? 0...(Self.columns - 1) : c0...c1) {
                let column = ((c % Self.columns) + Self.columns) % Self.columns
                guard let cell = cells[Self.key(row: r, column: column)] else { continue }
                // Reading fields through the buffer touches an outlet's reference only when it is kept.
                cell.entries.withUnsafeBufferPointer { entries in
                    for run in cell.runs where run.item.businesses.isSuperset(of: required) {
                        for i in run.start..<run.end {
                            if abs(entries[i].lat - p.lat) > dLat { continue }
                            if !kinds.isEmpty && !kinds.contains(entries[i].kind) { continue }
                            let approx = Self.approxDistance(from: p, cosLat: cosLat, to: entries[i])
                            if approx > upper || approx <= lower { continue }
                            out.append(Near(approx: approx, item: entries[i].item))
                        }
                    }
                }
            }
        }
        return out
    }

    /// Active outlets within `radius` metres of `p` that offer every business in `required` and, when `kinds` is
    /// not empty, are of one of those kinds; only those farther than `beyond` when given; nearest first, ties by id.
    public func within(radius: Double, of p: GeoPoint, required: BusinessSet, kinds: [OutletKind] = [],
                       beyond: Double? = nil) -> [NearestCandidate] {
        var out: [NearestCandidate] = []
        for n in scan(radius: radius, of: p, required: required, kinds: kinds, beyond: beyond) {
            let d = Geodesy.distance(p, n.item.outlet.location)
            guard d <= radius else { continue }
            if let beyond, d <= beyond { continue }
            out.append(NearestCandidate(item: n.item, distance: d))
        }
        out.sort { ($0.distance, $0.id.rawValue) < ($1.distance, $1.id.rawValue) }
        return out
    }

    /// The whole answer to a nearest query from the index: results, opening-soon and, when fallbacks apply,
    /// the nearest outlet open at arrival out to ``NearestQuery/beyondRadiusLimit``.
    ///
    /// The same answer as ``Nearest/answer(inRadius:query:)`` over ``within(radius:of:required:kinds:beyond:)``
    /// (the grid tests compare them), computed lazily: candidates are taken in cheap-distance order and the
    /// exact geodesic is computed only where it can change the answer — for the outlets that end up listed,
    /// near a rank boundary, or near the radius.
    public func answer(_ q: NearestQuery) -> NearestAnswer {
        let near = scan(radius: q.radius, of: q.point, required: q.required, kinds: q.kinds, beyond: nil)
            .sorted { $0.approx < $1.approx }
        var exact = [Double](repeating: -1, count: near.count)
        func distance(_ i: Int) -> Double {
            if exact[i] < 0 { exact[i] = Geodesy.distance(q.point, near[i].item.outlet.location) }
            return exact[i]
        }
        // The bounds the cheap distance guarantees (see looseAbove/looseBelow).
        func low(_ i: Int) -> Double { (near[i].approx - 1) / (1 + Self.approxError) }
        func high(_ i: Int) -> Double { (near[i].approx + 1) / (1 - Self.approxError) }
        func inRadius(_ i: Int) -> Bool {
            if high(i) <= q.radius { return true }
            if low(i) > q.radius { return false }
            return distance(i) <= q.radius
        }
        func eta(_ i: Int) -> Int {
            if q.mode == .none { return 0 }
            let a = TravelEstimate.minutes(distanceMetres: max(0, low(i)), mode: q.mode)
            if a == TravelEstimate.minutes(distanceMetres: high(i), mode: q.mode) && low(i) > 0 { return a }
            return TravelEstimate.minutes(distanceMetres: distance(i), mode: q.mode)
        }
        // Outlets of one hours class arriving at the same minute share the verdict. Without travel everyone
        // arrives at `at`: an array by class id; with travel, a dictionary by (class, minutes).
        var memo: [Nearest.ClassArrival: Nearest.TimeVerdict] = [:]
        var memoNow: [Nearest.TimeVerdict?] = []
        func time(_ i: Int, eta: Int) -> Nearest.TimeVerdict {
            let cls = near[i].item.hoursClass
            if cls >= 0 {
                if eta == 0 {
                    if cls < memoNow.count, let t = memoNow[cls] { return t }
                } else if let t = memo[Nearest.ClassArrival(hoursClass: cls, eta: eta)] {
                    return t
                }
            }
            let t = Nearest.timeVerdict(near[i].item.hours, arrival: q.at.adding(minutes: eta), q)
            if cls >= 0 {
                if eta == 0 {
                    if cls >= memoNow.count { memoNow.append(contentsOf: repeatElement(nil, count: cls + 1 - memoNow.count)) }
                    memoNow[cls] = t
                } else {
                    memo[Nearest.ClassArrival(hoursClass: cls, eta: eta)] = t
                }
            }
            return t
        }
        /// The first `k` of `indices` (in cheap-distance order) by (geodesic distance, id), computing the
        /// geodesic only until no later index can enter the first k.
        func first(_ k: Int, of indices: [Int]) -> [Int] {
            var chosen: [Int] = []
            for i in indices {
                if chosen.count >= k, low(i) > distance(chosen[k - 1]) { break }
                _ = distance(i)
                chosen.append(i)
                chosen.sort { (exact[$0], near[$0].item.outlet.id.rawValue) < (exact[$1], near[$1].item.outlet.id.rawValue) }
                if chosen.count > k { chosen.removeLast() }
            }
            return chosen
        }

        // Results: the open outlets in the radius, by distance. Walk in cheap order; once `limit` are found,
        // only candidates whose lower bound does not exceed the limit-th distance can still enter.
        var open: [Int] = []
        var closed: [(index: Int, next: Instant, closes: Instant?, eta: Int)] = []
        var openTimes: [Int: (Instant?, Int?, Int)] = [:]
        var kth: Double = .infinity
        for i in near.indices {
            if open.count >= q.limit && low(i) > kth { break }
            guard inRadius(i) else { continue }
            let e = eta(i)
            switch time(i, eta: e) {
            case .open(let closes, let until):
                open.append(i)
                openTimes[i] = (closes, until, e)
                if open.count >= q.limit { kth = first(q.limit, of: open).last.map(distance) ?? .infinity }
            case .closed(let next, let closes):
                if let next { closed.append((i, next, closes, e)) }
            }
        }
        let results = first(q.limit, of: open).map { i -> NearestResult in
            let (closes, until, e) = openTimes[i]!
            return NearestResult(item: near[i].item, distance: distance(i), etaMinutes: e, arrivesAt: q.at.adding(minutes: e),
                                 closesAt: closes, openUntilMinutes: until)
        }
        guard results.count < q.limit else {
            return NearestAnswer(results: results, openingSoon: [], nearestOpenBeyondRadius: nil, fallbacksApplied: false)
        }
        // Fewer than `limit` open: every candidate was visited. Opening soon: by next opening, then distance.
        var soon: [OpeningSoon] = []
        let byNext = Dictionary(grouping: closed, by: \.next).sorted { $0.key < $1.key }
        for (_, group) in byNext where soon.count < q.limit {
            let info = Dictionary(uniqueKeysWithValues: group.map { ($0.index, $0) })
            for i in first(q.limit - soon.count, of: group.map(\.index)) {
                let c = info[i]!
                soon.append(OpeningSoon(item: near[i].item, distance: distance(i), etaMinutes: c.eta, nextOpensAt: c.next, closesAt: c.closes))
            }
        }
        var answer = NearestAnswer(results: results, openingSoon: soon, nearestOpenBeyondRadius: nil, fallbacksApplied: true)
        if q.radius < NearestQuery.beyondRadiusLimit {
            answer.nearestOpenBeyondRadius = nearestOpenBeyond(q)
        }
        return answer
    }

    /// The nearest (by geodesic distance, then id) outlet beyond the radius and within 50 km that is open at
    /// arrival — the PostGIS path's answer. Cells are read in square rings around the query's cell; a ring is
    /// read only while its lower-bound distance could still beat the best open outlet found, and the exact
    /// geodesic is computed only for candidates whose cheap distance could.
    func nearestOpenBeyond(_ q: NearestQuery) -> NearestResult? {
        let limit = NearestQuery.beyondRadiusLimit
        let upper = Self.looseAbove(limit), lower = Self.looseBelow(q.radius)
        let req = q.required
        // Longitude 180 is -180: the margins below are measured from the cell the point falls in.
        let p = GeoPoint(lat: q.point.lat, lon: q.point.lon >= 180 ? q.point.lon - 360 : q.point.lon)
        let cosLat = cos(p.lat * .pi / 180)
        let pr = Self.row(p.lat), pc = Self.column(p.lon)
        var best: NearestResult?
        // Near the poles the rings' lower bound grows too slowly to stop the walk: read the whole 50 km box
        // once instead, in cheap-distance order.
        /// Takes candidates sorted by cheap distance, keeping the best open one, until none can beat it.
        func walk(_ sorted: [Near]) {
            for n in sorted {
                if let b = best, n.approx > Self.looseAbove(b.distance) { break }
                // Without travel the arrival is the query instant: a closed outlet needs no distance.
                if q.mode == .none && !n.item.hours.isOpen(at: q.at, for: req) { continue }
                let d = Geodesy.distance(p, n.item.outlet.location)
                guard d > q.radius && d <= limit else { continue }
                if let b = best, (b.distance, b.outlet.id.rawValue) < (d, n.item.outlet.id.rawValue) { continue }
                if let r = Nearest.openAtArrival(NearestCandidate(item: n.item, distance: d), q) { best = r }
            }
        }
        if abs(p.lat) > 75 {
            walk(scan(radius: limit, of: p, required: req, kinds: q.kinds, beyond: q.radius).sorted { $0.approx < $1.approx })
            return best
        }
        var ring: [Near] = []
        // Whether a class could be open at anyone's arrival: its first opening at or after `at` comes no later
        // than the latest arrival (at + the travel time of 50 km). Decided once per class per query.
        let latestArrival = q.at.adding(minutes: TravelEstimate.minutes(distanceMetres: limit, mode: q.mode))
        var classVerdict: [Int8] = []   // by class id: 0 unknown, 1 could be open, 2 cannot
        func couldBeOpen(_ run: Run) -> Bool {
            let cls = run.hoursClass
            if cls >= 0 && cls < classVerdict.count && classVerdict[cls] != 0 { return classVerdict[cls] == 1 }
            let h = run.item.hours
            let v: Bool
            if h.isOpen(at: q.at, for: req) { v = true } else if let next = h.nextOpensAt(after: q.at, for: req) {
                v = next <= latestArrival
            } else { v = false }
            if cls >= 0 {
                if cls >= classVerdict.count { classVerdict.append(contentsOf: repeatElement(0, count: cls + 1 - classVerdict.count)) }
                classVerdict[cls] = v ? 1 : 2
            }
            return v
        }
        for k in 0..<(Self.columns / 2) {
            // Every point outside the rings already read is at least this far (haversine) from p.
            if k > 0 {
                let south = Double(pr - k + 1) * Self.cellDegrees - 90, north = Double(pr + k) * Self.cellDegrees - 90
                let west = Double(pc - k + 1) * Self.cellDegrees - 180, east = Double(pc + k) * Self.cellDegrees - 180
                let latMargin = min(p.lat - south, north - p.lat) * .pi / 180
                let lonMargin = min(p.lon - west, east - p.lon) * .pi / 180
                let maxLat = min(90, max(abs(p.lat - Double(k + 1) * Self.cellDegrees), abs(p.lat + Double(k + 1) * Self.cellDegrees)))
                let lonBound = 2 * asin(min(1, cos(maxLat * .pi / 180) * sin(lonMargin / 2)))
                let bound = min(latMargin, lonBound) * Self.metresPerRadian
                if bound > upper { break }
                if let b = best, bound > Self.looseAbove(b.distance) { break }
            }
            ring.removeAll(keepingCapacity: true)
            for r in (pr - k)...(pr + k) where r >= 0 && r < Self.rows {
                let edgeRow = r == pr - k || r == pr + k
                let columns = edgeRow ? Array((pc - k)...(pc + k)) : (k == 0 ? [pc] : [pc - k, pc + k])
                for c in columns {
                    let column = ((c % Self.columns) + Self.columns) % Self.columns
                    guard let cell = cells[Self.key(row: r, column: column)] else { continue }
                    for run in cell.runs where run.item.businesses.isSuperset(of: req) && couldBeOpen(run) {
                        cell.entries.withUnsafeBufferPointer { entries in
                            for i in run.start..<run.end {
                                if !q.kinds.isEmpty && !q.kinds.contains(entries[i].kind) { continue }
                                let approx = Self.approxDistance(from: p, cosLat: cosLat, to: entries[i])
                                if approx > upper || approx <= lower { continue }
                                ring.append(Near(approx: approx, item: entries[i].item))
                            }
                        }
                    }
                }
            }
            ring.sort { $0.approx < $1.approx }
            walk(ring)
        }
        return best
    }
}
