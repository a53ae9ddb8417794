import ServiceCircleDomain
import Foundation
import Synchronization

/// The in-memory spatial index of the read model: active outlets bucketed in cells of 0.025° × 0.025°
/// (about 2.8 km × 2.4 km at 30° N). At a million outlets a cell of a city centre holds a hundred or so
/// of one business, so the five nearest are usually found in the first ring of cells; 0.05° cells made the
/// daytime search 1.5× slower, and smaller ones lengthen the 50 km fallback walk.
///
/// Distances are geodesic on WGS-84 (``Geodesy/distance(_:_:)``), the same as PostGIS
/// `ST_Distance(geography, geography, true)`, and results are ordered by (distance, id) — the PostGIS
/// path's order — so both paths give the same answers.
///
/// Layout, for a search that touches no reference counts until it has chosen its outlets: a cell holds plain
/// values (position, id, kind, hours class, and the slot of the outlet in ``items``), ordered by hours class
/// with a run per class that carries the class's businesses; cells are found through a flat table of blocks of
/// 16 × 16 cells, with no hashing. Every search is a nearest-first walk of square rings of cells that stops
/// as soon as the unread rings cannot hold anything better — the radius results, each group of the
/// opening-soon list and the beyond-radius answer alike — and it tests a whole run of one hours class
/// ("open at arrival?") before reading its outlets. Each cell, each block and the whole grid carry a 64-bit mask
/// of the hours classes they hold: a walk skips a block or cell none of whose classes can be what it wants, and
/// a walk leaving the neighbourhood stops when no class anywhere can (at night, for most businesses).
public struct OutletGrid: Sendable {
    public static let cellDegrees = 0.025
    static let columns = Int(360 / cellDegrees)   // 14400: longitude wraps
    static let rows = Int(180 / cellDegrees)      // 7200
    static let blockSide = 16
    static let blockColumns = columns / blockSide  // 900
    static let blockRows = rows / blockSide        // 450

    struct Entry: Sendable {
        var lat: Double
        var lon: Double
        var cosLat: Double   // for the haversine, computed once
        var id: Int64
        var slot: Int32      // the outlet in `items`
        var hoursClass: Int32
        var kind: OutletKind
    }

    /// Consecutive entries of a cell with the same hours class (so the same businesses and hours).
    struct Run: Sendable {
        var start: Int32
        var end: Int32
        var hoursClass: Int32
        var slot: Int32      // any member: its hours stand for the run
        var businesses: BusinessSet
    }

    /// The outlets of one cell, ordered by hours class, with the runs of each class.
    struct Cell: Sendable {
        var entries: [Entry] = []
        var runs: [Run] = []
        /// Bit c for each class c in 0...62 present; bit 63 for any other class (≥ 63, or outlets of their own).
        var mask: UInt64 = 0

        mutating func rebuildRuns(_ items: [IndexedOutlet?]) {
            entries.sort { ($0.hoursClass, $0.id) < ($1.hoursClass, $1.id) }
            runs.removeAll(keepingCapacity: true)
            var i = 0
            while i < entries.count {
                let cls = entries[i].hoursClass
                var j = i + 1
                if cls >= 0 { while j < entries.count && entries[j].hoursClass == cls { j += 1 } }
                runs.append(Run(start: Int32(i), end: Int32(j), hoursClass: cls, slot: entries[i].slot,
                                businesses: items[Int(entries[i].slot)]!.businesses))
                i = j
            }
            mask = runs.reduce(0) { $0 | ($1.hoursClass >= 0 && $1.hoursClass < 63 ? 1 << UInt64($1.hoursClass) : 1 << 63) }
        }
    }

    /// By block (row-major, `blockRows × blockColumns`): the block's first index in `blockCells`, or -1.
    var blockOf: [Int32] = []
    /// 256 per allocated block: the index of the cell in `cells`, or -1.
    var blockCells: [Int32] = []
    /// Per allocated block (its `blockOf` value / 256): the union of its cells' class masks, so a walk skips a block
    /// none of whose classes can be what it wants without reading its cells (most of a 50 km walk at night).
    var blockMasks: [UInt64] = []
    /// The union of every block's mask (never shrinks: a superset is always safe).
    var allMask: UInt64 = 0
    var cells: [Cell] = []
    /// The outlets by slot; a removed outlet's slot is nil until reused.
    var items: [IndexedOutlet?] = []
    var freeSlots: [Int32] = []
    var slotOf: [Int64: Int32] = [:]
    /// Classes 0...62 as last inserted: what a class test needs without reading an outlet.
    var classes: [ClassInfo?] = Array(repeating: nil, count: 63)

