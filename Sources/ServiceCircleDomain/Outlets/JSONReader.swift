// The one JSON reader of client input (API bodies, import files and cells, boundaries), with the limits that keep a
// hostile document from crashing or starving the process, and errors that say where.

/// How deep and how large a JSON document may be. RFC 8259 §9 lets a parser limit both.
public struct JSONLimits: Sendable, Equatable {
    /// 64 levels of arrays and objects. The deepest document the service reads is 9 levels (a GeoJSON import:
    /// collection, features, feature, properties, hours, exceptions, exception, intervals, interval; a boundary is
    /// 8), so 64 leaves seven times that; and the reader recurses once per level, so 64 levels need a few kilobytes
    /// of stack on any thread, where 100,000 levels overflowed it (SIGSEGV, issue 12).
    public static let maxDepth = 64

    public var maxDepth: Int
    /// Values of any kind (numbers, strings, booleans, nulls, arrays, objects) in the whole document: each costs
    /// tens of bytes in memory, so a small body of `[[0],[0],…]` would otherwise cost twenty times its size.
    public var maxValues: Int

    public init(maxDepth: Int = JSONLimits.maxDepth, maxValues: Int) {
        self.maxDepth = maxDepth
        self.maxValues = maxValues
    }

    /// API bodies (outlets, exceptions, keys; at most 1 MB): an outlet with a year of daily exceptions is ~3,000 values.
    public static let body = JSONLimits(maxValues: 100_000)
    /// One `hours` cell of a CSV import: a real one holds tens of values.
    public static let hoursCell = JSONLimits(maxValues: 10_000)
    /// A boundary upload (16 MB): 200,000 positions are allowed, three values each, plus rings and polygons.
    public static let boundary = JSONLimits(maxValues: 1_000_000)
    /// A GeoJSON import (512 MB): a generated national outlet exports as 42 values in 660 bytes on average (at most
    /// 88), so the byte limit holds ~820,000 features and ~34 M values; dated exceptions add ~8 values per 100 bytes,
    /// so no real file passes ~45 M. Each value costs tens of bytes in memory: this bounds the tree to a few GB.
    public static let importFile = JSONLimits(maxValues: 80_000_000)
    /// Text the service wrote itself (history stored in PostgreSQL): the depth limit still holds.
    public static let trusted = JSONLimits(maxValues: .max)
}

/// Why a JSON document was refused, and where.
public struct JSONReadError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Limit: Sendable, Equatable {
        case depth
        case values
    }

    /// Which limit was exceeded; nil for text that is not JSON (syntax, encoding).
    public var limit: Limit?
    /// What is wrong, for a person: "nests arrays and objects deeper than 64 levels (the limit)".
    public var reason: String
    /// Byte offset in the document where reading stopped.
    public var offset: Int
    /// The JSON path of the value being read (`hours.rules[0].intervals`, empty at the top level); at most
    /// ``pathShown`` members are written, then `…`.
    public var path: String
    /// The first member of the path when it is an object key (`hours`), else nil: the field a 400 names.
    public var topKey: String?
    /// The index of the first member of the path when it is `features[i]` (a GeoJSON import), and the member after.
    public var featureIndex: Int?
    public var featureField: String?

    static let pathShown = 8

    public var description: String { (path.isEmpty ? "" : "at \(path): ") + reason }

    /// The reason with where it happened, for a 400 that names the field separately.
    public var detail: String {
        var s = reason
        if !path.isEmpty { s += " (at \(path))" }
        return s + " at byte \(offset)"
    }

    /// As the invalid parameter of a request body: named by the top-level member it is in, else `root`.
    public func invalidParam(root: String = "body") -> InvalidParam {
        InvalidParam(name: topKey ?? root, reason: detail)
    }
}

