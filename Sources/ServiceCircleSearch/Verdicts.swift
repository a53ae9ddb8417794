import ServiceCircleDomain

// What a search wants of an outlet's hours, decided once per hours class where it can be and remembered for the
// whole answer, then per outlet at its arrival time.

extension OutletGrid {
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

    /// Whether a cell or block of class mask `mask` can hold anything the search admits: its classes 0...62 not yet
    /// decided are decided now; bit 63 (other classes, outlets of their own) always can.
    @inline(__always)
    func admitsAny(_ mask: UInt64, _ want: Want, _ filter: inout ClassFilter, _ v: inout Verdicts) -> Bool {
        let pending = mask & ~filter.known & ~(1 << 63)
        if pending != 0 { decide(pending, want, &filter, &v) }
        return mask & filter.admit != 0 || mask & (1 << 63) != 0
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

    /// Per-query verdicts of hours classes, so that outlets sharing hours and businesses are judged once per
    /// arrival minute. Outlets in a class of their own (-1) are judged each time.
    struct Verdicts {
        let items: [Slot?]
        let classMemos: [ClassMemo]
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
            classMemos = grid.classMemos
            self.q = q
            latest = q.at.adding(minutes: TravelEstimate.minutes(distanceMetres: maxDistance, mode: q.mode))
        }

        /// The verdict for an arrival `eta` minutes after `at`; `hours` when the caller has them, else the outlet's in `slot`.
        mutating func time(cls: Int32, slot: Int32, hours: CompiledHours?, eta: Int) -> Nearest.TimeVerdict {
            let c = Int(cls)
            if c >= 0 {
                if eta == 0 { if c < now.count, let t = now[c] { return t } } else if let t = later[.init(hoursClass: c, eta: eta)] { return t }
            }
            let h = hours ?? items[Int(slot)]!.item.hours, arrival = q.at.adding(minutes: eta)
            // Across searches, the class's last verdict (every search of one instant asks each class the same).
            let t = c >= 0 && c < classMemos.count ? classMemos[c].timeVerdict(h, arrival: arrival, q) : Nearest.timeVerdict(h, arrival: arrival, q)
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
            let h = hours ?? items[Int(slot)]!.item.hours
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
}
