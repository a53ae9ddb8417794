import Foundation
import Hummingbird
import ServiceCircleApp
import ServiceCircleDomain

/// JSON bodies of the v1 contract (docs/hours.md); keys become snake_case through `APIJSON.encoder`.
enum APIJSON {
    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, contentType: String = "application/json; charset=utf-8") throws -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }
}

struct PointDTO: Codable, Sendable, Equatable {
    var lat: Double
    var lon: Double
    init(_ p: GeoPoint) {
        // 1e-7 degrees is about 1 cm: more digits are noise.
        lat = (p.lat * 1e7).rounded() / 1e7
        lon = (p.lon * 1e7).rounded() / 1e7
    }
}

/// The outlet fields every response carries (docs/hours.md "Conventions").
struct OutletSummaryDTO: Encodable, Sendable {
    var id: Int64
    var code: String
    var name: String
    var kind: String
    var kindNameZh: String
    var address: String
    var province: String
    var city: String
    var district: String
    var districtCode: String
    var phone: String?
    var location: PointDTO
    var locationGcj02: PointDTO
    var operatingState: String
    var businesses: [String]
    var hoursTextZh: String
    var source: String
    var verifiedAt: String?

    init(_ o: Outlet) {
        id = o.id.rawValue
        code = o.code
        name = o.name
        kind = o.kind.rawValue
        kindNameZh = o.kind.nameZh
        address = o.address
        province = o.province
        city = o.city
        district = o.district
        districtCode = o.districtCode
        phone = o.phone
        location = PointDTO(o.location)
        locationGcj02 = PointDTO(Datum.wgs84ToGcj02(o.location))
        operatingState = o.operatingState.rawValue
        businesses = o.businesses.map(\.rawValue)
        hoursTextZh = o.hours.textZh
        source = o.provenance.source
        verifiedAt = o.provenance.verifiedAt?.rfc3339
    }

    // `phone` is always present (null when unknown), as the contract lists it for every outlet.
    enum CodingKeys: String, CodingKey {
        case id, code, name, kind, kindNameZh, address, province, city, district, districtCode, phone, location,
             locationGcj02, operatingState, businesses, hoursTextZh, source, verifiedAt
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(code, forKey: .code)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(kindNameZh, forKey: .kindNameZh)
        try c.encode(address, forKey: .address)
        try c.encode(province, forKey: .province)
        try c.encode(city, forKey: .city)
        try c.encode(district, forKey: .district)
        try c.encode(districtCode, forKey: .districtCode)
        try c.encode(phone, forKey: .phone)
        try c.encode(location, forKey: .location)
        try c.encode(locationGcj02, forKey: .locationGcj02)
        try c.encode(operatingState, forKey: .operatingState)
        try c.encode(businesses, forKey: .businesses)
        try c.encode(hoursTextZh, forKey: .hoursTextZh)
        try c.encode(source, forKey: .source)
        try c.encode(verifiedAt, forKey: .verifiedAt)
    }
}

/// Which rules decided: `{source: rules|exceptions|none|operating_state, selector?, indexes?, notes?}`.
struct RuleDTO: Encodable, Sendable {
    var source: String
    var selector: String?
    var indexes: [Int]?
    var notes: [String]?

    init(_ s: RuleSource, hours: Hours) {
        switch s {
        case .rules(let sel, let idx): source = "rules"; selector = sel.rawValue; indexes = idx
        case .exceptions(let idx):
            source = "exceptions"; indexes = idx
            let n = idx.compactMap { hours.exceptions[$0].note }
            notes = n.isEmpty ? nil : n
        case .none: source = "none"
        case .notOperating: source = "operating_state"
        }
    }
}

struct StatusDTO: Encodable, Sendable {
    var at: String
    var businesses: [String]
    var open: Bool
    var closesAt: String?
    var nextOpensAt: String?
    var rule: RuleDTO
    var date: String
    var dayKind: String
    var holidayName: String?
    var holidayNameEn: String?
    var calendarKnown: Bool
    /// The sentence an agent reads to a caller (`营业中，17:30 停止办理`).
    var statusTextZh: String
    /// Why: the rule, the day kind and the holiday that decided (/v1/outlets/{id}/status only).
    var explanationZh: String?
    /// /v1/outlets/{id}/status with one business only: the documents to bring and where its guide is.
    var guide: GuideSummaryDTO?

