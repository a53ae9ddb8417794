import Configuration
import Foundation
import ServiceCircleDomain

/// Every setting of the service in one typed value, read once at start from (highest first) command-line flags,
/// environment variables, an optional JSON file (`--config FILE` / `SERVICECIRCLE_CONFIG`) and the defaults below,
/// and validated as a whole: every bad setting is named in one message. docs/operations.md lists them all.
public struct AppConfig: Sendable, Equatable {
    /// Address and port the HTTP server listens on.
    public var host = "127.0.0.1"
    public var port = 8080
    /// An existing PostgreSQL (`postgres://…`); nil runs the embedded cluster in ``dataDirectory``.
    public var databaseURL: String?
    /// Folder of the embedded cluster.
    public var dataDirectory = ".servicecircle"
    /// Folder holding `sql/` and `SeedData/`.
    public var projectDirectory = FileManager.default.currentDirectoryPath
    /// swift-log level: trace, debug, info, notice, warning, error, critical.
    public var logLevel = "info"
    /// Where /v1/nearest reads its candidates.
    public var readModel: ReadModelMode = .memory
    /// Whether `serve` loads SeedData not yet loaded at start.
    public var seedOnStart = true
    /// Seconds a connection may sit with no request in progress (a new one that sends nothing, or a keep-alive one
    /// between requests) before it is closed. Longer than a load balancer's own idle timeout (60 s on the common
    /// ones), so that the balancer, not the service, closes a pooled connection.
    public var idleTimeout: Double = 75
    /// Seconds from the first byte of a request to the end of its head (request line and headers); past it, 408
    /// and the connection is closed. A slow-header client (slowloris) holds a connection for this long at most.
    public var headerTimeout: Double = 10
    /// Open connections served at once; past it new connections wait in the listen backlog until one closes.
    /// Lowered at start to fit the process's file limit (`ulimit -n`) with room for the pool and files.
    public var maxConnections = 10_000
    /// Seconds that SIGTERM waits for requests in flight before they are cancelled and the process exits.
    public var drainTimeout: Double = 20
    /// Browser origins allowed to call the API across origins (CORS): `https://a.example,https://b.example`, or
    /// `*` for any. Empty (the default): no CORS headers, browsers allow same-origin calls only.
    public var corsOrigins: [String] = []
    /// Requests a second one client (its connection's peer address) may make on average; 0 turns the limit off.
    /// Past it: 429 problem+json with Retry-After. 50/s is far above what a person or an agent's console sends and
    /// well below what one misbehaving script can.
    public var rateLimit: Double = 50
    /// Requests one client may send at once above the average (its bucket's size).
    public var rateLimitBurst: Double = 100
    /// Provenance cautions and problem-report warnings (docs/editing.md "Provenance", "Problem reports"): days after
    /// which confirmed hours are stale, independent `closed` reports that warn, reports a client may post an hour.
    public var trust = TrustSettings()

    public init() {}

    /// One setting: its key (environment variable = the key upper-cased with `_` for `.`), its flag and what it holds.
    public struct Setting: Sendable {
        public var key: String
        public var flag: String
        public var help: String
        public var environmentVariable: String { key.uppercased().replacingOccurrences(of: ".", with: "_") }
    }

