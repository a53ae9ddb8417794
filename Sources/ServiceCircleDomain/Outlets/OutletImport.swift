import Foundation

/// The file formats of bulk import and export.
public enum CatalogueFormat: String, CaseIterable, Sendable {
    case csv
    case geojson
}

/// One problem of an import: the row (1 = the first data row of a CSV, or the first feature), the field, why.
/// Row 0 is the file itself (a missing column, unreadable JSON).
public struct ImportIssue: Error, Hashable, Sendable, Codable {
    public var row: Int
    public var field: String?
    public var reason: String
    public init(row: Int, field: String?, reason: String) {
        self.row = row
        self.field = field
        self.reason = reason
    }
}

/// A valid row of an import, ready to upsert by code.
public struct ImportRow: Sendable {
    public var row: Int
    public var record: OutletRecord
    /// The hours came as OSM text: keep the stored outlet's dated exceptions.
    public var keepExceptions: Bool
    /// `record.hours` as compact JSON text.
    public var hoursText: String
}

/// What an import file holds once parsed and validated.
public struct ImportParse: Sendable {
    public var rows: [ImportRow] = []
    public var issues: [ImportIssue] = []
    /// Data rows (or features) read, valid or not.
    public var total = 0
    /// The character encoding the file was read in: UTF-8, or GB18030 (transcoded) for a CSV saved that way.
    public var encoding = TextEncoding.utf8
}

/// Bulk import and export of the catalogue: CSV (columns below) and GeoJSON FeatureCollection.
///
/// CSV: UTF-8 (a byte-order mark is skipped) or GB18030/GBK (what Excel on Chinese Windows writes as "CSV":
/// recognised when the file is not UTF-8 but is valid GB18030 reading as Chinese text, and transcoded), RFC 4180
/// quoting, a header row naming the columns in any order. A cell may not hold control characters (`hours` may
/// hold tab and line breaks: JSON spread over lines); `lat` and `lon` are decimal numbers.
/// Required: `code`, `name`, `kind`, `province`, `city`, `district`, `district_code`, `lat`, `lon`, `businesses`, and
/// `hours` (JSON, or OSM `opening_hours` text) or `opening_hours` (OSM text). Optional: `address`, `phone`,
/// `operating_state` (empty = `active`). `id` is accepted and ignored (rows are matched by `code`).
/// A bureau list as published is read too (``publishedColumns``): Chinese column names, 办公时间 as Chinese hours text
/// (``Hours/init(chineseText:path:businessWords:)``), 业务范围 through the caller vocabulary, 经度/纬度 in the system 坐标系
/// names (converted to WGS-84); a phrase or word not understood is a row error quoting it.
/// `businesses` is a list of codes separated by `;`, `,` or spaces (`{a,b}` as PostgreSQL writes arrays works too).
///
/// GeoJSON: a FeatureCollection of Point features (`[lon, lat]`, WGS-84) whose `properties` are the CSV's columns
/// (`businesses` an array, `hours` an object or OSM text); a feature's `id` is ignored. UTF-8 (RFC 8259), read
/// within ``JSONLimits/importFile``.
public enum OutletImport {
    public static let csvColumns = ["id", "code", "name", "kind", "address", "province", "city", "district", "district_code", "phone",
                                    "lat", "lon", "operating_state", "businesses", "hours"]
    static let requiredColumns: Set<String> = ["code", "name", "kind", "province", "city", "district", "district_code", "lat", "lon", "businesses"]
    static let knownColumns = Set(csvColumns).union(["opening_hours", "coordinate_system", "hours_zh", "businesses_zh"])

