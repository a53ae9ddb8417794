import Foundation
import Hummingbird
import ServiceCircleDomain

/// Reads query parameters, collecting every problem so that one 400 names them all.
/// Unknown parameter names are refused too: a misspelt `bussiness=` must not silently widen an answer.
struct QueryParameters {
    /// Name → value in the order given (a handful per request: a scan beats hashing).
    private var pairs: [(name: String, value: String)] = []
    private(set) var errors: [InvalidParam] = []

    /// From the raw query string: `&`-separated `name=value` pairs, values percent-decoded (as Hummingbird's
    /// `queryParameters` does, but without its dictionary: this runs on every request of the hot routes).
    init(_ request: Request, allowed: Set<String>) {
        self.init(pairs: Self.pairs(request.uri.query ?? ""), allowed: allowed)
    }

    /// From decoded name → values pairs (the CLI passes its flags through the same checks).
    init(values: [String: [String]], allowed: Set<String>) {
        self.init(pairs: values.keys.sorted().flatMap { k in values[k]!.map { (name: k, value: $0) } }, allowed: allowed)
    }

    private init(pairs: [(name: String, value: String)], allowed: Set<String>) {
        self.pairs = pairs
        if pairs.allSatisfy({ allowed.contains($0.name) }) { return }
        for name in Set(pairs.map(\.name)).sorted() where !allowed.contains(name) {
            errors.append(InvalidParam(name: name, reason: "unknown parameter; allowed: \(allowed.sorted().joined(separator: ", "))"))
        }
    }

    /// Splits a raw query: an empty segment between two `&` counts as a nameless parameter (and is refused), a
    /// trailing `&` does not; a segment without `=` has an empty value. Names and values are percent-decoded
    /// (a malformed escape leaves the text as given; invalid UTF-8 becomes U+FFFD); `+` stays `+`.
    static func pairs(_ query: String) -> [(name: String, value: String)] {
        var out: [(name: String, value: String)] = []
        var segments = query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: false)
        if segments.last?.isEmpty == true { segments.removeLast() }
        for segment in segments {
            if let eq = segment.firstIndex(of: UInt8(ascii: "=")) {
                out.append((decoded(segment[..<eq]), decoded(segment[segment.index(after: eq)...])))
            } else {
                out.append((decoded(segment), ""))
            }
        }
        return out
    }

    static func decoded(_ bytes: Substring.UTF8View) -> String {
        guard bytes.contains(UInt8(ascii: "%")) else { return String(Substring(bytes)) }
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = bytes.startIndex
        while i < bytes.endIndex {
            let b = bytes[i]
            if b == UInt8(ascii: "%") {
                let h1 = bytes.index(after: i)
                guard h1 < bytes.endIndex, let hi = hex(bytes[h1]) else { return String(Substring(bytes)) }
                let h2 = bytes.index(after: h1)
                guard h2 < bytes.endIndex, let lo = hex(bytes[h2]) else { return String(Substring(bytes)) }
                out.append(hi << 4 | lo)
                i = bytes.index(after: h2)
            } else {
                out.append(b)
                i = bytes.index(after: i)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Without spaces and tabs (any Unicode white space but line breaks) at either end.
    static func trimmed(_ s: String) -> String { trimmed(s[...]) }

    static func trimmed(_ s: Substring) -> String {
        // Plain ASCII at both ends (nearly every value): nothing to trim, no grapheme breaking.
        if let f = s.utf8.first, let l = s.utf8.last, f > 0x20, f < 0x7f, l > 0x20, l < 0x7f { return String(s) }
        func blank(_ c: Character) -> Bool { c.isWhitespace && !c.isNewline }
        guard let first = s.firstIndex(where: { !blank($0) }) else { return "" }
        let last = s.lastIndex(where: { !blank($0) })!
        return String(s[first...last])
    }

    /// Every value given for `name`, in order; nil when not given.
    private func values(_ name: String) -> [String]? {
        var out: [String]?
        for p in pairs where p.name == name { out = (out ?? []) + [p.value] }
        return out
    }

    mutating func fail(_ name: String, _ reason: String) { errors.append(InvalidParam(name: name, reason: reason)) }

    /// Throws the collected problems, if any.
    func check() throws(DomainError) { if !errors.isEmpty { throw .invalid(errors) } }

    func has(_ name: String) -> Bool { pairs.contains { $0.name == name } }

    mutating func string(_ name: String) -> String? {
        guard let all = values(name) else { return nil }
        if all.count > 1 { fail(name, "given more than once") }
        let v = Self.trimmed(all[0])
        if v.isEmpty { fail(name, "must not be empty"); return nil }
        return v
    }

    /// A comma-separated list (repeating the parameter also works).
    mutating func list(_ name: String) -> [String] {
        guard let all = values(name) else { return [] }
        let items = all.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map(Self.trimmed)
        if items.contains(where: \.isEmpty) { fail(name, "must be a comma-separated list without empty items"); return [] }
        return items
    }

    mutating func codes<T: RawRepresentable & CaseIterable>(_ name: String, _: T.Type) -> [T] where T.RawValue == String {
        var out: [T] = []
        for item in list(name) {
            if let c = T(rawValue: item) { if !out.contains(where: { $0.rawValue == c.rawValue }) { out.append(c) } } else {
                fail(name, "unknown code '\(item)'; one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        return out
    }

    mutating func code<T: RawRepresentable & CaseIterable>(_ name: String, _: T.Type) -> T? where T.RawValue == String {
        guard let v = string(name) else { return nil }
        guard let c = T(rawValue: v) else {
            fail(name, "unknown value '\(v)'; one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return c
    }

    mutating func int(_ name: String, in range: ClosedRange<Int>) -> Int? {
        guard let v = string(name) else { return nil }
        guard let i = Int(v) else { fail(name, "must be an integer"); return nil }
        guard range.contains(i) else { fail(name, "must be between \(range.lowerBound) and \(range.upperBound)"); return nil }
        return i
    }

    mutating func double(_ name: String, in range: ClosedRange<Double>) -> Double? {
        guard let v = string(name) else { return nil }
        guard let d = Double(v), d.isFinite else { fail(name, "must be a number"); return nil }
        guard range.contains(d) else { fail(name, "must be between \(range.lowerBound) and \(range.upperBound)"); return nil }
        return d
    }

    mutating func instant(_ name: String) -> Instant? {
        guard let v = string(name) else { return nil }
        // '+' in a query string is often a decoded space: accept "2026-02-14T10:00:00 08:00".
        let fixed = v.count == 25 && v.dropFirst(19).first == " " ? String(v.prefix(19)) + "+" + v.dropFirst(20) : v
        guard let i = Instant(rfc3339: fixed) else {
            fail(name, "must be an RFC 3339 date-time with offset, e.g. 2026-02-14T10:00:00+08:00")
            return nil
        }
        return i
    }

    mutating func date(_ name: String) -> LocalDate? {
        guard let v = string(name) else { return nil }
        guard let d = LocalDate(iso: v) else { fail(name, "must be a date YYYY-MM-DD"); return nil }
        return d
    }

    mutating func required<T>(_ name: String, _ value: T?) -> T? {
        if value == nil && !has(name) { fail(name, "is required") }
        return value
    }
}
