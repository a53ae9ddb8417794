import ServiceCircleDomain

// A nearest query answered from the grid: each part of the answer is one or more walks (OutletGrid+Walk.swift).

extension OutletGrid {
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
                                 closesAt: closes, openUntilMinutes: until, indexSlot: f.slot)
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
            return OpeningSoon(item: item(f.slot), distance: f.distance, etaMinutes: f.eta, nextOpensAt: next, closesAt: closes,
                               indexSlot: f.slot)
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
}
