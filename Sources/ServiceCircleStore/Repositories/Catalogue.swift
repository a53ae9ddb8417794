import Foundation
import Logging
import PostgresNIO
import ServiceCircleApp
import ServiceCircleDomain
import Synchronization

/// The catalogue in PostgreSQL: every read and write of outlets and the calendar goes through here.
public struct Catalogue: CatalogueRepository, ReadModelSource {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static let outletColumns = """
        id, code, name, kind, address, province, city, district, district_code, phone,
        lat, lon, operating_state, businesses, hours::text, source, verified_at
        """

    typealias OutletRow = (Int64, String, String, String, String, String, String, String, String, String?,
                           Double, Double, String, [String], String, String, Date?)

    static func outlet(_ r: OutletRow) throws -> Outlet {
        try outlet(r, hours: try hours(r))
    }

    /// Hours decoded from their stored text, shared by every query of the process: the spatial search reads
    /// hundreds of rows per request and decoding their hours JSON dominated it. Bounded: cleared past 10,000 texts.
    static let sharedHours = Mutex<[String: Hours]>([:])

    static func outletSharingHours(_ r: OutletRow) throws -> Outlet {
        if let h = sharedHours.withLock({ $0[r.14] }) { return try outlet(r, hours: h) }
        let h = try hours(r)
        sharedHours.withLock { shared in
            if shared.count >= 10_000 { shared.removeAll() }
            shared[r.14] = h
        }
        return try outlet(r, hours: h)
    }

    /// Decodes a row, reusing hours already decoded from the same stored text (bulk reads).
    static func outlet(_ r: OutletRow, decodedHours cache: inout [String: Hours]) throws -> Outlet {
        if let h = cache[r.14] { return try outlet(r, hours: h) }
        let h = try hours(r)
        cache[r.14] = h
        return try outlet(r, hours: h)
    }

    /// The row's stored hours JSON, validated.
    static func hours(_ r: OutletRow) throws -> Hours {
        let json = try JSONDecoder().decode(JSONValue.self, from: Data(r.14.utf8))
        do { return try Hours(json: json) } catch { throw StoreError.corrupt("outlet \(r.0): stored hours invalid: \(error)") }
    }

    static func outlet(_ r: OutletRow, hours: Hours) throws -> Outlet {
        guard let kind = OutletKind(rawValue: r.3), let state = OperatingState(rawValue: r.12) else {
            throw StoreError.corrupt("outlet \(r.0): unknown kind or state")
        }
        return Outlet(id: .init(r.0), code: r.1, name: r.2, kind: kind, address: r.4, province: r.5, city: r.6,
                      district: r.7, districtCode: r.8, phone: r.9, location: GeoPoint(lat: r.10, lon: r.11),
                      operatingState: state, businesses: r.13.compactMap(BusinessCode.init(rawValue:)).sorted(), hours: hours,
                      provenance: Provenance(source: r.15, verifiedAt: r.16.map { Instant(seconds: Int64($0.timeIntervalSince1970.rounded(.down))) }))
    }

    // MARK: The read model's source

    /// One outlet as stored, with its hours text (the read model keys hours classes by it) and version.
    public func storedOutlet(id: Int64) async throws -> StoredOutlet? {
        let rows = try await client.fetch(
            "SELECT \(unescaped: Self.outletColumns), version FROM outlets WHERE id = \(id)", logger: logger)
        for try await r in rows.decode(VersionedOutletRow.self) {
            let row: OutletRow = (r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13, r.14, r.15, r.16)
            return StoredOutlet(outlet: try Self.outletSharingHours(row), hoursText: r.14, version: r.17)
        }
        return nil
    }

    /// Every active outlet; outlets share a few hundred distinct hours, each decoded once.
    public func activeOutlets(unreadable: @Sendable (Int64, any Error) -> Void) async throws -> [StoredOutlet] {
        var decoded: [String: Hours] = [:]
        var out: [StoredOutlet] = []
        // Keyset pages: each page is fetched whole (FetchedRows), so the page size bounds what is held at once.
        var after: Int64 = 0
        while true {
            let rows = try await client.fetch("""
                SELECT \(unescaped: Self.outletColumns), version FROM outlets
                 WHERE operating_state = 'active' AND id > \(after) ORDER BY id LIMIT \(Self.loadPage)
                """, logger: logger)
            for try await r in rows.decode(VersionedOutletRow.self) {
                after = r.0
                let row: OutletRow = (r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13, r.14, r.15, r.16)
                do { out.append(StoredOutlet(outlet: try Self.outlet(row, decodedHours: &decoded), hoursText: r.14, version: r.17)) } catch {
                    unreadable(r.0, error)
                }
            }
            if rows.rows.count < Self.loadPage { return out }
        }
    }

    /// Rows per page of the read model's full load.
    static let loadPage = 20_000

    typealias VersionedOutletRow = (Int64, String, String, String, String, String, String, String, String, String?,
                                    Double, Double, String, [String], String, String, Date?, Int)

    // MARK: Reads