    struct ClassInfo: Sendable {
        var businesses: BusinessSet
        var hours: CompiledHours
    }

    public init() {}

    /// Builds the grid in one pass (each cell sorted once): the read model's full load.
    public init<S: Sequence>(_ items: S) where S.Element == IndexedOutlet {
        var touched: [Int32] = []
        for item in items where item.outlet.operatingState == .active {
            removeEntry(id: item.outlet.id.rawValue, rebuild: false)
            let c = insertEntry(item)
            touched.append(c)
        }
        for c in Set(touched) { cells[Int(c)].rebuildRuns(self.items) }
        for b in blockMasks.indices { refreshBlock(b) }
    }

    public var count: Int { slotOf.count }

    static func row(_ lat: Double) -> Int { min(rows - 1, max(0, Int(((lat + 90) / cellDegrees).rounded(.down)))) }
    static func column(_ lon: Double) -> Int {
        let c = Int(((lon + 180) / cellDegrees).rounded(.down)) % columns
        return c < 0 ? c + columns : c
    }

    /// The cell at (row, column), or -1; `column` may be any integer (it wraps), `row` must be in range.
    @inline(__always)
    static func cellIndex(_ r: Int, _ c: Int, blockOf: UnsafeBufferPointer<Int32>, blockCells: UnsafeBufferPointer<Int32>) -> Int32 {
        let column = ((c % columns) + columns) % columns
        let b = blockOf[(r / blockSide) * blockColumns + column / blockSide]
        if b < 0 { return -1 }
        return blockCells[Int(b) + (r % blockSide) * blockSide + column % blockSide]
    }

    /// The cell for a location, created if missing.
    mutating func cell(lat: Double, lon: Double) -> Int32 {
        if blockOf.isEmpty { blockOf = [Int32](repeating: -1, count: Self.blockRows * Self.blockColumns) }
        let r = Self.row(lat), c = Self.column(lon)
        let bk = (r / Self.blockSide) * Self.blockColumns + c / Self.blockSide
        if blockOf[bk] < 0 {
            blockOf[bk] = Int32(blockCells.count)
            blockCells.append(contentsOf: repeatElement(-1, count: Self.blockSide * Self.blockSide))
            blockMasks.append(0)
        }
        let at = Int(blockOf[bk]) + (r % Self.blockSide) * Self.blockSide + c % Self.blockSide
        if blockCells[at] < 0 {
            blockCells[at] = Int32(cells.count)
            cells.append(Cell())
        }
        return blockCells[at]
    }

    mutating func insertEntry(_ item: IndexedOutlet) -> Int32 {
        let slot: Int32
        if let s = freeSlots.popLast() { slot = s; items[Int(s)] = item } else { slot = Int32(items.count); items.append(item) }
        let o = item.outlet
        slotOf[o.id.rawValue] = slot
        if item.hoursClass >= 0 && item.hoursClass < 63 {
            classes[item.hoursClass] = ClassInfo(businesses: item.businesses, hours: item.hours)
        }
        let c = cell(lat: o.location.lat, lon: o.location.lon)
        cells[Int(c)].entries.append(Entry(lat: o.location.lat, lon: o.location.lon, cosLat: cos(o.location.lat * .pi / 180),
                                           id: o.id.rawValue, slot: slot, hoursClass: Int32(item.hoursClass), kind: o.kind))
        return c
    }

    mutating func removeEntry(id: Int64, rebuild: Bool) {
        guard let slot = slotOf.removeValue(forKey: id), let item = items[Int(slot)] else { return }
        let c = Int(cell(lat: item.outlet.location.lat, lon: item.outlet.location.lon))
        cells[c].entries.removeAll { $0.id == id }
        items[Int(slot)] = nil
        freeSlots.append(slot)
        if rebuild {
            cells[c].rebuildRuns(items)
            refreshBlock(of: item.outlet.location)
        }
    }

    /// Adds or replaces an outlet; outlets that are not active are removed instead (nearest serves only active ones).
    public mutating func upsert(_ item: IndexedOutlet) {
        remove(id: item.outlet.id.rawValue)
        guard item.outlet.operatingState == .active else { return }
        let c = insertEntry(item)
        cells[Int(c)].rebuildRuns(items)
        refreshBlock(of: item.outlet.location)
    }

    /// Recomputes the mask of the block holding `p` from its cells.
    mutating func refreshBlock(of p: GeoPoint) {
        let b = blockOf[(Self.row(p.lat) / Self.blockSide) * Self.blockColumns + Self.column(p.lon) / Self.blockSide]
        if b >= 0 { refreshBlock(Int(b) / (Self.blockSide * Self.blockSide)) }
    }

