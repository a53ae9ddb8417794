import Foundation
import Hummingbird
import ServiceCircleDomain
import ServiceCircleApp

/// The outlet catalogue: list with filters and cursor pagination, one outlet, its status at an instant.
struct OutletsController: Sendable {
    let deps: AppDependencies

    func register(on router: Router<AppContext>) {
        router.get("/v1/outlets", use: list)
        router.get("/v1/outlets/{id}", use: show)
        router.get("/v1/outlets/{id}/status", use: status)
    }

    /// The list's filters, shared by the exports (`/v1/outlets.csv`, `.geojson`).
    static let filterParameters: Set<String> = ["kind", "business", "city", "district", "q"]

    /// Reads the list's filters; problems are collected in `p`.
    static func filter(_ p: inout QueryParameters) -> OutletFilter {
        var f = OutletFilter()
        f.kinds = p.codes("kind", OutletKind.self)
        f.businesses = p.codes("business", BusinessCode.self)
        f.city = p.string("city")
        if let d = p.string("district") {
            if d.count == 6, d.allSatisfy(\.isASCII), d.allSatisfy(\.isNumber) { f.districtCode = d }
            else { p.fail("district", "must be a six-digit GB/T 2260 code, e.g. 420116") }
        }
        if let q = p.string("q") {
            if q.count > 100 { p.fail("q", "must be at most 100 characters") } else { f.text = q }
        }
        return f
    }

    @Sendable func list(_ request: Request, context: AppContext) async throws -> Response {
        var p = QueryParameters(request, allowed: Self.filterParameters.union(["limit", "cursor"]))
        var f = Self.filter(&p)
        f.limit = p.int("limit", in: 1...200) ?? 50
        if let c = p.string("cursor") {
            if let id = Cursor.decode(c) { f.afterID = id } else { p.fail("cursor", "is not a cursor this service issued") }
        }
        try p.check()
        let limit = f.limit
        f.limit = limit + 1
        let rows = try await deps.catalogue.outlets(f)
        let page = Array(rows.prefix(limit))
        let calendar = try await deps.calendar.current()
        let now = deps.clock.now()
        let next = rows.count > limit ? page.last.map { Cursor.encode($0.id) } : nil
        var response = try APIJSON.response(CursorPage(items: page.map { OutletDTO($0, calendar: calendar, now: now, trust: deps.trust(of: $0, now: now)) }, nextCursor: next))
        if let next { response.headers[.link] = PageLink.next(request, cursor: next) }
        return response
    }

    /// With its ETag, and `?as_of=` from the history (OutletEditController.swift).
    @Sendable func show(_ request: Request, context: AppContext) async throws -> Response {
        try await OutletEditController.show(request, context: context, deps: deps)
    }

    @Sendable func status(_ request: Request, context: AppContext) async throws -> Response {
        var p = QueryParameters(request, allowed: ["at", "business"])
        let at = p.instant("at") ?? deps.clock.now()
        let businesses = p.codes("business", BusinessCode.self)
        let idResult = Result { try outletID(context) }
        try p.check()
        let id = try idResult.get()
        guard let outlet = try await deps.catalogue.outlet(id: id) else { throw DomainError.notFound("no outlet with id \(id)") }
        let compiled = outlet.compiledHours(calendar: try await deps.calendar.current())
        let s = compiled.status(at: at, for: BusinessSet(businesses))
        var dto = StatusDTO(s, at: at, businesses: businesses, hours: outlet.hours, compiled: compiled,
                            state: outlet.operatingState, explain: true)
        dto.statusTextZh += deps.trust(of: outlet, now: deps.clock.now()).suffixZh
        if businesses.count == 1, let b = businesses.first {
            let g = deps.hotline.guides.guide(for: b, region: outlet.districtCode, outlet: outlet.code)
            dto.guide = GuideSummaryDTO(g, url: GuideController.url(b, outlet: outlet.id))
        }
        return try APIJSON.response(dto)
    }

    func outletID(_ context: AppContext) throws(DomainError) -> Outlet.ID {
        guard let raw = context.parameters.get("id"), raw.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let v = Int64(raw), v > 0 else {
            throw .invalid("id", "must be a positive integer outlet id")
        }
        return Outlet.ID(v)
    }

    func load(_ context: AppContext) async throws -> Outlet {
        let id = try outletID(context)
        guard let outlet = try await deps.catalogue.outlet(id: id) else { throw DomainError.notFound("no outlet with id \(id)") }
        return outlet
    }
}

/// Opaque keyset cursors: base64url of "o1:<last id>". Opaque so the ordering can change without breaking clients.
enum Cursor {
    static func encode(_ id: Outlet.ID) -> String {
        Data("o1:\(id.rawValue)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ s: String) -> Outlet.ID? {
        var b = s.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while b.count % 4 != 0 { b += "=" }
        guard let d = Data(base64Encoded: b), let text = String(data: d, encoding: .utf8), text.hasPrefix("o1:"),
              let v = Int64(text.dropFirst(3)), v > 0 else { return nil }
        return Outlet.ID(v)
    }
}

/// The holiday calendar, every date of a range with its kind.
struct CalendarController: Sendable {
    let deps: AppDependencies
    static let maxDays = 1096

    struct DayDTO: Encodable {
        var date: String
        var dayKind: String
        var nameZh: String?
        var nameEn: String?
        var calendarKnown: Bool
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(date, forKey: .date)
            try c.encode(dayKind, forKey: .dayKind)
            try c.encode(nameZh, forKey: .nameZh)
            try c.encode(nameEn, forKey: .nameEn)
            try c.encode(calendarKnown, forKey: .calendarKnown)
        }
        enum CodingKeys: String, CodingKey { case date, dayKind, nameZh, nameEn, calendarKnown }
    }

    struct CalendarDTO: Encodable {
        var from: String
        var to: String
        var knownFrom: String?
        var knownTo: String?
        var days: [DayDTO]
    }

    func register(on router: Router<AppContext>) {
        router.get("/v1/calendar") { request, _ in
            var p = QueryParameters(request, allowed: ["from", "to"])
            let from = p.required("from", p.date("from"))
            let to = p.required("to", p.date("to"))
            if let from, let to {
                if to < from { p.fail("to", "must not be before from") }
                else if to.dayNumber - from.dayNumber >= Int32(Self.maxDays) { p.fail("to", "the range may cover at most \(Self.maxDays) days") }
            }
            try p.check()
            guard let from, let to else { throw DomainError.invalid("from", "is required") }
            let cal = try await deps.calendar.current()
            let days = (from.dayNumber...to.dayNumber).map { d -> DayDTO in
                let info = cal.info(LocalDate(dayNumber: d))
                return DayDTO(date: info.date.description, dayKind: info.kind.rawValue, nameZh: info.nameZh, nameEn: info.nameEn, calendarKnown: info.known)
            }
            let known = cal.last >= cal.first
            return try APIJSON.response(CalendarDTO(from: from.description, to: to.description,
                                                    knownFrom: known ? cal.first.description : nil,
                                                    knownTo: known ? cal.last.description : nil, days: days))
        }
    }
}