extension JSONValue {
    /// Reads a JSON document (RFC 8259, UTF-8) within `limits`.
    public static func read(_ bytes: [UInt8], limits: JSONLimits) throws(JSONReadError) -> JSONValue {
        let result: Result<JSONValue, JSONReadError> = bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONTextParser(bytes: buffer, limits: limits)
            if let v = reader.document() { return .success(v) }
            return .failure(reader.error())
        }
        return try result.get()
    }

    /// Parses JSON text within the limits of service-written text; nil when it is not JSON.
    public static func parse(_ text: some StringProtocol) -> JSONValue? {
        try? read(Array(text.utf8), limits: .trusted)
    }

    /// Parses JSON bytes within the limits of service-written text; nil when they are not JSON in UTF-8.
    public static func parse(bytes: [UInt8]) -> JSONValue? {
        try? read(bytes, limits: .trusted)
    }
}

/// A recursive-descent JSON reader into ``JSONValue``: strict RFC 8259 (numbers, escapes, UTF-8, no lone
/// surrogates), with a depth and value-count limit. Hand-written because Foundation is slower into JSONValue on
/// the small documents an import carries: 3.2× (JSONSerialization) to 24× (JSONDecoder); BENCHMARKS.md, `bench json`.
struct JSONTextParser {
    let bytes: UnsafeBufferPointer<UInt8>
    let limits: JSONLimits
    var i = 0
    var depth = 0
    var values = 0
    // The failure, once: reason, limit and offset; the path is built while the recursion unwinds.
    var failure: (reason: String, limit: JSONReadError.Limit?, offset: Int)?
    var failurePath: [PathComponent] = []

    enum PathComponent {
        case key(String)
        case index(Int)
    }

    init(bytes: UnsafeBufferPointer<UInt8>, limits: JSONLimits) {
        self.bytes = bytes
        self.limits = limits
    }

    mutating func document() -> JSONValue? {
        guard let v = value() else { return nil }
        skip()
        if i != bytes.count { return fail("is not valid JSON: unexpected text after the document") }
        return v
    }

    func error() -> JSONReadError {
        let f = failure ?? ("is not valid JSON", nil, i)
        let path = Array(failurePath.reversed())
        var text = ""
        for (n, c) in path.enumerated() {
            if n == JSONReadError.pathShown { text += "…"; break }
            switch c {
            case .key(let k): text += (text.isEmpty ? "" : ".") + (k.unicodeScalars.count > 40 ? String(k.prefix(40)) + "…" : k)
            case .index(let x): text += "[\(x)]"
            }
        }
        var e = JSONReadError(limit: f.limit, reason: f.reason, offset: f.offset, path: text)
        if case .key(let k)? = path.first { e.topKey = k }
        if path.count >= 2, case .key("features") = path[0], case .index(let x) = path[1] {
            e.featureIndex = x
            if path.count >= 3, case .key(let k) = path[2] {
                e.featureField = k
                if k == "properties", path.count >= 4, case .key(let p) = path[3] { e.featureField = "properties.\(p)" }
            }
        }
        return e
    }

    @inline(__always)
    mutating func fail(_ reason: String, limit: JSONReadError.Limit? = nil) -> JSONValue? {
        if failure == nil { failure = (reason, limit, i) }
        return nil
    }

