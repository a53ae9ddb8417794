import Foundation
import Hummingbird
import ServiceCircleDomain

/// Reads query parameters, collecting every problem so that one 400 names them all.
/// Unknown parameter names are refused too: a misspelt `bussiness=` must not silently widen an answer.
struct QueryParameters {
    private var values: [String: [String]] = [:]
    private(set) var errors: [InvalidParam] = []

    init(_ request: Request, allowed: Set<String>) {
        var values: [String: [String]] = [:]
        for (k, v) in request.uri.queryParameters {
            // Percent-decoding through Foundation is slow; keys almost never need it.
            let key = k.utf8.contains(UInt8(ascii: "%")) ? (String(k).removingPercentEncoding ?? String(k)) : String(k)
            values[key, default: []].append(String(v))
        }
        self.init(values: values, allowed: allowed)
    }

    /// From decoded name → values pairs (the CLI passes its flags through the same checks).
    init(values: [String: [String]], allowed: Set<String>) {
        self.values = values
        if values.keys.allSatisfy(allowed.contains) { return }
        for key in values.keys.sorted() where !allowed.contains(key) {
            errors.append(InvalidParam(name: key, reason: "unknown parameter; allowed: \(allowed.sorted().joined(separator: ", "))"))
        }
    }

    /// Without spaces and tabs (any Unicode white space but line breaks) at either end.
    static func trimmed<S: StringProtocol>(_ s: S) -> String {
        func blank(_ c: Character) -> Bool { c.isWhitespace && !c.isNewline }
        guard let first = s.firstIndex(where: { !blank($0) }) else { return "" }
        let last = s.lastIndex(where: { !blank($0) })!
        return String(s[first...last])
    }

    mutating func fail(_ name: String, _ reason: String) { errors.append(InvalidParam(name: name, reason: reason)) }

    /// Throws the collected problems, if any.
    func check() throws(DomainError) { if !errors.isEmpty { throw .invalid(errors) } }

    func has(_ name: String) -> Bool { values[name] != nil }

    mutating func string(_ name: String) -> String? {
        guard let all = values[name] else { return nil }
        if all.count > 1 { fail(name, "given more than once") }
        let v = Self.trimmed(all[0])
        if v.isEmpty { fail(name, "must not be empty"); return nil }
        return v
    }

    /// A comma-separated list (repeating the parameter also works).
    mutating func list(_ name: String) -> [String] {
        guard let all = values[name] else { return [] }
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