    /// Column names of bureau lists as published (and a few English ones) → the import's columns. `hours_zh` is hours
    /// as Chinese text, `businesses_zh` business names or caller words (docs/editing.md, "Bureau lists as published").
    public static let publishedColumns: [String: String] = [
        "网点编号": "code", "网点编码": "code", "网点代码": "code", "编号": "code", "编码": "code",
        "网点名称": "name", "名称": "name", "服务网点": "name", "网点": "name",
        "网点类型": "kind", "类型": "kind",
        "地址": "address", "详细地址": "address", "办公地址": "address", "网点地址": "address",
        "省": "province", "省份": "province",
        "市": "city", "城市": "city", "地市": "city",
        "区县": "district", "区/县": "district",
        "区县代码": "district_code", "行政区划代码": "district_code",
        "联系电话": "phone", "电话": "phone", "咨询电话": "phone",
        "经度": "lon", "纬度": "lat", "坐标系": "coordinate_system",
        "办公时间": "hours_zh", "营业时间": "hours_zh", "工作时间": "hours_zh", "服务时间": "hours_zh", "hours_text_zh": "hours_zh",
        "业务范围": "businesses_zh", "办理业务": "businesses_zh", "可办业务": "businesses_zh",
        "营业状态": "operating_state",
    ]

    /// A 坐标系 cell: WGS-84 / GCJ-02 / BD-09 in any spelling, or the map it was copied from.
    static func coordinateSystem(_ text: String) -> CoordinateSystem? {
        let t = text.uppercased().filter { !"-_ ".contains($0) }
        switch t {
        case "WGS84", "GPS", "WGS": return .wgs84
        case "GCJ02", "GCJ", "高德", "腾讯", "火星坐标", "国测局", "高德地图", "腾讯地图": return .gcj02
        case "BD09", "BD09LL", "BD", "百度", "百度地图", "百度坐标": return .bd09
        default: return nil
        }
    }

    /// Parses and validates a whole file; every bad row is reported, none is dropped silently.
    /// `vocabulary` reads a bureau list's 业务范围 and `（仅…）` words (docs/editing.md, "Bureau lists as published").
    public static func parse(_ bytes: [UInt8], format: CatalogueFormat, vocabulary: CallerVocabulary = .empty) -> ImportParse {
        var out: ImportParse
        switch format {
        case .csv: out = parseCSV(bytes, vocabulary: vocabulary)
        case .geojson: out = parseGeoJSON(bytes)
        }
        // One row per code: a second row with the same code would make the result depend on row order.
        var seen: [String: Int] = [:]
        var keep: [ImportRow] = []
        for r in out.rows {
            if let first = seen[r.record.code] {
                out.issues.append(ImportIssue(row: r.row, field: "code", reason: "duplicates the code of row \(first)"))
            } else {
                seen[r.record.code] = r.row
                keep.append(r)
            }
        }
        out.rows = keep
        out.issues.sort { ($0.row, $0.field ?? "") < ($1.row, $1.field ?? "") }
        return out
    }

    /// Guesses the format: a JSON object is GeoJSON, anything else CSV.
    public static func sniff(_ bytes: [UInt8]) -> CatalogueFormat {
        var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        return i < bytes.count && bytes[i] == UInt8(ascii: "{") ? .geojson : .csv
    }

    static func validate(_ fields: [String: JSONValue], row: Int, cache: HoursCache, rename: (String) -> String = { $0 },
                         refused: [ImportIssue] = [], into out: inout ImportParse) {
        do {
            let input = try OutletInput.parse(.object(fields), flat: true, hoursCache: cache)
            if !refused.isEmpty { out.issues += refused; return }
            out.rows.append(ImportRow(row: row, record: input.record, keepExceptions: input.hoursFromText, hoursText: input.hoursText))
        } catch {
            out.issues += refused
            if case .invalid(let params) = error {
                // A cell refused as text is named once, not again for what its content then fails.
                let covered = Set(refused.compactMap(\.field))
                out.issues += params.filter { p in !covered.contains { p.name == $0 || p.name.hasPrefix($0 + "[") || p.name.hasPrefix($0 + ".") } }
                    .map { ImportIssue(row: row, field: rename($0.name), reason: $0.reason) }
            } else {
                out.issues.append(ImportIssue(row: row, field: nil, reason: "\(error)"))
            }
        }
    }

    // MARK: CSV

