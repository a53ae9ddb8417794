import Foundation
import Testing
@testable import ServiceCircleDomain
@testable import ServiceCircleSeed

/// The repository's copy of the reference regions (SeedData/regions.csv), found relative to this file.
private func loadRegions() throws -> [Region] {
    let url = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("SeedData/regions.csv")
    return try Region.parseCSV(String(contentsOf: url, encoding: .utf8))
}

/// The catalogue is built once per process (a pure function of the regions).
private let catalogue: Result<(regions: [Region], records: [OutletRecord]), Error> = Result {
    let regions = try loadRegions()
    return (regions, SeedGenerator.articleCatalogue(regions: regions, tables: seedTables))
}

private func records() throws -> [OutletRecord] { try catalogue.get().records }
private func regionsByCode() throws -> [String: Region] {
    Dictionary(uniqueKeysWithValues: try catalogue.get().regions.map { ($0.code, $0) })
}

private func counts(_ rs: [OutletRecord], prefix: String) -> [OutletKind: Int] {
    var c: [OutletKind: Int] = [:]
    for r in rs where r.code.hasPrefix(prefix + "-") { c[r.kind, default: 0] += 1 }
    return c
}

@Suite("Region CSV")
struct RegionCSVTests {
    @Test func parsesTheRepositoryCopy() throws {
        let regions = try loadRegions()
        #expect(regions.count == 34)
        let byCode = Dictionary(uniqueKeysWithValues: regions.map { ($0.code, $0) })
        let huangpi = try #require(byCode["420116"])
        #expect(huangpi.name == "黄陂区")
        #expect(huangpi.city == "武汉市")
        #expect(huangpi.province == "湖北省")
        #expect(huangpi.population2020 == 1_151_644)
        #expect(huangpi.parentCode == "420100")
        #expect(huangpi.bbox == Region.BoundingBox(minLat: 30.6689, minLon: 114.1514, maxLat: 31.3633, maxLon: 114.6125))
        #expect(huangpi.insidePoint == GeoPoint(lat: 31.01614, lon: 114.33513))
        #expect(huangpi.areaKm2 == 2256.7)
        // No city row for 邯郸, 铜仁 or 黔西南 in the file: no parent.
        #expect(byCode["130432"]?.parentCode == nil)
        #expect(byCode["520602"]?.parentCode == nil)
        #expect(byCode["130104"]?.parentCode == "130100")
        #expect(byCode["520115"]?.parentCode == "520100")
        #expect(byCode["420100"]?.isCity == true)
        #expect(byCode["420100"]?.parentCode == nil)
        #expect(byCode["520602"]?.population2020 == nil)
        for r in regions { #expect(r.bbox.contains(r.insidePoint), "\(r.code)") }
    }

    @Test func isAnExactCopyOfTheSharedFile() throws {
        let here = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("SeedData/regions.csv")
        // shared/ sits beside the repository on developer machines and in CI; skipped where it does not.
        let shared = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/data/regions.csv")
        guard FileManager.default.fileExists(atPath: shared.path) else { return }
        #expect(try Data(contentsOf: here) == Data(contentsOf: shared))
    }

    @Test func namesTheLineAndFieldOfErrors() {
        let text = """
        adcode,province,city,name,centroid_lat_wgs84,centroid_lon_wgs84,inside_lat_wgs84,inside_lon_wgs84,bbox_wgs84_minlat_minlon_maxlat_maxlon,area_km2,pop_2020_census,pop_source
        420116,湖北省,武汉市,黄陂区,30.9798,114.34984,31.01614,114.33513,"30.6689,114.1514,31.3633,114.6125",2256.7,1151644,x
        42011,湖北省,武汉市,新洲区,abc,114.7481,30.79476,114.68013,"30.5591,114.4675,31.0395",1477.3,many,y
        """
        do {
            _ = try Region.parseCSV(text)
            Issue.record("expected an error")
        } catch {
            guard case .invalid(let params) = error else { Issue.record("wrong error \(error)"); return }
            let names = Set(params.map(\.name))
            #expect(names.contains("regions line 3.adcode"))
            #expect(names.contains("regions line 3.centroid_lat_wgs84"))
            #expect(names.contains("regions line 3.bbox"))
            #expect(names.contains("regions line 3.pop_2020_census"))
            #expect(!names.contains { $0.hasPrefix("regions line 2") })
        }
    }

    @Test func rejectsWrongFieldCount() {
        #expect(throws: DomainError.self) { try Region.parseCSV("420116,湖北省,武汉市\n") }
    }
}

@Suite("Seed generator: article catalogue")
struct SeedGeneratorArticleTests {
    @Test func isDeterministic() throws {
        let regions = try loadRegions()
        let a = SeedGenerator.articleCatalogue(regions: regions, tables: seedTables)
        let b = SeedGenerator.articleCatalogue(regions: regions, tables: seedTables)
        #expect(a == b)
        #expect(a == (try records()))
    }