    /// Every setting, in the order the docs list them.
    public static let settings: [Setting] = [
        Setting(key: "host", flag: "--host", help: "address to listen on (default 127.0.0.1)"),
        Setting(key: "port", flag: "--port", help: "port to listen on, 1–65535 (default 8080)"),
        Setting(key: "database.url", flag: "--database-url", help: "postgres:// URL of an existing server; without it the embedded cluster runs"),
        Setting(key: "servicecircle.data.dir", flag: "--data-dir", help: "folder of the embedded cluster (default ./.servicecircle)"),
        Setting(key: "servicecircle.home", flag: "--project-dir", help: "folder holding sql/ and SeedData/ (default: the working directory)"),
        Setting(key: "log.level", flag: "--log-level", help: "trace, debug, info, notice, warning, error, critical (default info)"),
        Setting(key: "read.model", flag: "--read-model", help: "memory or postgis: where /v1/nearest reads (default memory)"),
        Setting(key: "seed", flag: "--no-seed", help: "true or false: load SeedData at start (default true)"),
        Setting(key: "http.idle.timeout", flag: "--idle-timeout", help: "seconds an idle connection stays open (default 75)"),
        Setting(key: "http.header.timeout", flag: "--header-timeout", help: "seconds allowed for a request's head once it starts (default 10)"),
        Setting(key: "http.max.connections", flag: "--max-connections", help: "open connections served at once (default 10000, lowered to fit ulimit -n)"),
        Setting(key: "drain.timeout", flag: "--drain-timeout", help: "seconds SIGTERM waits for requests in flight (default 20)"),
        Setting(key: "cors.origins", flag: "--cors-origins", help: "comma-separated origins allowed by CORS, or * (default none)"),
        Setting(key: "rate.limit", flag: "--rate-limit", help: "requests a second per client, 0 = no limit (default 50)"),
        Setting(key: "rate.limit.burst", flag: "--rate-limit-burst", help: "requests a client may send at once above that (default 100)"),
        Setting(key: "verification.max.age.days", flag: "--verification-max-age-days", help: "days after which an outlet's confirmed hours carry 请致电确认, 1–3650 (default 180)"),
        Setting(key: "reports.closed.threshold", flag: "--reports-closed-threshold", help: "independent open 'closed' reports that put a warning on an outlet, 1–100 (default 3)"),
        Setting(key: "reports.per.hour", flag: "--reports-per-hour", help: "problem reports one client may post an hour, 1–1000 (default 5)"),
    ]

    /// Reads and validates every setting; throws one ``ConfigurationError`` naming each bad one.
    public static func load(from reader: ConfigReader) throws -> AppConfig {
        var c = AppConfig()
        var problems: [String] = []
        let read = SettingReader(reader: reader)
        if let v = read.string("host", &problems) {
            if v.isEmpty { problems.append(describe("host", "must not be empty")) } else { c.host = v }
        }
        if let v = read.int("port", &problems) {
            if (1...65535).contains(v) { c.port = v } else { problems.append(describe("port", "must be 1–65535, not \(v)")) }
        }
        if let v = read.string("database.url", &problems), !v.isEmpty {
            if v.hasPrefix("postgres://") || v.hasPrefix("postgresql://") { c.databaseURL = v } else {
                problems.append(describe("database.url", "must start with postgres:// or postgresql://"))
            }
        }
        if let v = read.string("servicecircle.data.dir", &problems), !v.isEmpty { c.dataDirectory = v }
        if let v = read.string("servicecircle.home", &problems), !v.isEmpty { c.projectDirectory = v }
        if let v = read.string("log.level", &problems) {
            let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
            if levels.contains(v) { c.logLevel = v } else {
                problems.append(describe("log.level", "must be one of \(levels.joined(separator: ", ")), not '\(v)'"))
            }
        }
        if let v = read.string("read.model", &problems) {
            if let m = ReadModelMode(rawValue: v) { c.readModel = m } else {
                problems.append(describe("read.model", "must be one of \(ReadModelMode.allCases.map(\.rawValue).joined(separator: ", ")), not '\(v)'"))
            }
        }
        if let v = read.bool("seed", &problems) { c.seedOnStart = v }
        if let v = read.seconds("http.idle.timeout", in: 0.1...86_400, &problems) { c.idleTimeout = v }
        if let v = read.seconds("http.header.timeout", in: 0.1...3_600, &problems) { c.headerTimeout = v }
        if let v = read.int("http.max.connections", &problems) {
            if (1...1_000_000).contains(v) { c.maxConnections = v } else {
                problems.append(describe("http.max.connections", "must be 1–1000000, not \(v)"))
            }
        }
        if let v = read.seconds("drain.timeout", in: 0...3_600, &problems) { c.drainTimeout = v }
        if let v = read.string("cors.origins", &problems) {
            let origins = v.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let bad = origins.filter { !isOrigin($0) }
            if bad.isEmpty { c.corsOrigins = origins } else {
                problems.append(describe("cors.origins", "each must be * or an origin like https://app.example or http://localhost:3000 (scheme, host, optional port; no path), not \(bad.map { "'\($0)'" }.joined(separator: ", "))"))
            }
        }
        if let v = read.seconds("rate.limit", in: 0...1_000_000, &problems) { c.rateLimit = v }
        if let v = read.seconds("rate.limit.burst", in: 1...1_000_000, &problems) { c.rateLimitBurst = v }
        for (key, range, path) in [("verification.max.age.days", 1...3650, \TrustSettings.maxVerificationAgeDays),
                                   ("reports.closed.threshold", 1...100, \TrustSettings.closedReportThreshold),
                                   ("reports.per.hour", 1...1000, \TrustSettings.reportsPerHour)] {
            if let v = read.int(key, &problems) {
                if range.contains(v) { c.trust[keyPath: path] = v } else {
                    problems.append(describe(key, "must be \(range.lowerBound)–\(range.upperBound), not \(v)"))
                }
            }
        }
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
        return c
    }

