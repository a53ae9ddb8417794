@testable import ServiceCircleAPI
@testable import ServiceCircleApp
import ServiceCircleDomain
import Testing

/// The hand-written query-string reader and JSON number writer of the hot routes (no database needed).
@Suite("Query strings and JSON numbers, written by hand for speed")
struct QueryParametersTests {
    func pairs(_ q: String) -> [String] { QueryParameters.pairs(q).map { "\($0.name)=\($0.value)" } }

    /// As Hummingbird splits and decodes, except that `+` is a space (WHATWG form encoding, issue 12).
    @Test func splitsAndDecodesAsFormsDo() {
        #expect(pairs("") == [])
        #expect(pairs("lat=30.5&lon=114.3") == ["lat=30.5", "lon=114.3"])
        #expect(pairs("lat=30.5&") == ["lat=30.5"])
        #expect(pairs("lat=30.5&&lon=1") == ["lat=30.5", "=", "lon=1"])
        #expect(pairs("flag&x=") == ["flag=", "x="])
        #expect(pairs("at=2026-02-14T10:00:00%2B08:00") == ["at=2026-02-14T10:00:00+08:00"])
        #expect(pairs("at=2026-02-14T10:00:00+08:00") == ["at=2026-02-14T10:00:00 08:00"])  // `at` reads the space as '+'
        #expect(pairs("q=a+b%2Bc") == ["q=a b+c"])
        #expect(pairs("place=%E9%BB%84%E9%99%82%E5%8C%BA") == ["place=黄陂区"])
        #expect(pairs("q=a=b") == ["q=a=b"])
        #expect(pairs("%6Cat=1") == ["lat=1"])
        // A malformed escape stays as written; invalid UTF-8 and control characters are a problem (a 400 naming them).
        #expect(pairs("q=100%&r=%zz&s=%4") == ["q=100%", "r=%zz", "s=%4"])
        #expect(QueryParameters.pairs("q=100%&r=%zz").allSatisfy { $0.problem == nil })
        #expect(QueryParameters.pairs("q=%E9").first?.problem?.contains("UTF-8") == true)
        #expect(QueryParameters.pairs("q=a%00").first?.problem?.contains("U+0000") == true)
    }

    @Test func trimsOnlyWhatIsBlank() {
        #expect(QueryParameters.trimmed("ebike_registration") == "ebike_registration")
        #expect(QueryParameters.trimmed(" 30.5\t") == "30.5")
        #expect(QueryParameters.trimmed("\u{3000}黄陂区\u{3000}") == "黄陂区")
        #expect(QueryParameters.trimmed("   ") == "")
        #expect(QueryParameters.trimmed("a b") == "a b")
    }

    @Test func unknownAndRepeatedParametersAreNamed() {
        var p = QueryParameters(values: ["lat": ["1", "2"], "bussiness": ["x"]], allowed: ["lat", "business"])
        _ = p.string("lat")
        #expect(p.errors.map(\.name) == ["bussiness", "lat"])
    }

    @Test(arguments: [0, 7, 10, 99, 100, 1_234, 12_345_678, 99_999_999, 100_000_000, 9_876_543_210, -1, -250, Int.min])
    func integersAsText(_ v: Int) {
        var w = JSONWriter()
        w.int(v)
        #expect(String(decoding: w.bytes, as: UTF8.self) == String(v))
    }

    @Test func instantsAsRFC3339() throws {
        let a = try #require(Instant(rfc3339: "2026-02-24T08:30:00+08:00"))
        let b = try #require(Instant(rfc3339: "1999-12-31T23:59:59Z"))
        let far = Instant(seconds: 400_000_000_000)
        var w = JSONWriter()
        w.beginArray()
        for i in [a, a, b, a, far] { w.instant(i) }
        w.endArray()
        let expected = "[" + [a, a, b, a, far].map { "\"\($0.rfc3339)\"" }.joined(separator: ",") + "]"
        #expect(String(decoding: w.bytes, as: UTF8.self) == expected)
        #expect(expected.contains("\"2026-02-24T08:30:00+08:00\",\"2026-02-24T08:30:00+08:00\",\"2000-01-01T07:59:59+08:00\""))
    }
}
