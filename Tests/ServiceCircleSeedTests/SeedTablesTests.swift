import Foundation
import Testing
@testable import ServiceCircleDomain
@testable import ServiceCircleSeed

@Suite("Seed tables (SeedData/generator)")
struct SeedTablesTests {
    private var folder: URL { seedDataDirectory.appendingPathComponent(SeedTables.folderName) }

    @Test func readsTheRepositoryTables() throws {
        let t = try SeedTables(directory: folder)
        #expect(t.anchors.count == 106)
        #expect(t.nationalCities.count == 315)
        #expect(t.anchors(in: "420116").map(\.place).prefix(2) == ["前川", "前川北"])
        let first = try #require(t.anchors.first)
        #expect(first == SeedGenerator.Anchor(districtCode: "420102", place: "二七", street: "二七街道", lat: 30.6255, lon: 114.3120,
                                              radiusKm: 0.5, weight: 2, roads: ["二七路", "解放大道", "中山大道"]))
        let tianjin = try #require(t.nationalCities.first { $0.code == "120100" })
        #expect(tianjin.population == 13_870_000 && tianjin.areaCode == "022" && tianjin.maxKm == 28)
        #expect(t.eightDigitAreaCodes.contains("0851") && !t.eightDigitAreaCodes.contains("0635"))
        // Every kind has a weight and at least one hours template.
        #expect(Set(t.nationalKinds.map(\.kind)) == Set(OutletKind.allCases))
        #expect(t.nationalKinds.allSatisfy { !$0.hours.isEmpty })
        // The quoted empty field of the prefixes is the empty prefix, and it counts as one of the choices.
        #expect(t.demandNames.villagePrefixes.first == "" && t.demandNames.villagePrefixes.count == 12)
        #expect(t.demandNames.villageSuffixes(province: "湖北省").prefix(3) == ["湾", "畈", "岗"])
        #expect(t.demandNames.villageSuffixes(province: "江苏省") == ["庄", "湾", "店", "岗", "寨"])
        #expect(t.demandNames.surnames.count == 96 && t.demandNames.surnames.allSatisfy { $0.count == 1 })
    }

    @Test func everyFileIsDescribedInTheReadme() throws {
        let readme = try String(contentsOf: folder.appendingPathComponent("README.md"), encoding: .utf8)
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".csv") }
        #expect(files.count == 16)
        for f in files { #expect(readme.contains("`\(f)`"), "README.md does not describe \(f)") }
    }

    /// A copy of the tables with `file` replaced by `text` (or removed when nil).
    private func tables(replacing file: String, with text: String?) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("seed-tables-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: folder, to: dir)
        let url = dir.appendingPathComponent(file)
        try FileManager.default.removeItem(at: url)
        if let text { try text.write(to: url, atomically: true, encoding: .utf8) }
        return dir
    }

    private func error(replacing file: String, with text: String?) throws -> SeedTableError? {
        let dir = try tables(replacing: file, with: text)
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try SeedTables(directory: dir)
            return nil
        } catch let e as SeedTableError {
            return e
        }
    }

    @Test func problemsNameTheFileAndLine() throws {
        let anchors = try String(contentsOf: folder.appendingPathComponent("anchors.csv"), encoding: .utf8)
        var lines = anchors.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        lines[2] = lines[2].replacingOccurrences(of: ",30.6500,", with: ",north,")
        let badNumber = try #require(try error(replacing: "anchors.csv", with: lines.joined(separator: "\n")))
        #expect(badNumber.file == "anchors.csv" && badNumber.line == 3)
        #expect(badNumber.description == "SeedData/generator/anchors.csv:3: lat 'north' is not a number")

        let missing = try #require(try error(replacing: "national-malls.csv", with: nil))
        #expect(missing.file == "national-malls.csv" && missing.line == nil)

        let header = try #require(try error(replacing: "national-kinds.csv", with: "kind,share\nebike_plate_point,38\n"))
        #expect(header.line == 1)

        let short = try #require(try error(replacing: "national-kind-hours.csv", with: "kind,hours_template,weight\nebike_plate_point,ebike\n"))
        #expect(short.line == 2 && short.message.contains("2 fields, expected 3"))

        let template = try #require(try error(replacing: "national-kind-hours.csv",
                                              with: "kind,hours_template,weight\nebike_plate_point,allNight,60\n"))
        #expect(template.line == 2 && template.message.contains("allNight"))

        let noDefault = try #require(try error(replacing: "demand-village-suffixes.csv", with: "province,suffix\n湖北省,湾\n"))
        #expect(noDefault.message.contains("*"))

        let blank = try #require(try error(replacing: "national-roads.csv", with: "road\n人民路\n\n解放路\n"))
        #expect(blank.line == 3 && blank.message == "road is empty")
    }
}
