import Foundation
import Hummingbird
import ServiceCircleDomain
import ServiceCircleApp

/// Editing outlets: create, replace, merge-patch, close; their history; one outlet as it was at an instant.
struct OutletEditController: Sendable {
    let w: WriteSupport

    func register(on router: Router<AppContext>) {
        router.post("/v1/outlets", use: create)
        router.put("/v1/outlets/{id}", use: replace)
        router.patch("/v1/outlets/{id}", use: patch)
        router.delete("/v1/outlets/{id}", use: close)
        router.get("/v1/outlets/{id}/history", use: history)
    }

    @Sendable func create(_ request: Request, context: AppContext) async throws -> Response {
        try QueryParameters(request, allowed: []).check()
        let key = try await w.require(.editor, request)
        let body = try await w.jsonBody(request)
        let verified = try w.verifiedAt(body, current: nil)
        let input = try OutletInput.parse(body)
        let v = try await w.editor.create(input.record, change: ChangeContext(actor: key.name, action: "create", verifiedAt: verified))
        w.readYourWrite(v)
        return try await w.outletResponse(v, status: .created)
    }

    @Sendable func replace(_ request: Request, context: AppContext) async throws -> Response {
        try QueryParameters(request, allowed: []).check()
        let id = try WriteSupport.outletID(context)
        let key = try await w.require(.editor, request)
        let versions = try w.ifMatch(request, id: id, required: true)
        let body = try await w.jsonBody(request)
        let verified = try await w.verifiedAt(body, of: id)
        let input = try OutletInput.parse(body)
        let (v, changed) = try await w.editor.update(id: id, ifVersion: versions,
                                                     change: ChangeContext(actor: key.name, action: "replace", verifiedAt: verified)) { _ in input.record }
        if changed { w.readYourWrite(v) }
        return try await w.outletResponse(v)
    }

    @Sendable func patch(_ request: Request, context: AppContext) async throws -> Response {
        try QueryParameters(request, allowed: []).check()
        let id = try WriteSupport.outletID(context)
        let key = try await w.require(.editor, request)
        let versions = try w.ifMatch(request, id: id, required: true)
        guard case .object(var p) = try await w.jsonBody(request, mergePatch: true) else {
            throw DomainError.invalid("body", "a merge patch of an outlet must be a JSON object")
        }
        // A move given in GCJ-02 (copied from a Chinese map) when `location` is not patched.
        if let g = p["location_gcj02"], g != .null, p["location"] == nil {
            guard case .number(let lat)? = g["lat"], case .number(let lon)? = g["lon"], (-90...90).contains(lat), (-180...180).contains(lon) else {
                throw DomainError.invalid("location_gcj02", "must be {lat, lon} in degrees")
            }
            let w = Datum.gcj02ToWgs84(GeoPoint(lat: lat, lon: lon))
            p["location"] = .object(["lat": .number(w.lat), "lon": .number(w.lon)])
        }
        let verified = try await w.verifiedAt(.object(p), of: id)
        // Derived fields are not the editor's to change; sending them back unchanged is harmless.
        for f in OutletInput.derivedFields { p.removeValue(forKey: f) }
        // `opening_hours` replaces the weekly rules and keeps the dated exceptions (OSM text has none).
        if let text = p.removeValue(forKey: "opening_hours"), text != .null {
            guard p["hours"] == nil else { throw DomainError.invalid("opening_hours", "send hours or opening_hours, not both") }
            guard case .string(let s) = text else { throw DomainError.invalid("opening_hours", "must be a string") }
            if let problem = TextRules.controlCharacterProblem(s) { throw DomainError.invalid("opening_hours", problem) }
            let rules = try Hours(openingHours: s).json["rules"] ?? .array([])
            p["hours"] = .object(["rules": rules])
        }
        let patch = JSONValue.object(p)
        let (v, changed) = try await w.editor.update(id: id, ifVersion: versions, change: ChangeContext(actor: key.name, action: "patch", verifiedAt: verified)) { cur in
            let doc = OutletInput.document(OutletRecord(cur.outlet)).mergePatched(with: patch)
            return try OutletInput.parse(doc).record
        }
        if changed { w.readYourWrite(v) }
        return try await w.outletResponse(v)
    }

