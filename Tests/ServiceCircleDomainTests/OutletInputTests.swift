import Foundation
@testable import ServiceCircleDomain
import Testing

@Suite("Outlet input, merge patch, import formats")
struct OutletInputTests {
    /// The examples of RFC 7396, appendix A.
    @Test(arguments: [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, "null", "null"),
        (#"{"a":"foo"}"#, #""bar""#, #""bar""#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ])
    func mergePatchRFC7396(target: String, patch: String, result: String) throws {
        let t = try #require(JSONValue.parse(target)), p = try #require(JSONValue.parse(patch)), r = try #require(JSONValue.parse(result))
        #expect(t.mergePatched(with: p) == r)
    }

    @Test func jsonParserAgreesWithFoundation() throws {
        let text = #"{"s":"a\"b\\c\u00e9\ud83d\ude00\n","n":[-1.5e3,0,12345678901],"t":true,"f":false,"z":null,"中":"文"}"#
        let mine = try #require(JSONValue.parse(text))
        let theirs = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(mine == theirs)
        for bad in ["", "{", #"{"a":}"#, "[1,]", "tru", #"{"a":1}x"#, "\"\u{01}\""] { #expect(JSONValue.parse(bad) == nil, "\(bad)") }
    }

    static let valid: [String: JSONValue] = [
        "code": .string("WH-1"), "name": .string("测试点"), "kind": .string("ebike_plate_point"), "province": .string("湖北省"),
        "city": .string("武汉市"), "district": .string("黄陂区"), "district_code": .string("420116"),
        "location": .object(["lat": .number(30.8), "lon": .number(114.3)]), "businesses": .array([.string("ebike_registration")]),
        "hours": .object(["rules": .array([]), "exceptions": .array([
            .object(["from": .string("2026-03-01"), "intervals": .array([]), "note": .string("盘点")]),
        ])]),
    ]

    @Test func validOutletGetsExceptionIDs() throws {
        let input = try OutletInput.parse(.object(Self.valid))
        #expect(input.record.operatingState == .active)
        #expect(input.record.phone == nil)
        let id = try #require(input.hours.exceptions.first?.id)
        #expect(id.hasPrefix("x") && id.count == 13)
        // Derived ids are stable: the same content gets the same id in another parse.
        #expect(try OutletInput.parse(.object(Self.valid)).hours.exceptions.first?.id == id)
        // Two identical exceptions get distinct ids.
        let two = Hours(rules: [], exceptions: [HoursException(from: LocalDate(iso: "2026-03-01")!, to: LocalDate(iso: "2026-03-01")!, intervals: []),
                                                HoursException(from: LocalDate(iso: "2026-03-01")!, to: LocalDate(iso: "2026-03-01")!, intervals: [])])
        let ids = two.withExceptionIDs().exceptions.compactMap(\.id)
        #expect(ids.count == 2 && ids[0] != ids[1])
        // Ids survive the JSON form.
        #expect(try Hours(json: input.hours.json) == input.hours)
    }

    @Test func everyInvalidFieldIsNamed() {
        var o = Self.valid
        o["code"] = .string("has space")
        o["kind"] = .string("castle")
        o["district_code"] = .string("012345")
        o["phone"] = .string("call me")
        o["location"] = .object(["lat": .number(91), "lon": .string("east")])
        o["businesses"] = .array([.string("ebike_registration"), .string("nope")])
        o["operating_state"] = .string("open")
        o["colour"] = .string("red")
        o["name"] = .string("  ")
        do {
            _ = try OutletInput.parse(.object(o))
            Issue.record("accepted")
        } catch {
            guard case .invalid(let params) = error else { Issue.record("\(error)"); return }
            #expect(Set(params.map(\.name)) == ["code", "kind", "district_code", "phone", "location.lat", "location.lon", "businesses[1]",
                                                "operating_state", "colour", "name"])
        }
    }

    @Test func hoursAndOpeningHoursMustAgree() throws {
        var o = Self.valid
        o["hours"] = nil
        o["opening_hours"] = .string("Mo-Fr 08:30-17:30")
        let fromText = try OutletInput.parse(.object(o))
        #expect(fromText.hoursFromText)
        #expect(fromText.hours.openingHours == "Mo-Fr 08:30-17:30; PH off")
        o["hours"] = fromText.hours.json
        o["opening_hours"] = .string("Mo-Fr 08:30-17:30; PH off")
        #expect(try OutletInput.parse(.object(o)).hours == fromText.hours)
        o["opening_hours"] = .string("24/7")
        #expect(throws: DomainError.self) { try OutletInput.parse(.object(o)) }
    }

    @Test func csvReaderHandlesQuotesAndLineBreaks() {
        var r = CSVReader(bytes: Array("\u{FEFF}a,b,c\r\n\"x, y\",\"he said \"\"hi\"\"\",\"two\nlines\"\n1,,3".utf8))
        #expect(r.next()?.fields == ["a", "b", "c"])
        let second = r.next()
        #expect(second?.fields == ["x, y", "he said \"hi\"", "two\nlines"])
        #expect(second?.line == 2)
        let third = r.next()
        #expect(third?.fields == ["1", "", "3"])
        #expect(third?.line == 4)
        #expect(r.next() == nil)
    }

    @Test func csvRoundTripOfOneRecord() throws {
        let input = try OutletInput.parse(.object(Self.valid))
        var rec = input.record
        // Names are one line (control characters are refused); commas and quotes need CSV quoting, and the line
        // breaks of a multi-line note travel inside the hours JSON.
        rec.name = "名字, 带\"引号\" 和逗号"
        rec.hours = Hours(rules: [], exceptions: [HoursException(id: "x1", from: LocalDate(iso: "2026-03-01")!, to: LocalDate(iso: "2026-03-01")!,
                                                                 intervals: [], note: "盘点\n\t下午恢复")]).json
        rec.phone = "027-1"
        rec.lat = 30.123456789012
        let file = OutletImport.csvHeader + OutletImport.csvLine(id: 7, rec)
        let parsed = OutletImport.parse(Array(file.utf8), format: .csv)
        #expect(parsed.issues.isEmpty, "\(parsed.issues)")
        #expect(parsed.rows.first?.record == rec)
        let geo = OutletImport.geoJSONHead + OutletImport.geoJSONFeature(id: 7, rec) + OutletImport.geoJSONTail
        let parsedGeo = OutletImport.parse(Array(geo.utf8), format: .geojson)
        #expect(parsedGeo.issues.isEmpty, "\(parsedGeo.issues)")
        #expect(parsedGeo.rows.first?.record == rec)
    }

    @Test func importIssuesNameRowAndField() {
        let csv = "code,name,kind,province,city,district,district_code,lat,lon,businesses,hours\n"
            + "A-1,甲,ebike_plate_point,湖北省,武汉市,黄陂区,420116,30.8,114.3,ebike_registration,Mo-Fr 08:00-17:00\n"
            + "A-2,乙,ebike_plate_point,湖北省,武汉市,黄陂区,420116,north,114.3,ebike_registration;nope,Mo-Fr 08:00-25:00\n"
            + "A-1,丙,ebike_plate_point,湖北省,武汉市,黄陂区,420116,30.8,114.3,ebike_registration,{\"rules\":[]}\n"
            + "A-4,丁,ebike_plate_point\n"
        let p = OutletImport.parse(Array(csv.utf8), format: .csv)
        #expect(p.total == 4)
        #expect(p.rows.map(\.record.code) == ["A-1"])
        #expect(p.rows.first?.keepExceptions == true)
        let got = Set(p.issues.map { "\($0.row):\($0.field ?? "-")" })
        #expect(got == ["2:lat", "2:businesses[1]", "2:hours", "3:code", "4:-"], "\(p.issues)")
        let geo = #"{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[114.3,95]},"properties":{"code":"G-1"}}]}"#
        let g = OutletImport.parse(Array(geo.utf8), format: .geojson)
        #expect(g.issues.contains { $0.row == 1 && $0.field == "geometry.coordinates[1]" })
        #expect(g.issues.contains { $0.row == 1 && $0.field == "properties.name" })
    }
}
