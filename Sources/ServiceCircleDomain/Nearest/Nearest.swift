/// The five-kilometre question (docs/api.md, /v1/nearest), normalised: a WGS-84 point, what the citizen needs,
/// when they leave and how they travel.
public struct NearestQuery: Sendable, Hashable {
    public var point: GeoPoint
    public var businesses: [BusinessCode] { didSet { required = BusinessSet(businesses) } }
    /// `businesses` as a bit set, computed once (the search tests it against every candidate).
    public private(set) var required: BusinessSet
    public var kinds: [OutletKind]
    public var at: Instant
    public var radius: Double
    public var limit: Int
    public var mode: TravelMode
    public var minServiceMinutes: Int

    public static let defaultRadius = 5000.0
    public static let maxRadius = 50_000.0
    public static let beyondRadiusLimit = 50_000.0
    public static let defaultLimit = 5
    public static let maxLimit = 50

    public init(point: GeoPoint, businesses: [BusinessCode], kinds: [OutletKind] = [], at: Instant,
                radius: Double = NearestQuery.defaultRadius, limit: Int = NearestQuery.defaultLimit,
                mode: TravelMode = .none, minServiceMinutes: Int? = nil) {
        self.point = point
        self.businesses = businesses
        self.required = BusinessSet(businesses)
        self.kinds = kinds
        self.at = at
        self.radius = radius
        self.limit = limit
        self.mode = mode
        self.minServiceMinutes = minServiceMinutes ?? (mode == .none ? 0 : 10)
    }

    /// Whether an outlet passes the non-temporal filters (active, offers all businesses, kind).
    public func admits(_ o: Outlet) -> Bool {
        o.operatingState == .active && BusinessSet(o.businesses).isSuperset(of: required)
            && (kinds.isEmpty || kinds.contains(o.kind))
    }
}

/// An outlet with its distance from the query point and its compiled hours. The outlet travels by
/// reference (``IndexedOutlet``): a search handles thousands of candidates and copying each outlet's
/// strings would dominate it.
public struct NearestCandidate: Sendable {
    public var item: IndexedOutlet
    public var distance: Double
    public var outlet: Outlet { item.outlet }
    public var id: Outlet.ID { item.outlet.id }
    public var hours: CompiledHours { item.hours }
    public init(item: IndexedOutlet, distance: Double) {
        self.item = item
        self.distance = distance
    }
    public init(outlet: Outlet, distance: Double, hours: CompiledHours) {
        self.init(item: IndexedOutlet(outlet: outlet, hours: hours), distance: distance)
    }
}

/// An outlet open for the businesses when the citizen arrives, and for the minimum service time after.
public struct NearestResult: Sendable {
    public var item: IndexedOutlet
    public var outlet: Outlet { item.outlet }
    public var distance: Double
    public var etaMinutes: Int
    public var arrivesAt: Instant
    /// First closed instant after arrival; nil when open through the next 366 days.
    public var closesAt: Instant?
    public var openUntilMinutes: Int?
    /// Where the in-memory index that found the outlet keeps it (its slot), so what is built from the answer reaches
    /// that index's memos without a lookup; -1 when no index found it.
    package var indexSlot: Int32
    package init(item: IndexedOutlet, distance: Double, etaMinutes: Int, arrivesAt: Instant, closesAt: Instant?, openUntilMinutes: Int?,
                 indexSlot: Int32 = -1) {
        self.item = item
        self.indexSlot = indexSlot
        self.distance = distance
        self.etaMinutes = etaMinutes
        self.arrivesAt = arrivesAt
        self.closesAt = closesAt
        self.openUntilMinutes = openUntilMinutes
    }
}

/// An outlet in the radius that is closed at arrival, with when it next opens.
public struct OpeningSoon: Sendable {
    public var item: IndexedOutlet
    public var outlet: Outlet { item.outlet }
    public var distance: Double
    public var etaMinutes: Int
    public var nextOpensAt: Instant
    public var closesAt: Instant?
    /// As ``NearestResult/indexSlot``.
    package var indexSlot: Int32
    package init(item: IndexedOutlet, distance: Double, etaMinutes: Int, nextOpensAt: Instant, closesAt: Instant?, indexSlot: Int32 = -1) {
        self.item = item
        self.indexSlot = indexSlot
        self.distance = distance
        self.etaMinutes = etaMinutes
        self.nextOpensAt = nextOpensAt
        self.closesAt = closesAt
    }
}

