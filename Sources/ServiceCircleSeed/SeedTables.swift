import Foundation
import ServiceCircleDomain
import SwiftCSV

/// The generators' reference tables, read from the CSV files of `SeedData/generator/` (its README.md describes each
/// file's columns and where the data came from). Load them once and hand them to ``SeedGenerator``'s generators,
/// which read no files themselves.
///
/// Row order matters: the generators draw from these tables by index, so reordering the rows of a file changes the
/// generated catalogues.
public struct SeedTables: Sendable {
    /// The folder under `SeedData/` that holds the tables.
    public static let folderName = "generator"

    /// Every anchor of the article catalogue and the demand generator, in file order (`anchors.csv`).
    public let anchors: [SeedGenerator.Anchor]
    /// The national generator's centres, in file order, the order of its sampling table (`national-cities.csv`).
    public let nationalCities: [SeedGenerator.NationalCity]
    /// Area codes whose subscriber numbers have eight digits; the rest have seven (`eight-digit-area-codes.csv`).
    let eightDigitAreaCodes: Set<String>
    /// The national generator's mix of kinds and, per kind, of hours templates
    /// (`national-kinds.csv`, `national-kind-hours.csv`).
    let nationalKinds: [NationalKind]
    /// Word lists of the national generator's names and addresses.
    let nationalRoads: [String]
    let nationalEbikeBrands: [String]
    let nationalMalls: [String]
    let nationalCompanyWords: [String]
    /// Word lists of the demand generator's community and village names.
    let demandNames: DemandNames
    /// Word lists of the article catalogue's names.
    let articleEbikeBrands: [String]
    let articleCommunityWords: [String]
    let articleInspectionWords: [String]

    private let anchorsByDistrict: [String: [SeedGenerator.Anchor]]

    /// The seed districts' real polygons (`SeedData/boundaries/regions.geojson`), read by ``init(seedDirectory:)``:
    /// with them the generators place every outlet and demand point inside its district (``SeedBoundaries``).
    /// Nil for tables read by ``init(directory:)`` alone.
    public var boundaries: SeedBoundaries?
    /// The 2020 census rows and development-zone shares the demand sums to (`SeedData/demand/census-2020.csv`,
    /// `zone-shares.csv`), read by ``init(seedDirectory:)``; nil without them (regions.csv's figures and estimates).
    public var census: Census2020?

    /// Where the census table and the zone shares live under `SeedData/`.
    public static let censusPath = "demand/census-2020.csv"
    public static let zoneSharesPath = "demand/zone-shares.csv"

    /// One kind of the national mix: its weight among the kinds and its hours templates with their weights.
    struct NationalKind: Sendable {
        struct HoursOption: Sendable {
            let template: SeedGenerator.HoursTemplate
            let weight: Double
        }
        let kind: OutletKind
        let weight: Double
        let hours: [HoursOption]
    }

    /// The demand generator's name parts.
    struct DemandNames: Sendable {
        let surnames: [String]
        /// Village-name prefixes; the empty one (no prefix) is one of them.
        let villagePrefixes: [String]
        let communityWords: [String]
        /// Village suffixes by province; `*` is every other province.
        let villageSuffixes: [String: [String]]

        func villageSuffixes(province: String) -> [String] { villageSuffixes[province] ?? villageSuffixes["*"]! }
    }

    /// The anchors of one district, in file order.
    public func anchors(in districtCode: String) -> [SeedGenerator.Anchor] { anchorsByDistrict[districtCode] ?? [] }

    /// Reads the tables of `SeedData/generator/` under `seedDirectory` (the project's `SeedData/`).
    /// Also reads the seed districts' polygons and the census table with its zone shares (``boundaries``, ``census``).
    public init(seedDirectory: URL) throws {
        try self.init(directory: seedDirectory.appendingPathComponent(Self.folderName))
        boundaries = try SeedBoundaries(seedDirectory: seedDirectory)
        census = try Self.readCensus(seedDirectory: seedDirectory)
    }

    /// The census table and zone shares under `seedDirectory`, nil when the census table is absent.
    public static func readCensus(seedDirectory: URL) throws -> Census2020? {
        let censusURL = seedDirectory.appendingPathComponent(censusPath)
        guard FileManager.default.fileExists(atPath: censusURL.path) else { return nil }
        let sharesURL = seedDirectory.appendingPathComponent(zoneSharesPath)
        let shares = FileManager.default.fileExists(atPath: sharesURL.path)
            ? try String(contentsOf: sharesURL, encoding: .utf8) : Census2020.sharesHeader
        do {
            return try Census2020.parse(census: try String(contentsOf: censusURL, encoding: .utf8), shares: shares)
        } catch {
            throw SeedTableError(file: "../" + censusPath, line: nil, message: "\(error)")
        }
    }