    /// `*`, or `scheme://host[:port]` as a browser sends it in `Origin` (lower-case scheme, no path, query or user).
    static func isOrigin(_ s: String) -> Bool {
        if s == "*" { return true }
        guard let u = URLComponents(string: s), let scheme = u.scheme, ["http", "https"].contains(scheme),
              let host = u.host, !host.isEmpty, u.path.isEmpty, u.query == nil, u.fragment == nil, u.user == nil else { return false }
        return true
    }

    static func describe(_ key: String, _ why: String) -> String {
        let s = settings.first { $0.key == key }
        return "\(key) (\(s.map { "\($0.flag), env \($0.environmentVariable)" } ?? key)): \(why)"
    }

    /// The reader for a process: `flags` (from the command line, as key → text) over the environment over the JSON
    /// file named by `--config` / `SERVICECIRCLE_CONFIG`, if any (nested objects: `{"log": {"level": "debug"}}`).
    public static func reader(flags: [String: String], configFile: String?,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ConfigReader {
        var providers: [any ConfigProvider] = [
            InMemoryProvider(name: "flags", values: Dictionary(uniqueKeysWithValues: flags.map {
                (AbsoluteConfigKey(stringLiteral: $0.key), ConfigValue(.string($0.value), isSecret: $0.key == "database.url"))
            })),
            EnvironmentVariablesProvider(environmentVariables: environment, secretsSpecifier: .specific(["DATABASE_URL"])),
        ]
        if let file = configFile ?? environment["SERVICECIRCLE_CONFIG"], !file.isEmpty {
            providers.append(InMemoryProvider(name: file, values: try fileValues(file)))
        }
        return ConfigReader(providers: providers)
    }

    /// A JSON configuration file flattened to dotted keys (read at start, synchronously, before anything runs).
    static func fileValues(_ path: String) throws -> [AbsoluteConfigKey: ConfigValue] {
        let where_ = "config file \(path) (--config, env SERVICECIRCLE_CONFIG)"
        guard let data = FileManager.default.contents(atPath: path) else { throw ConfigurationError(problems: ["\(where_): cannot be read"]) }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigurationError(problems: ["\(where_): not a JSON object"])
        }
        var out: [AbsoluteConfigKey: ConfigValue] = [:]
        var problems: [String] = []
        func walk(_ prefix: [String], _ value: Any) {
            let key = prefix.joined(separator: ".")
            switch value {
            case let o as [String: Any]: for (k, v) in o { walk(prefix + [k], v) }
            case let s as String: out[AbsoluteConfigKey(stringLiteral: key)] = ConfigValue(.string(s), isSecret: key == "database.url")
            case let n as NSNumber:
                // A JSON boolean arrives as 1 or 0, which the boolean settings accept.
                out[AbsoluteConfigKey(stringLiteral: key)] = ConfigValue(.string(n.stringValue), isSecret: false)
            case let a as [Any]:
                out[AbsoluteConfigKey(stringLiteral: key)] = ConfigValue(.string(a.map { "\($0)" }.joined(separator: ",")), isSecret: false)
            default: problems.append("\(where_): \(key): unsupported value")
            }
        }
        walk([], root)
        if !problems.isEmpty { throw ConfigurationError(problems: problems) }
        return out
    }
}

