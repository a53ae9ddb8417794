import Foundation
import Hummingbird
import ServiceCircleApp
import ServiceCircleDomain

/// A small streaming JSON writer for the hot path (/v1/nearest), where Foundation's JSONEncoder with
/// snake-case conversion cost more than the search itself. Keys are written as given (already snake_case);
/// callers write them in sorted order so the output reads like every other response.
struct JSONWriter {
    private(set) var bytes: [UInt8] = []
    private var first = true

    init(capacity: Int = 4096) { bytes.reserveCapacity(capacity) }

    private mutating func comma() {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
    }

    mutating func beginObject() { open(UInt8(ascii: "{")) }
    mutating func endObject() { close(UInt8(ascii: "}")) }
    mutating func beginArray() { open(UInt8(ascii: "[")) }
    mutating func endArray() { close(UInt8(ascii: "]")) }

    private mutating func open(_ bracket: UInt8) {
        comma()
        bytes.append(bracket)
        first = true
    }

    private mutating func close(_ bracket: UInt8) {
        bytes.append(bracket)
        first = false
    }

    mutating func key(_ k: StaticString) {
        comma()
        bytes.append(UInt8(ascii: "\""))
        k.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        first = true
    }

    mutating func null() {
        comma()
        bytes.append(contentsOf: [UInt8(ascii: "n"), UInt8(ascii: "u"), UInt8(ascii: "l"), UInt8(ascii: "l")])
    }

    mutating func bool(_ v: Bool) {
        comma()
        bytes.append(contentsOf: (v ? "true" : "false").utf8)
    }

    mutating func int(_ v: Int) {
        comma()
        guard v >= 0 && v < 100_000_000 else { return bytes.append(contentsOf: String(v).utf8) }
        // Digits straight into the buffer: distances, minutes and ids are written several times per response.
        var divisor = 1
        while divisor * 10 <= v { divisor *= 10 }
        var rest = v
        while divisor > 0 {
            bytes.append(UInt8(48 + rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Integral values without a fraction ("5000"), others in Swift's shortest round-trip form.
    mutating func double(_ v: Double) {
        comma()
        if v == v.rounded(), abs(v) < 1e15 {
            bytes.append(contentsOf: String(Int64(v)).utf8)
        } else {
            bytes.append(contentsOf: v.description.utf8)
        }
    }

    mutating func string(_ s: String) {
        comma()
        bytes.append(UInt8(ascii: "\""))
        // Native strings are contiguous UTF-8: test and copy them in one go when nothing needs escaping.
        let plain = s.utf8.withContiguousStorageIfAvailable { buf -> Bool in
            for b in buf where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { return false }
            bytes.append(contentsOf: buf)
            return true
        }
        if plain == true {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        if plain == nil, !s.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: s.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                          hex[Int(b >> 4)], hex[Int(b & 0xF)]])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func optional(_ s: String?) { if let s { string(s) } else { null() } }

    /// The last instant written and its text (a response repeats a few instants: `at`, closing times).
    private var lastInstant: Int64 = .min
    private var lastInstantText = SIMD32<UInt8>()

    /// An instant as ``Instant/rfc3339`` writes it (`"2026-02-24T08:30:00+08:00"`, 27 bytes with the quotes),
    /// without building a String.
    mutating func instant(_ i: Instant) {
        comma()
        if i.seconds != lastInstant {
            let local = i.seconds + Instant.shanghaiOffsetSeconds
            let day = local >= 0 ? local / 86400 : (local - 86399) / 86400
            let sod = Int(local - day * 86400)
            let (y, m, d) = LocalDate(dayNumber: Int32(day)).components
            guard (0...9999).contains(y) else { first = true; return string(i.rfc3339) }
            var t = SIMD32<UInt8>()
            var n = 0
            func put(_ b: UInt8) { t[n] = b; n += 1 }
            func two(_ v: Int) { put(UInt8(48 + v / 10)); put(UInt8(48 + v % 10)) }
            put(UInt8(ascii: "\""))
            two(y / 100); two(y % 100)
            put(UInt8(ascii: "-")); two(m)
            put(UInt8(ascii: "-")); two(d)
            put(UInt8(ascii: "T")); two(sod / 3600)
            put(UInt8(ascii: ":")); two(sod / 60 % 60)
            put(UInt8(ascii: ":")); two(sod % 60)
            for b in "+08:00\"".utf8 { put(b) }
            lastInstant = i.seconds
            lastInstantText = t
        }
        withUnsafeBytes(of: lastInstantText) { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<27])) }
    }

    mutating func optional(_ i: Instant?) { if let i { instant(i) } else { null() } }
    mutating func optional(_ v: Int?) { if let v { int(v) } else { null() } }

    mutating func point(_ p: PointDTO) {
        beginObject()
        key("lat"); double(p.lat)
        key("lon"); double(p.lon)
        endObject()
    }

    /// The outlet fields every response carries, as ``OutletSummaryDTO`` encodes them.
    mutating func outletSummary(_ item: IndexedOutlet) { writeOutletSummary(item) }

    /// An outlet summary written before (``outletSummaryBytes(_:)``).
    mutating func outletSummary(bytes summary: [UInt8]) {
        comma()
        bytes.append(contentsOf: summary)
    }

    /// An outlet's summary on its own, for the search's memo to keep (``SearchMemo/summary(of:_:)``): the outlets
    /// /v1/nearest serves are written once, not once per response (a changed outlet is a new ``IndexedOutlet`` in a
    /// new grid slot, so the copy cannot go stale).
    static func outletSummaryBytes(_ item: IndexedOutlet) -> [UInt8] {
        var w = JSONWriter(capacity: 1024)
        w.writeOutletSummary(item)
        return w.bytes
    }

    private mutating func writeOutletSummary(_ item: IndexedOutlet) {
        let o = item.outlet
        beginObject()
        key("address"); string(o.address)
        key("businesses"); beginArray(); for b in o.businesses { string(b.rawValue) }; endArray()
        key("city"); string(o.city)
        key("code"); string(o.code)
        key("district"); string(o.district)
        key("district_code"); string(o.districtCode)
        key("hours_text_zh"); string(item.hoursTextZh ?? o.hours.textZh)
        key("id"); int(Int(o.id.rawValue))
        key("kind"); string(o.kind.rawValue)
        key("kind_name_zh"); string(o.kind.nameZh)
        key("location"); point(PointDTO(o.location))
        key("location_gcj02"); point(PointDTO(Datum.wgs84ToGcj02(o.location)))
        key("name"); string(o.name)
        key("operating_state"); string(o.operatingState.rawValue)
        key("phone"); optional(o.phone)
        key("province"); string(o.province)
        key("source"); string(o.provenance.source)
        key("verified_at"); optional(o.provenance.verifiedAt)
        endObject()
    }

    /// `{kind: reported_closed, reports, since}` or null.
    mutating func warning(_ warning: ReportedClosedWarning?) {
        guard let warning else { return null() }
        beginObject()
        key("kind"); string(ReportedClosedWarning.kind)
        key("reports"); int(warning.reports)
        key("since"); instant(warning.since)
        endObject()
    }

    func response(status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
