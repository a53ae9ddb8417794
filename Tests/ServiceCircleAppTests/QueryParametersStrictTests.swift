import ServiceCircleApp
import ServiceCircleDomain
import Testing

/// The query-string reader every route uses refuses what would otherwise reach PostgreSQL (NUL: a 500) or be read
/// leniently (hex numbers, five-digit years), and reads `+` as a space as every HTTP client library writes it.
@Suite("Query parameters: text, numbers, instants, '+'")
struct QueryParametersStrictTests {
    func parse(_ query: String, _ allowed: Set<String>) -> QueryParameters { QueryParameters(query: query, allowed: allowed) }
    func names(_ p: QueryParameters) -> [String] { p.errors.map(\.name) }

    @Test func plusIsASpace() {
        var p = parse("q=%E9%BB%84%E9%99%82+%E5%89%8D%E5%B7%9D&city=a+b%2Bc", ["q", "city"])
        #expect(p.string("q") == "黄陂 前川")
        #expect(p.string("city") == "a b+c")
        #expect(p.errors.isEmpty)
        #expect(QueryParameters.pairs("a+b=c+d").map { "\($0.name)=\($0.value)" } == ["a b=c d"])
    }

    /// `at` documents both: `+08:00` as written (the `+` read as a space) and `%2B08:00`.
    @Test func offsetsInInstantsSurviveThePlus() {
        for q in ["at=2026-03-02T10:00:00+08:00", "at=2026-03-02T10:00:00%2B08:00", "at=2026-03-02T10:00:00%2008:00", "at=2026-03-02T02:00:00Z"] {
            var p = parse(q, ["at"])
            #expect(p.instant("at") == Instant(rfc3339: "2026-03-02T10:00:00+08:00"), "\(q)")
            #expect(p.errors.isEmpty, "\(q): \(p.errors)")
        }
        var minus = parse("at=2026-03-02T10:00:00-02:00", ["at"])
        #expect(minus.instant("at") == Instant(rfc3339: "2026-03-02T20:00:00+08:00"))
    }

    @Test(arguments: ["%00", "a%00b", "%01", "%1F", "%7F", "%C2%85", "%0A", "%09x"])
    func controlCharactersAreRefusedAndNamed(_ value: String) {
        var p = parse("q=\(value)&limit=3", ["q", "limit"])
        _ = p.string("q")
        #expect(p.int("limit", in: 1...10) == 3)
        #expect(names(p) == ["q"], "\(value): \(p.errors)")
        #expect(p.errors.first?.reason.contains("control character") == true)
    }

    @Test func controlCharactersInEveryKindOfParameter() {
        var p = parse("lat=30.5%00&at=2026-03-02T10:00:00%00%2B08:00&date=2026-03-02%00&business=a%00,b&limit=5%00", [
            "lat", "at", "date", "business", "limit",
        ])
        _ = p.double("lat", in: -90...90)
        _ = p.instant("at")
        _ = p.date("date")
        _ = p.list("business")
        _ = p.int("limit", in: 1...10)
        // Each parameter once, for its control character (not also for not being a number).
        #expect(names(p).sorted() == ["at", "business", "date", "lat", "limit"], "\(p.errors)")
        #expect(p.errors.allSatisfy { $0.reason.contains("control character") }, "\(p.errors)")
        // The values given as flags (the CLI) go through the same check.
        var v = QueryParameters(values: ["region": ["420116\u{0}"]], allowed: ["region"])
        _ = v.string("region")
        #expect(names(v) == ["region"])
    }

    @Test func invalidUTF8IsRefused() {
        var p = parse("q=%E9&place=%C0%AF", ["q", "place"])
        _ = p.string("q")
        _ = p.string("place")
        #expect(names(p) == ["place", "q"] || names(p) == ["q", "place"], "\(p.errors)")
        #expect(p.errors.allSatisfy { $0.reason.contains("UTF-8") })
    }

    @Test(arguments: ["0x1e", "0X1E", "30.5%00", "inf", "nan", "infinity", "1_0", ".5", "30.", "%2B%2B1", "30,5", "1e", "٣٠"])
    func numbersAreDecimal(_ value: String) {
        var p = parse("lat=\(value)", ["lat"])
        #expect(p.double("lat", in: -90...90) == nil, "\(value)")
        #expect(names(p) == ["lat"], "\(value)")
    }

    @Test func decimalNumbersThatAreFine() {
        var p = parse("lat=30.5&lon=%2B114&radius_m=5e3&limit=%2B7&k=-0", ["lat", "lon", "radius_m", "limit", "k"])
        #expect(p.double("lat", in: -90...90) == 30.5)
        #expect(p.double("lon", in: -180...180) == 114)
        #expect(p.double("radius_m", in: 1...50_000) == 5000)
        #expect(p.int("limit", in: 1...10) == 7)
        #expect(p.int("k", in: 0...10) == 0)
        #expect(p.errors.isEmpty, "\(p.errors)")
        var i = parse("limit=0x10&k=1e1&n=10.0", ["limit", "k", "n"])
        _ = i.int("limit", in: 0...100)
        _ = i.int("k", in: 0...100)
        _ = i.int("n", in: 0...100)
        #expect(names(i) == ["limit", "k", "n"])
    }

    @Test(arguments: ["9999-12-31T23:59:59Z", "9999-12-31T16:00:00Z", "0001-01-01T00:00:00%2B09:00", "0000-01-01T00:00:00Z",
                      "10000-01-01T00:00:00%2B08:00"])
    func instantsOutsideFourDigitYearsNameAt(_ value: String) {
        var p = parse("at=\(value)", ["at"])
        #expect(p.instant("at") == nil)
        #expect(names(p) == ["at"])
        #expect(p.errors.first?.reason.contains("0001") == true, "\(p.errors)")
    }

    @Test func lastInstantsStillAccepted() {
        var p = parse("at=9999-12-31T23:59:59%2B08:00&b=0001-01-01T00:00:00%2B08:00", ["at", "b"])
        #expect(p.instant("at")?.rfc3339 == "9999-12-31T23:59:59+08:00")
        #expect(p.instant("b")?.rfc3339 == "0001-01-01T00:00:00+08:00")
        #expect(p.errors.isEmpty)
    }
}