    @Test func wuhanCountsMatchTheArticle() throws {
        let c = counts(try records(), prefix: "WH")
        #expect(c[.vehicleAdminOffice] == 1)
        #expect(c[.branchOffice] == 3)
        #expect(c[.selfServiceOffice] == 8)
        #expect(c[.examField] == 2)
        #expect(c[.medicalClinic] == 110)
        #expect(c[.policePostPoint] == 173)
        #expect(c[.ebikePlatePoint] == 1051)
        #expect(c[.inspectionStation] == 36)
        #expect(c[.mobileOffice] == 1)
        #expect(c.values.reduce(0, +) == 1385)
        let wuhan = try records().filter { $0.code.hasPrefix("WH-") }
        #expect(Set(wuhan.map(\.districtCode)) == Set(SeedGenerator.wuhanDistricts))
        // 134 across the city plus 39 in the 新城区.
        let outer = wuhan.filter { $0.kind == .policePostPoint && SeedGenerator.wuhanOuterDistricts.contains($0.districtCode) }
        #expect(outer.count >= 39)
        let names = wuhan.filter { $0.kind == .examField }.map(\.name)
        #expect(names.contains { $0.contains("南湖") } && names.contains { $0.contains("白沙洲") })
    }

    @Test func huangpiHasPointsNearQianchuan() throws {
        let huangpi = try records().filter { $0.districtCode == "420116" }
        let ebike = huangpi.filter { $0.kind == .ebikePlatePoint }
        let post = huangpi.filter { $0.kind == .policePostPoint }
        #expect(ebike.count >= 20)
        #expect(post.count >= 5)
        // 前川街道 centre (WGS-84, approx.).
        func nearQianchuan(_ r: OutletRecord) -> Bool { SeedGenerator.distanceKm(30.874, 114.377, r.lat, r.lon) <= 3 }
        #expect(ebike.filter(nearQianchuan).count >= 10)
        #expect(post.filter(nearQianchuan).count >= 2)
        #expect(ebike.contains { $0.name == "黄陂区前川街道电动自行车登记服务站" })
        #expect(huangpi.allSatisfy { $0.district == "黄陂区" && $0.city == "武汉市" && $0.province == "湖北省" })
    }

