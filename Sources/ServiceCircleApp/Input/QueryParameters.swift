import Foundation
import ServiceCircleDomain

/// Reads query parameters, collecting every problem so that one 400 names them all.
/// Unknown parameter names are refused too: a misspelt `bussiness=` must not silently widen an answer.
///
/// The text rules of every route live here, once (docs/api.md, "Text, numbers and instants"): values are
/// percent-decoded with `+` as a space (WHATWG form encoding, as every HTTP client library writes a space); a
/// value holding a control character or percent-escapes that are not UTF-8 is refused, naming the parameter, and
/// is then treated as absent (no second complaint about the same parameter); numbers are decimal; instants are
/// RFC 3339 with years 0001–9999.
package struct QueryParameters {
    package struct Pair {
        package var name: String
        package var value: String
        /// Why the value is not text the service accepts (a control character, invalid UTF-8), or nil.
        package var problem: String?

        package init(name: String, value: String, problem: String? = nil) {
            self.name = name
            self.value = value
            self.problem = problem
        }
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
        self.init(pairs: values.keys.sorted().flatMap { k in
            values[k]!.map { Pair(name: k, value: $0, problem: TextRules.controlCharacterProblem($0)) }
        }, allowed: allowed)
    }

    private init(pairs: [Pair], allowed: Set<String>) {
        self.pairs = pairs
        var named = Set<String>()
        for p in pairs {
            if let problem = p.problem, !named.contains(p.name) {
                named.insert(p.name)
                errors.append(InvalidParam(name: p.name, reason: problem))
            }
        }
        if pairs.allSatisfy({ allowed.contains($0.name) }) { return }
        for name in Set(pairs.map(\.name)).sorted() where !allowed.contains(name) && !named.contains(name) {
            errors.append(InvalidParam(name: name, reason: "unknown parameter; allowed: \(allowed.sorted().joined(separator: ", "))"))
        }
    }

    /// Splits a raw query: an empty segment between two `&` counts as a nameless parameter (and is refused), a
    /// trailing `&` does not; a segment without `=` has an empty value. Names and values are percent-decoded as
    /// WHATWG `application/x-www-form-urlencoded` does: `+` is a space, `%2B` a plus, a `%` not followed by two
    /// hexadecimal digits stays as written. A value that is not UTF-8, or holds a control character, gets a problem.
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
                    let name = decoded(bytes, start, eq), value = decoded(bytes, eq + 1, end)
                    out.append(Pair(name: name.text, value: value.text, problem: name.problem ?? value.problem))
                } else {
                    let name = decoded(bytes, start, end)
                    out.append(Pair(name: name.text, value: "", problem: name.problem))
                }
                start = end + 1
            }
            return out
        }
    }

    /// One name or value, decoded, and what is wrong with it as text (nil when nothing).
    package static func decoded(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int) -> (text: String, problem: String?) {
        let raw = UnsafeBufferPointer(rebasing: bytes[from..<to])
        // Printable ASCII without '%' or '+' (nearly every value): as it is.
        var plain = true
        for b in raw where b == UInt8(ascii: "%") || b == UInt8(ascii: "+") || b < 0x20 || b >= 0x7F {
            plain = false
            break
        }
        if plain { return (String(decoding: raw, as: UTF8.self), nil) }
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
            let c = raw[i]
            if c == UInt8(ascii: "%"), i + 2 < raw.count, let hi = hex(raw[i + 1]), let lo = hex(raw[i + 2]) {
                out.append(hi << 4 | lo)
                i += 3
            } else {
                out.append(c == UInt8(ascii: "+") ? 0x20 : c)
                i += 1
            }
        }
        if let bad = TextEncodings.firstInvalidUTF8(out) {
            let shown = out[bad..<min(bad + 3, out.count)].map { "%" + String($0, radix: 16, uppercase: true) }.joined()
            return (String(decoding: out, as: UTF8.self),
                    "is not UTF-8 text (\(shown) at byte \(bad + 1)); percent-encode the UTF-8 bytes of the text")
        }
        let text = String(decoding: out, as: UTF8.self)
        return (text, TextRules.controlCharacterProblem(text))
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
        for p in pairs where p.name == name && p.problem == nil { out.append(p.value) }
        return out.isEmpty ? nil : out
    }

    /// The first value given for `name` and how many were given (no array for the usual single value); a value
    /// refused as text counts as given but is never returned.
    private func first(_ name: String) -> (value: String, count: Int)? {
        var found: (value: String?, count: Int)?
        for p in pairs where p.name == name {
            let v = p.problem == nil ? p.value : nil
            if let f = found { found = (f.value ?? v, f.count + 1) } else { found = (v, 1) }
        }
        guard let found, let value = found.value else { return nil }
        return (value, found.count)
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
        guard let i = DecimalText.int(v) else { fail(name, "must be an integer written in decimal digits"); return nil }
        guard range.contains(i) else { fail(name, "must be between \(range.lowerBound) and \(range.upperBound)"); return nil }
        return i
    }

    package mutating func double(_ name: String, in range: ClosedRange<Double>) -> Double? {
        guard let v = string(name) else { return nil }
        guard let d = DecimalText.double(v) else { fail(name, "must be a decimal number, e.g. 30.5 (digits, optional sign, fraction and exponent)"); return nil }
        guard range.contains(d) else { fail(name, "must be between \(range.lowerBound) and \(range.upperBound)"); return nil }
        return d
    }

    package mutating func instant(_ name: String) -> Instant? {
        guard let v = string(name) else { return nil }
        guard let i = Self.instant(v) else { fail(name, Self.instantProblem(v)); return nil }
        return i
    }

    /// Why `v` is not an instant the API takes: out of range, or not RFC 3339 at all.
    package static func instantProblem(_ v: String) -> String {
        let plus = v.utf8.count >= 25 && Array(v.utf8)[v.utf8.count - 6] == UInt8(ascii: " ")
            ? String(v.dropLast(6)) + "+" + v.suffix(5) : v
        if Instant.isOutOfRange(rfc3339: v) || Instant.isOutOfRange(rfc3339: plus) {
            return "is outside 0001-01-01T00:00:00+08:00 … 9999-12-31T23:59:59+08:00: answers are written in +08:00 and "
                + "RFC 3339 years have four digits"
        }
        return instantReason
    }

    package static let instantReason = "must be an RFC 3339 date-time with offset, e.g. 2026-02-14T10:00:00+08:00 "
        + "(`+` as written, %2B, or the space a form encoder makes of it), with a year from 0001 to 9999 also in +08:00"

    /// An RFC 3339 instant from a decoded query value. A `+` written in the query is a space once decoded, so a
    /// space where the offset's sign belongs ("2026-02-14T10:00:00 08:00", also after fractional seconds) is read as `+`.
    package static func instant(_ v: String) -> Instant? {
        if let i = Instant(rfc3339: v) { return i }
        var u = Array(v.utf8)
        guard u.count >= 25, u[u.count - 6] == UInt8(ascii: " "), u[u.count - 3] == UInt8(ascii: ":") else { return nil }
        u[u.count - 6] = UInt8(ascii: "+")
        return Instant(rfc3339: String(decoding: u, as: UTF8.self))
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
