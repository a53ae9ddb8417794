import ArgumentParser
import Foundation
import ServiceCircleApp
import ServiceCircleStore

/// `servicecircle keys create|list|revoke`: API keys, straight on the database (no server needed).
struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create, list and revoke API keys (Authorization: Bearer KEY).",
                                                    subcommands: [Create.self, List.self, Revoke.self])

    /// Runs `body` on the migrated database the options name.
    static func withStore<R: Sendable>(_ db: DatabaseOptions, _ body: @Sendable (APIKeyStore) async throws -> R) async throws -> R {
        // A running `serve` may share the embedded cluster: stop it afterwards only if this command started it.
        try await db.withMigratedDatabase { d in try await body(APIKeyStore(client: d.client, logger: d.logger)) }
    }

    /// Whether the embedded cluster of `--data-dir` is up (its postmaster.pid names a live process).
    static func embeddedClusterIsRunning(_ db: DatabaseOptions) throws -> Bool {
        let pidFile = try db.dataDirectory.appendingPathComponent("pgdata/postmaster.pid").path
        guard let text = try? String(contentsOfFile: pidFile, encoding: .utf8),
              let pid = text.split(separator: "\n").first.flatMap({ Int32($0.trimmingCharacters(in: .whitespaces)) }) else { return false }
        return kill(pid, 0) == 0
    }

    static var operatorName: String { "cli:" + (ProcessInfo.processInfo.environment["USER"] ?? "unknown") }

    static func line(_ k: APIKeyInfo) -> String {
        let f = ISO8601DateFormatter()
        return [k.keyID, k.name, k.role.rawValue, f.string(from: k.createdAt), k.createdBy, k.revokedAt.map { "revoked " + f.string(from: $0) } ?? "live"]
            .joined(separator: "\t")
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it once; only its hash is stored.")
        @OptionGroup var db: DatabaseOptions
        @Option(help: "Who holds the key; recorded as the author of every change made with it.") var name: String
        @Option(help: "editor (edit the catalogue) or admin (also manage keys).") var role: String

        func run() async throws {
            guard let role = APIKeyRole(rawValue: role) else { throw ValidationError("--role must be editor or admin") }
            guard APIKeyInfo.isValidName(name) else { throw ValidationError(APIKeyError.invalidName(name).description) }
            let name = name
            let (key, info) = try await Keys.withStore(db) { try await $0.create(name: name, role: role, createdBy: Keys.operatorName) }
            FileHandle.standardError.write(Data("created \(info.role.rawValue) key '\(info.name)' (key id \(info.keyID)); it is shown once, store it now:\n".utf8))
            print(key)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys (never their secrets): key id, name, role, created, by, state.")
        @OptionGroup var db: DatabaseOptions
        @Flag(help: "Include revoked keys.") var all = false

        func run() async throws {
            let all = all
            for k in try await Keys.withStore(db, { try await $0.list(includeRevoked: all) }) { print(Keys.line(k)) }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke the live key with this name or key id; it stops working at once.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "The key's name or key id.") var key: String

        func run() async throws {
            let key = key
            guard let info = try await Keys.withStore(db, { try await $0.revoke(key) }) else {
                throw ValidationError("no live key named or with key id '\(key)'")
            }
            print("revoked: " + Keys.line(info))
        }
    }
}