public struct NearestAnswer: Sendable {
    public var results: [NearestResult]
    public var openingSoon: [OpeningSoon]
    public var nearestOpenBeyondRadius: NearestResult?
    /// True when the fallbacks were computed (results had fewer than `limit` entries).
    public var fallbacksApplied: Bool
    package init(results: [NearestResult], openingSoon: [OpeningSoon], nearestOpenBeyondRadius: NearestResult?, fallbacksApplied: Bool) {
        self.results = results
        self.openingSoon = openingSoon
        self.nearestOpenBeyondRadius = nearestOpenBeyondRadius
        self.fallbacksApplied = fallbacksApplied
    }
}

public enum Nearest {
    public enum Verdict: Sendable {
        case open(NearestResult)
        /// Closed at arrival or closing before the minimum service time; `nextOpensAt` nil if never within 366 days.
        case closed(nextOpensAt: Instant?, closesAt: Instant?)
    }

    /// Evaluates one candidate against the query: arrival = at + travel estimate.
    public static func verdict(_ c: NearestCandidate, _ q: NearestQuery) -> Verdict {
        let eta = TravelEstimate.minutes(distanceMetres: c.distance, mode: q.mode)
        return verdict(c, eta: eta, time: timeVerdict(c.hours, arrival: q.at.adding(minutes: eta), q), q)
    }

    package static func verdict(_ c: NearestCandidate, eta: Int, time: TimeVerdict, _ q: NearestQuery) -> Verdict {
        switch time {
        case .open(let closes, let until):
            return .open(NearestResult(item: c.item, distance: c.distance, etaMinutes: eta, arrivesAt: q.at.adding(minutes: eta),
                                       closesAt: closes, openUntilMinutes: until))
        case .closed(let next, let closes):
            return .closed(nextOpensAt: next, closesAt: closes)
        }
    }

    /// What the hours say about an arrival, independent of which outlet has them: outlets sharing hours
    /// and businesses (an hours class) arriving at the same minute share it.
    package enum TimeVerdict {
        case open(closesAt: Instant?, until: Int?)
        case closed(next: Instant?, closes: Instant?)
    }

    /// The verdict for outlets with these hours arriving at `arrival`: open for the minimum service time (and until
    /// when), or closed with the next opening long enough. (The in-memory search remembers the last one per hours
    /// class across searches; this is the computation.)
    package static func timeVerdict(_ hours: CompiledHours, arrival: Instant, _ q: NearestQuery) -> TimeVerdict {
        let req = q.required
        // An arrival after 9999-12-31T23:59:59+08:00 cannot be written in RFC 3339: no outlet is open then.
        guard arrival <= Instant.last else { return .closed(next: nil, closes: nil) }
        if hours.isOpen(at: arrival, for: req) {
            let closes = hours.closesAt(from: arrival, for: req)
            let until = closes.map { Int(($0.seconds - arrival.seconds) / 60) }
            if until.map({ $0 >= q.minServiceMinutes }) ?? true { return .open(closesAt: closes, until: until) }
            // Open, but not long enough to be served: when does a long-enough window start?
            return .closed(next: nextServiceableOpening(hours, after: closes ?? arrival, q), closes: closes)
        }
        return .closed(next: nextServiceableOpening(hours, after: arrival, q), closes: nil)
    }

    /// The result if the candidate is open at arrival for the minimum service time, else nil (without
    /// searching for its next opening, which the beyond-radius search does not need).
    public static func openAtArrival(_ c: NearestCandidate, _ q: NearestQuery) -> NearestResult? {
        let eta = TravelEstimate.minutes(distanceMetres: c.distance, mode: q.mode)
        let arrival = q.at.adding(minutes: eta)
        let req = q.required
        guard arrival <= Instant.last, c.hours.isOpen(at: arrival, for: req) else { return nil }
        let closes = c.hours.closesAt(from: arrival, for: req)
        let until = closes.map { Int(($0.seconds - arrival.seconds) / 60) }
        guard until.map({ $0 >= q.minServiceMinutes }) ?? true else { return nil }
        return NearestResult(item: c.item, distance: c.distance, etaMinutes: eta, arrivesAt: arrival,
                             closesAt: closes, openUntilMinutes: until)
    }

