import Foundation
import Hummingbird
import ServiceCircleDomain
import ServiceCircleApp

/// The write side of the catalogue (README "Editing the catalogue"): keys, edits, exceptions, history, import, export.
enum CatalogueEditing {
    static func register(on router: Router<AppContext>, deps: AppDependencies) {
        let w = WriteSupport(deps: deps)
        OutletEditController(w: w).register(on: router)
        ExceptionsController(w: w).register(on: router)
        ImportExportController(w: w).register(on: router)
        KeysController(w: w).register(on: router)
        ReportsController(w: w).register(on: router)
    }
}

/// What every write route shares: the stores, Bearer authentication, body parsing, ETags.
struct WriteSupport: Sendable {
    let deps: AppDependencies
    var editor: any EditorRepository { deps.editor }
    var keys: any APIKeyRepository { deps.keys }

    static let maxJSONBody = 1 << 20

    // MARK: Authentication

    /// The key of a request that needs `role`: 401 without a valid live key, 403 with a key of too small a role.
    /// The key is read from the header and hashed; it is never logged nor sent to the database.
    func require(_ role: APIKeyRole, _ request: Request) async throws -> APIKeyInfo {
        func unauthorized(_ detail: String, invalidToken: Bool) -> Problem {
            var p = Problem(status: .unauthorized, detail: detail)
            p.headers[.wwwAuthenticate] = invalidToken ? #"Bearer realm="servicecircle", error="invalid_token""# : #"Bearer realm="servicecircle""#
            return p
        }
        guard let header = request.headers[.authorization] else {
            throw unauthorized("this request changes the catalogue: send Authorization: Bearer KEY (a key with role \(role.rawValue))", invalidToken: false)
        }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw unauthorized("the Authorization header must be 'Bearer KEY'", invalidToken: false)
        }
        guard let key = try await keys.verify(String(parts[1]).trimmingCharacters(in: .whitespaces)) else {
            throw unauthorized("the key is not valid (unknown, mistyped or revoked)", invalidToken: true)
        }
        guard key.role.allows(role) else {
            throw Problem(status: .forbidden, detail: "key '\(key.name)' has role \(key.role.rawValue); this request needs role \(role.rawValue)")
        }
        return key
    }

    // MARK: Bodies

    /// The request body as JSON; `mergePatch` also accepts `application/merge-patch+json`.
    func jsonBody(_ request: Request, mergePatch: Bool = false) async throws -> JSONValue {
        if let ct = request.headers[.contentType]?.lowercased() {
            let media = ct.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            let ok = media == "application/json" || (mergePatch && media == "application/merge-patch+json")
            guard ok else {
                throw Problem(status: .unsupportedMediaType,
                              detail: "send Content-Type: application/json\(mergePatch ? " or application/merge-patch+json" : "") (got \(media))")
            }
        }
        var r = request
        let buffer: ByteBuffer
        do { buffer = try await r.collectBody(upTo: Self.maxJSONBody) } catch {
            throw Problem(status: .contentTooLarge, detail: "the body may be at most \(Self.maxJSONBody) bytes")
        }
        // Within the limits of a body (depth 64, 100,000 values); a problem is named by the member it is in.
        do { return try JSONValue.read(Array(buffer.readableBytesView), limits: .body) } catch {
            throw DomainError.invalid([error.invalidParam()])
        }
    }

    // MARK: Provenance

    /// The `verified_at` an editor sent with an outlet: an RFC 3339 date-time or a date (its start, Asia/Shanghai), not
    /// in the future. Nil when absent, null, or equal to the stored one (a fetched outlet sent back as it is).
    func verifiedAt(_ body: JSONValue, current: Provenance?) throws -> Date? {
        guard case .object(let o) = body, let value = o["verified_at"], value != .null else { return nil }
        guard case .string(let text) = value else {
            throw DomainError.invalid("verified_at", "must be an RFC 3339 date-time such as 2026-03-02T10:00:00+08:00, or a date such as 2026-03-02")
        }
        let instant: Instant
        if let i = Instant(rfc3339: text) { instant = i } else if let d = LocalDate(iso: text), text.count == 10 {
            instant = Instant(date: d, time: LocalTime(minutes: 0))
        } else {
            throw DomainError.invalid("verified_at", "must be an RFC 3339 date-time such as 2026-03-02T10:00:00+08:00, or a date such as 2026-03-02")
        }
        if let current, current.verifiedAt == instant { return nil }
        if instant.seconds > deps.clock.now().seconds + 300 {
            throw DomainError.invalid("verified_at", "must not be in the future")
        }
        return Date(timeIntervalSince1970: TimeInterval(instant.seconds))
    }

    /// The same for an edit of outlet `id` (its stored provenance is read only when `verified_at` is sent).
    func verifiedAt(_ body: JSONValue, of id: Outlet.ID) async throws -> Date? {
        guard case .object(let o) = body, let value = o["verified_at"], value != .null else { return nil }
        return try verifiedAt(body, current: try await editor.current(id: id)?.outlet.provenance)
    }

    // MARK: ETags

    /// `W/"<id>-<version>"`: it names the stored outlet (the version If-Match compares), and is weak because the
    /// body also carries `status`, evaluated when answered (docs/api.md, "ETags and caching").
    static func etag(_ v: VersionedOutlet) -> String { etag(id: v.outlet.id, version: v.version) }
    static func etag(id: Outlet.ID, version: Int) -> String { "W/\"\(id.rawValue)-\(version)\"" }

    /// The versions an `If-Match` header accepts for this outlet; 428 without one.
    func ifMatch(_ request: Request, id: Outlet.ID, required: Bool) throws -> Set<Int>? {
        guard let raw = request.headers[.ifMatch] else {
            if required {
                throw Problem(status: .preconditionRequired,
                              detail: "send If-Match with the ETag of the outlet you edited (GET /v1/outlets/\(id.rawValue)), so that no other editor's change is overwritten")
            }
            return nil
        }
        guard let tags = Self.entityTags(raw) else {
            throw DomainError.invalid("If-Match", "must be one or more entity tags such as W/\"\(id.rawValue)-3\" (the ETag of GET /v1/outlets/\(id.rawValue)), not '\(raw)'")
        }
        var versions = Set<Int>()
        for tag in tags {
            if tag == "*" {
                throw Problem(status: .preconditionRequired, detail: "If-Match: * is not accepted; send the ETag of the outlet you edited")
            }
            // The tag names a stored version: `W/"42-3"` (as served) and `"42-3"` (as served before tags were weak)
            // both ask for version 3. The W/ says the status in the body may differ, not that the version may.
            let opaque = tag.hasPrefix("W/") ? tag.dropFirst(3).dropLast() : tag.dropFirst().dropLast()
            let inner = opaque.split(separator: "-")
            if inner.count == 2, Int64(inner[0]) == id.rawValue, let v = Int(inner[1]) { versions.insert(v) }
        }
        return versions
    }

    /// The entity tags of an If-Match value (RFC 9110: `*`, or a comma-separated list of `W/"…"` / `"…"` with optional
    /// white space; a tag may hold commas), nil when the value is not such a list.
    static func entityTags(_ raw: String) -> [Substring]? {
        let s = Substring(raw)
        if s.trimmingCharacters(in: .whitespaces) == "*" { return ["*"] }
        var tags: [Substring] = []
        var i = s.startIndex
        func skipSpace() { while i < s.endIndex, s[i] == " " || s[i] == "\t" { i = s.index(after: i) } }
        while true {
            skipSpace()
            let start = i
            if s[i...].hasPrefix("W/") { i = s.index(i, offsetBy: 2) }
            guard i < s.endIndex, s[i] == "\"" else { return nil }
            i = s.index(after: i)
            while i < s.endIndex, s[i] != "\"" { i = s.index(after: i) }
            guard i < s.endIndex else { return nil }
            i = s.index(after: i)
            tags.append(s[start..<i])
            skipSpace()
            if i == s.endIndex { return tags }
            guard s[i] == "," else { return nil }
            i = s.index(after: i)
        }
    }

    // MARK: Responses

    func outletResponse(_ v: VersionedOutlet, status: HTTPResponse.Status = .ok) async throws -> Response {
        let now = deps.clock.now()
        var response = try APIJSON.response(OutletDTO(v.outlet, calendar: try await deps.calendar.current(), now: now,
                                                      trust: deps.trust(of: v.outlet, now: now)), status: status)
        response.headers[.eTag] = Self.etag(v)
        if status == .created { response.headers[.location] = "/v1/outlets/\(v.outlet.id.rawValue)" }
        return response
    }

    /// Read your writes: the process that wrote answers /v1/nearest with the change at once, from the row it just
    /// wrote (no re-read); the change feed brings it to the other processes and the place index.
    func readYourWrite(_ v: VersionedOutlet) {
        deps.readModel?.apply(written: v.outlet, version: v.version)
    }

    static func outletID(_ context: AppContext, _ name: String = "id") throws -> Outlet.ID {
        guard let raw = context.parameters.get(name), raw.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let v = Int64(raw), v > 0 else {
            throw DomainError.invalid(name, "must be a positive integer outlet id")
        }
        return Outlet.ID(v)
    }
}