    mutating func refreshBlock(_ b: Int) {
        let first = b * Self.blockSide * Self.blockSide
        var mask: UInt64 = 0
        for i in first..<(first + Self.blockSide * Self.blockSide) where blockCells[i] >= 0 { mask |= cells[Int(blockCells[i])].mask }
        blockMasks[b] = mask
        allMask |= mask
    }

    public mutating func remove(id: Int64) { removeEntry(id: id, rebuild: true) }

    static let approxError = 0.006
    /// Mean radius of the sphere the cheap distance uses (that of PostGIS's sphere).
    static let metresPerRadian = 6_371_008.8

    /// The cheap distance from `p` (whose cos φ is `cosLat`) to an entry: haversine on the mean sphere, which
    /// errs by less than 0.6 % against the WGS-84 geodesic.
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
    /// Bounds of the geodesic distance of an entry whose cheap distance is `approx`.
    static func low(_ approx: Double) -> Double { (approx - 1) / (1 + approxError) }
    static func high(_ approx: Double) -> Double { (approx + 1) / (1 - approxError) }

    /// One outlet found by a search, with its geodesic distance, its travel time and its hours verdict.
    struct Found {
        var distance: Double
        var id: Int64
        var slot: Int32
        var eta: Int
        var time: Nearest.TimeVerdict?
    }

    /// What a search looks for, tested per hours class before an outlet is read and per outlet after.
    enum Want: Equatable {
        /// Every outlet (offering the businesses, of the kinds).
        case all
        /// Open at arrival for the minimum service time.
        case open
        /// Closed at arrival with a next opening.
        case closed
        /// Closed at arrival with a next opening, among outlets in a class of their own.
        case closedSingletons
        /// Closed at arrival, next opening at this instant (without travel).
        case closedNext(Instant)
    }

    /// The classes a search admits, as bits (classes 0...62; bit 63 stands for every other class), decided lazily.
    struct ClassFilter {
        var known: UInt64 = 0
        var admit: UInt64 = 0
    }