    /// The first opening after `instant` that stays open for the minimum service time.
    package static func nextServiceableOpening(_ hours: CompiledHours, after instant: Instant, _ q: NearestQuery) -> Instant? {
        var from = instant
        let req = q.required
        for _ in 0..<800 {
            guard let open = hours.nextOpensAt(after: from, for: req) else { return nil }
            guard let close = hours.closesAt(from: open, for: req) else { return open }
            if (close.seconds - open.seconds) / 60 >= Int64(q.minServiceMinutes) { return open }
            from = close
        }
        return nil
    }

    package struct ClassArrival: Hashable {
        package var hoursClass: Int
        package var eta: Int
        package init(hoursClass: Int, eta: Int) { self.hoursClass = hoursClass; self.eta = eta }
    }

    /// Compiled hours (alive for as long as the candidates that hold them) and an arrival.
    struct HoursArrival: Hashable {
        var hours: ObjectIdentifier
        var eta: Int
    }

    /// Ranks candidates inside the radius (any order) and, if results fall short of `limit`, computes
    /// `opening_soon`. The caller fills `nearestOpenBeyondRadius` (see ``firstOpen(_:_:)``) when
    /// `fallbacksApplied`, since that search reads further candidates from the store.
    public static func answer(inRadius: [NearestCandidate], query q: NearestQuery) -> NearestAnswer {
        let sorted = inRadius.sorted { ($0.distance, $0.id) < ($1.distance, $1.id) }
        var results: [NearestResult] = []
        var closed: [OpeningSoon] = []
        // Verdicts per (hours class, arrival) and, for outlets in a class of their own, per (hours, arrival): the
        // PostGIS path's candidates share compiled hours (``CompiledHoursCache``) without a class.
        var memo: [ClassArrival: TimeVerdict] = [:]
        var byHours: [HoursArrival: TimeVerdict] = [:]
        candidates: for c in sorted {
            let eta = TravelEstimate.minutes(distanceMetres: c.distance, mode: q.mode)
            let time: TimeVerdict
            let cls = c.item.hoursClass
            if cls >= 0 {
                if let t = memo[ClassArrival(hoursClass: cls, eta: eta)] { time = t } else {
                    time = timeVerdict(c.hours, arrival: q.at.adding(minutes: eta), q)
                    memo[ClassArrival(hoursClass: cls, eta: eta)] = time
                }
            } else {
                let key = HoursArrival(hours: ObjectIdentifier(c.hours), eta: eta)
                if let t = byHours[key] { time = t } else {
                    time = timeVerdict(c.hours, arrival: q.at.adding(minutes: eta), q)
                    byHours[key] = time
                }
            }
            switch verdict(c, eta: eta, time: time, q) {
            case .open(let r):
                results.append(r)
                // Full: no fallbacks are given, so nothing farther matters.
                if results.count == q.limit { break candidates }
            case .closed(let next, let closes):
                if let next {
                    closed.append(OpeningSoon(item: c.item, distance: c.distance, etaMinutes: eta, nextOpensAt: next, closesAt: closes))
                }
            }
        }
        guard results.count < q.limit else {
            return NearestAnswer(results: results, openingSoon: [], nearestOpenBeyondRadius: nil, fallbacksApplied: false)
        }
        let soon = closed.sorted { ($0.nextOpensAt, $0.distance, $0.item.outlet.id) < ($1.nextOpensAt, $1.distance, $1.item.outlet.id) }
        return NearestAnswer(results: results, openingSoon: Array(soon.prefix(q.limit)),
                             nearestOpenBeyondRadius: nil, fallbacksApplied: true)
    }

    /// The first candidate (in the given nearest-first order) open at arrival for the minimum service time.
    public static func firstOpen(_ candidates: [NearestCandidate], _ q: NearestQuery) -> NearestResult? {
        for c in candidates { if let r = openAtArrival(c, q) { return r } }
        return nil
    }
}
