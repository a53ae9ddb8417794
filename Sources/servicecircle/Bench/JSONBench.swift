import ArgumentParser
import Foundation
import ServiceCircleDomain

extension Bench {
    /// Does the hand-written JSON reader earn its keep (issue 11 item 6)? It against Foundation on an import's hours
    /// cells: `swift run -c release servicecircle bench json` (BENCHMARKS.md; scripts/bench-json-release.sh compiles
    /// the same measurement with -O without a release build of the package).
    struct JSONBench: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "json",
            abstract: "Hours JSON cells (200–600 bytes) read by the hand-written JSONTextParser, JSONDecoder and JSONSerialization.")
        @Option(help: "Documents per run.") var count = 100_000
        @Option(help: "Runs; the median is reported.") var runs = 5
        @Option(help: "Project folder holding SeedData/.") var projectDir: String?

        func run() throws {
            let project = URL(fileURLWithPath: projectDir ?? FileManager.default.currentDirectoryPath)
            let docs = try JSONBenchCore.documents(articles: project.appendingPathComponent("SeedData/outlets/articles.jsonl"), count: count)
            let rows = try JSONBenchCore.run(docs, runs: runs) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
            #if DEBUG
            print("(debug build: the hand-written reader is unoptimised here, Foundation is not; compare release figures)\n")
            #endif
            print(JSONBenchCore.report(rows, docs: docs, runs: runs))
        }
    }
}
