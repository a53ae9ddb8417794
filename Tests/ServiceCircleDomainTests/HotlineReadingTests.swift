import Foundation
import ServiceCircleDomain
import Testing

/// The hotline's sentence reading without a database: time words against the 2024–2026 calendar, the committed
/// vocabulary and text tables, and a small place index (the full fixture runs against a real server in
/// scripts/hotline-test.py).
@Suite struct HotlineReadingTests {
    static let seed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SeedData")
    static let vocabulary = try! CallerVocabulary.load(directory: seed.appendingPathComponent("vocabulary"))
    static let tables = try! TextTables.load(directory: seed.appendingPathComponent("text"))

    static func time(_ text: String, now: String) -> String {
        let t = Array(tables.fold(text).unicodeScalars)
        return TimeWords.read(t, now: Instant(rfc3339: now)!, calendar: calendar2026).at.rfc3339
    }

    // 2026-12-01 is a Tuesday.
    @Test("time words: days, parts of the day, clock times", arguments: [
        ("没有时间词", "2026-12-01T10:37:00+08:00", "2026-12-01T10:37:00+08:00"),
        ("现在过去", "2026-12-01T10:37:00+08:00", "2026-12-01T10:37:00+08:00"),
        ("地铁3号线宗关站附近", "2026-12-01T10:37:00+08:00", "2026-12-01T10:37:00+08:00"),
        ("十一点半", "2026-12-01T08:00:00+08:00", "2026-12-01T11:30:00+08:00"),
        ("明天", "2026-12-01T10:00:00+08:00", "2026-12-02T09:00:00+08:00"),
        ("后天下午", "2026-12-01T10:00:00+08:00", "2026-12-03T14:00:00+08:00"),
        ("大后天上午", "2026-12-01T10:00:00+08:00", "2026-12-04T09:00:00+08:00"),
        ("周六", "2026-12-01T10:00:00+08:00", "2026-12-05T09:00:00+08:00"),
        ("这周末", "2026-12-01T10:00:00+08:00", "2026-12-05T09:00:00+08:00"),
        ("下周一上午", "2026-12-01T10:00:00+08:00", "2026-12-07T09:00:00+08:00"),
        ("下礼拜三", "2026-12-01T10:00:00+08:00", "2026-12-09T09:00:00+08:00"),
        ("晚上8点", "2026-12-01T10:00:00+08:00", "2026-12-01T20:00:00+08:00"),
        ("明天中午12点15分", "2026-12-01T10:00:00+08:00", "2026-12-02T12:15:00+08:00"),
        ("下午两点半", "2026-12-01T10:00:00+08:00", "2026-12-01T14:30:00+08:00"),
        ("三点左右", "2026-12-01T10:00:00+08:00", "2026-12-01T15:00:00+08:00"),
        ("十点", "2026-12-01T08:00:00+08:00", "2026-12-01T10:00:00+08:00"),
        ("明早9点", "2026-12-01T10:00:00+08:00", "2026-12-02T09:00:00+08:00"),
        ("12月8号上午", "2026-12-01T10:00:00+08:00", "2026-12-08T09:00:00+08:00"),
        ("今晚", "2026-12-01T10:00:00+08:00", "2026-12-01T19:00:00+08:00"),
    ])
    func timeWords(text: String, now: String, expected: String) {
        #expect(Self.time(text, now: now) == expected)
    }

    @Test("holiday words: the next block in the calendar, the first workday after it, fixed dates beyond it", arguments: [
        ("国庆期间", "2026-09-01T10:00:00+08:00", "2026-10-01T09:00:00+08:00"),
        ("国庆后第一天", "2026-09-01T10:00:00+08:00", "2026-10-08T09:00:00+08:00"),
        ("春节期间", "2026-01-10T10:00:00+08:00", "2026-02-15T09:00:00+08:00"),
        ("春节后", "2026-01-10T10:00:00+08:00", "2026-02-24T09:00:00+08:00"),
        ("过完年", "2025-01-10T10:00:00+08:00", "2025-02-05T09:00:00+08:00"),
        ("五一后", "2026-04-01T10:00:00+08:00", "2026-05-06T09:00:00+08:00"),
        // 2025-10-06 (中秋) lies inside the 2025 National Day block: 中秋节那天 is the day itself.
        ("中秋节那天", "2025-09-01T10:00:00+08:00", "2025-10-06T09:00:00+08:00"),
        ("元旦", "2026-12-01T10:00:00+08:00", "2027-01-01T09:00:00+08:00"),
    ])
    func holidays(text: String, now: String, expected: String) {
        #expect(Self.time(text, now: now) == expected)
    }