    /// DELETE marks the outlet closed; the row and its history stay.
    @Sendable func close(_ request: Request, context: AppContext) async throws -> Response {
        try QueryParameters(request, allowed: []).check()
        let id = try WriteSupport.outletID(context)
        let key = try await w.require(.editor, request)
        let versions = try w.ifMatch(request, id: id, required: true)
        let (v, changed) = try await w.editor.update(id: id, ifVersion: versions, change: ChangeContext(actor: key.name, action: "close")) { cur in
            var r = OutletRecord(cur.outlet)
            r.operatingState = .closed
            return r
        }
        if changed { w.readYourWrite(v) }
        return try await w.outletResponse(v)
    }

    struct HistoryItemDTO: Encodable {
        /// The entry's id: what resolving a problem report with this edit names (`history_id`).
        var id: Int64
        var version: Int
        var action: String
        var actor: String
        var at: String
        var changes: [String]
        var before: JSONValue?
        var after: JSONValue?
        enum CodingKeys: String, CodingKey { case id, version, action, actor, at, changes, before, after }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(version, forKey: .version)
            try c.encode(action, forKey: .action)
            try c.encode(actor, forKey: .actor)
            try c.encode(at, forKey: .at)
            try c.encode(changes, forKey: .changes)
            try c.encode(before, forKey: .before)
            try c.encode(after, forKey: .after)
        }

        init(_ e: HistoryEntry) {
            id = e.id
            version = e.version
            action = e.action
            actor = e.actor
            at = Self.rfc3339(e.changedAt)
            before = e.before
            after = e.after
            // The fields that differ (all of them on creation), so a reader sees "phone" without diffing by eye.
            var keys = Set<String>()
            if case .object(let b)? = e.before { keys.formUnion(b.keys) }
            if case .object(let a)? = e.after { keys.formUnion(a.keys) }
            changes = keys.filter { e.before?[$0] != e.after?[$0] }.sorted()
        }

