import ArgumentParser
import Foundation
import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleSeed

/// Writes the seed catalogue (deterministic) or a national catalogue of any size for benchmarks.
struct GenerateSeed: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate-seed",
        abstract: "Generate SeedData/outlets/articles.jsonl and SeedData/demand/, or with --count a national catalogue (jsonl, or csv for COPY).")

    @Option(help: "Project folder holding SeedData/ (default: the working directory).") var projectDir: String?
    @Option(help: "Generate this many outlets nationwide instead of the article catalogue.") var count: Int?
    @Option(help: "Output format for --count: jsonl or csv (the columns of `COPY outlets`).") var format: String = "jsonl"
    @Option(help: "Output file (default SeedData/outlets/articles.jsonl; '-' for stdout).") var out: String?

    func run() throws {
        let project = URL(fileURLWithPath: projectDir ?? FileManager.default.currentDirectoryPath)
        let outPath = out ?? project.appendingPathComponent("SeedData/outlets/articles.jsonl").path
        let tables = try SeedTables(seedDirectory: project.appendingPathComponent("SeedData"))
        let writer = try LineWriter(path: outPath)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        if let count {
            guard count > 0 else { throw ValidationError("--count must be positive") }
            guard format == "jsonl" || format == "csv" else { throw ValidationError("--format must be jsonl or csv") }
            if format == "csv" { writer.write(CSVRow.header) }
            var n = 0
            var csv = CSVRow(encoder: enc)
            SeedGenerator.national(count: count, tables: tables) { rec in
                if format == "csv" { writer.write(csv.line(rec)) } else {
                    writer.write(String(decoding: (try? enc.encode(rec)) ?? Data(), as: UTF8.self))
                }
                n += 1
            }
            writer.close()
            FileHandle.standardError.write(Data("wrote \(n) outlets to \(outPath)\n".utf8))
            return
        }
        let regionsText = try String(contentsOf: project.appendingPathComponent("SeedData/regions.csv"), encoding: .utf8)
        let records = SeedGenerator.articleCatalogue(regions: try Region.parseCSV(regionsText), tables: tables)
        for r in records { writer.write(String(decoding: try enc.encode(r), as: UTF8.self)) }
        writer.close()
        FileHandle.standardError.write(Data("wrote \(records.count) outlets to \(outPath)\n".utf8))
        if out == nil { try DemandFiles.write(project: project, tables: tables) }
    }
}

/// The CSV layout `COPY outlets (...) FROM STDIN WITH (FORMAT csv, HEADER true)` takes.
struct CSVRow {
    static let header = "code,name,kind,address,province,city,district,district_code,phone,lat,lon,operating_state,businesses,hours"

    let encoder: JSONEncoder
    /// Hours JSON already encoded: a national catalogue repeats a few hundred distinct hours.
    var hoursText: [JSONValue: String] = [:]

    mutating func line(_ r: OutletRecord) -> String {
        let hours: String
        if let h = hoursText[r.hours] { hours = h } else {
            hours = String(decoding: (try? encoder.encode(r.hours)) ?? Data(), as: UTF8.self)
            if hoursText.count < 10_000 { hoursText[r.hours] = hours }
        }
        let fields: [String] = [
            r.code, r.name, r.kind.rawValue, r.address, r.province, r.city, r.district, r.districtCode, r.phone ?? "",
            "\(r.lat)", "\(r.lon)", r.operatingState.rawValue,
            "{" + r.businesses.map(\.rawValue).joined(separator: ",") + "}", hours,
        ]
        return fields.map(CSV.escape).joined(separator: ",")
    }
}

/// Buffered line output to a file or stdout.
final class LineWriter {
    let handle: FileHandle
    var buffer = Data()

    init(path: String) throws {
        if path == "-" { handle = .standardOutput; return }
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: nil)
        guard let h = FileHandle(forWritingAtPath: path) else { throw ValidationError("cannot write \(path)") }
        handle = h
    }

    func write(_ line: String) {
        buffer.append(contentsOf: line.utf8)
        buffer.append(0x0A)
        if buffer.count > 1 << 20 { flush() }
    }

    func flush() {
        handle.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func close() {
        flush()
        if handle !== FileHandle.standardOutput { try? handle.close() }
    }
}
