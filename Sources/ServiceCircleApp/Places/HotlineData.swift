import Foundation
import ServiceCircleDomain

/// What the hotline reads sentences with, loaded once at start from `SeedData/`: the caller vocabulary
/// (`vocabulary/`), the character tables (`text/`), the landmarks (`gazetteer/landmarks.csv`) and the national list
/// of regions (`regions-national.csv`), and the 办事指南 of every business (`guides/`). A missing folder or file leaves its part empty (the service still answers,
/// understanding less); a malformed one stops the start with the file and line.
public struct HotlineData: Sendable {
    public var vocabulary: CallerVocabulary
    public var tables: TextTables
    public var landmarks: [NamedPoint]
    /// National regions the catalogue does not hold (`catalogued: false`).
    public var national: [NamedPoint]
    /// Every region of the national list by code (names of a region's city and province).
    public var regionsByCode: [String: Gazetteer.NationalRegion]
    /// The 办事指南 of every business with local overrides (`GET /v1/business-types/{code}/guide`).
    public var guides: GuideBook

    public init(vocabulary: CallerVocabulary, tables: TextTables, landmarks: [NamedPoint], national: [NamedPoint],
                regionsByCode: [String: Gazetteer.NationalRegion], guides: GuideBook = .empty) {
        self.vocabulary = vocabulary
        self.tables = tables
        self.landmarks = landmarks
        self.national = national
        self.regionsByCode = regionsByCode
        self.guides = guides
    }

    public static let empty = HotlineData(vocabulary: .empty, tables: .empty, landmarks: [], national: [], regionsByCode: [:])

    public static func load(seedDirectory: URL, catalogue: [Region]) throws -> HotlineData {
        func text(_ path: String) throws -> String? {
            let url = seedDirectory.appendingPathComponent(path)
            return FileManager.default.fileExists(atPath: url.path) ? try String(contentsOf: url, encoding: .utf8) : nil
        }
        let vocabulary = try CallerVocabulary.load(directory: seedDirectory.appendingPathComponent("vocabulary"))
        let tables = try TextTables.load(directory: seedDirectory.appendingPathComponent("text"))
        let regions = try text("regions-national.csv").map(Gazetteer.nationalRegions) ?? []
        var byCode: [String: Gazetteer.NationalRegion] = [:]
        for r in regions { byCode[r.code] = r }
        var areas: [String: (province: String, city: String, district: String)] = [:]
        for r in regions where r.level == "district" { areas[r.code] = (r.province, r.city, r.name) }
        for r in catalogue where !r.isCity { areas[r.code] = (r.province, r.city, r.name) }
        let landmarks = try text("gazetteer/landmarks.csv").map { try Gazetteer.landmarks(csv: $0, areas: areas) } ?? []
        let national = Gazetteer.nationalPoints(regions, skip: Set(catalogue.map(\.code)))
        let guides = try GuideBook.load(directory: seedDirectory.appendingPathComponent("guides"))
        return HotlineData(vocabulary: vocabulary, tables: tables, landmarks: landmarks, national: national, regionsByCode: byCode,
                           guides: guides)
    }
}