    public func outlet(id: Outlet.ID) async throws -> Outlet? {
        let rows = try await client.fetch(
            "SELECT \(unescaped: Self.outletColumns) FROM outlets WHERE id = \(id.rawValue)", logger: logger)
        for try await r in rows.decode(OutletRow.self) { return try Self.outlet(r) }
        return nil
    }

    /// One page of the list, ordered by id; ask for `limit + 1` to know whether there is a next page.
    public func outlets(_ f: OutletFilter) async throws -> [Outlet] {
        let kinds: [String]? = f.kinds.isEmpty ? nil : f.kinds.map(\.rawValue)
        let businesses: [String]? = f.businesses.isEmpty ? nil : f.businesses.map(\.rawValue)
        let states: [String]? = f.operatingStates.isEmpty ? nil : f.operatingStates.map(\.rawValue)
        let patterns: [String]? = f.text.map { text in
            text.split(whereSeparator: \.isWhitespace).map { word in
                "%" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
                    .replacingOccurrences(of: "_", with: "\\_") + "%"
            }
        }
        let rows = try await client.fetch("""
            SELECT \(unescaped: Self.outletColumns) FROM outlets
             WHERE (\(kinds)::text[] IS NULL OR kind = ANY(\(kinds)::text[]))
               AND (\(businesses)::text[] IS NULL OR businesses @> \(businesses)::text[])
               AND (\(f.city)::text IS NULL OR city = \(f.city)::text)
               AND (\(f.districtCode)::text IS NULL OR district_code = \(f.districtCode)::text)
               AND (\(states)::text[] IS NULL OR operating_state = ANY(\(states)::text[]))
               AND (\(patterns)::text[] IS NULL OR search_text ILIKE ALL(\(patterns)::text[]))
               AND id > \(f.afterID?.rawValue ?? 0)
             ORDER BY id
             LIMIT \(f.limit)
            """, logger: logger)
        var out: [Outlet] = []
        for try await r in rows.decode(OutletRow.self) { out.append(try Self.outlet(r)) }
        return out
    }

    /// Active outlets within `radius` metres offering all `businesses` (and of `kinds`, when given), in the
    /// order of the GiST index's nearest-neighbour scan (`<->`: great-circle distance on the mean sphere),
    /// from the `offset`-th on; each with its geodesic distance and that sphere distance.
    public func nearestFirst(of p: GeoPoint, within radius: Double, businesses: [BusinessCode], kinds: [OutletKind],
                             offset: Int, limit: Int) async throws -> [(OutletDistance, sphere: Double)] {
        let b = businesses.map(\.rawValue)
        let k: [String]? = kinds.isEmpty ? nil : kinds.map(\.rawValue)
        let rows = try await client.fetch("""
            WITH q AS (SELECT ST_SetSRID(ST_MakePoint(\(p.lon), \(p.lat)), 4326)::geography AS g)
            SELECT \(unescaped: Self.outletColumns), ST_Distance(o.location, q.g, true), o.location <-> q.g
              FROM outlets o, q
             WHERE o.operating_state = 'active'
               AND o.businesses @> \(b)::text[]
               AND (\(k)::text[] IS NULL OR o.kind = ANY(\(k)::text[]))
               AND ST_DWithin(o.location, q.g, \(radius), true)
             ORDER BY o.location <-> q.g, o.id
             OFFSET \(offset) LIMIT \(limit)
            """, logger: logger)
        var out: [(OutletDistance, sphere: Double)] = []
        for try await r in rows.decode((Int64, String, String, String, String, String, String, String, String, String?,
                                         Double, Double, String, [String], String, String, Date?, Double, Double).self) {
            let outlet = try Self.outletSharingHours((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13, r.14, r.15, r.16))
            out.append((OutletDistance(outlet: outlet, distance: r.17), sphere: r.18))
        }
        return out
    }

    /// Active outlets within `radius` metres (geodesic, WGS-84) offering all `businesses`, nearest first, ties by id;
    /// with `after`, only those ordered after that (distance, id) — a keyset for reading rings outward in pages.
    public func within(radius: Double, of p: GeoPoint, businesses: [BusinessCode], kinds: [OutletKind],
                       after: (distance: Double, id: Outlet.ID)? = nil, limit: Int? = nil) async throws -> [OutletDistance] {
        let afterD = after?.distance ?? -1
        let afterID = after?.id.rawValue ?? 0
        let b = businesses.map(\.rawValue)
        let k: [String]? = kinds.isEmpty ? nil : kinds.map(\.rawValue)
        let rows = try await client.fetch("""
            WITH q AS (SELECT ST_SetSRID(ST_MakePoint(\(p.lon), \(p.lat)), 4326)::geography AS g)
            SELECT \(unescaped: Self.outletColumns), ST_Distance(o.location, q.g, true)
              FROM outlets o, q
             WHERE o.operating_state = 'active'
               AND o.businesses @> \(b)::text[]
               AND (\(k)::text[] IS NULL OR o.kind = ANY(\(k)::text[]))
               AND ST_DWithin(o.location, q.g, \(radius), true)
               AND (ST_Distance(o.location, q.g, true), o.id) > (\(afterD), \(afterID))
             ORDER BY ST_Distance(o.location, q.g, true), o.id
             LIMIT \(limit)
            """, logger: logger)
        var out: [OutletDistance] = []
        for try await r in rows.decode((Int64, String, String, String, String, String, String, String, String, String?,
                                         Double, Double, String, [String], String, String, Date?, Double).self) {
            let outlet = try Self.outletSharingHours((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13, r.14, r.15, r.16))
            out.append(OutletDistance(outlet: outlet, distance: r.17))
        }
        return out
    }