    @Test func otherPlacesMatchTheArticles() throws {
        let rs = try records()
        let yg = counts(rs, prefix: "YG")
        #expect(yg[.vehicleAdminOffice] == 1)
        #expect(yg[.selfServiceKiosk] == 6)
        #expect(yg[.policePostPoint] == 19)
        #expect(yg[.medicalClinic] == 6)
        #expect(yg[.inspectionStation] == 13)
        #expect(yg[.policeStationWindow] == 11)
        #expect(yg[.examField] == 1)
        #expect(rs.filter { $0.code.hasPrefix("YG-") }.allSatisfy { $0.districtCode == "371521" && $0.district == "阳谷县" })
        #expect(rs.contains { $0.code.hasPrefix("YG-JY") && $0.name.contains("警保") })

        let gp = counts(rs, prefix: "GP")
        #expect(gp == [.vehicleAdminOffice: 1, .inspectionStation: 2, .examField: 1])
        let gpNames = rs.filter { $0.code.hasPrefix("GP-IS") }.map(\.name)
        #expect(gpNames.contains("广平县会昌机动车检测有限公司") && gpNames.contains("广平县鑫盛机动车检测有限公司"))

        let sjz = counts(rs, prefix: "SJZ")
        #expect(sjz == [.vehicleAdminOffice: 1, .branchOffice: 3, .inspectionStation: 63, .registrationStation: 35])
        let sjzDistricts = Set(rs.filter { $0.code.hasPrefix("SJZ-") }.map(\.districtCode))
        #expect(sjzDistricts == Set(SeedGenerator.shijiazhuangDistricts))
        #expect(rs.contains { $0.name.hasSuffix("车辆管理所一分所") } && rs.contains { $0.name.hasSuffix("车辆管理所二分所") })

        let gy = counts(rs, prefix: "GY")
        #expect(gy == [.vehicleAdminOffice: 1, .governmentServiceWindow: 6, .selfServiceKiosk: 6, .mobileOffice: 1])
        #expect(counts(rs, prefix: "TR") == [.selfServiceOffice: 1])
        #expect(counts(rs, prefix: "XY") == [.selfServiceOffice: 1])
        #expect(rs.first { $0.code == "TR-SS-0001" }?.districtCode == "520602")
        #expect(rs.first { $0.code == "XY-SS-0001" }?.districtCode == "522301")
    }

    @Test func everyPointIsInsideItsDistrictNearAnAnchor() throws {
        let regions = try regionsByCode()
        for r in try records() {
            let region = try #require(regions[r.districtCode], "\(r.code) has unknown district \(r.districtCode)")
            #expect(region.bbox.contains(lat: r.lat, lon: r.lon), "\(r.code) outside the bbox of \(region.name)")
            #expect(r.district == region.name && r.city == region.city && r.province == region.province, "\(r.code)")
            let anchors = seedTables.anchors(in: r.districtCode)
            let near = anchors.contains { SeedGenerator.distanceKm($0.lat, $0.lon, r.lat, r.lon) <= $0.radiusKm + 1e-6 }
            #expect(near, "\(r.code) \(r.name) is farther than its radius from every anchor of \(region.name)")
            // Inside the real polygon by the simplification margin (less the 0.1 m of rounding).
            #expect(seedTables.boundaries?.isWellInside(r.districtCode, lat: r.lat, lon: r.lon, margin: SeedBoundaries.marginMetres - 0.5) == true,
                    "\(r.code) \(r.name) is not \(SeedBoundaries.marginMetres) m inside \(region.name)'s polygon")
        }
    }

    @Test func anchorsLieInsideTheirDistricts() throws {
        let regions = try regionsByCode()
        for a in seedTables.anchors {
            let region = try #require(regions[a.districtCode], "anchor \(a.place) has unknown district \(a.districtCode)")
            #expect(!region.isCity, "anchor \(a.place) names a city row")
            // The whole disc, not only its centre, lies inside the bbox.
            for (dn, de) in [(a.radiusKm, 0.0), (-a.radiusKm, 0.0), (0.0, a.radiusKm), (0.0, -a.radiusKm)] {
                let p = SeedGenerator.offset(lat: a.lat, lon: a.lon, dNorthKm: dn, dEastKm: de)
                #expect(region.bbox.contains(lat: p.lat, lon: p.lon), "anchor \(a.place) disc leaves \(region.name)'s bbox")
            }
            #expect(a.radiusKm > 0 && a.radiusKm <= 1.5)
        }
        // Central Wuhan (rivers and lakes): small radii.
        for a in seedTables.anchors where ["420103", "420104", "420105", "420106"].contains(a.districtCode) {
            #expect(a.radiusKm <= 0.5, "\(a.place)")
        }
    }

    @Test func districtCodesAreRegionCodes() throws {
        let codes = Set(try regionsByCode().keys)
        for r in try records() {
            #expect(codes.contains(r.districtCode), "\(r.code)")
            #expect(!r.districtCode.hasSuffix("00"), "\(r.code) carries a city code")
        }
    }