    /// The `k` outlets nearest `p` — by geodesic distance, then id — with a distance in (`beyond`, `upTo`], of one of
    /// `kinds` (any when empty), offering `required`, that are what `want` asks for.
    ///
    /// Cells are read in square rings around the point's cell. Before a ring is read, the distance every point
    /// outside the rings already read is at least (on the sphere) is compared with the k-th best so far: once no
    /// unread cell can hold anything nearer, the search ends. A cell whose hours classes (a bit mask per cell)
    /// cannot be what `want` asks for is skipped unread; within a cell, a run of one class is tested once.
    /// Within a ring, cells are read nearest-first by the least distance any of their points can have, and a cell
    /// that cannot hold anything nearer than the k-th best is not read. Candidates are taken in cheap-distance
    /// order and the geodesic is computed only for those whose cheap distance could still beat the k-th best.
    func nearest(_ k: Int, to point: GeoPoint, beyond: Double?, upTo: Double, want: Want, _ v: inout Verdicts) -> [Found] {
        guard k > 0, !cells.isEmpty else { return [] }
        let required = v.q.required, kinds = v.q.kinds
        // Longitude 180 is -180: the margins below are measured from the cell the point falls in.
        let p = GeoPoint(lat: point.lat, lon: point.lon >= 180 ? point.lon - 360 : point.lon)
        let upper = Self.looseAbove(upTo)
        let lower = beyond.map(Self.looseBelow) ?? -1
        let dLat = upTo / 110_574 * 1.01
        let cosLat = cos(p.lat * .pi / 180)
        let pr = Self.row(p.lat), pc = Self.column(p.lon)
        var best: [Found] = []
        func kthApprox() -> Double { best.count < k ? .infinity : Self.looseAbove(best[k - 1].distance) }
        // Scratch buffers live in the query's verdicts, so the several walks of one answer allocate them once.
        // The ring's cells with the least cheap distance any of their points can have; a cell's candidates as
        // (distance, index) pairs (sorting them moves a third of the bytes of sorting entries).
        var cellList: [(bound: Double, cell: Int32)] = [], ring: [(approx: Double, at: Int32)] = [], ringEntries: [Entry] = []
        swap(&cellList, &v.scratchCells); swap(&ring, &v.scratchRing); swap(&ringEntries, &v.scratchEntries)
        defer {
            v.scratchCells = cellList; v.scratchRing = ring; v.scratchEntries = ringEntries
        }
        var filter = ClassFilter()

        // Near the poles the rings' lower bound grows too slowly to end the walk: read the whole box of
        // `upTo` around the point as a single ring instead.
        let polar = abs(p.lat) > 75

        for ringNumber in 0..<(Self.columns / 2) {
            cellList.removeAll(keepingCapacity: true)
            if polar {
                if ringNumber > 0 { break }
                forEachCell(within: upTo, of: p) { cellList.append((0, $0)) }
            } else {
                if ringNumber > 0 {
                    let bound = Self.ringBound(p, pr: pr, pc: pc, k: ringNumber)
                    if bound > upper || bound > kthApprox() { break }
                }
                if ringNumber == 3 {
                    // Leaving the neighbourhood: when no class anywhere can be what `want` asks for, stop here.
                    let pending = allMask & ~filter.known & ~(1 << 63)
                    if pending != 0 { decide(pending, want, &filter, &v) }
                    if allMask & filter.admit == 0 && allMask & (1 << 63) == 0 { break }
                }
                let cutoff = min(upper, kthApprox())
                cells.withUnsafeBufferPointer { cs in
                    blockOf.withUnsafeBufferPointer { bo in
                        blockCells.withUnsafeBufferPointer { bc in
                            blockMasks.withUnsafeBufferPointer { bm in
                                // The cell at (r, c) unless its block holds nothing the search admits or it lies too far.
                                func add(_ r: Int, _ c: Int) {
                                    let column = ((c % Self.columns) + Self.columns) % Self.columns
                                    let b = bo[(r / Self.blockSide) * Self.blockColumns + column / Self.blockSide]
                                    if b < 0 { return }
                                    // Blocks are tested on long walks only: near the point the cells' own masks decide, and
                                    // a block holds far more classes than the few cells read there.
                                    if ringNumber >= 3 {
                                        let mask = bm[Int(b) / (Self.blockSide * Self.blockSide)]
                                        let pending = mask & ~filter.known & ~(1 << 63)
                                        if pending != 0 { decide(pending, want, &filter, &v) }
                                        if mask & filter.admit == 0 && mask & (1 << 63) == 0 { return }
                                    }
                                    let ci = bc[Int(b) + (r % Self.blockSide) * Self.blockSide + column % Self.blockSide]
                                    if ci < 0 { return }
                                    // The cell's classes before its distance (at night most cells hold nothing open).
                                    let cellMask = cs[Int(ci)].mask
                                    let cellPending = cellMask & ~filter.known & ~(1 << 63)
                                    if cellPending != 0 { decide(cellPending, want, &filter, &v) }
                                    if cellMask & filter.admit == 0 && cellMask & (1 << 63) == 0 { return }
                                    let bound = Self.cellBound(p, row: r, column: c, cutoff: cutoff)
                                    if bound <= cutoff { cellList.append((bound, ci)) }
                                }
                                let kk = ringNumber
                                for r in (pr - kk)...(pr + kk) where r >= 0 && r < Self.rows {
                                    if r == pr - kk || r == pr + kk {
                                        for c in (pc - kk)...(pc + kk) { add(r, c) }
                                    } else {
                                        add(r, pc - kk)
                                        // One column wraps onto the other only when a ring spans the globe.
                                        if ((pc + kk) - (pc - kk)) % Self.columns != 0 { add(r, pc + kk) }
                                    }
                                }
                            }
                        }
                    }
                }
                if cellList.count > 1 { cellList.sort { $0.bound < $1.bound } }
            }
            for (bound, ci) in cellList {
                // Cells nearest-first: once the nearest point a cell could hold is beyond the k-th best, so is the rest.
                let cutoff = min(upper, kthApprox())
                if bound > cutoff { break }
                ring.removeAll(keepingCapacity: true)
                ringEntries.removeAll(keepingCapacity: true)
                cells.withUnsafeBufferPointer { cs in
                    // The cell's classes first (ring cells were tested when listed; the polar box is tested here).
                    let mask = cs[Int(ci)].mask
                    let pending = mask & ~filter.known & ~(1 << 63)
                    if pending != 0 { decide(pending, want, &filter, &v) }
                    if mask & filter.admit == 0 && mask & (1 << 63) == 0 { return }
                    cs[Int(ci)].runs.withUnsafeBufferPointer { runs in
                        cs[Int(ci)].entries.withUnsafeBufferPointer { entries in
                            for run in runs where run.businesses.isSuperset(of: required) {
                                if run.hoursClass >= 0 && run.hoursClass < 63 {
                                    if filter.admit & (1 << UInt64(run.hoursClass)) == 0 { continue }
                                } else if !admits(run, want, &v) {
                                    continue
                                }
                                for i in Int(run.start)..<Int(run.end) {
                                    if abs(entries[i].lat - p.lat) > dLat { continue }
                                    if !kinds.isEmpty && !kinds.contains(entries[i].kind) { continue }
                                    let approx = Self.approxDistance(from: p, cosLat: cosLat, to: entries[i])
                                    if approx > cutoff || approx <= lower { continue }
                                    ring.append((approx, Int32(ringEntries.count)))
                                    ringEntries.append(entries[i])
                                }
                            }
                        }
                    }
                }
                // Only the candidates that can still matter are sorted: with many candidates and a small k, those
                // within reach of the k cheapest (had all of those been accepted) first, the rest only if needed.
                var split = ring.count
                if k <= 16 && ring.count > 8 * k {
                    var top = SIMD16<Double>(repeating: .infinity)   // the k smallest, ascending
                    for c in ring where c.approx < top[k - 1] {
                        var j = k - 1
                        while j > 0 && top[j - 1] > c.approx { top[j] = top[j - 1]; j -= 1 }
                        top[j] = c.approx
                    }
                    let reach = Self.looseAbove(Self.high(top[k - 1]))
                    var i = 0
                    while i < split {
                        if ring[i].approx <= reach { i += 1 } else { split -= 1; ring.swapAt(i, split) }
                    }
                }
                // Sorted in place (sorting `ring[..<split]` directly would copy the slice).
                ring.withUnsafeMutableBufferPointer { all in
                    var head = UnsafeMutableBufferPointer(rebasing: all[..<split])
                    head.sort { $0.approx < $1.approx }
                }
                var part = 0..<split
                while true {
                    for (approx, at) in ring[part] {
                        if approx > kthApprox() { break }
                        let e = ringEntries[Int(at)]
                        let d = Geodesy.distance(p, GeoPoint(lat: e.lat, lon: e.lon))
                        guard d <= upTo else { continue }
                        if let beyond, d <= beyond { continue }
                        if best.count == k, (d, e.id) >= (best[k - 1].distance, best[k - 1].id) { continue }
                        guard let f = accept(e, distance: d, want, &v) else { continue }
                        var at = best.count
                        while at > 0 && (best[at - 1].distance, best[at - 1].id) > (d, e.id) { at -= 1 }
                        best.insert(f, at: at)
                        if best.count > k { best.removeLast() }
                    }
                    // The rest (all farther than the first part) when something was refused and it could still count.
                    guard part.upperBound < ring.count,
                          ring[part.upperBound...].contains(where: { $0.approx <= kthApprox() }) else { break }
                    part = part.upperBound..<ring.count
                    ring.withUnsafeMutableBufferPointer { all in
                        var rest = UnsafeMutableBufferPointer(rebasing: all[part])
                        rest.sort { $0.approx < $1.approx }
                    }
                }
            }
        }
        return best
    }

