import Foundation
import Logging

/// The embedded default database: a private PostgreSQL cluster in a data folder, listening on a Unix socket only.
///
/// PostgreSQL refuses to run as root, so when the service runs as root the cluster's files belong to the
/// `postgres` OS user and every server command runs through `runuser -u postgres`.
public struct EmbeddedCluster: Sendable {
    public let dataDirectory: URL
    public let logger: Logger
    /// The superuser created by initdb; trust authentication on the socket, which only the owner can reach.
    public static let superuser = "servicecircle"
    public static let databaseName = "servicecircle"
    public static let port = 5432

    public init(dataDirectory: URL, logger: Logger) {
        self.dataDirectory = dataDirectory.standardizedFileURL
        self.logger = logger
    }

    var pgdata: URL { dataDirectory.appendingPathComponent("pgdata") }
    var marker: URL { dataDirectory.appendingPathComponent("initialised") }
    var logFile: URL { pgdata.appendingPathComponent("postgres.log") }
    static var isRoot: Bool { getuid() == 0 }

    /// The socket directory: the data folder itself, unless its path is too long for a Unix socket (107 bytes).
    public var socketDirectory: String {
        let candidate = dataDirectory.appendingPathComponent("socket").path
        if candidate.utf8.count + 16 < 100 { return candidate }
        var h: UInt64 = 0xcbf29ce484222325
        for b in dataDirectory.path.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return "/tmp/servicecircle-\(String(h, radix: 16))"
    }

    public var location: DatabaseLocation {
        DatabaseLocation(endpoint: .unixSocket(path: socketDirectory + "/.s.PGSQL.\(Self.port)"),
                         username: Self.superuser, database: Self.databaseName)
    }

