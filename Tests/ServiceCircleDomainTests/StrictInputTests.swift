import Foundation
@testable import ServiceCircleDomain
import Testing

/// Input that must be refused with a named reason instead of crashing, reaching PostgreSQL or being read leniently
/// (issue 12): nesting depth and size of JSON, control characters, invalid UTF-8, numbers, instants, CSV encodings.
@Suite("Strict input: JSON limits, text, numbers, instants, encodings")
struct StrictInputTests {
    /// `[[[[…]]]]` and `{"a":{"a":…}}` a million deep: the recursive reader used to overflow the stack (SIGSEGV).
    static func deepArray(_ depth: Int) -> String { String(repeating: "[", count: depth) + String(repeating: "]", count: depth) }
    static func deepObject(_ depth: Int) -> String {
        String(repeating: #"{"a":"#, count: depth) + "1" + String(repeating: "}", count: depth)
    }

    // MARK: JSON depth and size

    @Test func jsonNestedAMillionDeepIsRefusedNotACrash() {
        #expect(JSONValue.parse(Self.deepArray(1_000_000)) == nil)
        #expect(JSONValue.parse(Self.deepObject(1_000_000)) == nil)
        // Unclosed: the reader must stop at the limit, not walk the whole input first.
        #expect(JSONValue.parse(String(repeating: "[", count: 1_000_000)) == nil)
    }

    @Test func jsonDepthLimitIsExact() throws {
        let limit = JSONLimits.maxDepth
        #expect(JSONValue.parse(Self.deepArray(limit)) != nil)
        #expect(JSONValue.parse(Self.deepObject(limit)) != nil)
        #expect(JSONValue.parse(Self.deepArray(limit + 1)) == nil)
        do {
            _ = try JSONValue.read(Array(Self.deepObject(1_000_000).utf8), limits: .body)
            Issue.record("accepted")
        } catch {
            #expect(error.limit == .depth)
            #expect(error.reason.contains("\(limit)"), "\(error.reason)")
            #expect(error.path.hasPrefix("a.a.a"), "\(error.path)")
            #expect(error.offset < 1_000)
        }
    }

    @Test func jsonValueCountLimit() throws {
        let small = JSONLimits(maxDepth: 64, maxValues: 10)
        #expect(throws: Never.self) { try JSONValue.read(Array("[1,2,3,4,5,6,7,8,9]".utf8), limits: small) }
        do {
            _ = try JSONValue.read(Array(#"{"x":[1,2,3,4,5,6,7,8,9,10]}"#.utf8), limits: small)
            Issue.record("accepted")
        } catch {
            #expect(error.limit == .values)
            #expect(error.reason.contains("10 values"), "\(error.reason)")
            #expect(error.path == "x[8]", "\(error.path)")
        }
    }

    @Test func jsonSyntaxErrorsSayWhere() {
        do {
            _ = try JSONValue.read(Array(#"{"hours":{"rules":[1,]}}"#.utf8), limits: .body)
            Issue.record("accepted")
        } catch {
            #expect(error.limit == nil)
            #expect(error.path == "hours.rules[1]", "\(error.path)")
            #expect(error.offset == 21, "\(error.offset)")
        }
    }

    /// RFC 8259 numbers only: Swift's Double(String) would take "+1", ".5", "0x1e", "1." and more.
    @Test(arguments: ["+1", ".5", "1.", "01", "-", "1e", "0x1e", "1e400", "-01.0", "Infinity", "NaN", "1_0"])
    func jsonNumbersFollowTheGrammar(_ bad: String) {
        #expect(JSONValue.parse("[\(bad)]") == nil, "\(bad)")
    }

    @Test(arguments: [("0", 0.0), ("-0.5", -0.5), ("1e3", 1000), ("1E+3", 1000), ("12.5e-1", 1.25), ("-0", 0)])
    func jsonNumbersThatAreValid(_ text: String, _ value: Double) {
        #expect(JSONValue.parse("[\(text)]") == .array([.number(value)]))
    }

    /// JSON text is UTF-8 (RFC 8259 §8.1): invalid bytes and lone surrogates are refused, not replaced by U+FFFD.
    @Test func jsonTextMustBeUnicode() {
        #expect(JSONValue.parse(bytes: [0x22, 0xE9, 0x22]) == nil)
        #expect(JSONValue.parse(bytes: [0x22, 0xC0, 0xAF, 0x22]) == nil)
        #expect(JSONValue.parse(#""\ud800""#) == nil)
        #expect(JSONValue.parse(#""\udc00x""#) == nil)
        #expect(JSONValue.parse(#""\ud800\u0041""#) == nil)
        #expect(JSONValue.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(JSONValue.parse("\"黄陂\"") == .string("黄陂"))
    }

    // MARK: Outlet documents

    @Test func deepHoursInAnOutletBodyIsNamed() throws {
        var o = OutletInputTests.valid
        let hours = #"{"rules":"# + Self.deepArray(100_000) + "}"
        o["hours"] = .string(hours)  // as a CSV cell carries it
        do {
            _ = try OutletInput.parse(.object(o), flat: false)
            Issue.record("accepted")
        } catch {
            guard case .invalid(let params) = error else { Issue.record("\(error)"); return }
            #expect(params.map(\.name) == ["hours"])
            #expect(params.first?.reason.contains("64") == true, "\(params)")
        }
    }

    /// Every text field of an outlet refuses control characters, naming the field; multi-line notes keep tab and newline.
    @Test(arguments: ["code", "name", "kind", "address", "province", "city", "district", "district_code", "phone", "operating_state"])
    func controlCharactersInOutletFields(_ field: String) {
        for bad in ["\u{0}", "\u{1B}", "\u{7F}", "\u{85}", "\n"] {
            var o = OutletInputTests.valid
            o[field] = .string("A1" + bad + "2")
            do {
                _ = try OutletInput.parse(.object(o))
                Issue.record("\(field) accepted \(bad.unicodeScalars.first!.value)")
            } catch {
                guard case .invalid(let params) = error else { Issue.record("\(error)"); continue }
                #expect(params.map(\.name) == [field], "\(params)")
                #expect(params.first?.reason.contains("control character") == true, "\(params)")
            }
        }
    }

    @Test func controlCharactersInHoursTextAndNotes() throws {
        var o = OutletInputTests.valid
        o["hours"] = nil
        o["opening_hours"] = .string("Mo-Fr 08:00-17:00\u{0}")
        #expect(Self.names { try OutletInput.parse(.object(o)) } == ["opening_hours"])

        o = OutletInputTests.valid
        o["hours"] = .object(["rules": .array([]), "exceptions": .array([
            .object(["from": .string("2026-03-01"), "intervals": .array([]), "note": .string("盘点\u{0}")]),
        ])])
        #expect(Self.names { try OutletInput.parse(.object(o)) } == ["hours.exceptions[0].note"])

        // A note is multi-line text: tab, line feed and carriage return are kept.
        o["hours"] = .object(["rules": .array([]), "exceptions": .array([
            .object(["from": .string("2026-03-01"), "intervals": .array([]), "note": .string("盘点\r\n\t下午恢复")]),
        ])])
        #expect(try OutletInput.parse(.object(o)).hours.exceptions.first?.note == "盘点\r\n\t下午恢复")

        #expect(Self.names { try HoursException.parse(.object(["from": .string("2026-03-01"), "note": .string("a\u{0}b")])) } == ["note"])
        #expect(Self.names { try HoursException.parse(.object(["from": .string("2026-03-01"), "note": .string("a\u{1}b")])) } == ["note"])
        #expect(try HoursException.parse(.object(["from": .string("2026-03-01"), "note": .string("第一行\n第二行")])).note == "第一行\n第二行")
    }

    static func names(_ body: () throws -> some Any) -> [String] {
        do {
            _ = try body()
            return []
        } catch {
            if case .invalid(let params)? = error as? DomainError { return params.map(\.name) }
            return ["\(error)"]
        }
    }

    // MARK: Imports

    static let header = "code,name,kind,province,city,district,district_code,lat,lon,businesses,hours\n"
    static func row(code: String = "A-1", name: String = "甲", lat: String = "30.8", hours: String = "Mo-Fr 08:00-17:00") -> String {
        "\(code),\(name),ebike_plate_point,湖北省,武汉市,黄陂区,420116,\(lat),114.3,ebike_registration,\(hours)\n"
    }

    @Test func deepHoursCellInACSVImport() {
        let cell = "\"" + #"{""rules"":"# + Self.deepArray(1_000_000) + "}\""
        let p = OutletImport.parse(Array((Self.header + Self.row() + Self.row(code: "A-2", hours: cell)).utf8), format: .csv)
        #expect(p.rows.map(\.record.code) == ["A-1"])
        #expect(p.issues.map { "\($0.row):\($0.field ?? "-")" } == ["2:hours"], "\(p.issues)")
        #expect(p.issues.first?.reason.contains("64") == true)
    }

    @Test func deepGeoJSONImport() {
        let feature = #"{"type":"Feature","geometry":{"type":"Point","coordinates":[114.3,30.8]},"properties":{"code":"G-1","hours":"#
        let doc = #"{"type":"FeatureCollection","features":["# + feature + #"{"rules":[]}}},"# + feature + Self.deepArray(1_000_000) + "}}]}"
        let p = OutletImport.parse(Array(doc.utf8), format: .geojson)
        #expect(p.rows.isEmpty)
        #expect(p.issues.map { "\($0.row):\($0.field ?? "-")" } == ["2:properties.hours"], "\(p.issues)")
        #expect(p.issues.first?.reason.contains("64") == true)
    }

    @Test func controlCharactersInCSVCells() {
        let csv = Self.header + Self.row() + Self.row(code: "A-2", name: "乙\u{0}") + Self.row(code: "A-3\u{1}")
            + "A-4,丁,ebike_plate_point,湖北省,武汉\u{0}市,黄陂区,420116,30.8,114.3,ebike_registration\u{0},Mo-Fr 08:00-17:00\n"
        let p = OutletImport.parse(Array(csv.utf8), format: .csv)
        #expect(p.rows.map(\.record.code) == ["A-1"])
        #expect(Set(p.issues.map { "\($0.row):\($0.field ?? "-")" }) == ["2:name", "3:code", "4:city", "4:businesses"], "\(p.issues)")
        // An hours cell of pretty-printed JSON keeps its tabs and line breaks; a one-line field does not.
        let pretty = Self.header + Self.row(hours: "\"{\n\t\"\"rules\"\": [{\"\"days\"\": [\"\"daily\"\"], \"\"intervals\"\": [[\"\"09:00\"\", \"\"17:00\"\"]]}]\r\n}\"")
            + Self.row(code: "A-2", name: "\"乙\n丙\"")
        let q = OutletImport.parse(Array(pretty.utf8), format: .csv)
        #expect(q.rows.map(\.record.code) == ["A-1"], "\(q.issues)")
        #expect(q.issues.map { "\($0.row):\($0.field ?? "-")" } == ["2:name"], "\(q.issues)")
    }

    @Test func controlCharactersInGeoJSONProperties() {
        let doc = #"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[114.3,30.8]},"#
            + #""properties":{"code":"G-1","name":"甲\u0000","kind":"ebike_plate_point","province":"湖北省","city":"武汉市","district":"黄陂区","#
            + #""district_code":"420116","businesses":["ebike_registration"],"hours":"Mo-Fr 08:00-17:00"}}]}"#
        let p = OutletImport.parse(Array(doc.utf8), format: .geojson)
        #expect(p.issues.map { "\($0.row):\($0.field ?? "-")" } == ["1:properties.name"], "\(p.issues)")
    }

    /// `Double(String)` reads "0x1e" as 30 and "inf" as infinity: coordinates in a CSV are decimal numbers only.
    @Test(arguments: ["0x1e", "30.5\u{0}", "inf", "nan", "1_0", ".5", "3e", "30,5"])
    func csvCoordinatesAreDecimal(_ lat: String) {
        let p = OutletImport.parse(Array((Self.header + Self.row(lat: "\"\(lat)\"")).utf8), format: .csv)
        #expect(p.rows.isEmpty, "\(lat)")
        #expect(p.issues.map { "\($0.row):\($0.field ?? "-")" } == ["1:lat"], "\(lat): \(p.issues)")
    }

    @Test func csvInvalidUTF8IsNotImportedGarbled() {
        // Latin-1 "Café" is neither UTF-8 nor Chinese text in GB18030.
        let row = Array(Self.row(name: "Caf").utf8)
        let cut = row.firstIndex(of: UInt8(ascii: "f"))! + 1
        let bytes = Array(Self.header.utf8) + row[..<cut] + [0xE9] + row[cut...]
        let p = OutletImport.parse(bytes, format: .csv)
        #expect(p.rows.isEmpty)
        #expect(p.issues.first?.row == 0, "\(p.issues)")
        #expect(p.issues.first?.reason.contains("UTF-8") == true, "\(p.issues)")
    }

    /// Excel on Chinese Windows saves "CSV" in GB18030/GBK: read as such, not imported garbled.
    @Test func csvInGB18030IsTranscoded() throws {
        let text = Self.header + Self.row(name: "黄陂区前川电动自行车上牌点") + Self.row(code: "A-2", name: "汉口分所（江岸）·𠀀")
        let gb = try #require(TextEncodings.gb18030(text), "GB18030 encoder unavailable")
        #expect(gb != Array(text.utf8))
        let p = OutletImport.parse(gb, format: .csv)
        #expect(p.issues.isEmpty, "\(p.issues)")
        #expect(p.rows.map(\.record.name) == ["黄陂区前川电动自行车上牌点", "汉口分所（江岸）·𠀀"])
        #expect(p.rows.first?.record.city == "武汉市")
        #expect(p.encoding == .gb18030)
        // UTF-8, with or without a byte-order mark, is read as UTF-8.
        #expect(OutletImport.parse(Array(text.utf8), format: .csv).encoding == .utf8)
        let bom = OutletImport.parse([0xEF, 0xBB, 0xBF] + Array(text.utf8), format: .csv)
        #expect(bom.issues.isEmpty && bom.rows.count == 2 && bom.encoding == .utf8)
    }

    // MARK: Instants

    @Test func instantsKeepToFourDigitYears() {
        #expect(Instant(rfc3339: "9999-12-31T23:59:59+08:00") != nil)
        #expect(Instant(rfc3339: "9999-12-31T15:59:59Z") != nil)
        #expect(Instant(rfc3339: "0001-01-01T00:00:00+08:00") != nil)
        // In Asia/Shanghai these are 10000-01-01 and 0000-12-31: answers would carry a year RFC 3339 cannot write.
        #expect(Instant(rfc3339: "9999-12-31T23:59:59Z") == nil)
        #expect(Instant(rfc3339: "9999-12-31T16:00:00Z") == nil)
        #expect(Instant(rfc3339: "0001-01-01T00:59:59+09:00") == nil)
        #expect(Instant(rfc3339: "0001-01-01T01:00:00+09:00") != nil)
        #expect(Instant(rfc3339: "0000-06-01T00:00:00+08:00") == nil)
        #expect(Instant(rfc3339: "10000-01-01T00:00:00+08:00") == nil)
        #expect(LocalDate(iso: "0000-01-01") == nil)
        #expect(LocalDate(iso: "0001-01-01") != nil)
    }

    // MARK: Decimal numbers

    @Test func decimalNumbers() {
        for (text, value) in [("30.5", 30.5), ("-0.25", -0.25), ("+114", 114.0), ("1e3", 1000.0), ("1.5E-2", 0.015), ("007", 7.0)] {
            #expect(DecimalText.double(text) == value, "\(text)")
        }
        for bad in ["", "0x1e", "0X1E", "inf", "-infinity", "nan", "30.5\u{0}", ".5", "5.", "1e", "1e+", "--1", "1_000", " 1", "١٢", "1e999"] {
            #expect(DecimalText.double(bad) == nil, "\(bad)")
        }
        #expect(DecimalText.int("42") == 42)
        #expect(DecimalText.int("-7") == -7)
        for bad in ["4.0", "0x10", "1e2", "99999999999999999999", ""] { #expect(DecimalText.int(bad) == nil, "\(bad)") }
    }
}
