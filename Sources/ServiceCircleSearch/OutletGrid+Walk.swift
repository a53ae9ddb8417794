import ServiceCircleDomain
import Foundation

// The walk every part of an answer is made of. Its steps, in the order a walk takes them:
//   nearest      rings of cells around the query's cell, until the unread rings cannot hold anything better;
//   ringCells    a ring's cells that can hold something the walk wants, nearest-first by their bound (listCell);
//   scanCell     a cell's candidates, by cheap distance, into the scratch buffers;
//   rank         partial selection (withinReach), then each candidate's geodesic check and insertion (consider).

extension OutletGrid {
    /// One outlet found by a search, with its geodesic distance, its travel time and its hours verdict.
    struct Found {
        var distance: Double
        var id: Int64
        var slot: Int32
        var eta: Int
        var time: Nearest.TimeVerdict?
    }

    /// What one walk looks for and from where; fixed for the walk.
    struct Walk {
        let k: Int
        /// The query point with longitude 180 written -180: the ring margins are measured from the cell it falls in.
        let p: GeoPoint
        let cosLat: Double
        /// The point's cell.
        let row: Int
        let column: Int
        let beyond: Double?
        let upTo: Double
        /// Cheap-distance bounds of (`beyond`, `upTo`]: a candidate whose cheap distance is outside them is not in range.
        let lower: Double
        let upper: Double
        /// Degrees of latitude `upTo` spans, generously: a test before the cheap distance.
        let dLat: Double
        let want: Want
        let required: BusinessSet
        let kinds: [OutletKind]
        /// Near the poles the rings' lower bound grows too slowly to end the walk: the whole box of `upTo` around the
        /// point is read as a single ring instead.
        let polar: Bool

        init(k: Int, point: GeoPoint, beyond: Double?, upTo: Double, want: Want, _ q: NearestQuery) {
            self.k = k
            p = GeoPoint(lat: point.lat, lon: point.lon >= 180 ? point.lon - 360 : point.lon)
            cosLat = cos(p.lat * .pi / 180)
            row = OutletGrid.row(p.lat)
            column = OutletGrid.column(p.lon)
            self.beyond = beyond
            self.upTo = upTo
            lower = beyond.map(OutletGrid.looseBelow) ?? -1
            upper = OutletGrid.looseAbove(upTo)
            dLat = upTo / 110_574 * 1.01
            self.want = want
            required = q.required
            kinds = q.kinds
            polar = abs(p.lat) > 75
        }
    }

    /// The grid's tables as buffers, taken once per walk.
    struct Tables {
        let cells: UnsafeBufferPointer<Cell>
        let blockOf: UnsafeBufferPointer<Int32>
        let blockCells: UnsafeBufferPointer<Int32>
        let blockMasks: UnsafeBufferPointer<UInt64>
    }

    @inline(__always)
    func withTables<R>(_ body: (Tables) -> R) -> R {
        cells.withUnsafeBufferPointer { cs in
            blockOf.withUnsafeBufferPointer { bo in
                blockCells.withUnsafeBufferPointer { bc in
                    blockMasks.withUnsafeBufferPointer { bm in
                        body(Tables(cells: cs, blockOf: bo, blockCells: bc, blockMasks: bm))
                    }
                }
            }
        }
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
        let walk = Walk(k: k, point: point, beyond: beyond, upTo: upTo, want: want, v.q)
        var best: [Found] = []
        var filter = ClassFilter()
        // Scratch buffers live in the query's verdicts, so the several walks of one answer allocate them once.
        // The ring's cells with the least cheap distance any of their points can have; a cell's candidates as
        // (distance, index) pairs (sorting them moves a third of the bytes of sorting entries) and the entries.
        var cellList: [(bound: Double, cell: Int32)] = [], ring: [(approx: Double, at: Int32)] = [], candidates: [Entry] = []
        swap(&cellList, &v.scratchCells); swap(&ring, &v.scratchRing); swap(&candidates, &v.scratchEntries)
        defer {
            v.scratchCells = cellList; v.scratchRing = ring; v.scratchEntries = candidates
        }
        withTables { t in
            for ringNumber in 0..<(Self.columns / 2) {
                cellList.removeAll(keepingCapacity: true)
                if walk.polar {
                    if ringNumber > 0 { break }
                    forEachCell(within: upTo, of: walk.p) { cellList.append((0, $0)) }
                } else {
                    if ringNumber > 0 {
                        let bound = Self.ringBound(walk.p, pr: walk.row, pc: walk.column, k: ringNumber)
                        if bound > walk.upper || bound > Self.kthApprox(best, k) { break }
                    }
                    // Leaving the neighbourhood: when no class anywhere can be what `want` asks for, stop here.
                    if ringNumber == 3 && !admitsAny(allMask, want, &filter, &v) { break }
                    ringCells(ringNumber, walk, cutoff: min(walk.upper, Self.kthApprox(best, k)), t, &filter, &v, into: &cellList)
                }
                for (bound, cell) in cellList {
                    // Cells nearest-first: once the nearest point a cell could hold is beyond the k-th best, so is the rest.
                    let cutoff = min(walk.upper, Self.kthApprox(best, k))
                    if bound > cutoff { break }
                    scanCell(cell, walk, cutoff: cutoff, t, &filter, &v, into: &ring, &candidates)
                    rank(&ring, candidates, walk, into: &best, &v)
                }
            }
        }
        return best
    }