    /// Reads every table from `directory`. A missing file, a header other than the expected one, a row with the
    /// wrong number of fields or a value that does not parse throws a ``SeedTableError`` naming the file and line.
    public init(directory: URL) throws {
        anchors = try TableFile(directory, "anchors.csv",
                                columns: ["district_code", "place", "street", "lat", "lon", "radius_km", "weight", "roads"])
            .map { r in
                let place = try r.text("place")
                let roads = try r.text("roads", allowEmpty: true).split(separator: ";").map(String.init)
                return SeedGenerator.Anchor(
                    districtCode: try r.text("district_code"), place: place, street: try r.text("street"),
                    lat: try r.number("lat"), lon: try r.number("lon"),
                    radiusKm: try r.positive("radius_km"), weight: try r.positive("weight"),
                    roads: roads.isEmpty ? [place + "大街"] : roads)
            }
        anchorsByDistrict = Dictionary(grouping: anchors, by: \.districtCode)

        let citiesFile = try TableFile(directory, "national-cities.csv",
                                       columns: ["code", "name", "province", "lat", "lon", "population_10k", "area_code", "max_km"])
        nationalCities = try citiesFile.map { r in
            SeedGenerator.NationalCity(
                code: try r.text("code"), name: try r.text("name"), province: try r.text("province"),
                lat: try r.number("lat"), lon: try r.number("lon"),
                population: Int(try r.positive("population_10k") * 10_000), areaCode: try r.text("area_code"),
                maxKm: try r.positive("max_km"))
        }
        try citiesFile.requireUnique(nationalCities.map(\.code), column: "code")

        eightDigitAreaCodes = Set(try TableFile(directory, "eight-digit-area-codes.csv", columns: ["area_code"]).map { try $0.text("area_code") })

        let kindRows = try TableFile(directory, "national-kinds.csv", columns: ["kind", "weight"]).map { r in
            (r, try r.parse("kind", OutletKind.init(rawValue:)), try r.positive("weight"))
        }
        let hoursFile = try TableFile(directory, "national-kind-hours.csv", columns: ["kind", "hours_template", "weight"])
        let hoursRows = try hoursFile.map { r in
            (r, try r.parse("kind", OutletKind.init(rawValue:)),
             SeedTables.NationalKind.HoursOption(template: try r.parse("hours_template", SeedGenerator.HoursTemplate.init(rawValue:)),
                                                 weight: try r.positive("weight")))
        }
        var seenKinds: Set<OutletKind> = []
        nationalKinds = try kindRows.map { r, kind, weight in
            guard seenKinds.insert(kind).inserted else { throw r.error("kind \(kind.rawValue) is listed twice") }
            let options = hoursRows.filter { $0.1 == kind }.map { $0.2 }
            guard !options.isEmpty else {
                throw r.error("kind \(kind.rawValue) has no hours template in national-kind-hours.csv")
            }
            return NationalKind(kind: kind, weight: weight, hours: options)
        }
        if let stray = hoursRows.first(where: { !seenKinds.contains($0.1) }) {
            throw stray.0.error("kind \(stray.1.rawValue) is not in national-kinds.csv")
        }

        nationalRoads = try TableFile.words(directory, "national-roads.csv", column: "road")
        nationalEbikeBrands = try TableFile.words(directory, "national-ebike-brands.csv", column: "brand")
        nationalMalls = try TableFile.words(directory, "national-malls.csv", column: "mall")
        nationalCompanyWords = try TableFile.words(directory, "national-company-words.csv", column: "word")

        var suffixes: [String: [String]] = [:]
        let suffixFile = try TableFile(directory, "demand-village-suffixes.csv", columns: ["province", "suffix"])
        for r in suffixFile.rows { suffixes[try r.text("province"), default: []].append(try r.text("suffix")) }
        guard suffixes["*"] != nil else {
            throw SeedTableError(file: suffixFile.name, line: nil, message: "no row for province *, the suffixes of every other province")
        }
        demandNames = DemandNames(
            surnames: try TableFile.words(directory, "demand-surnames.csv", column: "surname"),
            villagePrefixes: try TableFile.words(directory, "demand-village-prefixes.csv", column: "prefix", allowEmpty: true),
            communityWords: try TableFile.words(directory, "demand-community-words.csv", column: "word"),
            villageSuffixes: suffixes)

        articleEbikeBrands = try TableFile.words(directory, "article-ebike-brands.csv", column: "brand")
        articleCommunityWords = try TableFile.words(directory, "article-community-words.csv", column: "word")
        articleInspectionWords = try TableFile.words(directory, "article-inspection-words.csv", column: "word")
    }
}