    init(_ s: OpenStatus, at: Instant, businesses: [BusinessCode], hours: Hours, compiled: CompiledHours,
         state: OperatingState, explain: Bool = false) {
        self.at = at.rfc3339
        self.businesses = businesses.map(\.rawValue)
        open = s.open
        closesAt = s.closesAt?.rfc3339
        nextOpensAt = s.nextOpensAt?.rfc3339
        rule = RuleDTO(s.source, hours: hours)
        date = s.day.date.description
        dayKind = s.day.kind.rawValue
        holidayName = s.day.nameZh
        holidayNameEn = s.day.nameEn
        calendarKnown = s.day.known
        let required = BusinessSet(businesses)
        statusTextZh = compiled.statusTextZh(at: at, for: required, state: state)
        explanationZh = explain ? compiled.explanationZh(at: at, for: required, hours: hours, state: state) : nil
    }

    // Keep explicit nulls for the contract's optional fields: clients test `closes_at === null`.
    enum CodingKeys: String, CodingKey {
        case at, businesses, open, closesAt, nextOpensAt, rule, date, dayKind, holidayName, holidayNameEn, calendarKnown,
             statusTextZh, explanationZh, guide
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(at, forKey: .at)
        try c.encode(businesses, forKey: .businesses)
        try c.encode(open, forKey: .open)
        try c.encode(closesAt, forKey: .closesAt)
        try c.encode(nextOpensAt, forKey: .nextOpensAt)
        try c.encode(rule, forKey: .rule)
        try c.encode(date, forKey: .date)
        try c.encode(dayKind, forKey: .dayKind)
        try c.encode(holidayName, forKey: .holidayName)
        try c.encode(holidayNameEn, forKey: .holidayNameEn)
        try c.encode(calendarKnown, forKey: .calendarKnown)
        try c.encode(statusTextZh, forKey: .statusTextZh)
        try c.encodeIfPresent(explanationZh, forKey: .explanationZh)
        try c.encodeIfPresent(guide, forKey: .guide)
    }
}

/// The short 办事指南 of one business in outlet answers (the whole guide is at `guide_url`).
struct GuideSummaryDTO: Encodable, Sendable {
    var business: String
    var documentsZh: [String]
    var guideUrl: String
    init(_ g: Guide, url: String) {
        business = g.business.rawValue
        documentsZh = g.documentsZh
        guideUrl = url
    }
}

/// One outlet in full: the summary plus hours in all three forms and the status now.
struct OutletDTO: Encodable, Sendable {
    var summary: OutletSummaryDTO
    var hours: JSONValue
    var openingHours: String
    var status: StatusDTO
    /// The warning of open `closed` reports (docs/editing.md "Problem reports"), null without one.
    var warning: WarningDTO?

    enum CodingKeys: String, CodingKey { case hours, openingHours, status, warning }
    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(hours, forKey: .hours)
        try c.encode(openingHours, forKey: .openingHours)
        try c.encode(status, forKey: .status)
        try c.encode(warning, forKey: .warning)
    }

    /// `trust` (the outlet's caution and warning now) is appended to the status sentence and gives `warning`.
    init(_ o: Outlet, calendar: HolidayCalendar, now: Instant, trust: OutletTrust? = nil) {
        summary = OutletSummaryDTO(o)
        hours = o.hours.json
        openingHours = o.hours.openingHours
        let compiled = o.compiledHours(calendar: calendar)
        let s = compiled.status(at: now)
        status = StatusDTO(s, at: now, businesses: [], hours: o.hours, compiled: compiled, state: o.operatingState)
        if let trust {
            status.statusTextZh += trust.suffixZh
            warning = trust.warning.map(WarningDTO.init)
        }
        statusChangesAt = s.open ? s.closesAt : s.nextOpensAt
    }

    /// When `status` next changes (not encoded): the answer's freshness ends there (docs/api.md, "Caching").
    var statusChangesAt: Instant?
}

/// `{kind: reported_closed, reports, since}`.
struct WarningDTO: Encodable, Sendable {
    var kind: String
    var reports: Int
    var since: String
    init(_ w: ReportedClosedWarning) {
        kind = ReportedClosedWarning.kind
        reports = w.reports
        since = w.since.rfc3339
    }
}

/// A page of a cursor-paged list (`/v1/outlets`, `/v1/reports`): the items and the cursor of the next page, `null`
/// on the last (the key is always written).
struct CursorPage<Item: Encodable>: Encodable {
    var items: [Item]
    var nextCursor: String?
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(items, forKey: .items)
        try c.encode(nextCursor, forKey: .nextCursor)
    }
    enum CodingKeys: String, CodingKey { case items, nextCursor }
}
