/// Where an outlet's data came from and when its hours were last confirmed (docs/editing.md "Provenance").
public struct Provenance: Hashable, Sendable {
    /// `generated` (the illustrative seed), `import:<file>`, `editor:<key name>`, `sql:<role>`.
    public var source: String
    /// When a person last confirmed the data (an editor's write, an import, or an explicit `verified_at`); nil: never.
    public var verifiedAt: Instant?

    public init(source: String = "generated", verifiedAt: Instant? = nil) {
        self.source = source
        self.verifiedAt = verifiedAt
    }

    public static let generatedSource = "generated"

    /// Whether the data is the illustrative seed.
    public var isGenerated: Bool { source == Self.generatedSource }

    /// Whether the outlet needs the "请致电确认" caution at `now`: generated data, or confirmed more than `maxAgeDays`
    /// days ago. Every write of the service confirms; a row with no date and another source was written by hand in
    /// SQL, and whoever typed it answers for it (docs/editing.md "Provenance").
    public func needsCaution(now: Instant, maxAgeDays: Int) -> Bool {
        if isGenerated { return true }
        guard let v = verifiedAt else { return false }
        return now.seconds - v.seconds > Int64(maxAgeDays) * 86_400
    }

    /// The caution appended to the outlet's Chinese status text, nil when none is due. It says when the hours were
    /// last confirmed, so that an agent can read it to a caller.
    public func cautionZh(now: Instant, maxAgeDays: Int) -> String? {
        guard needsCaution(now: now, maxAgeDays: maxAgeDays) else { return nil }
        if isGenerated { return "（示例数据，营业时间未经核实，请致电确认）" }
        guard let v = verifiedAt else { return "（营业时间未经核实，请致电确认）" }
        let (y, m, d) = v.localDate.components
        return "（营业时间最后确认于\(y)年\(m)月\(d)日，请致电确认）"
    }
}

/// What a citizen may report about an outlet (`POST /v1/outlets/{id}/reports`).
public enum ReportKind: String, CaseIterable, Sendable, Codable {
    case closed, wrongHours = "wrong_hours", moved, wrongPhone = "wrong_phone", other
}

/// Where a report stands: open until an editor confirms (`resolved`) or dismisses it.
public enum ReportState: String, CaseIterable, Sendable, Codable {
    case open, resolved, dismissed
}

/// An open `closed` report as the warning rule sees it: when it was made and an opaque tag of its reporter (nil once
/// discarded or when the client was unknown: such a report is taken as its own reporter).
public struct ClosedReportMark: Hashable, Sendable {
    public var at: Instant
    public var reporter: String?
    public init(at: Instant, reporter: String?) {
        self.at = at
        self.reporter = reporter
    }
}

/// The warning answers carry while several recent independent `closed` reports of an outlet are open.
public struct ReportedClosedWarning: Hashable, Sendable {
    /// Independent reports counted.
    public var reports: Int
    /// The earliest of them.
    public var since: Instant

    public init(reports: Int, since: Instant) {
        self.reports = reports
        self.since = since
    }

    public static let kind = "reported_closed"
    public static let textZh = "（近期有市民反映该网点已关闭，请致电确认）"

    /// The rule (docs/editing.md "Problem reports"): among the open `closed` reports made in the `windowDays` before
    /// `now` (none from the future), reports are independent when they come from different reporters and each is at
    /// least `spacingMinutes` after the previous one counted (oldest first); `threshold` of them make the warning.
    public static func evaluate(_ marks: [ClosedReportMark], now: Instant, threshold: Int, windowDays: Int = 14,
                                spacingMinutes: Int = 10) -> ReportedClosedWarning? {
        let from = now.seconds - Int64(windowDays) * 86_400
        let recent = marks.filter { $0.at.seconds >= from && $0.at.seconds <= now.seconds }.sorted { $0.at < $1.at }
        guard recent.count >= threshold else { return nil }
        var counted: [ClosedReportMark] = []
        var reporters = Set<String>()
        for m in recent {
            if let last = counted.last, m.at.seconds - last.at.seconds < Int64(spacingMinutes) * 60 { continue }
            if let r = m.reporter {
                if reporters.contains(r) { continue }
                reporters.insert(r)
            }
            counted.append(m)
        }
        guard counted.count >= max(1, threshold), let first = counted.first else { return nil }
        return ReportedClosedWarning(reports: counted.count, since: first.at)
    }
}

/// What decides the cautions and warnings of answers: the settings (AppConfig) and the open reports.
public struct TrustSettings: Hashable, Sendable {
    /// Days after which confirmed hours count as stale (`verification.max.age.days`).
    public var maxVerificationAgeDays: Int
    /// Independent open `closed` reports that put the warning on an outlet (`reports.closed.threshold`).
    public var closedReportThreshold: Int
    /// Reports one client may post an hour (`reports.per.hour`).
    public var reportsPerHour: Int

    public init(maxVerificationAgeDays: Int = 180, closedReportThreshold: Int = 3, reportsPerHour: Int = 5) {
        self.maxVerificationAgeDays = maxVerificationAgeDays
        self.closedReportThreshold = closedReportThreshold
        self.reportsPerHour = reportsPerHour
    }
}
