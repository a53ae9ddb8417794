import Crypto
import Foundation
import ServiceCircleApp
import Logging
import PostgresNIO


/// API keys in PostgreSQL (table `api_keys`). A key reads `sck_<key id>_<secret>`: the key id (public) finds the
/// row, and the SHA-256 of the whole key is compared with the stored hash in constant time. Only the hash is stored;
/// the key itself is shown once, by ``create(name:role:createdBy:)``, and never logged (no query carries it).
public struct APIKeyStore: APIKeyRepository {
    public let client: PostgresClient
    public let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    static let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)

    static func randomBytes(_ n: Int) -> [UInt8] {
        SymmetricKey(size: SymmetricKeySize(bitCount: n * 8)).withUnsafeBytes { Array($0) }
    }

    static func hash(_ key: String) -> [UInt8] { Array(SHA256.hash(data: Array(key.utf8))) }

    /// Creates a key and returns it with its listing; the key cannot be recovered later.
    public func create(name: String, role: APIKeyRole, createdBy: String) async throws -> (key: String, info: APIKeyInfo) {
        guard APIKeyInfo.isValidName(name) else { throw APIKeyError.invalidName(name) }
        let keyID = String(decoding: Self.randomBytes(12).map { Self.alphabet[Int($0) % Self.alphabet.count] }, as: UTF8.self)
        let secret = Data(Self.randomBytes(32)).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let key = "sck_\(keyID)_\(secret)"
        let digest = Data(Self.hash(key))
        do {
            let rows = try await client.fetch("""
                INSERT INTO api_keys (key_id, name, role, secret_hash, created_by) VALUES (\(keyID), \(name), \(role.rawValue), \(digest), \(createdBy))
                RETURNING created_at
                """, logger: logger)
            for try await created in rows.decode(Date.self) {
                return (key, APIKeyInfo(keyID: keyID, name: name, role: role, createdAt: created, createdBy: createdBy, revokedAt: nil))
            }
        } catch let e as PSQLError where e.serverInfo?[.sqlState] == "23505" {
            throw APIKeyError.nameTaken(name)
        }
        throw StoreError.corrupt("INSERT INTO api_keys returned nothing")
    }

    public func list(includeRevoked: Bool = false) async throws -> [APIKeyInfo] {
        let rows = try await client.fetch("""
            SELECT key_id, name, role, created_at, created_by, revoked_at FROM api_keys
             WHERE \(includeRevoked) OR revoked_at IS NULL ORDER BY id
            """, logger: logger)
        var out: [APIKeyInfo] = []
        for try await r in rows.decode((String, String, String, Date, String, Date?).self) {
            out.append(APIKeyInfo(keyID: r.0, name: r.1, role: APIKeyRole(rawValue: r.2) ?? .editor, createdAt: r.3, createdBy: r.4, revokedAt: r.5))
        }
        return out
    }

    /// Revokes the live key with this name or key id; returns what was revoked (nil: no such live key).
    public func revoke(_ nameOrKeyID: String) async throws -> APIKeyInfo? {
        let rows = try await client.fetch("""
            UPDATE api_keys SET revoked_at = now()
             WHERE revoked_at IS NULL AND (name = \(nameOrKeyID) OR key_id = \(nameOrKeyID))
            RETURNING key_id, name, role, created_at, created_by, revoked_at
            """, logger: logger)
        for try await r in rows.decode((String, String, String, Date, String, Date?).self) {
            return APIKeyInfo(keyID: r.0, name: r.1, role: APIKeyRole(rawValue: r.2) ?? .editor, createdAt: r.3, createdBy: r.4, revokedAt: r.5)
        }
        return nil
    }

    /// The live key this secret belongs to, or nil (malformed, unknown, wrong secret or revoked).
    public func verify(_ presented: String) async throws -> APIKeyInfo? {
        let parts = presented.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "sck", (8...32).contains(parts[1].utf8.count), parts[2].utf8.count <= 200,
              parts[1].utf8.allSatisfy({ Self.alphabet.contains($0) }) else { return nil }
        let keyID = String(parts[1])
        let rows = try await client.fetch("""
            SELECT secret_hash, key_id, name, role, created_at, created_by FROM api_keys WHERE key_id = \(keyID) AND revoked_at IS NULL
            """, logger: logger)
        let given = Self.hash(presented)
        for try await r in rows.decode((Data, String, String, String, Date, String).self) {
            guard Self.constantTimeEqual(Array(r.0), given), let role = APIKeyRole(rawValue: r.3) else { return nil }
            return APIKeyInfo(keyID: r.1, name: r.2, role: role, createdAt: r.4, createdBy: r.5, revokedAt: nil)
        }
        return nil
    }

    /// Compares every byte whatever the first difference, so the time taken says nothing about the stored hash.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}
