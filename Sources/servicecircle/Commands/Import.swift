import ArgumentParser
import Foundation
import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleStore

/// `servicecircle import FILE`: the bulk import of `POST /v1/imports`, straight on the database.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import outlets from CSV or GeoJSON: upsert by code, all or nothing, in one transaction (README \"Bulk import and export\").")

    @OptionGroup var db: DatabaseOptions
    @Argument(help: "The file (.csv, .geojson or .json; '-' for stdin).") var file: String
    @Flag(help: "Validate and report what would change; change nothing.") var dryRun = false
    @Option(help: "csv or geojson (default: from the file name, else from the content).") var format: String?
    @Option(help: "Who is recorded in the history (default cli:$USER).") var actor: String?

    func run() async throws {
        let data: Data
        if file == "-" { data = FileHandle.standardInput.readDataToEndOfFile() } else {
            guard let d = FileManager.default.contents(atPath: file) else { throw ValidationError("cannot read \(file)") }
            data = d
        }
        let bytes = [UInt8](data)
        let fmt: CatalogueFormat
        if let format {
            guard let f = CatalogueFormat(rawValue: format) else { throw ValidationError("--format must be csv or geojson") }
            fmt = f
        } else if file.lowercased().hasSuffix(".csv") { fmt = .csv }
        else if file.lowercased().hasSuffix(".geojson") || file.lowercased().hasSuffix(".json") { fmt = .geojson }
        else { fmt = OutletImport.sniff(bytes) }

        let started = ContinuousClock.now
        // A bureau list's 业务范围 and （仅…） words are read through the caller vocabulary, as the API does.
        let vocabulary = (try? CallerVocabulary.load(directory: try db.seedDirectory.appendingPathComponent("vocabulary"))) ?? .empty
        let parsed = OutletImport.parse(bytes, format: fmt, vocabulary: vocabulary)
        for issue in parsed.issues.prefix(200) {
            FileHandle.standardError.write(Data("row \(issue.row)\t\(issue.field ?? "-")\t\(issue.reason)\n".utf8))
        }
        if parsed.issues.count > 200 { FileHandle.standardError.write(Data("… and \(parsed.issues.count - 200) more\n".utf8)) }
        if !parsed.issues.isEmpty && !dryRun {
            throw ValidationError("nothing was imported: \(parsed.issues.count) problem(s) in \(parsed.total) row(s); see above, or run with --dry-run")
        }
        let rows = parsed.rows
        let change = ChangeContext(actor: actor ?? Keys.operatorName, action: "import",
                                   source: "import:" + (file == "-" ? "stdin" : URL(fileURLWithPath: file).lastPathComponent))
        let dryRun = dryRun
        let outcome = try await Keys.withStore(db) { keys in
            try await CatalogueEditor(client: keys.client, logger: keys.logger).importRows(rows, change: change, dryRun: dryRun)
        }
        let took = ContinuousClock.now - started
        print("\(dryRun ? "dry run (nothing changed)" : "imported"): \(parsed.total) rows (\(fmt.rawValue)), \(parsed.issues.count) problem(s); "
              + "created \(outcome.created), updated \(outcome.updated), unchanged \(outcome.unchanged) in \(took)")
        if dryRun { for c in outcome.changes.prefix(1000) { print("row \(c.row)\t\(c.code)\t\(c.action.rawValue)") } }
        if dryRun && !parsed.issues.isEmpty { throw ExitCode(2) }
    }
}