    static func parseCSV(_ file: [UInt8], vocabulary: CallerVocabulary = .empty) -> ImportParse {
        var out = ImportParse()
        let bytes: [UInt8]
        switch decodeCSV(file) {
        case .success(let (b, encoding)):
            bytes = b
            out.encoding = encoding
        case .failure(let issue):
            out.issues.append(issue)
            return out
        }
        var reader = CSVReader(bytes: bytes)
        guard let written = reader.next()?.fields.map({ $0.trimmingWhitespace.lowercased() }), written.contains(where: { !$0.isEmpty }) else {
            out.issues.append(ImportIssue(row: 0, field: nil, reason: "the file is empty: expected a header row naming the columns"))
            return out
        }
        // Bureau lists name their columns in Chinese: read as the import's columns, reported under the name written.
        let header = written.map { publishedColumns[$0] ?? $0 }
        var display: [String: String] = [:]
        for (c, w) in zip(header, written) where c != w { display[c] = w }
        if let d = display["hours_zh"] { display["hours"] = d }
        if let d = display["businesses_zh"] { display["businesses"] = d }
        func shown(_ field: String?) -> String? {
            guard let field else { return nil }
            let root = field.prefix { $0 != "." && $0 != "[" }
            guard let d = display[String(root)] else { return field }
            return d + field.dropFirst(root.count)
        }
        for (i, name) in header.enumerated() {
            if !knownColumns.contains(name) {
                out.issues.append(ImportIssue(row: 0, field: name.isEmpty ? "column \(i + 1)" : name,
                                              reason: "unknown column; columns: \(csvColumns.joined(separator: ", ")), opening_hours, coordinate_system, "
                                                + "or a bureau list's Chinese headers (docs/editing.md)"))
            } else if header[..<i].contains(name) {
                out.issues.append(ImportIssue(row: 0, field: written[i], reason: "column given twice" + (written[i] != name ? " (as \(name))" : "")))
            }
        }
        for name in requiredColumns.sorted() where !header.contains(name) && !(name == "businesses" && header.contains("businesses_zh")) {
            out.issues.append(ImportIssue(row: 0, field: name, reason: "required column missing"))
        }
        let hoursColumns = ["hours", "opening_hours", "hours_zh"].filter(header.contains)
        if hoursColumns.isEmpty {
            out.issues.append(ImportIssue(row: 0, field: "hours", reason: "required column missing: hours (JSON or OSM text), opening_hours, or 办公时间 (Chinese text)"))
        }
        if hoursColumns.count > 1 {
            out.issues.append(ImportIssue(row: 0, field: shown(hoursColumns[1]), reason: "give one of hours, opening_hours and 办公时间"))
        }
        if header.contains("businesses") && header.contains("businesses_zh") {
            out.issues.append(ImportIssue(row: 0, field: shown("businesses_zh"), reason: "give businesses (codes) or 业务范围 (names), not both"))
        }
        if (written.contains("经度") || written.contains("纬度")) && !header.contains("coordinate_system") {
            out.issues.append(ImportIssue(row: 0, field: "坐标系", reason:
                "required column missing: with 经度/纬度, say which coordinate system they are in (WGS-84, GCJ-02 or BD-09)"))
        }
        guard out.issues.isEmpty else { return out }
        let businessWords = vocabulary.businessWordMap
        var chineseHours: [String: Result<Hours, DomainError>] = [:]

        let cache = HoursCache()
        var row = 0
        while let record = reader.next() {
            if record.fields.count == 1 && record.fields[0].isEmpty { continue }  // blank line
            row += 1
            out.total += 1
            if record.fields.count != header.count {
                out.issues.append(ImportIssue(row: row, field: nil,
                                              reason: "has \(record.fields.count) fields, the header \(header.count) (line \(record.line))"))
                continue
            }
            var fields: [String: JSONValue] = [:]
            var refused: [ImportIssue] = []
            var system: CoordinateSystem?
            var hoursHaveExceptions = false
            for (name, raw) in zip(header, record.fields) {
                let v = raw.trimmingWhitespace
                if let problem = TextRules.controlCharacterProblem(v, multiline: name == "hours" || name == "hours_zh") {
                    refused.append(ImportIssue(row: row, field: name == "hours_zh" ? "hours" : name == "businesses_zh" ? "businesses" : name, reason: problem))
                    continue
                }
                switch name {
                case "id": continue
                case "coordinate_system":
                    if let c = coordinateSystem(v) { system = c } else {
                        refused.append(ImportIssue(row: row, field: name, reason: "must be WGS-84, GCJ-02 or BD-09 (got '\(v.prefix(40))')"))
                    }
                case "kind":
                    fields[name] = .string(OutletKind(rawValue: v) == nil ? (OutletKind.allCases.first { $0.nameZh == v }?.rawValue ?? v) : v)
                case "hours_zh":
                    let parsed: Result<Hours, DomainError>
                    if let hit = chineseHours[v] { parsed = hit } else {
                        do throws(DomainError) { parsed = .success(try Hours(chineseText: v, path: "hours", businessWords: businessWords)) }
                        catch { parsed = .failure(error) }
                        if chineseHours.count < 100_000 { chineseHours[v] = parsed }
                    }
                    switch parsed {
                    case .success(let h):
                        fields["hours"] = h.json
                        hoursHaveExceptions = !h.exceptions.isEmpty
                    case .failure(let e):
                        if case .invalid(let params) = e {
                            refused += params.map { ImportIssue(row: row, field: "hours", reason: $0.reason) }
                        }
                    }
                case "businesses_zh":
                    var codes: [JSONValue] = []
                    for w in v.split(whereSeparator: { "、，,；; ".contains($0) }).map(String.init) {
                        if let c = BusinessCode(rawValue: w) ?? BusinessCode.allCases.first(where: { $0.nameZh == w }) {
                            codes.append(.string(c.rawValue))
                        } else if let cs = businessWords[w] {
                            codes += cs.map { .string($0.rawValue) }
                        } else {
                            refused.append(ImportIssue(row: row, field: "businesses", reason: "'\(w)': \(vocabulary.whyNotBusiness(w) ?? "unknown")"))
                        }
                    }
                    var seen = Set<JSONValue>()
                    fields["businesses"] = .array(codes.filter { seen.insert($0).inserted })
                case "lat", "lon":
                    if v.isEmpty { continue }
                    if let d = DecimalText.double(v) { fields[name] = .number(d) } else {
                        refused.append(ImportIssue(row: row, field: name, reason: "must be a decimal number of degrees, e.g. 30.8801 (got '\(v.prefix(40))')"))
                    }
                case "businesses":
                    let items = v.split(whereSeparator: { $0 == ";" || $0 == "," || $0 == " " || $0 == "{" || $0 == "}" })
                    fields[name] = .array(items.map { .string(String($0)) })
                case "phone", "operating_state":
                    if !v.isEmpty { fields[name] = .string(v) }
                default:
                    fields[name] = .string(v)
                }
            }
            // 经度/纬度 in GCJ-02 or BD-09 (as copied from a Chinese map): converted to WGS-84.
            if let system, system != .wgs84, case .number(let lat)? = fields["lat"], case .number(let lon)? = fields["lon"] {
                let p = Datum.toWGS84(GeoPoint(lat: lat, lon: lon), from: system)
                fields["lat"] = .number(p.lat)
                fields["lon"] = .number(p.lon)
            }
            let before = out.issues.count
            validate(fields, row: row, cache: cache, refused: refused, into: &out)
            if !display.isEmpty {
                for k in before..<out.issues.count { out.issues[k].field = shown(out.issues[k].field) }
            }
            // Chinese hours without dated exceptions keep the stored ones, as OSM text does.
            if header.contains("hours_zh"), let last = out.rows.last, last.row == row { out.rows[out.rows.count - 1].keepExceptions = !hoursHaveExceptions }
        }
        if let e = reader.error { out.issues.append(ImportIssue(row: row + 1, field: nil, reason: e)) }
        return out
    }

