import Foundation
import ServiceCircleDomain

/// What a key may do. Reads need no key; writes need `editor`; key management needs `admin` (which can also edit).
public enum APIKeyRole: String, CaseIterable, Sendable, Codable {
    case editor
    case admin

    public func allows(_ needed: APIKeyRole) -> Bool { self == .admin || needed == .editor }
}

/// A key as listed: never its secret.
public struct APIKeyInfo: Sendable, Equatable {
    public var keyID: String
    public var name: String
    public var role: APIKeyRole
    public var createdAt: Date
    public var createdBy: String
    public var revokedAt: Date?

    package init(keyID: String, name: String, role: APIKeyRole, createdAt: Date, createdBy: String, revokedAt: Date? = nil) {
        self.keyID = keyID
        self.name = name
        self.role = role
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.revokedAt = revokedAt
    }
}

public enum APIKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidName(String)
    case nameTaken(String)
    public var description: String {
        switch self {
        case .invalidName(let n): "key name '\(n)' must be 1 to 64 characters A-Z, a-z, 0-9, '_', '.', '@' or '-', starting with a letter or digit"
        case .nameTaken(let n): "a live key named '\(n)' exists; revoke it first"
        }
    }
}

/// API keys: only their hashes are stored. `ServiceCircleStore.APIKeyStore` implements it on PostgreSQL.
public protocol APIKeyRepository: Sendable {
    /// A new key (shown once) and its listing.
    func create(name: String, role: APIKeyRole, createdBy: String) async throws -> (key: String, info: APIKeyInfo)
    func list(includeRevoked: Bool) async throws -> [APIKeyInfo]
    func revoke(_ nameOrKeyID: String) async throws -> APIKeyInfo?
    /// The key's listing when `presented` is a live key, else nil.
    func verify(_ presented: String) async throws -> APIKeyInfo?
}

extension APIKeyInfo {
    /// 1–64 characters: ASCII letters and digits, then also `_ . @ -`.
    public static func isValidName(_ name: String) -> Bool {
        let u = Array(name.utf8)
        func alnum(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) }
        return (1...64).contains(u.count) && alnum(u[0]) && u.allSatisfy { alnum($0) || $0 == 0x5F || $0 == 0x2E || $0 == 0x40 || $0 == 0x2D }
    }
}
