import Foundation
import Hummingbird
import ServiceCircleDomain
import ServiceCircleApp

/// Temporary closures and special hours: the dated `exceptions` of an outlet's hours, each with a stable id.
///
/// They live in the outlet's hours, so status, /v1/nearest (memory and PostGIS) and coverage use them with no extra
/// plumbing, and the outlet's version, history and change feed follow every edit. Adding or removing one exception
/// cannot overwrite another editor's work, so `If-Match` is optional here (checked when sent).
struct ExceptionsController: Sendable {
    let w: WriteSupport

    func register(on router: Router<AppContext>) {
        router.get("/v1/outlets/{id}/exceptions", use: list)
        router.post("/v1/outlets/{id}/exceptions", use: add)
        router.delete("/v1/outlets/{id}/exceptions", use: removeListed)
        router.get("/v1/outlets/{id}/exceptions/{exception_id}", use: show)
        router.delete("/v1/outlets/{id}/exceptions/{exception_id}", use: removeOne)
    }

    struct ExceptionDTO: Encodable {
        var id: String
        var from: String
        var to: String
        var intervals: [[String]]
        var businesses: [String]?
        var note: String?
        init(_ e: HoursException) {
            id = e.id ?? e.derivedID
            from = e.from.description
            to = e.to.description
            intervals = e.intervals.map { [$0.start.description, $0.end.description] }
            businesses = e.businesses?.map(\.rawValue)
            note = e.note
        }
        enum CodingKeys: String, CodingKey { case id, from, to, intervals, businesses, note }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(from, forKey: .from)
            try c.encode(to, forKey: .to)
            try c.encode(intervals, forKey: .intervals)
            try c.encode(businesses, forKey: .businesses)
            try c.encode(note, forKey: .note)
        }
    }

    struct ListDTO: Encodable {
        var outletId: Int64
        var items: [ExceptionDTO]
    }

    func response(_ value: some Encodable, _ v: VersionedOutlet, status: HTTPResponse.Status = .ok, location: String? = nil) throws -> Response {
        var r = try APIJSON.response(value, status: status)
        r.headers[.eTag] = WriteSupport.etag(v)
        if let location { r.headers[.location] = location }
        return r
    }

    func current(_ id: Outlet.ID) async throws -> VersionedOutlet {
        guard let v = try await w.editor.current(id: id) else { throw DomainError.notFound("no outlet with id \(id.rawValue)") }
        return v
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        try QueryParameters(request, allowed: []).check()
        let v = try await current(try WriteSupport.outletID(context))
        let items = v.outlet.hours.withExceptionIDs().exceptions.map(ExceptionDTO.init)
        return try response(ListDTO(outletId: v.outlet.id.rawValue, items: items), v)
    }

    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try QueryParameters(request, allowed: []).check()
        let v = try await current(try WriteSupport.outletID(context))
        let exceptionID = context.parameters.get("exception_id") ?? ""
        guard let e = v.outlet.hours.withExceptionIDs().exceptions.first(where: { $0.id == exceptionID }) else {
            throw DomainError.notFound("outlet \(v.outlet.id.rawValue) has no exception '\(exceptionID)'")
        }
        return try response(ExceptionDTO(e), v)
    }

    /// Adds an exception: 201 with its id. Sending the same exception again (a retried request) changes nothing and
    /// answers 200 with the one already there.
    @Sendable func add(_ request: Request, context: AppContext) async throws -> Response {
        try QueryParameters(request, allowed: []).check()
        let id = try WriteSupport.outletID(context)
        let key = try await w.require(.editor, request)
        let versions = try w.ifMatch(request, id: id, required: false)
        var exception = try HoursException.parse(try await w.jsonBody(request))
        exception.id = nil
        let newID = exception.derivedID
        exception.id = newID
        let added = exception
        let (v, changed) = try await w.editor.update(id: id, ifVersion: versions, change: ChangeContext(actor: key.name, action: "exception_add")) { cur in
            var hours = cur.outlet.hours.withExceptionIDs()
            if hours.exceptions.contains(where: { $0.id == newID }) { return nil }
            hours.exceptions.append(added)
            var r = OutletRecord(cur.outlet)
            r.hours = hours.json
            return r
        }
        if changed { w.readYourWrite(v) }
        let stored = v.outlet.hours.exceptions.first(where: { $0.id == newID }) ?? added
        return try response(ExceptionDTO(stored), v, status: changed ? .created : .ok,
                            location: "/v1/outlets/\(id.rawValue)/exceptions/\(newID)")
    }

    @Sendable func removeOne(_ request: Request, context: AppContext) async throws -> Response {
        try QueryParameters(request, allowed: []).check()
        return try await remove(request, context: context, ids: [context.parameters.get("exception_id") ?? ""])
    }

    /// `DELETE /v1/outlets/{id}/exceptions?id=a,b`: several at once (all or none).
    @Sendable func removeListed(_ request: Request, context: AppContext) async throws -> Response {
        var p = QueryParameters(request, allowed: ["id"])
        let ids = p.list("id")
        if ids.isEmpty && !p.has("id") { p.fail("id", "is required: the ids of the exceptions to delete, comma-separated") }
        try p.check()
        return try await remove(request, context: context, ids: ids)
    }

    func remove(_ request: Request, context: AppContext, ids: [String]) async throws -> Response {
        let id = try WriteSupport.outletID(context)
        let key = try await w.require(.editor, request)
        let versions = try w.ifMatch(request, id: id, required: false)
        // What does not exist is a 404 whatever the precondition says (RFC 9110 §13.2.1: preconditions are evaluated
        // on an existing target); the check is repeated under the row lock below.
        guard let current = try await w.editor.current(id: id) else { throw EditError.notFound(id) }
        let known = current.outlet.hours.withExceptionIDs().exceptions.compactMap(\.id)
        let unknown = ids.filter { !known.contains($0) }
        if !unknown.isEmpty {
            throw DomainError.notFound("outlet \(id.rawValue) has no exception \(unknown.map { "'\($0)'" }.joined(separator: ", "))")
        }
        let (v, changed) = try await w.editor.update(id: id, ifVersion: versions, change: ChangeContext(actor: key.name, action: "exception_delete")) { cur in
            var hours = cur.outlet.hours.withExceptionIDs()
            let missing = ids.filter { x in !hours.exceptions.contains(where: { $0.id == x }) }
            if !missing.isEmpty {
                throw DomainError.notFound("outlet \(id.rawValue) has no exception \(missing.map { "'\($0)'" }.joined(separator: ", "))")
            }
            hours.exceptions.removeAll { ids.contains($0.id ?? "") }
            var r = OutletRecord(cur.outlet)
            r.hours = hours.json
            return r
        }
        if changed { w.readYourWrite(v) }
        var headers = HTTPFields()
        headers[.eTag] = WriteSupport.etag(v)
        return Response(status: .noContent, headers: headers)
    }
}
