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
    /// Room for the service's pool, the command-line tools beside it and, in the test command, every suite's
    /// pool at once (PostgreSQL's default of 100 ran out when the suites ran in parallel).
    public static let maxConnections = 500

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
                "-o", "-c listen_addresses='' -c unix_socket_directories='\(socketDirectory)' -c port=\(Self.port)"
                    + " -c max_connections=\(Self.maxConnections)",
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

    /// Whether the cluster's server is running (`pg_ctl status`).
    public var isRunning: Bool { (try? Self.binDirectory()).map { isRunning(bin: $0) } ?? false }

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
        // Output goes to a file, not a pipe: the server pg_ctl starts would inherit the pipe and keep it open,
        // so reading it to the end would never finish.
        let outPath = FileManager.default.temporaryDirectory
            .appendingPathComponent("servicecircle-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).out").path
        defer { unlink(outPath) }
        let status = try ChildProcess.run(tool, args, outputPath: outPath)
        let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            if !quiet { logger.debug("command failed", metadata: ["tool": "\(tool)", "output": "\(text)"]) }
            throw ClusterError("\((tool as NSString).lastPathComponent) \(args.last ?? "") failed (\(status)): \(text.trimmingWhitespace)")
        }
        return text
    }
}

/// Runs a program to completion with posix_spawn and waitpid.
///
/// Foundation's `Process.waitUntilExit` on Linux can miss a child's exit when called from a Swift
/// concurrency thread (the child is left a zombie and the wait never returns), so the cluster's
/// tools are run with the plain system calls instead.
enum ChildProcess {
    /// Runs `tool` with `args` in `/` (postgres may not be able to read our working directory), stdin from
    /// /dev/null, stdout and stderr appended to `outputPath`; returns the exit status (128+signal if killed).
    static func run(_ tool: String, _ args: [String], outputPath: String) throws -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        // `env -C /` changes directory before exec (posix_spawn_file_actions_addchdir_np is not exported to Swift).
        let env = "/usr/bin/env"
        let argv: [UnsafeMutablePointer<CChar>?] = ([env, "-C", "/", tool] + args).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, env, &actions, nil, argv, environ)
        guard rc == 0 else { throw ClusterError("cannot run \(tool): \(String(cString: strerror(rc)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw ClusterError("waiting for \(tool) failed: \(String(cString: strerror(errno)))") }
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}

public struct ClusterError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