/// A table of `SeedData/generator/` that cannot be used, with the file, line and reason.
public struct SeedTableError: Error, CustomStringConvertible, Sendable {
    public let file: String
    /// The line of the file (the header is line 1); nil when the problem is the file as a whole.
    public let line: Int?
    public let message: String

    public var description: String {
        "SeedData/\(SeedTables.folderName)/\(file)" + (line.map { ":\($0)" } ?? "") + ": " + message
    }
}

/// One CSV file of the tables: a header row naming exactly the expected columns, then data rows of as many fields.
/// Fields never span lines in these files, so a row's line is its index plus two.
struct TableFile {
    let name: String
    let rows: [TableRow]

    init(_ directory: URL, _ name: String, columns: [String]) throws {
        self.name = name
        let url = directory.appendingPathComponent(name)
        let text: String
        do {
            text = try String(contentsOf: url, encoding: .utf8)
        } catch {
            throw SeedTableError(file: name, line: nil, message: "cannot read \(url.path) as UTF-8 (\(error.localizedDescription))")
        }
        var fields: [[String]] = []
        let header: [String]
        do {
            let csv = try EnumeratedCSV(string: text, delimiter: .comma, loadColumns: false)
            header = csv.header
            // Row by row as written: the parsed view pads short rows, and a short row is an error here.
            try csv.enumerateAsArray(startAt: 1, rowLimit: nil) { fields.append($0) }
        } catch {
            throw SeedTableError(file: name, line: nil, message: "not valid CSV (\(error))")
        }
        guard header == columns else {
            throw SeedTableError(file: name, line: 1, message: "header is \(header.joined(separator: ",")), expected \(columns.joined(separator: ","))")
        }
        rows = try fields.enumerated().map { i, f in
            guard f.count == columns.count else {
                throw SeedTableError(file: name, line: i + 2, message: "\(f.count) fields, expected \(columns.count) (\(columns.joined(separator: ",")))")
            }
            return TableRow(file: name, line: i + 2, values: Dictionary(uniqueKeysWithValues: zip(columns, f)))
        }
    }

    func map<T>(_ transform: (TableRow) throws -> T) throws -> [T] { try rows.map(transform) }

    func requireUnique(_ keys: [String], column: String) throws {
        var seen: Set<String> = []
        for (i, k) in keys.enumerated() where !seen.insert(k).inserted {
            throw rows[i].error("\(column) \(k) is listed twice")
        }
    }

    /// A one-column list of words, in file order; none may be empty unless `allowEmpty`.
    static func words(_ directory: URL, _ name: String, column: String, allowEmpty: Bool = false) throws -> [String] {
        let file = try TableFile(directory, name, columns: [column])
        guard !file.rows.isEmpty else { throw SeedTableError(file: name, line: nil, message: "no rows") }
        return try file.map { try $0.text(column, allowEmpty: allowEmpty) }
    }
}

/// One data row of a ``TableFile``, its fields by column name.
struct TableRow {
    let file: String
    let line: Int
    let values: [String: String]

    func error(_ message: String) -> SeedTableError { SeedTableError(file: file, line: line, message: message) }

    func text(_ column: String, allowEmpty: Bool = false) throws -> String {
        let v = values[column] ?? ""
        if v.isEmpty && !allowEmpty { throw error("\(column) is empty") }
        return v
    }

    func number(_ column: String) throws -> Double {
        let v = try text(column)
        guard let d = Double(v), d.isFinite else { throw error("\(column) '\(v)' is not a number") }
        return d
    }

    func positive(_ column: String) throws -> Double {
        let d = try number(column)
        guard d > 0 else { throw error("\(column) \(values[column]!) is not positive") }
        return d
    }

    func parse<T>(_ column: String, _ make: (String) -> T?) throws -> T {
        let v = try text(column)
        guard let t = make(v) else { throw error("\(column) '\(v)' is not a known \(T.self)") }
        return t
    }
}