    // MARK: Calendar

    /// The whole loaded calendar (a few thousand rows at most).
    public func holidayCalendar() async throws -> HolidayCalendar {
        let rows = try await client.fetch(
            "SELECT date::text, day_kind, name_zh, name_en, source FROM calendar_days ORDER BY date", logger: logger)
        var entries: [CalendarEntry] = []
        var first: LocalDate?
        var last: LocalDate?
        for try await (d, k, zh, en, src) in rows.decode((String, String, String?, String?, String?).self) {
            guard let date = LocalDate(iso: d), let kind = DayKind(rawValue: k) else { continue }
            if first == nil { first = date }
            last = date
            if kind == .holiday || kind == .makeupWorkday {
                entries.append(CalendarEntry(date: date, kind: kind, nameZh: zh, nameEn: en, source: src))
            }
        }
        guard let first, let last else { return .empty }
        return HolidayCalendar(first: first, last: last, entries: entries)
    }

    // MARK: Writes

    /// Inserts outlets in one statement per batch (unnest of arrays), inside the caller's transaction.
    public static func insert(_ records: [OutletRecord], on conn: PostgresConnection, logger: Logger) async throws {
        guard !records.isEmpty else { return }
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        // Every stored exception gets its stable id (the exceptions API addresses it), whichever path loaded it.
        let hours = try records.map { r in
            String(decoding: try enc.encode((try? Hours(json: r.hours))?.withExceptionIDs().json ?? r.hours), as: UTF8.self)
        }
        // Business arrays travel as one JSON array per row: unnest cannot take a ragged text[][].
        let businesses = try records.map { String(decoding: try enc.encode($0.businesses.map(\.rawValue)), as: UTF8.self) }
        try await conn.fetch("""
            INSERT INTO outlets (code, name, kind, address, province, city, district, district_code, phone,
                                 lat, lon, operating_state, businesses, hours)
            SELECT code, name, kind, address, province, city, district, district_code, NULLIF(phone, ''),
                   lat, lon, state,
                   ARRAY(SELECT jsonb_array_elements_text(b::jsonb)), h::jsonb
              FROM unnest(\(records.map(\.code)), \(records.map(\.name)), \(records.map(\.kind.rawValue)),
                          \(records.map(\.address)), \(records.map(\.province)), \(records.map(\.city)),
                          \(records.map(\.district)), \(records.map(\.districtCode)), \(records.map { $0.phone ?? "" }),
                          \(records.map(\.lon)), \(records.map(\.lat)), \(records.map(\.operatingState.rawValue)),
                          \(businesses), \(hours))
                AS t(code, name, kind, address, province, city, district, district_code, phone, lon, lat, state, b, h)
            """, logger: logger)
    }

    /// Replaces the calendar rows of the years the entries cover, in the caller's transaction.
    public static func replaceCalendarYears(_ entries: [CalendarEntry], on conn: PostgresConnection, logger: Logger) async throws {
        let years = Set(entries.map { $0.date.components.year })
        for year in years.sorted() {
            let first = LocalDate(year: year, month: 1, day: 1)!
            let last = LocalDate(year: year, month: 12, day: 31)!
            let special = Dictionary(entries.filter { $0.date.components.year == year }.map { ($0.date, $0) }, uniquingKeysWith: { $1 })
            // PostgresNIO binds no arrays of optionals: empty strings travel and NULLIF restores the NULLs.
            var dates: [String] = [], kinds: [String] = [], zh: [String] = [], en: [String] = [], src: [String] = []
            for d in first.dayNumber...last.dayNumber {
                let date = LocalDate(dayNumber: d)
                let e = special[date]
                dates.append(date.description)
                kinds.append((e?.kind ?? DayKind.ordinary(date)).rawValue)
                zh.append(e?.nameZh ?? "")
                en.append(e?.nameEn ?? "")
                src.append(e?.source ?? "")
            }
            try await conn.fetch("DELETE FROM calendar_days WHERE date BETWEEN \(first.description)::date AND \(last.description)::date", logger: logger)
            try await conn.fetch("""
                INSERT INTO calendar_days (date, day_kind, name_zh, name_en, source)
                SELECT d::date, k, NULLIF(z, ''), NULLIF(e, ''), NULLIF(s, '') FROM unnest(\(dates), \(kinds), \(zh), \(en), \(src)) AS t(d, k, z, e, s)
                """, logger: logger)
        }
    }
}

public enum StoreError: Error, CustomStringConvertible {
    case corrupt(String)
    public var description: String {
        switch self {
        case .corrupt(let s): "stored data is inconsistent: \(s)"
        }
    }
}