        /// RFC 3339 in +08:00 with milliseconds: two changes within a second stay ordered.
        static func rfc3339(_ d: Date) -> String {
            let ms = Int64((d.timeIntervalSince1970 * 1000).rounded(.down))
            let s = Instant(seconds: Int64((Double(ms) / 1000).rounded(.down))).rfc3339
            let frac = String(format: ".%03lld", ((ms % 1000) + 1000) % 1000)
            // Instant.rfc3339 is "YYYY-MM-DDTHH:MM:SS+08:00": insert the fraction before the offset.
            return String(s.prefix(19)) + frac + String(s.dropFirst(19))
        }
    }

    struct HistoryPage: Encodable {
        var outletId: Int64
        var items: [HistoryItemDTO]
        var nextCursor: String?
        enum CodingKeys: String, CodingKey { case outletId, items, nextCursor }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(outletId, forKey: .outletId)
            try c.encode(items, forKey: .items)
            try c.encode(nextCursor, forKey: .nextCursor)
        }
    }

    /// Newest first: who (key name), when, what (before and after, and the names of the fields that changed).
    @Sendable func history(_ request: Request, context: AppContext) async throws -> Response {
        var p = QueryParameters(request, allowed: ["limit", "cursor"])
        let limit = p.int("limit", in: 1...200) ?? 50
        var before: Int64?
        if let c = p.string("cursor") {
            if let id = Cursor.decode(c) { before = id.rawValue } else { p.fail("cursor", "is not a cursor this service issued") }
        }
        let idResult = Result { try WriteSupport.outletID(context) }
        try p.check()
        let id = try idResult.get()
        let entries = try await w.editor.history(id: id, limit: limit + 1, beforeID: before)
        if entries.isEmpty, before == nil, try await w.editor.current(id: id) == nil {
            throw DomainError.notFound("no outlet with id \(id.rawValue)")
        }
        let page = Array(entries.prefix(limit))
        let next = entries.count > limit ? page.last.map { Cursor.encode(Outlet.ID($0.id)) } : nil
        var response = try APIJSON.response(HistoryPage(outletId: id.rawValue, items: page.map(HistoryItemDTO.init), nextCursor: next))
        if let next { response.headers[.link] = PageLink.next(request, cursor: next) }
        return response
    }

    // MARK: GET /v1/outlets/{id} (with ETag and ?as_of=)

    struct AsOfDTO: Encodable {
        var outlet: OutletDTO
        var asOf: String
        var version: Int
        var recordedAt: String
        var recordedBy: String
        enum CodingKeys: String, CodingKey { case asOf, version, recordedAt, recordedBy }
        func encode(to encoder: any Encoder) throws {
            try outlet.encode(to: encoder)
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(asOf, forKey: .asOf)
            try c.encode(version, forKey: .version)
            try c.encode(recordedAt, forKey: .recordedAt)
            try c.encode(recordedBy, forKey: .recordedBy)
        }
    }

    /// One outlet now (with its ETag; `If-None-Match` answers 304), or as recorded at `as_of` (an RFC 3339 instant, or a
    /// date meaning the end of that day in Asia/Shanghai), with its status evaluated at that instant.
    static func show(_ request: Request, context: AppContext, deps: AppDependencies) async throws -> Response {
        var p = QueryParameters(request, allowed: ["as_of"])
        var asOf: Instant?
        if let raw = p.string("as_of") {
            if let d = LocalDate(iso: raw) {
                asOf = Instant(date: d.adding(days: 1), time: LocalTime(minutes: 0)).adding(seconds: -1)
            } else {
                asOf = QueryParameters.instant(raw)
                if asOf == nil {
                    let problem = QueryParameters.instantProblem(raw)
                    p.fail("as_of", problem.hasPrefix("must be ") ? "must be a date YYYY-MM-DD or " + problem.dropFirst("must be ".count) : problem)
                }
            }
        }
        let idResult = Result { try WriteSupport.outletID(context) }
        try p.check()
        let id = try idResult.get()
        let editor = deps.editor
        let calendar = try await deps.calendar.current()
        if let asOf {
            guard let entry = try await editor.asOf(id: id, Date(timeIntervalSince1970: TimeInterval(asOf.seconds))),
                  let after = entry.after else {
                if try await editor.current(id: id) == nil { throw DomainError.notFound("no outlet with id \(id.rawValue)") }
                throw DomainError.notFound("outlet \(id.rawValue) has no recorded state at \(asOf.rfc3339): it did not exist yet")
            }
            let record = try JSONDecoder().decode(OutletRecord.self, from: try JSONEncoder().encode(after))
            let hours = try Hours(json: record.hours)
            let outlet = Outlet(id: id, code: record.code, name: record.name, kind: record.kind, address: record.address,
                                province: record.province, city: record.city, district: record.district,
                                districtCode: record.districtCode, phone: record.phone,
                                location: GeoPoint(lat: record.lat, lon: record.lon), operatingState: record.operatingState,
                                businesses: record.businesses.sorted(), hours: hours,
                                provenance: Provenance(source: "history", verifiedAt: nil))
            return try APIJSON.response(AsOfDTO(outlet: OutletDTO(outlet, calendar: calendar, now: asOf), asOf: asOf.rfc3339,
                                                version: entry.version, recordedAt: HistoryItemDTO.rfc3339(entry.changedAt),
                                                recordedBy: entry.actor))
        }
        guard let v = try await editor.current(id: id) else { throw DomainError.notFound("no outlet with id \(id.rawValue)") }
        let etag = WriteSupport.etag(v)
        let now = deps.clock.now()
        let dto = OutletDTO(v.outlet, calendar: calendar, now: now, trust: deps.trust(of: v.outlet, now: now))
        let cacheControl = "max-age=\(Self.freshSeconds(now: now, statusChangesAt: dto.statusChangesAt))"
        // Weak comparison (RFC 9110 §13.1.2): `W/"42-3"` and `"42-3"` both name version 3.
        let bare = etag.dropFirst(2)
        if let inm = request.headers[.ifNoneMatch], inm.split(separator: ",").contains(where: {
            let t = $0.trimmingCharacters(in: .whitespaces)
            return t == "*" || t == etag || t == bare
        }) {
            var headers = HTTPFields()
            headers[.eTag] = etag
            headers[.cacheControl] = cacheControl
            return Response(status: .notModified, headers: headers)
        }
        var response = try APIJSON.response(dto)
        response.headers[.eTag] = etag
        response.headers[.cacheControl] = cacheControl
        return response
    }

    /// Seconds an answer with `status` stays fresh: until the status next changes or the local date turns (the
    /// status names the day), and at most ``maxFreshSeconds`` (an edit is then seen within a minute).
    static func freshSeconds(now: Instant, statusChangesAt: Instant?) -> Int64 {
        let untilMidnight = 86_400 - ((now.seconds + 8 * 3600) % 86_400 + 86_400) % 86_400
        var s = min(maxFreshSeconds, untilMidnight)
        if let t = statusChangesAt { s = min(s, max(0, t.seconds - now.seconds)) }
        return s
    }

    static let maxFreshSeconds: Int64 = 60
}