    /// The least cheap distance (haversine on the mean sphere) from `p` to any point of the cell at (`row`, `column`),
    /// `column` unwrapped as the ring walk numbers it: the latitude gap, or the longitude gap at the highest latitude
    /// involved (meridians converge), whichever is larger; a hair less for rounding.
    /// Stops at the latitude gap when that alone is beyond `cutoff`.
    static func cellBound(_ p: GeoPoint, row: Int, column: Int, cutoff: Double = .infinity) -> Double {
        let lat0 = Double(row) * cellDegrees - 90, lat1 = lat0 + cellDegrees
        let lon0 = Double(column) * cellDegrees - 180, lon1 = lon0 + cellDegrees
        let gapLat = max(0, lat0 - p.lat, p.lat - lat1)
        let gapLon = max(0, lon0 - p.lon, p.lon - lon1)
        var b = gapLat * .pi / 180
        if gapLon > 0 && max(0, b * metresPerRadian * (1 - 1e-9) - 0.01) <= cutoff {
            let maxLat = min(90, max(abs(p.lat), abs(lat0), abs(lat1)))
            b = max(b, 2 * asin(min(1, cos(maxLat * .pi / 180) * sin(min(gapLon, 180) * .pi / 360))))
        }
        return max(0, b * metresPerRadian * (1 - 1e-9) - 0.01)
    }

    /// Decides the classes of `bits` for a search.
    func decide(_ bits: UInt64, _ want: Want, _ filter: inout ClassFilter, _ v: inout Verdicts) {
        var rest = bits
        while rest != 0 {
            let c = rest.trailingZeroBitCount
            rest &= rest - 1
            let bit: UInt64 = 1 << UInt64(c)
            filter.known |= bit
            let info = classes[c]!
            guard info.businesses.isSuperset(of: v.q.required) else { continue }
            if classAdmits(cls: Int32(c), slot: -1, hours: info.hours, want, &v) { filter.admit |= bit }
        }
    }