    @Test func hoursParseBackAndRoundTrip() throws {
        for r in try records() {
            let h = try Hours(json: r.hours)
            #expect(h.json == r.hours, "\(r.code)")
            #expect(!h.rules.isEmpty, "\(r.code)")
            // A rule limited to some businesses names only businesses the outlet offers.
            for rule in h.rules { if let b = rule.businesses { #expect(Set(b).isSubset(of: r.businesses), "\(r.code)") } }
        }
        for t in SeedGenerator.HoursTemplate.allCases {
            #expect(throws: Never.self, "\(t)") { _ = try Hours(json: t.hours.json) }
        }
    }

    @Test func codesNamesPhonesAndBusinessesLookReal() throws {
        let rs = try records()
        #expect(Set(rs.map(\.code)).count == rs.count)
        #expect(Set(rs.map(\.name)).count == rs.count)
        let codePattern = /^(WH|YG|GP|SJZ|GY|TR|XY)-(VA|BR|SS|KS|JY|PS|GW|IS|EX|MC|EB|RS|MO)-\d{4}$/
        let areaCodes = ["WH": "027", "YG": "0635", "GP": "0310", "SJZ": "0311", "GY": "0851", "TR": "0851", "XY": "0851"]
        var noPhone = 0
        for r in rs {
            #expect(r.code.wholeMatch(of: codePattern) != nil, "\(r.code)")
            #expect(r.code.contains("-" + SeedGenerator.codeAbbreviation(r.kind) + "-"), "\(r.code)")
            #expect(r.address.hasPrefix(r.district) && r.address.hasSuffix("号"), "\(r.code) \(r.address)")
            #expect(!r.businesses.isEmpty && r.businesses == r.businesses.sorted(), "\(r.code)")
            if let p = r.phone {
                let place = String(r.code.split(separator: "-")[0])
                #expect(p.hasPrefix(areaCodes[place]! + "-"), "\(r.code) \(p)")
                let local = p.split(separator: "-")[1]
                #expect(local.count == 7 || local.count == 8, "\(r.code) \(p)")
                #expect(local.allSatisfy { $0.isNumber })
            } else { noPhone += 1 }
        }
        #expect(noPhone > 0 && Double(noPhone) / Double(rs.count) < 0.03)
        for r in rs {
            switch r.kind {
            case .ebikePlatePoint: #expect(r.businesses == [.ebikeRegistration])
            case .inspectionStation: #expect(r.businesses == [.vehicleInspection, .inspectionSticker])
            case .medicalClinic: #expect(r.businesses == [.medicalCertificateSubmission, .medicalCheck])
            case .examField: #expect(r.businesses.allSatisfy { $0.rawValue.hasPrefix("exam_subject") })
            case .vehicleAdminOffice: #expect(r.businesses.count >= 20)
            case .selfServiceOffice:
                #expect(Set([.licenseRenewal, .licenseReplacement, .documentPhoto, .medicalCertificateSubmission,
                             .permitReplacement, .inspectionSticker] as [BusinessCode]).isSubset(of: r.businesses))
            case .policePostPoint:
                #expect(Set([.licenseRenewal, .permitReplacement, .violationHandling, .finePayment] as [BusinessCode])
                    .isSubset(of: r.businesses))
            default: break
            }
        }
    }

    @Test func seedsOneClosureOfEachKind() throws {
        let rs = try records()
        let closed = rs.filter { $0.operatingState != .active }
        #expect(closed.count == 1)
        #expect(closed.first?.operatingState == .temporarilyClosed)
        let withExceptions = try rs.filter { !(try Hours(json: $0.hours)).exceptions.isEmpty }
        #expect(withExceptions.map(\.code) == ["YG-VA-0001"])
        let e = try #require(try Hours(json: withExceptions[0].hours).exceptions.first)
        #expect(e.from == LocalDate(year: 2026, month: 12, day: 1) && e.to == e.from)
        #expect(e.intervals.isEmpty && e.note == "系统升级暂停办理")
    }

    @Test func hoursMeanWhatTheArticlesSay() throws {
        let rs = try records()
        func compiled(_ code: String) throws -> CompiledHours {
            let r = try #require(rs.first { $0.code == code }, "\(code)")
            return CompiledHours(hours: try Hours(json: r.hours), businesses: BusinessSet(r.businesses),
                                 operating: r.operatingState == .active, calendar: .empty)
        }
        func at(_ y: Int, _ m: Int, _ d: Int, _ t: String) -> Instant {
            Instant(date: LocalDate(year: y, month: m, day: d)!, time: LocalTime(t)!)
        }
        // 2026-11-23 is a Monday, 2026-11-28 a Saturday, 2026-11-29 a Sunday.
        let monNight = at(2026, 11, 23, "03:00"), satMorning = at(2026, 11, 28, "10:00"), sunNoon = at(2026, 11, 29, "12:30")
        let selfService = rs.filter { $0.kind == .selfServiceOffice }
        #expect(selfService.count == 10)
        for r in selfService {
            let h = try compiled(r.code)
            #expect(h.isOpen(at: monNight, for: BusinessSet([.licenseRenewal])), "\(r.code)")
        }
        // The one 24-hour office that is 24-hour only for renewal and replacement.
        let restricted = try #require(selfService.first { $0.districtCode == "420107" })
        let rh = try compiled(restricted.code)
        #expect(rh.isOpen(at: monNight, for: BusinessSet([.licenseReplacement])))
        #expect(!rh.isOpen(at: monNight, for: BusinessSet([.inspectionSticker])))
        #expect(rh.isOpen(at: at(2026, 11, 23, "10:00"), for: BusinessSet([.inspectionSticker])))
        // Wuhan's office: Saturday morning for routine business only; 午间延时 on workdays.
        let wh = try compiled("WH-VA-0001")
        #expect(wh.isOpen(at: satMorning, for: BusinessSet([.licenseRenewal])))
        #expect(!wh.isOpen(at: satMorning, for: BusinessSet([.vehicleRegistration])))
        #expect(wh.isOpen(at: at(2026, 11, 23, "12:30"), for: BusinessSet([.vehicleRegistration])))
        // Guangping's inspection stations: 双休日不休息; its exam field opens Saturdays.
        for code in ["GP-IS-0001", "GP-IS-0002"] { #expect(try compiled(code).isOpen(at: sunNoon)) }
        #expect(try compiled("GP-EX-0001").isOpen(at: satMorning, for: BusinessSet([.examSubject2])))
        #expect(!(try compiled("GP-VA-0001").isOpen(at: satMorning)))
        // Guiyang's hall: 延时 to 20:00 for routine business, 加时 at weekends.
        let gy = try compiled("GY-VA-0001")
        #expect(gy.isOpen(at: at(2026, 11, 23, "19:30"), for: BusinessSet([.permitReplacement])))
        #expect(!gy.isOpen(at: at(2026, 11, 23, "19:30"), for: BusinessSet([.vehicleRegistration])))
        #expect(!gy.isOpen(at: at(2026, 11, 23, "20:00"), for: BusinessSet([.permitReplacement])))
        #expect(gy.isOpen(at: sunNoon, for: BusinessSet([.vehicleRegistration])))
        // Yanggu's office: weekends with all business, closed on the day of the system upgrade.
        let yg = try compiled("YG-VA-0001")
        #expect(yg.isOpen(at: sunNoon.adding(minutes: 90), for: BusinessSet([.vehicleDeregistration])))
        #expect(!yg.isOpen(at: at(2026, 12, 1, "10:00")))
        #expect(yg.isOpen(at: at(2026, 12, 2, "10:00")))
        // E-bike points open on Saturdays (all of them).
        for r in rs where r.kind == .ebikePlatePoint {
            #expect(try compiled(r.code).isOpen(at: satMorning, for: BusinessSet([.ebikeRegistration])), "\(r.code)")
        }
        // The closed 警邮 point is closed whatever its hours say.
        let closed = try #require(rs.first { $0.operatingState == .temporarilyClosed })
        #expect(!(try compiled(closed.code).isOpen(at: at(2026, 11, 23, "10:00"))))
    }

    @Test func missingRegionsAreSkipped() throws {
        let regions = try loadRegions().filter { $0.code != "420116" && $0.code != "371521" }
        let rs = SeedGenerator.articleCatalogue(regions: regions, tables: seedTables)
        #expect(!rs.contains { $0.districtCode == "420116" || $0.districtCode == "371521" })
        #expect(rs.contains { $0.districtCode == "420102" })
        #expect(SeedGenerator.articleCatalogue(regions: [], tables: seedTables).isEmpty)
    }
}

