import Foundation
import ServiceCircleDomain
import Testing

/// Place lookup over the seed's regions file and outlet catalogue (read from SeedData, as the service loads them).
@Suite struct PlaceIndexTests {
    static let seedDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SeedData")

    static let regions: [Region] = {
        let text = try! String(contentsOf: seedDirectory.appendingPathComponent("regions.csv"), encoding: .utf8)
        return try! Region.parseCSV(text)
    }()

    /// The seed outlets as the catalogue would number them (1, 2, … in file order).
    static let outlets: [NamedPoint] = {
        let text = try! String(contentsOf: seedDirectory.appendingPathComponent("outlets/articles.jsonl"), encoding: .utf8)
        let decoder = JSONDecoder()
        return text.split(separator: "\n").enumerated().map { i, line in
            let r = try! decoder.decode(OutletRecord.self, from: Data(line.utf8))
            return NamedPoint.outlet(id: Int64(i + 1), name: r.name, address: r.address, province: r.province, city: r.city,
                                     district: r.district, districtCode: r.districtCode, location: GeoPoint(lat: r.lat, lon: r.lon))
        }
    }()

    static let index = PlaceIndex(NamedPoint.regions(regions) + outlets + NamedPoint.streets(fromOutlets: outlets))

    @Test func exactRegionNameBeatsSubstring() throws {
        for (q, id) in [("黄陂区", "region:420116"), ("黄陂", "region:420116"), ("江夏区", "region:420115"), ("武汉", "region:420100"),
                        ("武汉市", "region:420100"), ("阳谷县", "region:371521"), ("兴义", "region:522301"), ("汉阳", "region:420105")] {
            let first = try #require(Self.index.search(q, limit: 20).matches.first, "\(q)")
            #expect(first.place.id == id, "\(q) → \(first.place.id) \(first.place.name)")
            #expect(first.nameMatch == .exact, "\(q)")
        }
        // Outlets whose names contain the region's name (a substring match) come after the region.
        for q in ["黄陂区", "江夏区", "武汉市"] {
            let matches = Self.index.search(q, limit: 500).matches
            let named = matches.indices.filter { matches[$0].place.kind == .outlet && matches[$0].place.name.hasPrefix(q) }
            #expect(!named.isEmpty, "\(q): outlets named after the region are candidates")
            #expect(named.allSatisfy { $0 > 0 })
            #expect([PlaceKind.district, .city].contains(matches[0].place.kind) && matches[0].nameMatch == .exact)
        }
        // A city named through its parent (the autonomous prefecture, by its short form) finds the county in it.
        #expect(Self.index.search("黔西南").matches.first?.place.id == "region:522301")
    }

    @Test func districtWithStreetFindsTheStreetsOutletsFirst() throws {
        let matches = Self.index.search("黄陂区前川街道", limit: 5000).matches
        let first = try #require(matches.first)
        #expect(first.place.kind == .street && first.place.name == "前川街道" && first.place.parents.last == "黄陂区")
        #expect(first.nameMatch == .exact && first.coverage == 1)
        let districtRank = try #require(matches.firstIndex { $0.place.id == "region:420116" })
        let onStreet = matches.indices.filter { matches[$0].place.kind == .outlet && matches[$0].place.address?.contains("前川街道") == true }
        let elsewhere = matches.indices.filter { matches[$0].place.kind == .outlet && matches[$0].place.address?.contains("前川街道") != true }
        #expect(onStreet.count > 20)
        // Every outlet of 前川街道 comes before the district, and the district before any outlet elsewhere.
        #expect(onStreet.allSatisfy { $0 < districtRank })
        #expect(elsewhere.allSatisfy { $0 > districtRank })
        #expect(onStreet.first == 1)
    }

    @Test func callersOrderFillersAndSuffixesDoNotMatter() throws {
        for q in ["黄陂区前川街道", "前川街道黄陂区", "我在黄陂区前川街道附近", "武汉黄陂前川", "黄陂 前川", "黄陂区　前川街道那边", "在前川街道", "前川"] {
            let first = try #require(Self.index.search(q).matches.first, "\(q)")
            #expect(first.place.id == "street:420116:前川街道", "\(q) → \(first.place.id)")
        }
        let s = Self.index.search("我在黄陂区前川街道附近")
        #expect(s.normalized == "黄陂区前川街道")
        #expect(s.ignored == ["我在", "附近"])
    }

    @Test func outletsByNameAndAddress() throws {
        let exam = try #require(Self.index.search("南湖考场").matches.first)
        #expect(exam.place.name == "武汉市公安局交通管理局车辆管理所南湖考场")
        #expect(exam.coverage == 1 && exam.nameMatch == .partial)
        // An address: the road and number of one outlet.
        let byAddress = try #require(Self.index.search("雄楚大道230号").matches.first)
        #expect(byAddress.place.address == "洪山区卓刀泉街道雄楚大道230号")
        // A kind filter keeps only outlets.
        #expect(Self.index.search("黄陂区", kinds: [.outlet]).matches.allSatisfy { $0.place.kind == .outlet })
    }

    @Test func nothingToMatch() {
        #expect(Self.index.search("我在附近").matches.isEmpty)
        #expect(Self.index.search("   ").matches.isEmpty)
        #expect(Self.index.search("哈尔滨").matches.isEmpty)
    }

    @Test func explicitStreetsReplaceDerivedOnesAndDemandPointsRank() throws {
        let street = NamedPoint(id: "demand:street:1", kind: .street, name: "前川街道", parents: ["湖北省", "武汉市", "黄陂区"],
                                point: GeoPoint(lat: 30.87, lon: 114.38), districtCode: "420116", source: "demand_points")
        let village = NamedPoint(id: "demand:7", kind: .village, name: "大潭村", parents: ["湖北省", "武汉市", "黄陂区", "前川街道"],
                                 point: GeoPoint(lat: 30.9, lon: 114.4), districtCode: "420116", source: "demand_points")
        let index = PlaceIndex(NamedPoint.regions(Self.regions) + Self.outlets + NamedPoint.streets(fromOutlets: Self.outlets) + [street, village])
        #expect(!index.points.contains { $0.id == "street:420116:前川街道" })
        #expect(index.search("黄陂区前川街道").matches.first?.place.id == "demand:street:1")
        #expect(index.search("前川大潭村").matches.first?.place.id == "demand:7")
        #expect(index.search("大潭").matches.first?.place.id == "demand:7")
    }

    @Test func streetsFromAddresses() {
        #expect(NamedPoint.street(inAddress: "黄陂区前川街道前川大道9号", district: "黄陂区") == "前川街道")
        #expect(NamedPoint.street(inAddress: "阳谷县李台镇李台大街3号", district: "阳谷县") == "李台镇")
        #expect(NamedPoint.street(inAddress: "广平县十里铺乡十里铺大街1号", district: "广平县") == "十里铺乡")
        #expect(NamedPoint.street(inAddress: "黄陂区测试路1号", district: "黄陂区") == nil)
        let p = NamedPoint.outlet(id: 1, name: "x", address: "黄陂区前川街道前川大道9号", province: "湖北省", city: "武汉市", district: "黄陂区",
                                  districtCode: "420116", location: GeoPoint(lat: 30, lon: 114))
        #expect(p.fullName == "湖北省武汉市黄陂区前川街道x")
        let streets = NamedPoint.streets(fromOutlets: [p, p])
        #expect(streets.count == 1 && streets[0].id == "street:420116:前川街道" && streets[0].fullName == "湖北省武汉市黄陂区前川街道")
    }
}