    /// The file as UTF-8 bytes, and the encoding it was in: UTF-8 (with or without a byte-order mark) as is;
    /// otherwise GB18030 when the bytes are valid GB18030 and read as Chinese text (transcoded); otherwise refused,
    /// naming the encodings tried and the first byte that is not UTF-8.
    static func decodeCSV(_ bytes: [UInt8]) -> Result<([UInt8], TextEncoding), ImportIssue> {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            return .failure(ImportIssue(row: 0, field: nil, reason:
                "the file is UTF-16 (Excel's \"Unicode Text\"); save it as \"CSV UTF-8 (comma delimited)\" and import again"))
        }
        let bom = bytes.starts(with: [0xEF, 0xBB, 0xBF])
        guard let bad = TextEncodings.firstInvalidUTF8(bytes) else { return .success((bytes, .utf8)) }
        if !bom, let text = TextEncodings.decodeGB18030(bytes), TextEncodings.looksChinese(text) {
            return .success((Array(text.utf8), .gb18030))
        }
        let line = bytes[..<bad].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
        let hex = bytes[bad..<min(bad + 4, bytes.count)].map { String($0, radix: 16, uppercase: true) }.joined(separator: " ")
        return .failure(ImportIssue(row: 0, field: nil, reason:
            "the file is not UTF-8 (bytes \(hex) at line \(line), byte \(bad)) nor Chinese text in GB18030/GBK; "
            + "save it as \"CSV UTF-8 (comma delimited)\" and import again"))
    }

    /// The export's header line.
    public static var csvHeader: String { csvColumns.joined(separator: ",") + "\r\n" }

    /// One outlet as a CSV line (CRLF-terminated); `hours` as compact JSON so that nothing is lost.
    public static func csvLine(id: Int64, _ r: OutletRecord) -> String {
        let fields = [
            String(id), r.code, r.name, r.kind.rawValue, r.address, r.province, r.city, r.district, r.districtCode, r.phone ?? "",
            "\(r.lat)", "\(r.lon)", r.operatingState.rawValue, r.businesses.map(\.rawValue).joined(separator: ";"), compactJSON(r.hours),
        ]
        return fields.map(csvEscape).joined(separator: ",") + "\r\n"
    }

    static func csvEscape(_ s: String) -> String {
        s.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) || s.first?.isWhitespace == true || s.last?.isWhitespace == true
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    // MARK: GeoJSON

    static func parseGeoJSON(_ bytes: [UInt8]) -> ImportParse {
        var out = ImportParse()
        var b = bytes
        if b.starts(with: [0xEF, 0xBB, 0xBF]) { b.removeFirst(3) }
        let doc: JSONValue
        do { doc = try JSONValue.read(b, limits: .importFile) } catch {
            // Inside a feature: that feature's row and field; else the file.
            if let f = error.featureIndex {
                out.issues.append(ImportIssue(row: f + 1, field: error.featureField, reason: error.detail))
            } else {
                out.issues.append(ImportIssue(row: 0, field: nil, reason: error.detail))
            }
            return out
        }
        guard case .object(let o) = doc, o["type"] == .string("FeatureCollection"), case .array(let features)? = o["features"] else {
            out.issues.append(ImportIssue(row: 0, field: "type", reason: "must be a GeoJSON FeatureCollection with a features array"))
            return out
        }
        let cache = HoursCache()
        for (i, f) in features.enumerated() {
            let row = i + 1
            out.total += 1
            guard case .object(let fo) = f, fo["type"] == .string("Feature") else {
                out.issues.append(ImportIssue(row: row, field: "type", reason: "must be a Feature")); continue
            }
            var fields: [String: JSONValue] = [:]
            if case .object(let props)? = fo["properties"] { fields = props } else {
                out.issues.append(ImportIssue(row: row, field: "properties", reason: "must be an object")); continue
            }
            for key in ["lat", "lon", "location"] where fields[key] != nil {
                out.issues.append(ImportIssue(row: row, field: "properties.\(key)", reason: "the location is the feature's geometry"))
            }
            fields["lat"] = nil
            fields["lon"] = nil
            fields["location"] = nil
            guard case .object(let g)? = fo["geometry"], g["type"] == .string("Point"), case .array(let c)? = g["coordinates"],
                  c.count == 2 || c.count == 3 else {
                out.issues.append(ImportIssue(row: row, field: "geometry", reason: "must be a Point with coordinates [lon, lat]")); continue
            }
            fields["lon"] = c[0]
            fields["lat"] = c[1]
            if case .array(let items)? = fields["businesses"] { fields["businesses"] = .array(items) }
            if case .string(let s)? = fields["businesses"] {
                fields["businesses"] = .array(s.split(whereSeparator: { $0 == ";" || $0 == "," || $0 == " " }).map { .string(String($0)) })
            }
            validate(fields, row: row, cache: cache, rename: { name in
                switch name {
                case "lon": "geometry.coordinates[0]"
                case "lat": "geometry.coordinates[1]"
                default: "properties." + name
                }
            }, into: &out)
        }
        return out
    }

    /// One outlet as a GeoJSON Feature (compact, keys sorted).
    public static func geoJSONFeature(id: Int64, _ r: OutletRecord) -> String {
        var props: [String: JSONValue] = [
            "code": .string(r.code), "name": .string(r.name), "kind": .string(r.kind.rawValue), "address": .string(r.address),
            "province": .string(r.province), "city": .string(r.city), "district": .string(r.district),
            "district_code": .string(r.districtCode), "phone": r.phone.map { .string($0) } ?? .null,
            "operating_state": .string(r.operatingState.rawValue), "businesses": .array(r.businesses.map { .string($0.rawValue) }),
            "hours": r.hours,
        ]
        if r.phone == nil { props["phone"] = .null }
        let feature: JSONValue = .object([
            "type": .string("Feature"), "id": .number(Double(id)),
            "geometry": .object(["type": .string("Point"), "coordinates": .array([.number(r.lon), .number(r.lat)])]),
            "properties": .object(props),
        ])
        return compactJSON(feature)
    }

    public static let geoJSONHead = #"{"type":"FeatureCollection","features":["#
    public static let geoJSONTail = "]}\n"

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static func compactJSON(_ v: JSONValue) -> String {
        String(decoding: (try? encoder.encode(v)) ?? Data("null".utf8), as: UTF8.self)
    }
}

