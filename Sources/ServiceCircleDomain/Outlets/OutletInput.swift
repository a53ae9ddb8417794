// Validation of an outlet as editors send it (API bodies, import rows), and JSON Merge Patch (RFC 7396).

/// An outlet document as an editor writes it, validated into the record the catalogue stores.
///
/// The document is the API's outlet representation restricted to its editable fields: `code`, `name`, `kind`,
/// `address`, `province`, `city`, `district`, `district_code`, `phone`, `location` `{lat, lon}` (WGS-84; or
/// `location_gcj02` alone, converted), `operating_state`, `businesses` and `hours` (JSON) or `opening_hours` (OSM
/// text). The derived fields of a GET answer are accepted and ignored, so a fetched outlet can be edited and sent
/// back. Import rows use the flat form: `lat` and `lon` instead of `location`.
public struct OutletInput: Sendable {
    public var record: OutletRecord
    public var hours: Hours
    /// The hours came from OSM `opening_hours` text, which cannot carry dated exceptions: an import keeps the
    /// stored outlet's exceptions instead of dropping them.
    public var hoursFromText: Bool
    /// `record.hours` as compact JSON text (keys sorted), ready for the database.
    public var hoursText: String

    /// Fields of a GET answer that are derived: accepted on input and ignored.
    public static let derivedFields: Set<String> = ["id", "version", "kind_name_zh", "location_gcj02", "hours_text_zh", "status",
                                                    "source", "verified_at", "warning"]
    static let editable: Set<String> = ["code", "name", "kind", "address", "province", "city", "district", "district_code", "phone",
                                        "location", "operating_state", "businesses", "hours", "opening_hours"]
    static let flatEditable: Set<String> = editable.subtracting(["location"]).union(["lat", "lon"])

