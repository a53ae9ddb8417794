#!/usr/bin/env bash
# `servicecircle bench json` optimised, without a release build of the whole package: the JSON reader's own files
# (JSONValue, the reader, the text rules) and the measurement, compiled together with `swiftc -O` (BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${TMPDIR:-/tmp}/servicecircle-bench-json"
mkdir -p "$out"
cat > "$out/main.swift" <<'SWIFT'
import Foundation
let args = CommandLine.arguments
let count = args.count > 1 ? Int(args[1])! : 100_000
let runs = args.count > 2 ? Int(args[2])! : 5
let docs = try JSONBenchCore.documents(articles: URL(fileURLWithPath: "SeedData/outlets/articles.jsonl"), count: count)
let rows = try JSONBenchCore.run(docs, runs: runs) { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
print(JSONBenchCore.report(rows, docs: docs, runs: runs))
SWIFT
swiftc -O -D JSON_BENCH_STANDALONE -module-name JSONBench -o "$out/bench-json" \
  Sources/ServiceCircleDomain/Outlets/JSONValue.swift Sources/ServiceCircleDomain/Outlets/DomainError.swift \
  Sources/ServiceCircleDomain/Outlets/JSONReader.swift Sources/ServiceCircleDomain/Outlets/TextRules.swift \
  Sources/servicecircle/Bench/JSONBenchCore.swift "$out/main.swift"
"$out/bench-json" "$@"
