import Foundation
import ServiceCircleDomain

/// Where "now" comes from: the wall clock in production, a fixed instant in tests.
public protocol AppClock: Sendable {
    func now() -> Instant
}

public struct SystemClock: AppClock {
    public init() {}
    public func now() -> Instant { Instant(seconds: Int64(Date().timeIntervalSince1970.rounded(.down))) }
}

public struct FixedClock: AppClock {
    public var instant: Instant
    public init(_ instant: Instant) { self.instant = instant }
    public func now() -> Instant { instant }
}