/// RFC 4180 records from UTF-8 bytes: quoted fields may hold commas, quotes (doubled) and line breaks.
struct CSVReader {
    struct Record {
        var fields: [String]
        var line: Int
    }

    let bytes: [UInt8]
    var i: Int
    var line = 1
    var error: String?

    init(bytes: [UInt8]) {
        self.bytes = bytes
        i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    mutating func next() -> Record? {
        guard i < bytes.count, error == nil else { return nil }
        let startLine = line
        var fields: [String] = []
        fields.reserveCapacity(16)
        while true {
            // One field: unquoted fields are decoded straight from the input; quoted ones are unescaped into a buffer.
            if i < bytes.count, bytes[i] == 0x22 {
                var field: [UInt8] = []
                i += 1
                var closed = false
                while i < bytes.count {
                    let c = bytes[i]
                    if c == 0x22 {
                        if i + 1 < bytes.count, bytes[i + 1] == 0x22 { field.append(0x22); i += 2; continue }
                        i += 1
                        closed = true
                        break
                    }
                    if c == 0x0A { line += 1 }
                    field.append(c)
                    i += 1
                }
                if !closed { error = "a quoted field that starts on line \(startLine) is never closed" }
                // Anything between the closing quote and the separator is kept, as lenient readers do.
                let rest = i
                while i < bytes.count, bytes[i] != 0x2C, bytes[i] != 0x0A, bytes[i] != 0x0D { i += 1 }
                field.append(contentsOf: bytes[rest..<i])
                fields.append(String(decoding: field, as: UTF8.self))
            } else {
                let start = i
                while i < bytes.count, bytes[i] != 0x2C, bytes[i] != 0x0A, bytes[i] != 0x0D { i += 1 }
                fields.append(String(decoding: bytes[start..<i], as: UTF8.self))
            }
            guard i < bytes.count else { return Record(fields: fields, line: startLine) }
            let c = bytes[i]
            if c == 0x2C { i += 1; continue }
            i += (c == 0x0D && i + 1 < bytes.count && bytes[i + 1] == 0x0A) ? 2 : 1
            line += 1
            return Record(fields: fields, line: startLine)
        }
    }
}
