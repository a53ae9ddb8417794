import Foundation
import ServiceCircleDomain

/// Reads query parameters, collecting every problem so that one 400 names them all.
/// Unknown parameter names are refused too: a misspelt `bussiness=` must not silently widen an answer.
package struct QueryParameters {
    package struct Pair {
        package var name: String
        package var value: String
    }

    /// Name → value in the order given (a handful per request: a scan beats hashing).
    private var pairs: [Pair] = []
    package private(set) var errors: [InvalidParam] = []

    /// From a raw query string: `&`-separated `name=value` pairs, values percent-decoded.
    package init(query: String, allowed: Set<String>) {
        self.init(pairs: Self.pairs(query), allowed: allowed)
    }

    /// From decoded name → values pairs (the CLI passes its flags through the same checks).
    package init(values: [String: [String]], allowed: Set<String>) {
        self.init(pairs: values.keys.sorted().flatMap { k in values[k]!.map { Pair(name: k, value: $0) } }, allowed: allowed)
    }

    private init(pairs: [Pair], allowed: Set<String>) {
        self.pairs = pairs
        if pairs.allSatisfy({ allowed.contains($0.name) }) { return }
        for name in Set(pairs.map(\.name)).sorted() where !allowed.contains(name) {
            errors.append(InvalidParam(name: name, reason: "unknown parameter; allowed: \(allowed.sorted().joined(separator: ", "))"))
        }
    }

    /// Splits a raw query: an empty segment between two `&` counts as a nameless parameter (and is refused), a
    /// trailing `&` does not; a segment without `=` has an empty value. Names and values are percent-decoded
    /// (a malformed escape leaves the text as given; invalid UTF-8 becomes U+FFFD); `+` stays `+`.
    package static func pairs(_ query: String) -> [Pair] {
        var query = query
        return query.withUTF8 { bytes in
            var out: [Pair] = []
            out.reserveCapacity(8)
            var start = 0
            while start < bytes.count {
                var end = start, eq = -1
                while end < bytes.count && bytes[end] != UInt8(ascii: "&") {
                    if eq < 0 && bytes[end] == UInt8(ascii: "=") { eq = end }
                    end += 1
                }
                if eq >= 0 {
                    out.append(Pair(name: decoded(bytes, start, eq), value: decoded(bytes, eq + 1, end)))
                } else {
                    out.append(Pair(name: decoded(bytes, start, end), value: ""))
                }
                start = end + 1
            }
            return out
        }
    }

    package static func decoded(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> String {
        let raw = UnsafeBufferPointer(rebasing: bytes[from..<to])
        guard raw.contains(UInt8(ascii: "%")) else { return String(decoding: raw, as: UTF8.self) }
        func hex(_ b: UInt8) -> UInt8? {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = 0
        while i < raw.count {
            if raw[i] == UInt8(ascii: "%") {
                guard i + 2 < raw.count, let hi = hex(raw[i + 1]), let lo = hex(raw[i + 2]) else {
                    return String(decoding: raw, as: UTF8.self)
                }
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(raw[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Without spaces and tabs (any Unicode white space but line breaks) at either end.
    package static func trimmed(_ s: String) -> String { trimmed(s[...]) }

    package static func trimmed(_ s: Substring) -> String {
        // Plain ASCII at both ends (nearly every value): nothing to trim, no grapheme breaking.
        if let f = s.utf8.first, let l = s.utf8.last, f > 0x20, f < 0x7f, l > 0x20, l < 0x7f { return String(s) }
        func blank(_ c: Character) -> Bool { c.isWhitespace && !c.isNewline }
        guard let first = s.firstIndex(where: { !blank($0) }) else { return "" }
        let last = s.lastIndex(where: { !blank($0) })!
        return String(s[first...last])
    }

    /// Every value given for `name`, in order; nil when not given.
    private func values(_ name: String) -> [String]? {
        var out: [String] = []
        for p in pairs where p.name == name { out.append(p.value) }
        return out.isEmpty ? nil : out
    }

    /// The first value given for `name` and how many were given (no array for the usual single value).
    private func first(_ name: String) -> (value: String, count: Int)? {
        var found: (value: String, count: Int)?
        for p in pairs where p.name == name {
            if let f = found { found = (f.value, f.count + 1) } else { found = (p.value, 1) }
        }
        return found
    }

    package mutating func fail(_ name: String, _ reason: String) { errors.append(InvalidParam(name: name, reason: reason)) }

    /// Throws the collected problems, if any.
    package func check() throws(DomainError) { if !errors.isEmpty { throw .invalid(errors) } }

    package func has(_ name: String) -> Bool { pairs.contains { $0.name == name } }

    package mutating func string(_ name: String) -> String? {
        guard let (first, count) = first(name) else { return nil }
        if count > 1 { fail(name, "given more than once") }
        let v = Self.trimmed(first)
        if v.isEmpty { fail(name, "must not be empty"); return nil }
        return v
    }

    /// A comma-separated list (repeating the parameter also works).
    package mutating func list(_ name: String) -> [String] {
        // One value without a comma (the usual `business=ebike_registration`): no splitting.
        if let (value, count) = first(name), count == 1, !value.utf8.contains(UInt8(ascii: ",")) {
            let item = Self.trimmed(value)
            if item.isEmpty { fail(name, "must be a comma-separated list without empty items"); return [] }
            return [item]
        }
        guard let all = values(name) else { return [] }
        let items = all.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map(Self.trimmed)
        if items.contains(where: \.isEmpty) { fail(name, "must be a comma-separated list without empty items"); return [] }
        return items
    }

    package mutating func codes<T: RawRepresentable & CaseIterable>(_ name: String, _: T.Type) -> [T] where T.RawValue == String {
        var out: [T] = []
        for item in list(name) {
            if let c = T(rawValue: item) { if !out.contains(where: { $0.rawValue == c.rawValue }) { out.append(c) } } else {
                fail(name, "unknown code '\(item)'; one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        return out
    }

    package mutating func code<T: RawRepresentable & CaseIterable>(_ name: String, _: T.Type) -> T? where T.RawValue == String {
        guard let v = string(name) else { return nil }
        guard let c = T(rawValue: v) else {
            fail(name, "unknown value '\(v)'; one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        return c
    }

    package mutating func int(_ name: String, in range: ClosedRange<Int>) -> Int? {
        guard let v = string(name) else { return nil }
        guard let i = Int(v) else { fail(name, "must be an integer"); return nil }
        guard range.contains(i) else { fail(name, "must be between \(range.lowerBound) and \(range.upperBound)"); return nil }
        return i
    }

    package mutating func double(_ name: String, in range: ClosedRange<Double>) -> Double? {
        guard let v = string(name) else { return nil }
        guard let d = Double(v), d.isFinite else { fail(name, "must be a number"); return nil }
        guard range.contains(d) else { fail(name, "must be between \(range.lowerBound) and \(range.upperBound)"); return nil }
        return d
    }

    package mutating func instant(_ name: String) -> Instant? {
        guard let v = string(name) else { return nil }
        // '+' in a query string is often a decoded space: accept "2026-02-14T10:00:00 08:00".
        let u = v.utf8
        let fixed = u.count == 25 && u[u.index(u.startIndex, offsetBy: 19)] == UInt8(ascii: " ")
            ? String(v.prefix(19)) + "+" + v.dropFirst(20) : v
        guard let i = Instant(rfc3339: fixed) else {
            fail(name, "must be an RFC 3339 date-time with offset, e.g. 2026-02-14T10:00:00+08:00")
            return nil
        }
        return i
    }

    package mutating func date(_ name: String) -> LocalDate? {
        guard let v = string(name) else { return nil }
        guard let d = LocalDate(iso: v) else { fail(name, "must be a date YYYY-MM-DD"); return nil }
        return d
    }

    package mutating func required<T>(_ name: String, _ value: T?) -> T? {
        if value == nil && !has(name) { fail(name, "is required") }
        return value
    }
}
