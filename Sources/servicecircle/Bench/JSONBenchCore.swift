// The measurement behind `servicecircle bench json` (BENCHMARKS.md): the hand-written JSON reader against
// Foundation on the documents an import carries. Plain Foundation plus the domain's JSONValue, so that
// scripts/bench-json-release.sh can compile it with `swiftc -O` alongside the reader's own files (a release figure
// without a release build of the whole package).
import Foundation
#if !JSON_BENCH_STANDALONE
import ServiceCircleDomain
#endif

enum JSONBenchCore {
    /// Hours JSON as an import's `hours` cell carries it: the distinct hours of SeedData/outlets/articles.jsonl
    /// (compact, keys sorted, as the export writes them), each given one to six dated exceptions with notes
    /// (holiday closures, shortened days) so that the documents are 200 to 600 bytes; `count` of them, in a fixed order.
    static func documents(articles: URL, count: Int) throws -> [[UInt8]] {
        var bases: [String] = []
        var seen = Set<String>()
        for line in try String(contentsOf: articles, encoding: .utf8).split(separator: "\n") {
            guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], let h = o["hours"] else { continue }
            let text = String(decoding: try JSONSerialization.data(withJSONObject: h, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
            if seen.insert(text).inserted { bases.append(text) }
        }
        guard !bases.isEmpty else { throw CocoaError(.fileReadCorruptFile) }
        let notes = ["春节假期闭馆", "系统升级，暂停办理", "国庆节假期，仅上午办理", "设备检修", "清明节闭馆", "劳动节假期", "端午节闭馆", "中秋节闭馆"]
        var out: [[UInt8]] = []
        out.reserveCapacity(count)
        var i = 0
        while out.count < count {
            let base = bases[i % bases.count]
            var exceptions: [String] = []
            var k = 0
            var doc = base
            // Add exceptions until the document is at least 200 bytes and has the (varying) number wanted.
            let wanted = 1 + (i / bases.count) % 6
            while k < wanted || doc.utf8.count < 200 {
                let month = 1 + (i + k) % 12, day = 1 + (i * 7 + k * 3) % 28
                let from = String(format: "2026-%02d-%02d", month, day), to = String(format: "2026-%02d-%02d", month, min(28, day + k % 3))
                let intervals = k % 2 == 0 ? "[]" : #"[["09:00","12:00"]]"#
                exceptions.append(#"{"from":"\#(from)","intervals":\#(intervals),"note":"\#(notes[(i + k) % notes.count])","to":"\#(to)"}"#)
                doc = base.replacingOccurrences(of: #""exceptions":[]"#, with: #""exceptions":["# + exceptions.joined(separator: ",") + "]")
                k += 1
                if doc.utf8.count > 600 { break }
            }
            i += 1
            if (200...600).contains(doc.utf8.count) { out.append(Array(doc.utf8)) }
        }
        return out
    }

    struct Row {
        var name: String
        /// Seconds for the whole set, per run.
        var seconds: [Double]
        var median: Double { seconds.sorted()[seconds.count / 2] }
        var best: Double { seconds.min() ?? 0 }
    }

    /// Foundation's `Any` as the project's value (numbers as doubles; these documents hold no numbers or booleans).
    static func value(_ any: Any) -> JSONValue {
        switch any {
        case let s as String: return .string(s)
        case let a as [Any]: return .array(a.map(value))
        case let o as [String: Any]: return .object(o.mapValues(value))
        case let n as NSNumber: return .number(n.doubleValue)
        default: return .null
        }
    }

    static func count(_ v: JSONValue) -> Int {
        switch v {
        case .array(let a): return 1 + a.reduce(0) { $0 + count($1) }
        case .object(let o): return 1 + o.values.reduce(0) { $0 + count($1) }
        default: return 1
        }
    }

    /// Times each reader over every document, `runs` times, interleaved (so that a neighbour's load hits them alike).
    static func run(_ docs: [[UInt8]], runs: Int, log: (String) -> Void) throws -> [Row] {
        let data = docs.map { Data($0) }
        let decoder = JSONDecoder()
        // Every reader must read the same values.
        for k in stride(from: 0, to: docs.count, by: max(1, docs.count / 100)) {
            let mine = try JSONValue.read(docs[k], limits: .hoursCell)
            let theirs = try decoder.decode(JSONValue.self, from: data[k])
            let serialized = value(try JSONSerialization.jsonObject(with: data[k]))
            guard mine == theirs, mine == serialized else { throw CocoaError(.coderInvalidValue) }
        }
        var rows = [Row(name: "hand-written JSONTextParser → JSONValue (depth and value limits)", seconds: []),
                    Row(name: "Foundation JSONDecoder → JSONValue (Codable)", seconds: []),
                    Row(name: "Foundation JSONSerialization → Any → JSONValue", seconds: []),
                    Row(name: "Foundation JSONSerialization → Any (no JSONValue)", seconds: [])]
        var sink = 0
        // CPU time of this thread, not wall time: the machine is shared, and a neighbour's build would otherwise
        // decide the ratio.
        func cpu() -> Double {
            var t = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
            return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
        }
        func time(_ body: () throws -> Void) rethrows -> Double {
            let t0 = cpu()
            try body()
            return cpu() - t0
        }
        for r in 0..<runs {
            rows[0].seconds.append(try time {
                for d in docs { if case .object(let o) = try JSONValue.read(d, limits: .hoursCell) { sink &+= o.count } }
            })
            rows[1].seconds.append(try time {
                for d in data { if case .object(let o) = try decoder.decode(JSONValue.self, from: d) { sink &+= o.count } }
            })
            rows[2].seconds.append(try time {
                for d in data { if case .object(let o) = value(try JSONSerialization.jsonObject(with: d)) { sink &+= o.count } }
            })
            rows[3].seconds.append(try time {
                for d in data { if let o = try JSONSerialization.jsonObject(with: d) as? [String: Any] { sink &+= o.count } }
            })
            log("run \(r + 1)/\(runs): " + rows.map { String(format: "%.3f s", $0.seconds.last!) }.joined(separator: ", "))
        }
        log("[sink \(sink & 1)]")
        return rows
    }

    /// The table BENCHMARKS.md shows.
    static func report(_ rows: [Row], docs: [[UInt8]], runs: Int) -> String {
        let bytes = docs.reduce(0) { $0 + $1.count }
        let values = docs.prefix(1000).reduce(0) { $0 + ((try? count(JSONValue.read($1, limits: .hoursCell))) ?? 0) }
        var s = String(format: "%d documents, %d–%d bytes (mean %.0f), ~%.0f values each; thread CPU time, median (best) of %d runs\n\n",
                       docs.count, docs.map(\.count).min() ?? 0, docs.map(\.count).max() ?? 0,
                       Double(bytes) / Double(max(1, docs.count)), Double(values) / Double(min(1000, max(1, docs.count))), runs)
        s += "| reader | CPU s per set | µs per document | MB/s | × hand-written |\n|---|---|---|---|---|\n"
        let base = rows[0].median
        for r in rows {
            let m = r.median
            s += String(format: "| %@ | %.3f (%.3f) | %.2f | %.0f | %.2f |\n", r.name, m, r.best, m / Double(docs.count) * 1e6,
                        Double(bytes) / m / 1e6, m / base)
        }
        return s
    }
}