    @Test func beyondTheCalendarIsFlagged() {
        let t = Array("元旦".unicodeScalars)
        #expect(TimeWords.read(t, now: Instant(rfc3339: "2026-12-01T10:00:00+08:00")!, calendar: calendar2026).beyondCalendar)
        #expect(!TimeWords.read(t, now: Instant(rfc3339: "2025-12-01T10:00:00+08:00")!, calendar: calendar2026).beyondCalendar)
    }

    @Test func tablesFoldTraditionalAndReadPinyin() {
        #expect(Self.tables.fold("漢陽區換駕照") == "汉阳区换驾照")
        #expect(TextTables.bareLatin("Hàn Yáng Qū") == "hanyangqu")
        #expect(TextTables.bareLatin("lü'xing") == "lvxing")
        #expect(Self.tables.pinyinKeys("黄坡区").contains("huangpoqu"))
    }

    @Test func vocabularyLongestFirst() {
        let hits = Self.vocabulary.scan(Array("驾照年审".unicodeScalars))
        #expect(hits.count == 1 && hits[0].text == "驾照年审")
    }

    static func place(_ id: String, _ kind: PlaceKind, _ name: String, _ parents: [String], _ code: String, catalogued: Bool = true) -> NamedPoint {
        var p = NamedPoint(id: id, kind: kind, name: name, parents: parents, point: GeoPoint(lat: 30.6, lon: 114.3), districtCode: code, source: "test")
        p.catalogued = catalogued
        return p
    }

    static let reader: SentenceReader = {
        let points = [
            place("region:420100", .city, "武汉市", ["湖北省"], "420100"),
            place("region:420103", .district, "江汉区", ["湖北省", "武汉市"], "420103"),
            place("region:420116", .district, "黄陂区", ["湖北省", "武汉市"], "420116"),
            place("street:420116:前川街道", .street, "前川街道", ["湖北省", "武汉市", "黄陂区"], "420116"),
            place("landmark:420103:汉口站", .landmark, "汉口站", ["湖北省", "武汉市", "江汉区"], "420103"),
            place("region:510100", .city, "成都市", ["四川省"], "510100", catalogued: false),
        ]
        var alias = place("landmark:420103:汉口站#1", .landmark, "汉口火车站", ["湖北省", "武汉市", "江汉区"], "420103")
        alias.aliasOf = "汉口站"
        let index = PlaceIndex(points + [alias])
        return SentenceReader(vocabulary: vocabulary, tables: tables, places: index, lexicon: PlaceLexicon(points: index.points, tables: tables))
    }()

    static func read(_ q: String) -> Understanding {
        reader.read(q, now: Instant(rfc3339: "2026-12-01T10:00:00+08:00")!, calendar: calendar2026)
    }

    @Test func aBareDistrictIsAskedAbout() {
        let u = Self.read("我在江汉区一带，后天下午想给电动车上牌")
        #expect(u.place?.place.districtCode == "420103")
        #expect(u.businesses.map(\.code) == [.ebikeRegistration])
        #expect(u.time.at.rfc3339 == "2026-12-03T14:00:00+08:00")
        #expect(u.clarify.map(\.kind) == [.place])
        #expect(u.confidence == .confirm)
    }

    @Test func aStreetAliasPinyinAndHomophone() {
        #expect(Self.read("黄陂区前川街道附近哪里可以换驾照").place?.place.name == "前川街道")
        let alias = Self.read("汉口火车站附近挂牌")
        #expect(alias.placeName == "汉口站" && alias.placeID == "landmark:420103:汉口站")
        #expect(alias.clarify.map(\.kind) == [.business] && alias.businesses.count == 1)
        #expect(Self.read("huangpi qianchuan 电动车上牌").place?.place.name == "前川街道")
        let typo = Self.read("汉口火车战附近换驾照")
        #expect(typo.placeName == "汉口站" && typo.placeMatchedBy == "homophone")
        #expect(Self.read("黄坡区前川街道补驾照").place?.place.name == "前川街道")
    }

    @Test func outsideTheCatalogueAndNothingUnderstood() {
        let out = Self.read("我在成都，想换驾照")
        #expect(out.place?.place.catalogued == false && out.clarify.isEmpty)
        let none = Self.read("喂喂，听得到吗")
        #expect(none.place == nil && Set(none.clarify.map(\.kind)) == [.place, .business])
        let online = Self.read("电子驾驶证怎么申领")
        #expect(!online.online.isEmpty && online.businesses.isEmpty && online.clarify.isEmpty)
    }

    @Test func anAmbiguousWordIsSettledByAnother() {
        #expect(Self.read("刚买的电驴，在前川街道，上牌").businesses.map(\.code) == [.ebikeRegistration])
        #expect(Self.read("驾照到期了，前川街道换证").businesses.map(\.code) == [.licenseRenewal])
        #expect(Self.read("前川街道，过户顺便换个驾照").businesses.map(\.code).sorted() == [.vehicleTransfer, .licenseRenewal].sorted())
    }
}