    // The CHECKs of sql/0003_outlets.sql, by hand: Swift Regex costs microseconds per match, and imports match
    // hundreds of thousands of fields.
    static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    static func isAlnum(_ c: UInt8) -> Bool { isDigit(c) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
    static func isValidCode(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard (1...64).contains(u.count), isAlnum(u[0]) else { return false }
        return u.allSatisfy { isAlnum($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
    }
    static func isValidDistrictCode(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return u.count == 6 && u[0] != 0x30 && u.allSatisfy(isDigit)
    }
    static func isValidPhone(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return (3...32).contains(u.count) && u.allSatisfy { isDigit($0) || $0 == 0x2B || $0 == 0x28 || $0 == 0x29 || $0 == 0x20 || $0 == 0x2D }
    }

    /// Parses and validates a document; every invalid field is named (`location.lat`, `hours.rules[0].days[1]`).
    /// `hoursCache` memoises hours by their input (bulk imports repeat a few hundred distinct hours).
    public static func parse(_ json: JSONValue, flat: Bool = false, hoursCache: HoursCache? = nil) throws(DomainError) -> OutletInput {
        guard case .object(let o) = json else { throw .invalid("body", "must be a JSON object") }
        var errors: [InvalidParam] = []
        func fail(_ name: String, _ reason: String) { errors.append(InvalidParam(name: name, reason: reason)) }

        let allowed = flat ? flatEditable : editable
        for key in o.keys.sorted() where !allowed.contains(key) && !derivedFields.contains(key) {
            fail(key, "unknown field; editable fields: \(allowed.sorted().joined(separator: ", "))")
        }
        func string(_ key: String, required: Bool, max: Int = 200) -> String? {
            guard let v = o[key], v != .null else {
                if required { fail(key, "is required") }
                return nil
            }
            guard case .string(let s) = v else { fail(key, "must be a string"); return nil }
            let t = s.trimmingWhitespace
            // Text fields are one line: no control character may remain inside (NUL would not even reach the database).
            if let problem = TextRules.controlCharacterProblem(t) { fail(key, problem); return nil }
            if required && t.isEmpty { fail(key, "must not be empty"); return nil }
            // Counting characters walks grapheme clusters: only when the UTF-8 length could exceed the limit.
            if t.utf8.count > max && t.count > max { fail(key, "must be at most \(max) characters"); return nil }
            return t
        }
        let code = string("code", required: true, max: 64)
        if let c = code, !isValidCode(c) {
            fail("code", "must be 1 to 64 characters A-Z, a-z, 0-9, '_', '.' or '-', starting with a letter or digit")
        }
        let name = string("name", required: true)
        var kind: OutletKind?
        if let k = string("kind", required: true) {
            kind = OutletKind(rawValue: k)
            if kind == nil { fail("kind", "unknown code '\(k)'; one of: \(OutletKind.allCases.map(\.rawValue).joined(separator: ", "))") }
        }
        let address = string("address", required: false, max: 500) ?? ""
        let province = string("province", required: true)
        let city = string("city", required: true)
        let district = string("district", required: true)
        let districtCode = string("district_code", required: true)
        if let d = districtCode, !isValidDistrictCode(d) { fail("district_code", "must be a six-digit GB/T 2260 code, e.g. 420116") }
        var phone = string("phone", required: false, max: 32)
        if phone?.isEmpty == true { phone = nil }
        if let p = phone, !isValidPhone(p) { fail("phone", "must be 3 to 32 characters of digits, spaces, '+', '-', '(' and ')'") }

        // Location: WGS-84 degrees.
        var point: GeoPoint?
        func number(_ v: JSONValue?, _ path: String, _ range: ClosedRange<Double>) -> Double? {
            guard let v, v != .null else { fail(path, "is required"); return nil }
            guard case .number(let d) = v, d.isFinite else { fail(path, "must be a number"); return nil }
            guard range.contains(d) else { fail(path, "must be between \(range.lowerBound) and \(range.upperBound)"); return nil }
            return d
        }
        if flat {
            let lat = number(o["lat"], "lat", -90...90), lon = number(o["lon"], "lon", -180...180)
            if let lat, let lon { point = GeoPoint(lat: lat, lon: lon) }
        } else if let loc = o["location"], loc != .null {
            if case .object(let lo) = loc {
                for key in lo.keys.sorted() where key != "lat" && key != "lon" { fail("location.\(key)", "unknown field") }
                let lat = number(lo["lat"], "location.lat", -90...90), lon = number(lo["lon"], "location.lon", -180...180)
                if let lat, let lon { point = GeoPoint(lat: lat, lon: lon) }
            } else { fail("location", "must be an object {lat, lon} in WGS-84 degrees") }
        } else if case .object(let lo)? = o["location_gcj02"] {
            // Editors often copy coordinates from a Chinese map (GCJ-02): accepted when `location` is absent.
            let lat = number(lo["lat"], "location_gcj02.lat", -90...90), lon = number(lo["lon"], "location_gcj02.lon", -180...180)
            if let lat, let lon { point = Datum.gcj02ToWgs84(GeoPoint(lat: lat, lon: lon)) }
        } else { fail("location", "is required: {lat, lon} in WGS-84 degrees") }

        var state = OperatingState.active
        if let s = string("operating_state", required: false), !s.isEmpty {
            if let st = OperatingState(rawValue: s) { state = st } else {
                fail("operating_state", "unknown value '\(s)'; one of: \(OperatingState.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }

        var businesses: [BusinessCode] = []
        if let b = o["businesses"], b != .null {
            if case .array(let items) = b {
                for (i, item) in items.enumerated() {
                    guard case .string(let s) = item, let c = BusinessCode(rawValue: s) else {
                        fail("businesses[\(i)]", "unknown business code; see /v1/business-types"); continue
                    }
                    if !businesses.contains(c) { businesses.append(c) }
                }
            } else { fail("businesses", "must be an array of business codes") }
        } else { fail("businesses", "is required: an array of business codes") }
        businesses.sort()

        var hours: Hours?
        var fromText = false
        var hoursKey: String?
        let hoursValue = o["hours"].flatMap { $0 == .null ? nil : $0 }
        let textValue = o["opening_hours"].flatMap { $0 == .null ? nil : $0 }
        do throws(DomainError) {
            if let hv = hoursValue {
                if case .string(let s) = hv {
                    // Import rows: one `hours` column holding JSON or OSM text (JSON may span lines).
                    let t = s.trimmingWhitespace
                    if let problem = TextRules.controlCharacterProblem(t, multiline: true) { throw DomainError.invalid("hours", problem) }
                    hoursKey = t
                    if t.hasPrefix("{") {
                        hours = try parseHoursText(t, json: true, cache: hoursCache)
                    } else {
                        hours = try parseHoursText(t, json: false, cache: hoursCache)
                        fromText = true
                    }
                } else {
                    hours = try Hours(json: hv)
                }
                if let tv = textValue {
                    // A fetched outlet carries both; they must agree, or which one the editor meant is unknown.
                    if case .string(let s) = tv, let h = hours, s.trimmingWhitespace == h.openingHours { } else {
                        fail("opening_hours", "conflicts with hours; send one of them")
                    }
                }
            } else if let tv = textValue {
                guard case .string(let s) = tv else { throw DomainError.invalid("opening_hours", "must be a string") }
                if let problem = TextRules.controlCharacterProblem(s.trimmingWhitespace) { throw DomainError.invalid("opening_hours", problem) }
                hours = try parseHoursText(s.trimmingWhitespace, json: false, cache: hoursCache, path: "opening_hours")
                fromText = true
            } else {
                fail("hours", "is required: hours as JSON, or opening_hours as OSM text")
            }
        } catch {
            if case .invalid(let params) = error { errors += params }
        }
        // Notes are the only free text inside hours: multi-line, so tab and line breaks are fine.
        for (i, e) in (hours?.exceptions ?? []).enumerated() {
            if let note = e.note, let problem = TextRules.controlCharacterProblem(note, multiline: true) {
                fail("hours.exceptions[\(i)].note", problem)
            }
        }

        guard errors.isEmpty, let code, let name, let kind, let province, let city, let district, let districtCode,
              let point, let hours else {
            throw .invalid(errors.isEmpty ? [InvalidParam(name: "body", reason: "incomplete outlet")] : errors)
        }
        // Bulk imports repeat a few hundred distinct hours: their JSON form and its text are built once per input text.
        let rendered: HoursCache.Rendered
        if let hoursKey, let cache = hoursCache, let hit = cache.rendered[hoursKey] { rendered = hit } else {
            rendered = HoursCache.Rendered(hours.withExceptionIDs())
            if let hoursKey, let cache = hoursCache, cache.rendered.count < 100_000 { cache.rendered[hoursKey] = rendered }
        }
        let record = OutletRecord(code: code, name: name, kind: kind, address: address, province: province, city: city,
                                  district: district, districtCode: districtCode, phone: phone, lat: point.lat, lon: point.lon,
                                  operatingState: state, businesses: businesses, hoursJSON: rendered.json)
        return OutletInput(record: record, hours: rendered.hours, hoursFromText: fromText, hoursText: rendered.text)
    }

    static func parseHoursText(_ text: String, json: Bool, cache: HoursCache?, path: String = "hours") throws(DomainError) -> Hours {
        if let cache, let hit = cache.results[text] { return try hit.get() }
        let result: Result<Hours, DomainError>
        if json {
            do throws(DomainError) {
                let value: JSONValue
                do { value = try JSONValue.read(Array(text.utf8), limits: .hoursCell) } catch {
                    throw DomainError.invalid(path, error.detail)
                }
                result = .success(try Hours(json: value, path: path))
            } catch { result = .failure(error) }
        } else {
            do throws(DomainError) { result = .success(try Hours(openingHours: text, path: path)) } catch { result = .failure(error) }
        }
        if let cache, cache.results.count < 100_000 { cache.results[text] = result }
        return try result.get()
    }

    /// The editable document of a stored outlet: what PATCH merges into and what history records.
    public static func document(_ r: OutletRecord) -> JSONValue {
        var o: [String: JSONValue] = [
            "code": .string(r.code), "name": .string(r.name), "kind": .string(r.kind.rawValue), "address": .string(r.address),
            "province": .string(r.province), "city": .string(r.city), "district": .string(r.district),
            "district_code": .string(r.districtCode), "location": .object(["lat": .number(r.lat), "lon": .number(r.lon)]),
            "operating_state": .string(r.operatingState.rawValue), "businesses": .array(r.businesses.map { .string($0.rawValue) }),
            "hours": r.hours,
        ]
        if let p = r.phone { o["phone"] = .string(p) }
        return .object(o)
    }
}

/// Hours parsed per distinct input text; a class because the parser fills it while validating many rows.
public final class HoursCache {
    var results: [String: Result<Hours, DomainError>] = [:]
    struct Rendered {
        var hours: Hours
        var json: JSONValue
        var text: String
        init(_ hours: Hours) {
            self.hours = hours
            json = hours.json
            text = OutletImport.compactJSON(json)
        }
    }
    var rendered: [String: Rendered] = [:]
    public init() {}
}

extension OutletRecord {
    public init(_ o: Outlet) {
        self.init(code: o.code, name: o.name, kind: o.kind, address: o.address, province: o.province, city: o.city,
                  district: o.district, districtCode: o.districtCode, phone: o.phone, lat: o.location.lat, lon: o.location.lon,
                  operatingState: o.operatingState, businesses: o.businesses, hours: o.hours)
    }
}

// MARK: - Exception identifiers

extension HoursException {
    public static func isValidID(_ s: String) -> Bool {
        (1...40).contains(s.utf8.count) && s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F || c == 0x2D
        }
    }

    /// An identifier derived from the content (FNV-1a, 48 bits): the same exception gets the same id in every process,
    /// so an exception loaded without one (seed files, third-party imports) is addressed by the id it will be stored with.
    public var derivedID: String {
        var text = "\(from)|\(to)|"
        text += intervals.map { "\($0.start)-\($0.end)" }.joined(separator: ",")
        text += "|" + (businesses?.map(\.rawValue).joined(separator: ",") ?? "*") + "|" + (note ?? "")
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        let hex = String(h & 0xFFFF_FFFF_FFFF, radix: 16)
        return "x" + String(repeating: "0", count: 12 - hex.count) + hex
    }
}

extension Hours {
    /// Every exception with an id: those without one get their ``HoursException/derivedID`` (suffixed `-2`, `-3`…
    /// when two identical exceptions would share it).
    public func withExceptionIDs() -> Hours {
        guard exceptions.contains(where: { $0.id == nil }) else { return self }
        var out = self
        var used = Set(exceptions.compactMap(\.id))
        for i in out.exceptions.indices where out.exceptions[i].id == nil {
            let base = out.exceptions[i].derivedID
            var id = base
            var n = 1
            while used.contains(id) { n += 1; id = "\(base)-\(n)" }
            used.insert(id)
            out.exceptions[i].id = id
        }
        return out
    }
}

extension HoursException {
    /// Parses one exception as the exceptions API takes it (`{from, to?, intervals, businesses?, note?}`), with field
    /// names relative to the body (`from`, `intervals[0]`).
    public static func parse(_ json: JSONValue) throws(DomainError) -> HoursException {
        guard case .object(let o) = json else { throw .invalid("body", "must be a JSON object {from, to, intervals, businesses, note}") }
        var body = o
        if body["intervals"] == nil { body["intervals"] = .array([]) }
        do throws(DomainError) {
            let h = try Hours(json: .object(["rules": .array([]), "exceptions": .array([.object(body)])]), path: "$")
            guard let e = h.exceptions.first else { throw DomainError.invalid("from", "is required") }
            if let note = e.note, let problem = TextRules.controlCharacterProblem(note, multiline: true) { throw DomainError.invalid("note", problem) }
            if let note = e.note, note.count > 500 { throw DomainError.invalid("note", "must be at most 500 characters") }
            if e.to.dayNumber - e.from.dayNumber > 3660 { throw DomainError.invalid("to", "an exception may cover at most ten years") }
            return e
        } catch {
            guard case .invalid(let params) = error else { throw error }
            throw .invalid(params.map { p in
                var name = p.name
                for prefix in ["$.exceptions[0].", "$.exceptions[0]"] where name.hasPrefix(prefix) { name = String(name.dropFirst(prefix.count)); break }
                return InvalidParam(name: name.isEmpty ? "body" : name, reason: p.reason)
            })
        }
    }
}

// MARK: - JSON Merge Patch

extension JSONValue {
    /// RFC 7396: objects merge member by member, `null` removes a member, anything else replaces.
    public func mergePatched(with patch: JSONValue) -> JSONValue {
        guard case .object(let p) = patch else { return patch }
        var target: [String: JSONValue] = [:]
        if case .object(let t) = self { target = t }
        for (key, value) in p {
            if value == .null { target.removeValue(forKey: key) } else { target[key] = (target[key] ?? .null).mergePatched(with: value) }
        }
        return .object(target)
    }
}

extension StringProtocol {
    var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
