import Foundation
import Hummingbird
import ServiceCircleDomain
import ServiceCircleApp

/// Problem reports (docs/editing.md "Problem reports"): the public reports an outlet, editors list and resolve.
struct ReportsController: Sendable {
    let w: WriteSupport
    /// Reports a client may post: `reports.per.hour` an hour, all at once at most (its own bucket, beside the service's
    /// general rate limit). Kept in memory only, keyed by the peer address.
    let limiter: RateLimiter

    init(w: WriteSupport) {
        self.w = w
        let perHour = Double(w.deps.trust.reportsPerHour)
        limiter = RateLimiter(rate: perHour / 3600, burst: perHour)
    }

    func register(on router: Router<AppContext>) {
        router.post("/v1/outlets/{id}/reports", use: create)
        router.get("/v1/reports", use: list)
        router.post("/v1/reports/{id}/resolve", use: resolve)
    }

    static let maxText = 500

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryParameters(request, allowed: [])
        let idResult = Result { try WriteSupport.outletID(context) }
        try q.check()
        let id = try idResult.get()
        let body = try await w.jsonBody(request)
        guard case .object(let o) = body else { throw DomainError.invalid("body", "must be a JSON object {kind, text?}") }
        var problems: [InvalidParam] = []
        for key in o.keys.sorted() where key != "kind" && key != "text" {
            problems.append(InvalidParam(name: key, reason: "is not a field of a report (kind, text)"))
        }
        var kind: ReportKind?
        switch o["kind"] {
        case .string(let s)?:
            kind = ReportKind(rawValue: s)
            if kind == nil { problems.append(InvalidParam(name: "kind", reason: "must be one of \(ReportKind.allCases.map(\.rawValue).joined(separator: ", "))")) }
        case nil, .null?:
            problems.append(InvalidParam(name: "kind", reason: "is required: one of \(ReportKind.allCases.map(\.rawValue).joined(separator: ", "))"))
        default:
            problems.append(InvalidParam(name: "kind", reason: "must be a string: one of \(ReportKind.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        var text: String?
        switch o["text"] {
        case nil, .null?: break
        case .string(let s)?:
            let t = s.trimmingCharacters(in: .whitespaces)
            if let problem = TextRules.controlCharacterProblem(t) {
                problems.append(InvalidParam(name: "text", reason: problem))
            } else if t.count > Self.maxText {
                problems.append(InvalidParam(name: "text", reason: "must be at most \(Self.maxText) characters, not \(t.count)"))
            } else if !t.isEmpty { text = t }
        default: problems.append(InvalidParam(name: "text", reason: "must be a string"))
        }
        if !problems.isEmpty { throw DomainError.invalid(problems) }
        let client = context.remoteAddress?.ipAddress
        if let wait = limiter.take(client ?? "unknown") {
            var p = Problem(status: .tooManyRequests,
                            detail: "at most \(w.deps.trust.reportsPerHour) problem reports an hour from one client; thank you, the report can wait",
                            type: "https://servicecircle.example/problems/rate-limited")
            p.headers[.retryAfter] = "\(max(1, wait.components.seconds + (wait.components.attoseconds > 0 ? 1 : 0)))"
            throw p
        }
        let now = w.deps.clock.now()
        guard let report = try await w.deps.reports.create(outletID: id, kind: kind!, text: text,
                                                           at: Date(timeIntervalSince1970: TimeInterval(now.seconds)), client: client) else {
            throw DomainError.notFound("no outlet with id \(id.rawValue)")
        }
        // Read your writes: this process's answers carry a warning the report completes at once.
        try? await w.deps.reportBoard.reload()
        var response = try APIJSON.response(ReportDTO(report), status: .created)
        response.headers[.cacheControl] = "no-store"
        return response
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        // The key first: without one the answer is 401 whatever the query (reports are not public).
        _ = try await w.require(.editor, request)
        var p = QueryParameters(request, allowed: ["state", "outlet", "limit", "cursor"])
        let state = p.code("state", ReportState.self)
        var outlet: Outlet.ID?
        if let s = p.string("outlet") {
            if let v = Int64(s), v > 0, s.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) { outlet = Outlet.ID(v) } else {
                p.fail("outlet", "must be a positive integer outlet id")
            }
        }
        let limit = p.int("limit", in: 1...500) ?? 100
        var after: Int64?
        if let c = p.string("cursor") {
            if let id = Cursor.decode(c) { after = id.rawValue } else { p.fail("cursor", "is not a cursor this service issued") }
        }
        try p.check()
        let rows = try await w.deps.reports.list(state: state, outletID: outlet, limit: limit + 1, afterID: after)
        let page = Array(rows.prefix(limit))
        let next = rows.count > limit ? page.last.map { Cursor.encode(Outlet.ID($0.id)) } : nil
        var response = try APIJSON.response(CursorPage(items: page.map(ReportDTO.init), nextCursor: next))
        response.headers[.cacheControl] = "no-store"
        if let next { response.headers[.link] = PageLink.next(request, cursor: next) }
        return response
    }

    @Sendable func resolve(_ request: Request, context: AppContext) async throws -> Response {
        var q = QueryParameters(request, allowed: [])
        let idResult = Result { () throws -> Int64 in
            guard let raw = context.parameters.get("id"), raw.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let v = Int64(raw), v > 0 else {
                throw DomainError.invalid("id", "must be a positive integer report id")
            }
            return v
        }
        try q.check()
        let id = try idResult.get()
        let key = try await w.require(.editor, request)
        let body = try await w.jsonBody(request)
        guard case .object(let o) = body else { throw DomainError.invalid("body", "must be a JSON object {action, history_id?, note?}") }
        var problems: [InvalidParam] = []
        for k in o.keys.sorted() where !["action", "history_id", "note"].contains(k) {
            problems.append(InvalidParam(name: k, reason: "is not a field of a resolution (action, history_id, note)"))
        }
        var state: ReportState?
        switch o["action"] {
        case .string("confirmed")?: state = .resolved
        case .string("dismissed")?: state = .dismissed
        default: problems.append(InvalidParam(name: "action", reason: "is required: confirmed (the report was right) or dismissed"))
        }
        var historyID: Int64?
        switch o["history_id"] {
        case nil, .null?: break
        case .number(let n)? where n >= 1 && n <= 9e15 && n == n.rounded(): historyID = Int64(n)
        default: problems.append(InvalidParam(name: "history_id", reason: "must be a positive integer: the id of the outlet's history entry of the edit"))
        }
        var note: String?
        switch o["note"] {
        case nil, .null?: break
        case .string(let s)?:
            let t = s.trimmingCharacters(in: .whitespaces)
            if let problem = TextRules.controlCharacterProblem(t) { problems.append(InvalidParam(name: "note", reason: problem)) }
            else if t.count > Self.maxText { problems.append(InvalidParam(name: "note", reason: "must be at most \(Self.maxText) characters")) }
            else if !t.isEmpty { note = t }
        default: problems.append(InvalidParam(name: "note", reason: "must be a string"))
        }
        if historyID != nil && state == .dismissed {
            problems.append(InvalidParam(name: "history_id", reason: "links the edit that confirmed the report: only with action confirmed"))
        }
        if !problems.isEmpty { throw DomainError.invalid(problems) }
        let now = w.deps.clock.now()
        let outcome = try await w.deps.reports.resolve(id: id, state: state!, by: key.name, historyID: historyID, note: note,
                                                       at: Date(timeIntervalSince1970: TimeInterval(now.seconds)))
        switch outcome {
        case .notFound: throw DomainError.notFound("no report with id \(id)")
        case .alreadyClosed(let r):
            throw Problem(status: .conflict, detail: "report \(id) was already \(r.state.rawValue) by \(r.resolvedBy ?? "an editor")")
        case .historyNotOfOutlet:
            throw DomainError.invalid("history_id", "is not a history entry of the report's outlet (GET /v1/outlets/{id}/history)")
        case .resolved(let r):
            try? await w.deps.reportBoard.reload()
            var response = try APIJSON.response(ReportDTO(r))
            response.headers[.cacheControl] = "no-store"
            return response
        }
    }
}

/// A report as the API shows it; every field present (null when empty).
struct ReportDTO: Encodable {
    var id: Int64
    var outletId: Int64
    var kind: String
    var text: String?
    var createdAt: String
    var state: String
    var resolvedAt: String?
    var resolvedBy: String?
    var historyId: Int64?
    var note: String?

    init(_ r: OutletReport) {
        id = r.id
        outletId = r.outletID.rawValue
        kind = r.kind.rawValue
        text = r.text
        createdAt = Self.instant(r.createdAt)
        state = r.state.rawValue
        resolvedAt = r.resolvedAt.map(Self.instant)
        resolvedBy = r.resolvedBy
        historyId = r.historyID
        note = r.note
    }

    static func instant(_ d: Date) -> String { Instant(seconds: Int64(d.timeIntervalSince1970.rounded(.down))).rfc3339 }

    enum CodingKeys: String, CodingKey { case id, outletId, kind, text, createdAt, state, resolvedAt, resolvedBy, historyId, note }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(outletId, forKey: .outletId)
        try c.encode(kind, forKey: .kind)
        try c.encode(text, forKey: .text)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(state, forKey: .state)
        try c.encode(resolvedAt, forKey: .resolvedAt)
        try c.encode(resolvedBy, forKey: .resolvedBy)
        try c.encode(historyId, forKey: .historyId)
        try c.encode(note, forKey: .note)
    }
}