    /// The cheap distance beyond which nothing can beat the k-th best so far (none until there are k).
    @inline(__always)
    static func kthApprox(_ best: [Found], _ k: Int) -> Double { best.count < k ? .infinity : looseAbove(best[k - 1].distance) }

    /// Lists into `list` the cells of square ring `n` around the walk's cell that can hold something it wants nearer
    /// than `cutoff`, nearest-first by the least distance any of their points can have.
    @inline(__always)
    func ringCells(_ n: Int, _ walk: Walk, cutoff: Double, _ t: Tables, _ filter: inout ClassFilter, _ v: inout Verdicts,
                   into list: inout [(bound: Double, cell: Int32)]) {
        let pr = walk.row, pc = walk.column
        for r in (pr - n)...(pr + n) where r >= 0 && r < Self.rows {
            if r == pr - n || r == pr + n {
                for c in (pc - n)...(pc + n) { listCell(row: r, column: c, ring: n, walk, cutoff: cutoff, t, &filter, &v, into: &list) }
            } else {
                listCell(row: r, column: pc - n, ring: n, walk, cutoff: cutoff, t, &filter, &v, into: &list)
                // One column wraps onto the other only when a ring spans the globe.
                if ((pc + n) - (pc - n)) % Self.columns != 0 {
                    listCell(row: r, column: pc + n, ring: n, walk, cutoff: cutoff, t, &filter, &v, into: &list)
                }
            }
        }
        if list.count > 1 { list.sort { $0.bound < $1.bound } }
    }

    /// Lists the cell at (`row`, `column`) — `column` unwrapped, as the ring numbers it — with its bound, unless its
    /// block (on long walks) or itself holds no class the walk admits, or it lies beyond `cutoff`.
    @inline(__always)
    func listCell(row r: Int, column c: Int, ring n: Int, _ walk: Walk, cutoff: Double, _ t: Tables, _ filter: inout ClassFilter,
                  _ v: inout Verdicts, into list: inout [(bound: Double, cell: Int32)]) {
        let column = ((c % Self.columns) + Self.columns) % Self.columns
        let b = t.blockOf[(r / Self.blockSide) * Self.blockColumns + column / Self.blockSide]
        if b < 0 { return }
        // Blocks are tested on long walks only: near the point the cells' own masks decide, and a block holds far more
        // classes than the few cells read there.
        if n >= 3 && !admitsAny(t.blockMasks[Int(b) / (Self.blockSide * Self.blockSide)], walk.want, &filter, &v) { return }
        let cell = t.blockCells[Int(b) + (r % Self.blockSide) * Self.blockSide + column % Self.blockSide]
        if cell < 0 { return }
        // The cell's classes before its distance (at night most cells hold nothing open).
        if !admitsAny(t.cells[Int(cell)].mask, walk.want, &filter, &v) { return }
        let bound = Self.cellBound(walk.p, row: r, column: c, cutoff: cutoff)
        if bound <= cutoff { list.append((bound, cell)) }
    }

