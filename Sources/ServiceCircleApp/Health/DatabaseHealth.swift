import Foundation
import Logging
import ServiceCircleDomain
import ServiceLifecycle
import Synchronization

/// One cheap round trip to the database on a connection of its own (not the request pool, which may be busy).
public protocol DatabaseProbe: Sendable {
    func ping() async throws
    /// Whether a new connection to the database's address is refused right now (nothing listens: the server is
    /// stopped or gone) — what tells a dead database from a slow one when a ping goes unanswered.
    func refused() async -> Bool
}

extension DatabaseProbe {
    public func refused() async -> Bool { false }
}

/// Whether the database answers, as a probe sees it every ``interval``; requests that need the database consult it
/// through ``guarded(_:)`` so that an outage costs them a fast 503 instead of a wait for the database to return.
public final class DatabaseHealth: Sendable {
    public enum Status: String, Sendable { case unknown, up, down }

    struct State {
        var status: Status = .unknown
        var since = Date()
        var lastError: String?
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    let state = Mutex(State())
    public let interval: Duration
    public let timeout: Duration

    /// Probes in a row that must go unanswered (each for `timeout`) before a silent database is reported down.
    public let silentProbes: Int

    /// `interval` between probes. A probe that fails (an error) reports the database down at once; so does one that
    /// takes longer than `timeout` when a new connection to the database is refused (nothing listens). An unanswered
    /// probe to a database that still accepts connections counts only when `silentProbes` in a row go unanswered: a
    /// busy machine (two shared cores running builds and tests) can delay one answer past a second.
    public init(interval: Duration = .milliseconds(500), timeout: Duration = .seconds(1), silentProbes: Int = 3) {
        self.interval = interval
        self.timeout = timeout
        self.silentProbes = max(1, silentProbes)
    }

    public var status: Status { state.withLock { $0.status } }
    public var isDown: Bool { status == .down }
    /// When the status last changed, and the last probe error while down.
    public var since: Date { state.withLock { $0.since } }
    public var lastError: String? { state.withLock { $0.lastError } }

    public func markUp() {
        state.withLock { s in
            if s.status != .up { s.status = .up; s.since = Date(); s.lastError = nil }
        }
    }

    public func markDown(_ error: String) {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            if s.status != .down { s.status = .down; s.since = Date() }
            s.lastError = error
            defer { s.waiters.removeAll() }
            return Array(s.waiters.values)
        }
        for w in waiters { w.resume() }
    }

    /// Returns once the database is reported down (at once if it is), or when the task is cancelled.
    func waitUntilDown() async {
        let id = state.withLock { s -> UInt64 in s.nextWaiter += 1; return s.nextWaiter }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    if s.status == .down || Task.isCancelled { return true }
                    s.waiters[id] = c
                    return false
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let c = state.withLock { $0.waiters.removeValue(forKey: id) }
            c?.resume()
        }
    }

    /// Runs `operation` unless the database is down; if it goes down while `operation` waits, the operation is
    /// cancelled (its transaction, if any, rolls back) and the caller gets `DomainError.unavailable` (503).
    public func guarded<R: Sendable>(_ operation: @escaping @Sendable () async throws -> R) async throws -> R {
        if isDown { throw Self.unavailable }
        return try await withThrowingTaskGroup(of: R?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                await self.waitUntilDown()
                return nil
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let result { return result }
                if Task.isCancelled { throw CancellationError() }
                if isDown { throw Self.unavailable }
            }
            throw Self.unavailable
        }
    }

    static let unavailable = DomainError.unavailable("the database is unavailable; try again shortly")

    /// Probes until cancelled.
    public func run(_ probe: any DatabaseProbe, logger: Logger) async {
        var silent = 0
        while !Task.isCancelled {
            enum Outcome: Sendable { case answered, failed(String), silent }
            let outcome: Outcome = await withTaskGroup(of: Outcome?.self) { group in
                group.addTask {
                    do { try await probe.ping(); return .answered } catch { return .failed(String(describing: error).prefix(200).description) }
                }
                group.addTask {
                    try? await Task.sleep(for: self.timeout)
                    return Task.isCancelled ? nil : .silent
                }
                let first = await group.next() ?? nil
                group.cancelAll()
                return first ?? .answered
            }
            if Task.isCancelled { return }
            let before = status
            var failure: String?
            switch outcome {
            case .answered: silent = 0
            case .failed(let why): silent = 0; failure = why
            case .silent:
                silent += 1
                if await probe.refused() { failure = "no answer within \(timeout) and new connections are refused" }
                else if silent >= silentProbes || before == .down { failure = "no answer within \(timeout), \(silent) probes in a row" }
            }
            if case .silent = outcome, failure == nil {
                try? await Task.sleep(for: interval)
                continue
            }
            if let failure {
                markDown(failure)
                if before != .down { logger.error("database down", metadata: ["error": "\(failure)"]) }
            } else {
                markUp()
                if before == .down { logger.notice("database up again") }
            }
            try? await Task.sleep(for: interval)
        }
    }
}

/// Runs the probe loop as a service, stopped by graceful shutdown.
public struct DatabaseHealthService: Service {
    let health: DatabaseHealth
    let probe: any DatabaseProbe
    let logger: Logger

    public init(health: DatabaseHealth, probe: any DatabaseProbe, logger: Logger) {
        self.health = health
        self.probe = probe
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { await health.run(probe, logger: logger) }
    }
}
