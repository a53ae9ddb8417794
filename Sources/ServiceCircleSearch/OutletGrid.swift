import ServiceCircleDomain
import Foundation

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
///
/// This file holds the storage and its updates; the walk is in `OutletGrid+Walk.swift`, the cheap distance and the
/// bounds it stops on in `OutletGrid+Distance.swift`, the tests of hours classes in `Verdicts.swift`, the answer to a
/// query (results, opening soon, beyond the radius) in `OutletGrid+Answer.swift`, and what searches remember across
/// searches (per hours class, per outlet) in `SearchMemo.swift`.
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

        mutating func rebuildRuns(_ items: [Slot?]) {
            entries.sort { ($0.hoursClass, $0.id) < ($1.hoursClass, $1.id) }
            runs.removeAll(keepingCapacity: true)
            var i = 0
            while i < entries.count {
                let cls = entries[i].hoursClass
                var j = i + 1
                if cls >= 0 { while j < entries.count && entries[j].hoursClass == cls { j += 1 } }
                runs.append(Run(start: Int32(i), end: Int32(j), hoursClass: cls, slot: entries[i].slot,
                                businesses: items[Int(entries[i].slot)]!.item.businesses))
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
    var items: [Slot?] = []
    var freeSlots: [Int32] = []
    var slotOf: [Int64: Int32] = [:]
    /// Classes 0...62 as last inserted: what a class test needs without reading an outlet.
    var classes: [ClassInfo?] = Array(repeating: nil, count: 63)
    /// The memos of every class seen, by class id (``SearchMemo``): shared by the copies of the grid that searches
    /// read, so a copy made for a change keeps what the searches before it remembered.
    var classMemos: [ClassMemo] = []

    /// An outlet in the grid and its memo.
    struct Slot: Sendable {
        var item: IndexedOutlet
        var memo: OutletMemo
    }

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
        let kept = Slot(item: item, memo: OutletMemo())
        if let s = freeSlots.popLast() { slot = s; items[Int(s)] = kept } else { slot = Int32(items.count); items.append(kept) }
        let o = item.outlet
        slotOf[o.id.rawValue] = slot
        if item.hoursClass >= 0 && item.hoursClass < 63 {
            classes[item.hoursClass] = ClassInfo(businesses: item.businesses, hours: item.hours)
        }
        while item.hoursClass >= classMemos.count { classMemos.append(ClassMemo()) }
        let c = cell(lat: o.location.lat, lon: o.location.lon)
        cells[Int(c)].entries.append(Entry(lat: o.location.lat, lon: o.location.lon, cosLat: cos(o.location.lat * .pi / 180),
                                           id: o.id.rawValue, slot: slot, hoursClass: Int32(item.hoursClass), kind: o.kind))
        return c
    }

    mutating func removeEntry(id: Int64, rebuild: Bool) {
        guard let slot = slotOf.removeValue(forKey: id), let item = items[Int(slot)]?.item else { return }
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

    func item(_ slot: Int32) -> IndexedOutlet { items[Int(slot)]!.item }

    /// The memos of this grid, for what is built from its answers (status sentences, the outlets' JSON).
    public var memo: SearchMemo { SearchMemo(items: items, classes: classMemos) }
}