    /// Whether a run can hold what `want` asks for (runs of classes outside the bit masks).
    func admits(_ run: Run, _ want: Want, _ v: inout Verdicts) -> Bool {
        // A class of its own is decided outlet by outlet.
        if run.hoursClass < 0 { return true }
        return classAdmits(cls: run.hoursClass, slot: run.slot, hours: nil, want, &v)
    }

    /// Whether outlets of a class (≥ 0) can be what `want` asks for, before their distances are known.
    func classAdmits(cls: Int32, slot: Int32, hours: CompiledHours?, _ want: Want, _ v: inout Verdicts) -> Bool {
        switch want {
        case .all, .closed: return true
        case .closedSingletons: return false
        case .open: return v.couldBeOpen(cls: cls, slot: slot, hours: hours)
        case .closedNext(let n):
            if case .closed(let next?, _) = v.time(cls: cls, slot: slot, hours: hours, eta: 0) { return next == n }
            return false
        }
    }

    /// The outlet's verdict at its arrival when it is what `want` asks for, else nil.
    func accept(_ e: Entry, distance d: Double, _ want: Want, _ v: inout Verdicts) -> Found? {
        let eta = TravelEstimate.minutes(distanceMetres: d, mode: v.q.mode)
        if want == .all { return Found(distance: d, id: e.id, slot: e.slot, eta: eta, time: nil) }
        let t = v.time(cls: e.hoursClass, slot: e.slot, hours: nil, eta: eta)
        let ok: Bool
        switch (want, t) {
        case (.open, .open): ok = true
        case (.closed, .closed(_?, _)): ok = true
        case (.closedSingletons, .closed(_?, _)): ok = e.hoursClass < 0
        case (.closedNext(let n), .closed(let next?, _)): ok = next == n
        default: ok = false
        }
        return ok ? Found(distance: d, id: e.id, slot: e.slot, eta: eta, time: t) : nil
    }

    /// Every point outside the square rings 0..<k around the query's cell is at least this far (haversine) from p.
    static func ringBound(_ p: GeoPoint, pr: Int, pc: Int, k: Int) -> Double {
        let south = Double(pr - k + 1) * cellDegrees - 90, north = Double(pr + k) * cellDegrees - 90
        let west = Double(pc - k + 1) * cellDegrees - 180, east = Double(pc + k) * cellDegrees - 180
        let latMargin = min(p.lat - south, north - p.lat) * .pi / 180
        let lonMargin = min(p.lon - west, east - p.lon) * .pi / 180
        let maxLat = min(90, max(abs(p.lat - Double(k + 1) * cellDegrees), abs(p.lat + Double(k + 1) * cellDegrees)))
        let lonBound = 2 * asin(min(1, cos(maxLat * .pi / 180) * sin(lonMargin / 2)))
        return min(latMargin, lonBound) * metresPerRadian
    }

    func item(_ slot: Int32) -> IndexedOutlet { items[Int(slot)]! }

    /// Active outlets within `radius` metres of `p` that offer every business in `required` and, when `kinds` is
    /// not empty, are of one of those kinds; only those farther than `beyond` when given; nearest first, ties by id.
    public func within(radius: Double, of p: GeoPoint, required: BusinessSet, kinds: [OutletKind] = [],
                       beyond: Double? = nil) -> [NearestCandidate] {
        let q = NearestQuery(point: p, businesses: BusinessCode.allCases.filter(required.contains), kinds: kinds, at: Instant(seconds: 0),
                             radius: radius)
        var v = Verdicts(grid: self, q: q, maxDistance: radius)
        return nearest(Int.max, to: p, beyond: beyond, upTo: radius, want: .all, &v)
            .map { NearestCandidate(item: item($0.slot), distance: $0.distance) }
    }

    /// Per-query verdicts of hours classes, so that outlets sharing hours and businesses are judged once per
    /// arrival minute. Outlets in a class of their own (-1) are judged each time.
    struct Verdicts {
        let items: [IndexedOutlet?]
        let q: NearestQuery
        var now: [Nearest.TimeVerdict?] = []          // by class, arrival = at
        var later: [Nearest.ClassArrival: Nearest.TimeVerdict] = [:]
        var could: [Int8] = []                        // by class: 0 unknown, 1 could be open before `latest`, 2 cannot
        /// The walks' buffers, reused by every walk of one answer.
        var scratchCells: [(bound: Double, cell: Int32)] = []
        var scratchRing: [(approx: Double, at: Int32)] = []
        var scratchEntries: [Entry] = []
        let latest: Instant

