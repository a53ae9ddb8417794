import ServiceCircleDomain
import Synchronization

// What searches of one grid remember across searches. The domain's values (hours, outlets) stay immutable; these
// memos are kept here, per hours class and per outlet slot, by the grid that the searches read. Each is read and
// written only when its lock is free: a search never waits on a memo, it computes afresh instead.

/// The memos of one hours class: the last verdict and the last status sentence asked of its hours. Every search of
/// the same instant — all searches of one second at `at` = now — asks each class the same.
final class ClassMemo: Sendable {
    struct Verdict {
        var arrival: Instant
        var required: BusinessSet
        var minService: Int
        var verdict: Nearest.TimeVerdict
    }

    struct StatusText {
        var instant: Instant
        var required: BusinessSet
        var text: String
    }

    let lastVerdict = Mutex<Verdict?>(nil)
    let lastStatusText = Mutex<StatusText?>(nil)

    /// ``Nearest/timeVerdict(_:arrival:_:)`` of the class's `hours`, the last one remembered.
    func timeVerdict(_ hours: CompiledHours, arrival: Instant, _ q: NearestQuery) -> Nearest.TimeVerdict {
        if let m = lastVerdict.withLockIfAvailable({ $0 }) ?? nil,
           m.arrival == arrival, m.required == q.required, m.minService == q.minServiceMinutes {
            return m.verdict
        }
        let verdict = Nearest.timeVerdict(hours, arrival: arrival, q)
        _ = lastVerdict.withLockIfAvailable {
            $0 = Verdict(arrival: arrival, required: q.required, minService: q.minServiceMinutes, verdict: verdict)
        }
        return verdict
    }

    /// ``CompiledHours/statusTextZh(at:for:state:)`` of the class's `hours` (outlets in the grid are active), the last
    /// one remembered.
    func statusTextZh(_ hours: CompiledHours, at instant: Instant, for required: BusinessSet) -> String {
        if let m = lastStatusText.withLockIfAvailable({ $0 }) ?? nil, m.instant == instant, m.required == required { return m.text }
        let text = hours.statusTextZh(at: instant, for: required)
        _ = lastStatusText.withLockIfAvailable { $0 = StatusText(instant: instant, required: required, text: text) }
        return text
    }
}

/// The memo of one outlet in the grid: its JSON summary once the API layer has written it (opaque bytes here). An
/// outlet put in a slot gets a new memo, so a summary cannot outlive the outlet it was written for.
final class OutletMemo: Sendable {
    let summary = Mutex<[UInt8]?>(nil)
}

/// The memos of one grid, for what is built from its answers after the search: the status sentences and the outlets'
/// JSON summaries of a `/v1/nearest` response. Take it from the grid that answered (``OutletGrid/memo``): its results
/// name their slot in that grid. A result that is not in that slot of this grid (found by another grid or by the
/// PostGIS path) is built each time, as with the empty memo, ``init()``.
public struct SearchMemo: Sendable {
    let items: [OutletGrid.Slot?]
    let classes: [ClassMemo]

    init(items: [OutletGrid.Slot?], classes: [ClassMemo]) {
        self.items = items
        self.classes = classes
    }

    /// No memos: everything is built each time.
    public init() { self.init(items: [], classes: []) }

    /// ``NearestResult/statusTextZh(_:)``, with the status sentence of the outlet's hours class remembered.
    public func statusTextZh(_ r: NearestResult, _ q: NearestQuery) -> String {
        r.statusTextZh(q) { sentence(r.item, slot: r.indexSlot, at: $0, for: q.required) }
    }

    /// ``OpeningSoon/statusTextZh(_:)``, with the status sentence of the outlet's hours class remembered.
    public func statusTextZh(_ s: OpeningSoon, _ q: NearestQuery) -> String {
        s.statusTextZh(q) { sentence(s.item, slot: s.indexSlot, at: $0, for: q.required) }
    }

    /// The bytes `write` makes of the result's outlet, kept with the outlet once written: later answers that serve
    /// it read them.
    public func summary(of r: NearestResult, _ write: (IndexedOutlet) -> [UInt8]) -> [UInt8] {
        summary(r.item, slot: r.indexSlot, write)
    }

    /// The same for an outlet opening soon.
    public func summary(of s: OpeningSoon, _ write: (IndexedOutlet) -> [UInt8]) -> [UInt8] {
        summary(s.item, slot: s.indexSlot, write)
    }

    /// What this grid keeps in `slot` when it is `item`.
    @inline(__always)
    func kept(_ item: IndexedOutlet, slot: Int32) -> OutletGrid.Slot? {
        guard slot >= 0, Int(slot) < items.count, let s = items[Int(slot)], s.item === item else { return nil }
        return s
    }

    func sentence(_ item: IndexedOutlet, slot: Int32, at instant: Instant, for required: BusinessSet) -> String {
        let c = item.hoursClass
        guard c >= 0 && c < classes.count, kept(item, slot: slot) != nil else { return item.hours.statusTextZh(at: instant, for: required) }
        return classes[c].statusTextZh(item.hours, at: instant, for: required)
    }

    func summary(_ item: IndexedOutlet, slot: Int32, _ write: (IndexedOutlet) -> [UInt8]) -> [UInt8] {
        guard let s = kept(item, slot: slot) else { return write(item) }
        if let cached = s.memo.summary.withLockIfAvailable({ $0 }) ?? nil { return cached }
        let bytes = write(item)
        _ = s.memo.summary.withLockIfAvailable { $0 = bytes }
        return bytes
    }
}