    /// Collects the candidates of `cell` into the scratch buffers: `candidates` the entries, `ring` their cheap
    /// distances with their index in `candidates`. A candidate is in a run whose class and businesses the walk admits,
    /// of the walk's kinds, with a cheap distance in (`walk.lower`, `cutoff`].
    @inline(__always)
    func scanCell(_ cell: Int32, _ walk: Walk, cutoff: Double, _ t: Tables, _ filter: inout ClassFilter, _ v: inout Verdicts,
                  into ring: inout [(approx: Double, at: Int32)], _ candidates: inout [Entry]) {
        ring.removeAll(keepingCapacity: true)
        candidates.removeAll(keepingCapacity: true)
        // The cell's classes first (ring cells were tested when listed; the polar box is tested here).
        guard admitsAny(t.cells[Int(cell)].mask, walk.want, &filter, &v) else { return }
        let p = walk.p
        t.cells[Int(cell)].runs.withUnsafeBufferPointer { runs in
            t.cells[Int(cell)].entries.withUnsafeBufferPointer { entries in
                for run in runs where run.businesses.isSuperset(of: walk.required) {
                    if run.hoursClass >= 0 && run.hoursClass < 63 {
                        if filter.admit & (1 << UInt64(run.hoursClass)) == 0 { continue }
                    } else if !admits(run, walk.want, &v) {
                        continue
                    }
                    for i in Int(run.start)..<Int(run.end) {
                        if abs(entries[i].lat - p.lat) > walk.dLat { continue }
                        if !walk.kinds.isEmpty && !walk.kinds.contains(entries[i].kind) { continue }
                        let approx = Self.approxDistance(from: p, cosLat: walk.cosLat, to: entries[i])
                        if approx > cutoff || approx <= walk.lower { continue }
                        ring.append((approx, Int32(candidates.count)))
                        candidates.append(entries[i])
                    }
                }
            }
        }
    }

    /// Ranks a cell's candidates into `best`, the k best so far by (geodesic distance, id). Only the candidates that
    /// can still matter are sorted (``withinReach(_:_:)``); they are read in cheap-distance order while their cheap
    /// distance could beat the k-th best, each checked and inserted by ``consider(_:_:into:_:)``; the others are
    /// sorted and read only when something was refused and they could still count.
    @inline(__always)
    func rank(_ ring: inout [(approx: Double, at: Int32)], _ candidates: [Entry], _ walk: Walk, into best: inout [Found],
              _ v: inout Verdicts) {
        if ring.isEmpty { return }
        let k = walk.k
        var part = 0..<Self.withinReach(&ring, k)
        Self.sortByApprox(&ring, part)
        while true {
            for (approx, at) in ring[part] {
                if approx > Self.kthApprox(best, k) { break }
                consider(candidates[Int(at)], walk, into: &best, &v)
            }
            // The rest (all farther than the first part) when something was refused and it could still count.
            guard part.upperBound < ring.count,
                  ring[part.upperBound...].contains(where: { $0.approx <= Self.kthApprox(best, k) }) else { break }
            part = part.upperBound..<ring.count
            Self.sortByApprox(&ring, part)
        }
    }

    /// Partial selection: with many candidates and a small k, moves to the front those within reach of the k cheapest
    /// (had all of those been accepted) and returns how many they are; otherwise every candidate counts.
    @inline(__always)
    static func withinReach(_ ring: inout [(approx: Double, at: Int32)], _ k: Int) -> Int {
        var split = ring.count
        guard k <= 16 && ring.count > 8 * k else { return split }
        var top = SIMD16<Double>(repeating: .infinity)   // the k smallest, ascending
        for c in ring where c.approx < top[k - 1] {
            var j = k - 1
            while j > 0 && top[j - 1] > c.approx { top[j] = top[j - 1]; j -= 1 }
            top[j] = c.approx
        }
        let reach = looseAbove(high(top[k - 1]))
        var i = 0
        while i < split {
            if ring[i].approx <= reach { i += 1 } else { split -= 1; ring.swapAt(i, split) }
        }
        return split
    }

    /// Sorts `ring[range]` by cheap distance in place (sorting the slice itself would copy it).
    @inline(__always)
    static func sortByApprox(_ ring: inout [(approx: Double, at: Int32)], _ range: Range<Int>) {
        ring.withUnsafeMutableBufferPointer { all in
            var part = UnsafeMutableBufferPointer(rebasing: all[range])
            part.sort { $0.approx < $1.approx }
        }
    }

    /// One candidate: its geodesic distance, checked against (`beyond`, `upTo`] and the k-th best, then its verdict
    /// (``accept(_:distance:_:_:)``); when it passes, inserted into `best` (sorted by (distance, id), at most k).
    @inline(__always)
    func consider(_ e: Entry, _ walk: Walk, into best: inout [Found], _ v: inout Verdicts) {
        let k = walk.k
        let d = Geodesy.distance(walk.p, GeoPoint(lat: e.lat, lon: e.lon))
        guard d <= walk.upTo else { return }
        if let beyond = walk.beyond, d <= beyond { return }
        if best.count == k, (d, e.id) >= (best[k - 1].distance, best[k - 1].id) { return }
        guard let f = accept(e, distance: d, walk.want, &v) else { return }
        var at = best.count
        while at > 0 && (best[at - 1].distance, best[at - 1].id) > (d, e.id) { at -= 1 }
        best.insert(f, at: at)
        if best.count > k { best.removeLast() }
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