@Suite("Seed generator: national")
struct SeedGeneratorNationalTests {
    private func collect(_ n: Int, seed: UInt64 = SeedGenerator.defaultNationalSeed) -> [OutletRecord] {
        var out: [OutletRecord] = []
        out.reserveCapacity(n)
        SeedGenerator.national(count: n, seed: seed, tables: seedTables) { out.append($0) }
        return out
    }

    @Test func isDeterministicAndSeeded() {
        let a = collect(10_000)
        let b = collect(10_000)
        #expect(a.count == 10_000)
        #expect(a == b)
        let c = collect(200, seed: 7)
        #expect(c != Array(a.prefix(200)))
        // A prefix of a longer run is the shorter run (rows are streamed in order).
        #expect(Array(collect(1_000)) == Array(a.prefix(1_000)))
    }

    @Test func rowsAreValid() throws {
        let cities = Dictionary(uniqueKeysWithValues: seedTables.nationalCities.map { ($0.code, $0) })
        let rows = collect(10_000)
        var kinds: [OutletKind: Int] = [:]
        for (i, r) in rows.enumerated() {
            #expect(r.code == "NAT-" + String(repeating: "0", count: 7 - String(i + 1).count) + String(i + 1))
            #expect((18.0...54.0).contains(r.lat) && (73.0...135.0).contains(r.lon), "\(r.code) \(r.lat),\(r.lon)")
            let city = try #require(cities[r.districtCode], "\(r.code) \(r.districtCode)")
            #expect(r.district == city.name && r.province == city.province)
            #expect(SeedGenerator.distanceKm(city.lat, city.lon, r.lat, r.lon) <= city.maxKm, "\(r.code)")
            _ = try Hours(json: r.hours)
            #expect(!r.businesses.isEmpty)
            if let p = r.phone { #expect(p.hasPrefix(city.areaCode + "-")) }
            kinds[r.kind, default: 0] += 1
        }
        // E-bike points and 警邮 are the most common kinds; every kind occurs.
        let sorted = kinds.sorted { $0.value > $1.value }.map(\.key)
        #expect(Array(sorted.prefix(2)) == [.ebikePlatePoint, .policePostPoint])
        #expect(kinds.count == OutletKind.allCases.count)
        // Weighted by population: 北京, 上海, 成都 among the busiest.
        var perCity: [String: Int] = [:]
        for r in rows { perCity[r.districtCode, default: 0] += 1 }
        #expect(perCity["110100", default: 0] > 100 && perCity["310100", default: 0] > 100)
        #expect(perCity["510100", default: 0] > perCity["620200", default: 0])
        // 重庆's districts and county-level cities carry their parent city.
        if let wz = rows.first(where: { $0.districtCode == "500101" }) { #expect(wz.city == "重庆市" && wz.district == "万州区") }
        if let ks = rows.first(where: { $0.districtCode == "320583" }) { #expect(ks.city == "苏州市" && ks.district == "昆山市") }
    }

    @Test func cityTableIsWellFormed() {
        let cs = seedTables.nationalCities
        #expect(cs.count >= 150 && cs.count <= 320)
        #expect(Set(cs.map(\.code)).count == cs.count)
        for c in cs {
            #expect(c.code.count == 6 && c.code.allSatisfy { $0.isNumber }, "\(c.name)")
            #expect((18.0...54.0).contains(c.lat) && (73.0...135.0).contains(c.lon), "\(c.name)")
            #expect(c.population > 200_000, "\(c.name)")
            #expect(c.areaCode.hasPrefix("0") && (3...4).contains(c.areaCode.count), "\(c.name)")
            #expect(c.maxKm > 0 && c.maxKm <= 30)
        }
        let total = cs.reduce(0) { $0 + $1.population }
        #expect(total > 1_000_000_000 && total < 1_450_000_000)
    }

    @Test func zeroCountStreamsNothing() {
        var n = 0
        SeedGenerator.national(count: 0, tables: seedTables) { _ in n += 1 }
        #expect(n == 0)
    }
}