    /// Creates the cluster the first time, then starts it (or finds it already running for this folder).
    public func start() throws {
        let bin = try Self.binDirectory()
        let fm = FileManager.default
        try fm.createDirectory(at: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        try fm.createDirectory(atPath: socketDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        if Self.isRoot {
            try run("/bin/chown", ["postgres:postgres", socketDirectory])
            try checkPostgresUserCanReach(dataDirectory)
        }

        let hasVersion = fm.fileExists(atPath: pgdata.appendingPathComponent("PG_VERSION").path)
        let hasMarker = fm.fileExists(atPath: marker.path)
        if hasVersion && !hasMarker || (!hasVersion && fm.fileExists(atPath: pgdata.path) && !((try? fm.contentsOfDirectory(atPath: pgdata.path))?.isEmpty ?? true)) {
            throw ClusterError("the data folder \(pgdata.path) is half-initialised (an earlier initdb did not finish). "
                + "Remove \(dataDirectory.path) to start afresh, or choose another data folder with --data-dir.")
        }
        if !hasVersion {
            logger.info("creating embedded PostgreSQL cluster", metadata: ["data": "\(pgdata.path)"])
            try fm.createDirectory(at: pgdata, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            if Self.isRoot { try run("/bin/chown", ["postgres:postgres", pgdata.path]) }
            try runAsOwner(bin + "/initdb", ["-D", pgdata.path, "-U", Self.superuser, "--auth=trust",
                                             "--encoding=UTF8", "--locale=C.UTF-8", "--no-instructions"])
            try Data("initdb completed\n".utf8).write(to: marker)
        }

        if isRunning(bin: bin) {
            logger.info("embedded PostgreSQL already running", metadata: ["data": "\(pgdata.path)"])
            return
        }
        try clearStaleLock()
        logger.info("starting embedded PostgreSQL", metadata: ["socket": "\(socketDirectory)"])
        do {
            try runAsOwner(bin + "/pg_ctl", [
                "-D", pgdata.path, "-l", logFile.path, "-w", "-t", "60",
                "-o", "-c listen_addresses='' -c unix_socket_directories='\(socketDirectory)' -c port=\(Self.port)",
                "start",
            ])
        } catch {
            let tail = (try? String(contentsOf: logFile, encoding: .utf8))?.split(separator: "\n").suffix(8).joined(separator: "\n") ?? ""
            throw ClusterError("PostgreSQL did not start (\(error)). Last lines of \(logFile.path):\n\(tail)")
        }
    }

    /// Stops the cluster (fast shutdown: open transactions roll back, nothing committed is lost).
    public func stop() throws {
        let bin = try Self.binDirectory()
        guard isRunning(bin: bin) else { return }
        logger.info("stopping embedded PostgreSQL")
        try runAsOwner(bin + "/pg_ctl", ["-D", pgdata.path, "-m", "fast", "-w", "-t", "60", "stop"])
    }

    func isRunning(bin: String) -> Bool {
        (try? runAsOwner(bin + "/pg_ctl", ["-D", pgdata.path, "status"], quiet: true)) != nil
    }

    /// A postmaster.pid whose process is gone is left by a crash or a kill -9: remove it with a warning
    /// rather than let pg_ctl wait on it.
    func clearStaleLock() throws {
        let pidFile = pgdata.appendingPathComponent("postmaster.pid")
        guard let text = try? String(contentsOf: pidFile, encoding: .utf8) else { return }
        guard let pid = Int32(text.split(separator: "\n").first ?? "") else {
            throw ClusterError("\(pidFile.path) is unreadable; if no PostgreSQL runs on \(pgdata.path), remove that file")
        }
        if kill(pid, 0) == 0 || errno == EPERM {
            let cmd = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?.trimmingWhitespace ?? "?"
            if cmd.hasPrefix("postgres") {
                throw ClusterError("another PostgreSQL (pid \(pid)) holds \(pgdata.path) but does not answer on \(socketDirectory); stop it first")
            }
        }
        logger.warning("removing stale lock file left by a PostgreSQL that is gone", metadata: ["pid": "\(pid)", "file": "\(pidFile.path)"])
        try FileManager.default.removeItem(at: pidFile)
    }

    func checkPostgresUserCanReach(_ dir: URL) throws {
        var components = dir.pathComponents
        var path = ""
        while !components.isEmpty {
            let c = components.removeFirst()
            path = path.isEmpty ? c : (path as NSString).appendingPathComponent(c)
            if (try? run("/usr/sbin/runuser", ["-u", "postgres", "--", "test", "-x", path], quiet: true)) == nil {
                throw ClusterError("running as root, the cluster runs as the postgres user, who cannot enter \(path). "
                    + "Choose a data folder it can reach with --data-dir (e.g. /var/lib/servicecircle) or run `chmod o+x \(path)`.")
            }
        }
    }

    /// The PostgreSQL server binaries: PG_BINDIR, else the newest /usr/lib/postgresql/N/bin with initdb.
    public static func binDirectory() throws -> String {
        if let dir = ProcessInfo.processInfo.environment["PG_BINDIR"], !dir.isEmpty { return dir }
        let base = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? [])
            .compactMap(Int.init).sorted(by: >)
        for v in versions where FileManager.default.isExecutableFile(atPath: "\(base)/\(v)/bin/initdb") {
            return "\(base)/\(v)/bin"
        }
        throw ClusterError("no PostgreSQL server found under \(base) (install postgresql-15 and postgresql-15-postgis-3, or set PG_BINDIR)")
    }

    @discardableResult
    func runAsOwner(_ tool: String, _ args: [String], quiet: Bool = false) throws -> String {
        if Self.isRoot { return try run("/usr/sbin/runuser", ["-u", "postgres", "--", tool] + args, quiet: quiet) }
        return try run(tool, args, quiet: quiet)
    }

    @discardableResult
    func run(_ tool: String, _ args: [String], quiet: Bool = false) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        // The server must not inherit our working directory if postgres cannot read it.
        p.currentDirectoryURL = URL(fileURLWithPath: "/")
        // Output goes to a file, not a pipe: the server pg_ctl starts would inherit the pipe and keep it open,
        // so reading it to the end would never finish.
        let outURL = FileManager.default.temporaryDirectory.appendingPathComponent("servicecircle-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).out")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outURL) }
        let out = try FileHandle(forWritingTo: outURL)
        p.standardOutput = out
        p.standardError = out
        p.standardInput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        try? out.close()
        let text = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        guard p.terminationStatus == 0 else {
            if !quiet { logger.debug("command failed", metadata: ["tool": "\(tool)", "output": "\(text)"]) }
            throw ClusterError("\((tool as NSString).lastPathComponent) \(args.last ?? "") failed (\(p.terminationStatus)): \(text.trimmingWhitespace)")
        }
        return text
    }
}

public struct ClusterError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