        init(grid: OutletGrid, q: NearestQuery, maxDistance: Double) {
            items = grid.items
            self.q = q
            latest = q.at.adding(minutes: TravelEstimate.minutes(distanceMetres: maxDistance, mode: q.mode))
        }

        /// The verdict for an arrival `eta` minutes after `at`; `hours` when the caller has them, else the outlet's in `slot`.
        mutating func time(cls: Int32, slot: Int32, hours: CompiledHours?, eta: Int) -> Nearest.TimeVerdict {
            let c = Int(cls)
            if c >= 0 {
                if eta == 0 { if c < now.count, let t = now[c] { return t } } else if let t = later[.init(hoursClass: c, eta: eta)] { return t }
            }
            let t = Nearest.timeVerdict(hours ?? items[Int(slot)]!.hours, arrival: q.at.adding(minutes: eta), q)
            if c >= 0 {
                if eta == 0 {
                    if c >= now.count { now.append(contentsOf: repeatElement(nil, count: c + 1 - now.count)) }
                    now[c] = t
                } else {
                    later[.init(hoursClass: c, eta: eta)] = t
                }
            }
            return t
        }

        /// Whether the class could be open at some arrival up to `latest`: its first opening at or after `at` comes
        /// no later. Without travel, exactly "open at `at` for the minimum service".
        mutating func couldBeOpen(cls: Int32, slot: Int32, hours: CompiledHours?) -> Bool {
            if q.mode == .none {
                if case .open = time(cls: cls, slot: slot, hours: hours, eta: 0) { return true }
                return false
            }
            let c = Int(cls)
            if c >= 0 && c < could.count && could[c] != 0 { return could[c] == 1 }
            let h = hours ?? items[Int(slot)]!.hours
            let v: Bool
            if h.isOpen(at: q.at, for: q.required) { v = true } else if let next = h.nextOpensAt(after: q.at, for: q.required) {
                v = next <= latest
            } else { v = false }
            if c >= 0 {
                if c >= could.count { could.append(contentsOf: repeatElement(0, count: c + 1 - could.count)) }
                could[c] = v ? 1 : 2
            }
            return v
        }
    }

    /// The whole answer to a nearest query from the index: results, opening-soon and, when fallbacks apply,
    /// the nearest outlet open at arrival out to ``NearestQuery/beyondRadiusLimit``.
    ///
    /// The same answer as ``Nearest/answer(inRadius:query:)`` over ``within(radius:of:required:kinds:beyond:)``
    /// followed by ``Nearest/firstOpen(_:_:)`` beyond the radius (the grid tests compare them).
    public func answer(_ q: NearestQuery) -> NearestAnswer {
        var v = Verdicts(grid: self, q: q, maxDistance: max(q.radius, NearestQuery.beyondRadiusLimit))
        let scratch = SearchScratch.take()
        swap(&v.scratchCells, &scratch.cells); swap(&v.scratchRing, &scratch.ring)
        swap(&v.scratchEntries, &scratch.entries); swap(&v.now, &scratch.now)
        defer {
            swap(&v.scratchCells, &scratch.cells); swap(&v.scratchRing, &scratch.ring)
            swap(&v.scratchEntries, &scratch.entries); swap(&v.now, &scratch.now)
            scratch.giveBack()
        }
        func result(_ f: Found) -> NearestResult {
            guard case .open(let closes, let until) = f.time else { preconditionFailure("an open result without an open verdict") }
            return NearestResult(item: item(f.slot), distance: f.distance, etaMinutes: f.eta, arrivesAt: q.at.adding(minutes: f.eta),
                                 closesAt: closes, openUntilMinutes: until)
        }
        let results = nearest(q.limit, to: q.point, beyond: nil, upTo: q.radius, want: .open, &v).map(result)
        guard results.count < q.limit else {
            return NearestAnswer(results: results, openingSoon: [], nearestOpenBeyondRadius: nil, fallbacksApplied: false)
        }
        var answer = NearestAnswer(results: results, openingSoon: openingSoon(q, &v), nearestOpenBeyondRadius: nil, fallbacksApplied: true)
        if q.radius < NearestQuery.beyondRadiusLimit {
            answer.nearestOpenBeyondRadius = nearest(1, to: q.point, beyond: q.radius, upTo: NearestQuery.beyondRadiusLimit,
                                                     want: .open, &v).first.map(result)
        }
        return answer
    }