    mutating func syntax(_ expected: String) -> JSONValue? {
        if i >= bytes.count { return fail("is not valid JSON: the text ends where \(expected) was expected") }
        let c = bytes[i]
        let shown = c >= 0x20 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16, uppercase: true))"
        return fail("is not valid JSON: \(expected) expected, found \(shown)")
    }

    @inline(__always)
    mutating func skip() {
        while i < bytes.count {
            let c = bytes[i]
            guard c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 else { return }
            i += 1
        }
    }

    mutating func value() -> JSONValue? {
        skip()
        guard i < bytes.count else { return syntax("a value") }
        values += 1
        if values > limits.maxValues {
            return fail("holds more than \(limits.maxValues) values (numbers, strings, arrays, objects), the limit for this input", limit: .values)
        }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            depth += 1
            if depth > limits.maxDepth {
                return fail("nests arrays and objects deeper than \(limits.maxDepth) levels, the limit", limit: .depth)
            }
            i += 1
            var o: [String: JSONValue] = [:]
            skip()
            if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return .object(o) }
            while true {
                skip()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return syntax("a member name in quotes") }
                guard let k = string() else { return nil }
                skip()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return syntax("':'") }
                i += 1
                guard let v = value() else { failurePath.append(.key(k)); return nil }
                o[k] = v
                skip()
                guard i < bytes.count else { return syntax("',' or '}'") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; depth -= 1; return .object(o) }
                return syntax("',' or '}'")
            }
        case UInt8(ascii: "["):
            depth += 1
            if depth > limits.maxDepth {
                return fail("nests arrays and objects deeper than \(limits.maxDepth) levels, the limit", limit: .depth)
            }
            i += 1
            var a: [JSONValue] = []
            skip()
            if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(a) }
            while true {
                guard let v = value() else { failurePath.append(.index(a.count)); return nil }
                a.append(v)
                skip()
                guard i < bytes.count else { return syntax("',' or ']'") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; depth -= 1; return .array(a) }
                return syntax("',' or ']'")
            }
        case UInt8(ascii: "\""):
            return string().map { .string($0) }
        case UInt8(ascii: "t"): return literal("true", .bool(true))
        case UInt8(ascii: "f"): return literal("false", .bool(false))
        case UInt8(ascii: "n"): return literal("null", .null)
        default:
            return number()
        }
    }

    mutating func literal(_ word: StaticString, _ v: JSONValue) -> JSONValue? {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { return syntax("'\(word)'") }
        let w = UnsafeBufferPointer(start: word.utf8Start, count: n)
        for k in 0..<n where bytes[i + k] != w[k] { i += k; return syntax("'\(word)'") }
        i += n
        return v
    }

    @inline(__always)
    func isDigit(_ k: Int) -> Bool { k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 }

    /// RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, finite as a double.
    mutating func number() -> JSONValue? {
        let start = i
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard isDigit(i) else { return syntax("a value") }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else { while isDigit(i) { i += 1 } }
        var integer = true
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            integer = false
            i += 1
            guard isDigit(i) else { return syntax("a digit after the decimal point") }
            while isDigit(i) { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            integer = false
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard isDigit(i) else { return syntax("a digit in the exponent") }
            while isDigit(i) { i += 1 }
        }
        // Short integers (nearly every number of an import) without going through text.
        if integer, i - start <= 15 {
            var v = 0
            for k in (bytes[start] == UInt8(ascii: "-") ? start + 1 : start)..<i { v = v * 10 + Int(bytes[k] &- 0x30) }
            return .number(bytes[start] == UInt8(ascii: "-") ? -Double(v) : Double(v))
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            i = start
            return fail("is not valid JSON: the number \(text.prefix(40)) is out of range")
        }
        return .number(d)
    }

    /// A string at `i` (which holds the opening quote): escapes decoded, UTF-8 checked, lone surrogates refused.
    mutating func string() -> String? {
        i += 1
        let start = i
        var simple = true
        var ascii = true
        while i < bytes.count {
            let c = bytes[i]
            if c == UInt8(ascii: "\"") { break }
            if c == UInt8(ascii: "\\") { simple = false; i += 2; continue }
            if c < 0x20 { _ = fail("is not valid JSON: a control character (U+00\(c < 16 ? "0" : "")\(String(c, radix: 16, uppercase: true))) must be escaped in a string"); return nil }
            if c >= 0x80 { ascii = false }
            i += 1
        }
        guard i < bytes.count else { i = start - 1; _ = fail("is not valid JSON: a string is never closed"); return nil }
        let raw = UnsafeBufferPointer(rebasing: bytes[start..<i])
        i += 1
        if !ascii, let bad = Self.firstInvalidUTF8(raw) {
            let b = raw[bad]
            i = start + bad
            _ = fail("is not valid UTF-8 (byte 0x\(String(b, radix: 16, uppercase: true))): JSON text is UTF-8")
            return nil
        }
        if simple { return String(decoding: raw, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var j = 0
        while j < raw.count {
            let c = raw[j]
            if c != UInt8(ascii: "\\") { out.append(c); j += 1; continue }
            guard j + 1 < raw.count else { i = start + j; _ = fail("is not valid JSON: a string ends in a backslash"); return nil }
            let e = raw[j + 1]
            j += 2
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var v = Self.hex4(raw, j) else {
                    i = start + j - 2; _ = fail("is not valid JSON: \\u must be followed by four hexadecimal digits"); return nil
                }
                j += 4
                if (0xDC00...0xDFFF).contains(v) {
                    i = start + j - 6; _ = fail("is not text: \\u\(String(v, radix: 16)) is a lone UTF-16 surrogate"); return nil
                }
                if (0xD800...0xDBFF).contains(v) {
                    guard j + 6 <= raw.count, raw[j] == UInt8(ascii: "\\"), raw[j + 1] == UInt8(ascii: "u"),
                          let low = Self.hex4(raw, j + 2), (0xDC00...0xDFFF).contains(low) else {
                        i = start + j - 6; _ = fail("is not text: \\u\(String(v, radix: 16)) is a lone UTF-16 surrogate"); return nil
                    }
                    j += 6
                    v = 0x10000 + ((v - 0xD800) << 10) + (low - 0xDC00)
                }
                Self.appendUTF8(Unicode.Scalar(v)!, to: &out)
            default:
                i = start + j - 2; _ = fail("is not valid JSON: unknown escape \\\(Character(Unicode.Scalar(e)))"); return nil
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex4(_ raw: UnsafeBufferPointer<UInt8>, _ j: Int) -> UInt32? {
        guard j + 4 <= raw.count else { return nil }
        var v: UInt32 = 0
        for k in j..<j + 4 {
            let c = raw[k]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: return nil
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }

    static func appendUTF8(_ s: Unicode.Scalar, to out: inout [UInt8]) {
        let v = s.value
        switch v {
        case ..<0x80: out.append(UInt8(v))
        case ..<0x800: out.append(0xC0 | UInt8(v >> 6)); out.append(0x80 | UInt8(v & 0x3F))
        case ..<0x10000:
            out.append(0xE0 | UInt8(v >> 12)); out.append(0x80 | UInt8((v >> 6) & 0x3F)); out.append(0x80 | UInt8(v & 0x3F))
        default:
            out.append(0xF0 | UInt8(v >> 18)); out.append(0x80 | UInt8((v >> 12) & 0x3F))
            out.append(0x80 | UInt8((v >> 6) & 0x3F)); out.append(0x80 | UInt8(v & 0x3F))
        }
    }

    /// The offset of the first byte that does not belong to valid UTF-8 (RFC 3629: no overlongs, no surrogates,
    /// nothing above U+10FFFF), or nil.
    static func firstInvalidUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Int? {
        var k = 0
        let n = b.count
        while k < n {
            let c = b[k]
            if c < 0x80 { k += 1; continue }
            let len: Int
            var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: len = 2
            case 0xE0: len = 3; lo = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: len = 3
            case 0xED: len = 3; hi = 0x9F
            case 0xF0: len = 4; lo = 0x90
            case 0xF1...0xF3: len = 4
            case 0xF4: len = 4; hi = 0x8F
            default: return k
            }
            guard k + len <= n, b[k + 1] >= lo, b[k + 1] <= hi else { return k }
            for m in 2..<len where b[k + m] < 0x80 || b[k + m] > 0xBF { return k }
            k += len
        }
        return nil
    }
}