/// Where /v1/nearest gets its candidates (`--read-model`, env READ_MODEL).
public enum ReadModelMode: String, CaseIterable, Sendable {
    /// The in-memory index, loaded at start and refreshed by the change feed; PostGIS until it is loaded.
    case memory
    /// Every query goes to PostGIS (ST_DWithin on the GiST index).
    case postgis
}

/// Every bad setting, each naming its key, flag and environment variable.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable {
    public var problems: [String]
    public init(problems: [String]) { self.problems = problems }
    public var description: String {
        "invalid configuration (\(problems.count) setting\(problems.count == 1 ? "" : "s")):\n" + problems.map { "  - " + $0 }.joined(separator: "\n")
    }
}

/// Typed reads that tell a missing value (nil: the default stands) from one that cannot be read (a problem).
struct SettingReader {
    let reader: ConfigReader

    func string(_ key: String, _ problems: inout [String]) -> String? {
        attempt(key, &problems) { try reader.requiredString(forKey: ConfigKey(key)) }
    }

    func int(_ key: String, _ problems: inout [String]) -> Int? {
        // Flags and environment variables are text; a JSON file may hold a number.
        if let s = attempt(key, &problems, quiet: true, { try reader.requiredString(forKey: ConfigKey(key)) }) {
            guard let v = Int(s.trimmingCharacters(in: .whitespaces)) else {
                problems.append(AppConfig.describe(key, "must be a whole number, not '\(s)'"))
                return nil
            }
            return v
        }
        return attempt(key, &problems) { try reader.requiredInt(forKey: ConfigKey(key)) }
    }

    /// A duration in seconds (a decimal number: `75`, `0.5`) within `range`.
    func seconds(_ key: String, in range: ClosedRange<Double>, _ problems: inout [String]) -> Double? {
        if let s = attempt(key, &problems, quiet: true, { try reader.requiredString(forKey: ConfigKey(key)) }) {
            guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v.isFinite else {
                problems.append(AppConfig.describe(key, "must be a number of seconds, not '\(s)'"))
                return nil
            }
            guard range.contains(v) else {
                problems.append(AppConfig.describe(key, "must be \(Self.format(range.lowerBound))–\(Self.format(range.upperBound)) seconds, not \(s)"))
                return nil
            }
            return v
        }
        if let v = attempt(key, &problems, quiet: true, { try reader.requiredDouble(forKey: ConfigKey(key)) }) {
            guard range.contains(v) else {
                problems.append(AppConfig.describe(key, "must be \(Self.format(range.lowerBound))–\(Self.format(range.upperBound)) seconds, not \(v)"))
                return nil
            }
            return v
        }
        return attempt(key, &problems) { Double(try reader.requiredInt(forKey: ConfigKey(key))) }
    }

    static func format(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(v) }

    func bool(_ key: String, _ problems: inout [String]) -> Bool? {
        if let s = attempt(key, &problems, quiet: true, { try reader.requiredString(forKey: ConfigKey(key)) }) {
            switch s.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default:
                problems.append(AppConfig.describe(key, "must be true or false, not '\(s)'"))
                return nil
            }
        }
        return attempt(key, &problems) { try reader.requiredBool(forKey: ConfigKey(key)) }
    }

    /// The value, nil when no provider has the key; a value of the wrong type is a problem unless `quiet`.
    func attempt<T>(_ key: String, _ problems: inout [String], quiet: Bool = false, _ body: () throws -> T) -> T? {
        do { return try body() } catch {
            let text = "\(error)"
            if text.hasPrefix("Missing required") || quiet { return nil }
            problems.append(AppConfig.describe(key, text))
            return nil
        }
    }
}
