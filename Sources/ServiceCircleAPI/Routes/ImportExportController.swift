import Foundation
import Hummingbird
import ServiceCircleDomain
import ServiceCircleApp

/// Bulk import (`POST /v1/imports`, CSV or GeoJSON, upsert by code, all or nothing) and export
/// (`GET /v1/outlets.csv`, `/v1/outlets.geojson`, the list's filters) in formats that re-import to the same catalogue.
struct ImportExportController: Sendable {
    let w: WriteSupport
    static let maxImportBytes = 512 << 20
    /// Per-row outcomes listed in an import report; the counts are always complete.
    static let maxListedChanges = 10_000

    func register(on router: Router<AppContext>) {
        router.post("/v1/imports", use: importFile)
        router.get("/v1/outlets.csv") { request, _ in try await self.export(request, format: .csv) }
        router.get("/v1/outlets.geojson") { request, _ in try await self.export(request, format: .geojson) }
    }

    struct ChangeDTO: Encodable {
        var row: Int
        var code: String
        var action: String
    }

    struct ReportDTO: Encodable {
        var dryRun: Bool
        var format: String
        /// `utf-8`, or `gb18030` for a CSV saved that way (transcoded).
        var encoding: String
        var rows: Int
        var valid: Int
        var created: Int
        var updated: Int
        var unchanged: Int
        var errors: [ImportIssue]
        var changes: [ChangeDTO]
        var changesTruncated: Bool
    }

    struct RejectedDTO: Encodable {
        var type = "https://servicecircle.example/problems/invalid-import"
        var title = "Bad Request"
        var status = 400
        var detail: String
        var invalidParams: [InvalidParam]
        var rows: Int
        var errors: [ImportIssue]
    }

    /// The format from `?format=`, else the Content-Type, else the content (a JSON object is GeoJSON).
    static func format(_ request: Request, _ p: inout QueryParameters, bytes: [UInt8]) -> CatalogueFormat {
        if let f = p.code("format", CatalogueFormat.self) { return f }
        let ct = request.headers[.contentType]?.lowercased() ?? ""
        if ct.hasPrefix("text/csv") { return .csv }
        if ct.hasPrefix("application/geo+json") || ct.hasPrefix("application/json") { return .geojson }
        return OutletImport.sniff(bytes)
    }

    @Sendable func importFile(_ request: Request, context: AppContext) async throws -> Response {
        var p = QueryParameters(request, allowed: ["dry_run", "format", "file"])
        var dryRun = false
        // The file's name, recorded as the imported outlets' source (`import:<file>`, docs/editing.md "Provenance").
        let fileName = p.string("file")
        if let f = fileName, f.isEmpty || f.count > 100 || f.contains("/") || TextRules.controlCharacterProblem(f) != nil {
            p.fail("file", "must be a file name of 1–100 characters, without '/' or control characters")
        }
        if let d = p.string("dry_run") {
            switch d.lowercased() {
            case "true", "1", "yes": dryRun = true
            case "false", "0", "no": dryRun = false
            default: p.fail("dry_run", "must be true or false")
            }
        }
        _ = p.code("format", CatalogueFormat.self)
        try p.check()
        let key = try await w.require(.editor, request)
        var r = request
        let buffer: ByteBuffer
        do { buffer = try await r.collectBody(upTo: Self.maxImportBytes) } catch {
            throw Problem(status: .contentTooLarge, detail: "an import may be at most \(Self.maxImportBytes >> 20) MB")
        }
        let bytes = Array(buffer.readableBytesView)
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw DomainError.invalid("body", "is empty: send the CSV or GeoJSON file to import (dry_run=true checks it without importing)")
        }
        var q = QueryParameters(request, allowed: ["dry_run", "format", "file"])
        let format = Self.format(request, &q, bytes: bytes)
        let parsed = OutletImport.parse(bytes, format: format, vocabulary: w.deps.hotline.vocabulary)
        // File-level problems (an unreadable file, a header that is not ours) refuse the import even in a dry run:
        // there are no rows to report on. Row problems are what a dry run reports (200).
        let fileLevel = parsed.issues.contains { $0.row == 0 }
        if !parsed.issues.isEmpty && (!dryRun || fileLevel) {
            let shown = parsed.issues.prefix(100).map { i in
                InvalidParam(name: i.row == 0 ? (i.field ?? "file") : "row \(i.row)" + (i.field.map { ": \($0)" } ?? ""), reason: i.reason)
            }
            let rowsWithErrors = Set(parsed.issues.map(\.row)).count
            let body = RejectedDTO(detail: "nothing was imported: \(parsed.issues.count) problem(s) in \(rowsWithErrors) row(s); fix them or see the whole report with dry_run=true",
                                   invalidParams: Array(shown), rows: parsed.total, errors: parsed.issues)
            return try APIJSON.response(body, status: .badRequest, contentType: "application/problem+json; charset=utf-8")
        }
        let outcome = try await w.editor.importRows(parsed.rows, change: ChangeContext(actor: key.name, action: "import", source: "import:" + (fileName ?? "upload")),
                                                     dryRun: dryRun)
        let changes = outcome.changes.prefix(Self.maxListedChanges).map { ChangeDTO(row: $0.row, code: $0.code, action: $0.action.rawValue) }
        return try APIJSON.response(ReportDTO(dryRun: dryRun, format: format.rawValue, encoding: parsed.encoding.rawValue,
                                              rows: parsed.total, valid: parsed.rows.count,
                                              created: outcome.created, updated: outcome.updated, unchanged: outcome.unchanged,
                                              errors: parsed.issues, changes: Array(changes),
                                              changesTruncated: outcome.changes.count > Self.maxListedChanges))
    }

    /// Streams every outlet matching the list's filters (`kind`, `business`, `city`, `district`, `q`), in id order.
    func export(_ request: Request, format: CatalogueFormat) async throws -> Response {
        var p = QueryParameters(request, allowed: OutletsController.filterParameters)
        let f = OutletsController.filter(&p)
        try p.check()
        let catalogue = w.deps.catalogue
        let filter = f
        var headers = HTTPFields()
        headers[.contentType] = format == .csv ? "text/csv; charset=utf-8" : "application/geo+json; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"outlets.\(format.rawValue)\""
        // The first page is read before answering, so a database error is still a proper 5xx/503, not a cut stream.
        var first = filter
        first.limit = 2_000
        let firstPage = try await catalogue.outlets(first)
        let body = ResponseBody { writer in
            var page = firstPage
            var f = filter
            f.limit = 2_000
            var isFirst = true
            try await writer.write(ByteBuffer(string: format == .csv ? OutletImport.csvHeader : OutletImport.geoJSONHead))
            while !page.isEmpty {
                var text = ""
                for var o in page {
                    o.hours = o.hours.withExceptionIDs()
                    switch format {
                    case .csv: text += OutletImport.csvLine(id: o.id.rawValue, OutletRecord(o))
                    case .geojson:
                        if !isFirst { text += ",\n" }
                        text += OutletImport.geoJSONFeature(id: o.id.rawValue, OutletRecord(o))
                    }
                    isFirst = false
                }
                try await writer.write(ByteBuffer(string: text))
                guard page.count == f.limit, let last = page.last else { break }
                f.afterID = last.id
                page = try await catalogue.outlets(f)
            }
            if format == .geojson { try await writer.write(ByteBuffer(string: OutletImport.geoJSONTail)) }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