    /// Outlets in the radius closed at arrival (or open too briefly), soonest next opening first, then nearest.
    func openingSoon(_ q: NearestQuery, _ v: inout Verdicts) -> [OpeningSoon] {
        func soon(_ f: Found) -> OpeningSoon {
            guard case .closed(let next?, let closes) = f.time else { preconditionFailure("opening soon without a next opening") }
            return OpeningSoon(item: item(f.slot), distance: f.distance, etaMinutes: f.eta, nextOpensAt: next, closesAt: closes)
        }
        func next(_ f: Found) -> Instant {
            if case .closed(let n?, _) = f.time { return n }
            preconditionFailure("opening soon without a next opening")
        }
        guard q.mode == .none else {
            // With travel the verdict depends on each outlet's arrival: read the whole circle.
            let all = nearest(Int.max, to: q.point, beyond: nil, upTo: q.radius, want: .closed, &v)
            return all.sorted { (next($0), $0.distance, $0.id) < (next($1), $1.distance, $1.id) }.prefix(q.limit).map(soon)
        }
        // Without travel a class's next opening is one instant: take the distinct next openings of the classes in
        // the circle's cells in order and, for each, the nearest outlets opening then, until the list is full.
        // Outlets in classes of their own have an instant each: one read of the circle finds theirs.
        var nexts: [Instant] = []   // sorted and made distinct below
        func note(_ n: Instant) { nexts.append(n) }
        var singletons = false
        // Classes 0...62 straight from the cells' masks, each decided once; the runs are read only in cells holding others.
        var seen: UInt64 = 0
        cells.withUnsafeBufferPointer { cs in
            forEachCell(within: q.radius, of: q.point) { ci in
                let mask = cs[Int(ci)].mask
                var fresh = mask & ~seen & ~(1 << 63)
                seen |= fresh
                while fresh != 0 {
                    let c = fresh.trailingZeroBitCount
                    fresh &= fresh - 1
                    let info = classes[c]!
                    guard info.businesses.isSuperset(of: q.required) else { continue }
                    if case .closed(let n?, _) = v.time(cls: Int32(c), slot: -1, hours: info.hours, eta: 0) { note(n) }
                }
                guard mask & (1 << 63) != 0 else { return }
                cs[Int(ci)].runs.withUnsafeBufferPointer { runs in
                    for run in runs where run.businesses.isSuperset(of: q.required) && (run.hoursClass < 0 || run.hoursClass >= 63) {
                        if run.hoursClass < 0 { singletons = true; continue }
                        if case .closed(let n?, _) = v.time(cls: run.hoursClass, slot: run.slot, hours: nil, eta: 0) { note(n) }
                    }
                }
            }
        }
        if singletons {
            for f in nearest(Int.max, to: q.point, beyond: nil, upTo: q.radius, want: .closedSingletons, &v) { note(next(f)) }
        }
        var out: [OpeningSoon] = []
        nexts.sort()
        var previous: Instant?
        for n in nexts where out.count < q.limit && n != previous {
            previous = n
            out.append(contentsOf: nearest(q.limit - out.count, to: q.point, beyond: nil, upTo: q.radius, want: .closedNext(n), &v).map(soon))
        }
        return out
    }

    /// Calls `body` with every cell that could hold points within `radius` of `p`.
    func forEachCell(within radius: Double, of point: GeoPoint, _ body: (Int32) -> Void) {
        guard !cells.isEmpty else { return }
        let p = GeoPoint(lat: point.lat, lon: point.lon >= 180 ? point.lon - 360 : point.lon)
        let dLat = radius / 110_574 * 1.01
        let lat0 = max(-90, p.lat - dLat), lat1 = min(90, p.lat + dLat)
        let worstCos = cos(min(89.9, max(abs(lat0), abs(lat1))) * .pi / 180)
        let dLon = radius / (111_320 * worstCos) * 1.01
        let c0 = Int(((p.lon - dLon + 180) / Self.cellDegrees).rounded(.down))
        let c1 = Int(((p.lon + dLon + 180) / Self.cellDegrees).rounded(.down))
        let allColumns = c1 - c0 + 1 >= Self.columns || lat0 <= -90 || lat1 >= 90
        blockOf.withUnsafeBufferPointer { bo in
            blockCells.withUnsafeBufferPointer { bc in
                for r in Self.row(lat0)...Self.row(lat1) {
                    for c in (allColumns ? 0...(Self.columns - 1) : c0...c1) {
                        let ci = Self.cellIndex(r, c, blockOf: bo, blockCells: bc)
                        if ci >= 0 { body(ci) }
                    }
                }
            }
        }
    }
}
