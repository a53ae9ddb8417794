import Foundation

/// What text the service accepts from a client (docs/api.md, "Text, numbers and instants").
///
/// No field or parameter may hold a control character (Unicode category Cc: U+0000–U+001F and U+007F–U+009F):
/// PostgreSQL refuses NUL outright (a 500 before), and the others are invisible in every answer and export. Fields
/// that are multi-line text (an exception's `note`) and JSON or OSM text in an import's `hours` cell also take tab,
/// line feed and carriage return.
public enum TextRules {
    /// nil when `text` is acceptable, else the reason ("must not contain control characters (U+0000 at character 3)").
    public static func controlCharacterProblem(_ text: some StringProtocol, multiline: Bool = false) -> String? {
        // One pass over the bytes: C0 and DEL are single bytes, C1 (U+0080–U+009F) is 0xC2 0x80–0x9F in UTF-8.
        var suspect = false
        var afterC2 = false
        for b in text.utf8 {
            if b < 0x20 || b == 0x7F || (afterC2 && b <= 0x9F) { suspect = true; break }
            afterC2 = b == 0xC2
        }
        if !suspect { return nil }
        for (n, s) in text.unicodeScalars.enumerated() where isControl(s) {
            if multiline && (s == "\t" || s == "\n" || s == "\r") { continue }
            return "must not contain control characters" + (multiline ? " other than tab and line breaks" : "")
                + " (\(codePoint(s)) at character \(n + 1))"
        }
        return nil
    }

    @inline(__always)
    public static func isControl(_ s: Unicode.Scalar) -> Bool { s.value < 0x20 || (s.value >= 0x7F && s.value <= 0x9F) }

    public static func codePoint(_ s: Unicode.Scalar) -> String {
        let hex = String(s.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}

/// Decimal numbers as the API reads them from text (query parameters, CSV cells): an optional sign, digits, an
/// optional fraction and an optional exponent — `30.5`, `-0.25`, `+114`, `5e3`. `Double(String)` alone also reads
/// hexadecimal (`0x1e` is 30), `inf`, `nan` and more; none of those is a coordinate.
public enum DecimalText {
    /// `[+-]? [0-9]+ (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    public static func isDecimal(_ text: some StringProtocol) -> Bool {
        var it = text.utf8.makeIterator()
        var c = it.next()
        func digits() -> Bool {
            var any = false
            while let d = c, d >= 0x30, d <= 0x39 { any = true; c = it.next() }
            return any
        }
        if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { c = it.next() }
        guard digits() else { return false }
        if c == UInt8(ascii: ".") {
            c = it.next()
            guard digits() else { return false }
        }
        if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            c = it.next()
            if c == UInt8(ascii: "+") || c == UInt8(ascii: "-") { c = it.next() }
            guard digits() else { return false }
        }
        return c == nil
    }

    /// The value of a decimal number, when it is one and finite.
    public static func double(_ text: some StringProtocol) -> Double? {
        guard isDecimal(text), let d = Double(String(text)), d.isFinite else { return nil }
        return d
    }

    /// An integer written in decimal digits with an optional sign, when it fits.
    public static func int(_ text: some StringProtocol) -> Int? {
        var u = Substring(text).utf8[...]
        if let f = u.first, f == UInt8(ascii: "+") || f == UInt8(ascii: "-") { u = u.dropFirst() }
        guard !u.isEmpty, u.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(String(text))
    }
}

/// The character encodings of an import file.
public enum TextEncoding: String, Sendable, Codable, Equatable {
    case utf8 = "utf-8"
    /// GB18030 (a superset of GBK and GB2312): what Excel on Chinese Windows writes as "CSV".
    case gb18030
}

/// Transcoding of import files (Foundation: GB18030 is CoreFoundation's kCFStringEncodingGB_18030_2000 on every
/// platform, Linux included).
public enum TextEncodings {
    static let gb18030Encoding = String.Encoding(rawValue: 0x8000_0632)

    /// `text` in GB18030 (tests, and tools that write for Excel); nil when Foundation cannot encode it.
    public static func gb18030(_ text: String) -> [UInt8]? {
        text.data(using: gb18030Encoding).map { Array($0) }
    }

    /// GB18030 bytes as text; nil when they are not valid GB18030.
    public static func decodeGB18030(_ bytes: some Collection<UInt8>) -> String? {
        String(data: Data(bytes), encoding: gb18030Encoding)
    }

    /// Whether the text outside ASCII is Chinese (Han characters, CJK and full-width punctuation): a Latin-1 or
    /// Windows-1252 file may decode as GB18030 too, into nonsense that is mostly not Chinese.
    public static func looksChinese(_ text: String) -> Bool {
        var other = 0, chinese = 0
        for s in text.unicodeScalars where s.value >= 0x80 {
            switch s.value {
            case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x3FFFF,  // Han
                 0x3000...0x303F, 0xFF00...0xFFEF, 0x2000...0x206F, 0x00B7, 0x2460...0x24FF, 0x3200...0x33FF:  // punctuation, forms
                chinese += 1
            default: other += 1
            }
        }
        return chinese > 0 && other * 10 <= chinese
    }

    /// The offset of the first byte that is not valid UTF-8, or nil.
    public static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        bytes.withUnsafeBufferPointer { JSONTextParser.firstInvalidUTF8($0) }
    }
}
