// The sentence read to a caller for each answer of /v1/nearest: the outlet's status at the caller's arrival.

extension NearestResult {
    /// The status at arrival (``CompiledHours/statusTextZh(at:for:state:)``), preceded by the arrival time when the
    /// query travels (`预计 10:20 到达，营业中，17:30 停止办理`).
    public func statusTextZh(_ q: NearestQuery) -> String {
        statusTextZh(q) { item.hours.statusTextZh(at: $0, for: q.required) }
    }

    /// The same, with the status sentence of the outlet's hours at an instant (for `q.required`) given by `sentence`:
    /// the search's memo of it.
    public func statusTextZh(_ q: NearestQuery, sentence: (Instant) -> String) -> String {
        Nearest.arrivalPrefix(q, eta: etaMinutes) + sentence(arrivesAt)
    }
}

extension OpeningSoon {
    /// Closed at arrival: when it opens (`已下班，明天（周二）08:30 开始办理`). Open at arrival but closing before the
    /// minimum service time: says so and names the next opening long enough
    /// (`营业中，17:30 停止办理（还剩 5 分钟）；不足 10 分钟办理时间，明天（周二）08:30 可办理`).
    public func statusTextZh(_ q: NearestQuery) -> String {
        statusTextZh(q) { item.hours.statusTextZh(at: $0, for: q.required) }
    }

    /// The same, with the status sentence of the outlet's hours at an instant (for `q.required`) given by `sentence`.
    public func statusTextZh(_ q: NearestQuery, sentence: (Instant) -> String) -> String {
        let arrival = q.at.adding(minutes: etaMinutes)
        let text = sentence(arrival)
        guard item.hours.isOpen(at: arrival, for: q.required) else { return Nearest.arrivalPrefix(q, eta: etaMinutes) + text }
        return Nearest.arrivalPrefix(q, eta: etaMinutes) + text + "；不足 \(q.minServiceMinutes) 分钟办理时间，"
            + ChineseStatusText.when(nextOpensAt, from: arrival) + " 可办理"
    }
}

extension Nearest {
    static func arrivalPrefix(_ q: NearestQuery, eta: Int) -> String {
        eta > 0 ? "预计 " + ChineseStatusText.when(q.at.adding(minutes: eta), from: q.at) + " 到达，" : ""
    }
}
