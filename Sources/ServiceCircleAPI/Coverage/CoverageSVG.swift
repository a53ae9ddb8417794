import Foundation
import ServiceCircleDomain

/// Renders a coverage answer as a self-contained SVG map: no tiles, scripts, fonts or links to fetch, so it opens in
/// any browser offline. Layers, bottom to top: the regions' outlines, the service circles of the outlets that
/// counted, the uncovered cells shaded by population, the outlets, the suggested sites with their circles; a header
/// with the headline in Chinese and a legend panel with the figures, classes and symbols.
public enum CoverageMap {
    static let mapWidth = 820.0
    static let panelWidth = 300.0
    static let header = 78.0
    static let margin = 16.0
    static let classColours = ["#fee5d9", "#fcae91", "#fb6a4a", "#de2d26", "#a50f15"]

    public static func svg(_ report: CoverageReport) -> String {
        // The frame: the area's outline (or bbox), else the demand and cells.
        var lats: [Double] = [], lons: [Double] = []
        func add(_ p: GeoPoint) { lats.append(p.lat); lons.append(p.lon) }
        switch report.area.kind {
        case .bbox(let b):
            add(GeoPoint(lat: b.minLat, lon: b.minLon)); add(GeoPoint(lat: b.maxLat, lon: b.maxLon))
        case .region(let r):
            for poly in r.boundary ?? [] { for p in poly.first ?? [] { add(p) } }
            for s in report.area.subRegions { for poly in s.boundary ?? [] { for p in poly.first ?? [] { add(p) } } }
        }
        for c in report.cells { for p in c.ring { add(p) } }
        if lats.isEmpty { add(GeoPoint(lat: 30.5, lon: 114.3)) }
        let minLat = lats.min()!, maxLat = lats.max()!, minLon = lons.min()!, maxLon = lons.max()!
        let centre = GeoPoint(lat: (minLat + maxLat) / 2, lon: (minLon + maxLon) / 2)
        let phi = centre.lat * .pi / 180
        func mLat(_ phi: Double) -> Double { 111_132.92 - 559.82 * cos(2 * phi) + 1.175 * cos(4 * phi) }
        func mLon(_ phi: Double) -> Double { 111_412.84 * cos(phi) - 93.5 * cos(3 * phi) }
        let mLatC = mLat(phi), mLonC = mLon(phi)
        let widthM = max(1000, (maxLon - minLon) * mLonC), heightM = max(1000, (maxLat - minLat) * mLatC)
        let innerW = mapWidth - 2 * margin
        let mapHeight = min(1000, max(520, innerW * heightM / widthM + 2 * margin))
        let innerH = mapHeight - 2 * margin
        let scale = min(innerW / widthM, innerH / heightM)
        let offX = margin + (innerW - widthM * scale) / 2
        let offY = header + margin + (innerH - heightM * scale) / 2
        func xy(_ p: GeoPoint) -> (Double, Double) {
            (offX + (p.lon - minLon) * mLonC * scale, offY + (maxLat - p.lat) * mLatC * scale)
        }
        func f(_ v: Double) -> String {
            let r = (v * 10).rounded() / 10
            return r == r.rounded() ? String(Int(r)) : String(r)
        }
        func path(_ mp: MultiPolygon) -> String {
            var d = ""
            for poly in mp {
                for ring in poly where ring.count >= 3 {
                    for (i, p) in ring.enumerated() {
                        let (x, y) = xy(p)
                        d += (i == 0 ? "M" : "L") + f(x) + " " + f(y)
                    }
                    d += "Z"
                }
            }
            return d
        }

        let totalH = header + mapHeight
        let width = mapWidth + panelWidth
        var s = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(totalH))" viewBox="0 0 \(f(width)) \(f(totalH))" \
        font-family="'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif">
        <title>\(xml(report.headlineZh))</title>
        <defs><clipPath id="map"><rect x="0" y="\(f(header))" width="\(f(mapWidth))" height="\(f(mapHeight))"/></clipPath></defs>
        <rect width="100%" height="100%" fill="#ffffff"/>
        <rect x="0" y="\(f(header))" width="\(f(mapWidth))" height="\(f(mapHeight))" fill="#f1f5f9"/>

        """
        // Header.
        let t = report.parameters.time
        let window = "\(t.day.date)（\(t.day.kind.nameZh)\(t.day.nameZh.map { "·" + $0 } ?? "")）"
            + "\(LocalTime(minutes: t.from.localTimeMinutes))–\(LocalTime(minutes: t.to.localTimeMinutes))"
        s += "<text x=\"\(f(margin))\" y=\"34\" font-size=\"24\" font-weight=\"bold\" fill=\"#0f172a\">\(xml(report.headlineZh))</text>\n"
        s += "<text x=\"\(f(margin))\" y=\"60\" font-size=\"13\" fill=\"#334155\">\(xml("时段 \(window)，营业满 \(t.minOpenMinutes) 分钟计入；距离为 WGS-84 测地线距离"))</text>\n"

        s += "<g clip-path=\"url(#map)\">\n"
        // Sub-region fills and outlines.
        s += "<g fill=\"#ffffff\" stroke=\"#94a3b8\" stroke-width=\"0.8\">\n"
        for r in report.area.subRegions { if let b = r.boundary { s += "<path d=\"\(path(b))\"/>\n" } }
        s += "</g>\n"
        // Service circles: opaque shapes in a translucent group, so overlaps do not darken.
        let r = report.parameters.radius
        s += "<g fill=\"#60a5fa\" opacity=\"0.22\">\n"
        for o in report.outlets {
            let p = o.item.outlet.location
            let (x, y) = xy(p)
            let ph = p.lat * .pi / 180
            s += "<ellipse cx=\"\(f(x))\" cy=\"\(f(y))\" rx=\"\(f(r * mLonC / mLon(ph) * scale))\" ry=\"\(f(r * mLatC / mLat(ph) * scale))\"/>\n"
        }
        s += "</g>\n"
        // Uncovered cells by class.
        let breaks = classBreaks(report.cells.map(\.population))
        s += "<g stroke=\"#7f1d1d\" stroke-width=\"0.3\" stroke-opacity=\"0.5\">\n"
        for c in report.cells {
            let k = breaks.firstIndex { c.population <= $0 } ?? (classColours.count - 1)
            s += "<path d=\"\(path([[c.ring]]))\" fill=\"\(classColours[k])\"><title>\(c.population) 人未覆盖</title></path>\n"
        }
        s += "</g>\n"
        // Main outline on top of the fills.
        if case .region(let main) = report.area.kind, let b = main.boundary {
            s += "<path d=\"\(path(b))\" fill=\"none\" stroke=\"#0f172a\" stroke-width=\"2\"/>\n"
        }
        // Outlets that counted.
        s += "<g fill=\"#1d4ed8\" stroke=\"#ffffff\" stroke-width=\"0.8\">\n"
        for o in report.outlets {
            let (x, y) = xy(o.item.outlet.location)
            s += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"3\"><title>\(xml(o.item.outlet.name))</title></circle>\n"
        }
        s += "</g>\n"
        // Suggested sites.
        for sg in report.suggestions {
            let p = sg.at.point.location
            let (x, y) = xy(p)
            let ph = p.lat * .pi / 180
            s += "<ellipse cx=\"\(f(x))\" cy=\"\(f(y))\" rx=\"\(f(r * mLonC / mLon(ph) * scale))\" ry=\"\(f(r * mLatC / mLat(ph) * scale))\" fill=\"#22c55e\" fill-opacity=\"0.12\" stroke=\"#15803d\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n"
            s += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"9\" fill=\"#15803d\" stroke=\"#ffffff\" stroke-width=\"1.5\"><title>\(xml("建议点位 \(sg.rank)：\(sg.at.point.name)，新增覆盖 \(sg.addedPopulation) 人"))</title></circle>\n"
            s += "<text x=\"\(f(x))\" y=\"\(f(y + 4))\" font-size=\"11\" font-weight=\"bold\" fill=\"#ffffff\" text-anchor=\"middle\">\(sg.rank)</text>\n"
        }
        s += "</g>\n"
        // Scale bar.
        let targetM = widthM * scale > 0 ? 120 / scale : 1000
        let nice = [500.0, 1000, 2000, 5000, 10000, 20000, 50000, 100000].last { $0 <= targetM } ?? 500
        let barY = header + mapHeight - 18
        s += "<g font-size=\"11\" fill=\"#0f172a\"><rect x=\"\(f(margin))\" y=\"\(f(barY))\" width=\"\(f(nice * scale))\" height=\"4\" fill=\"#0f172a\"/>"
        s += "<text x=\"\(f(margin))\" y=\"\(f(barY - 4))\">\(xml(nice >= 1000 ? "\(Int(nice / 1000)) 公里" : "\(Int(nice)) 米"))</text></g>\n"

        // Legend panel.
        let lx = mapWidth + 16
        var ly = header + 24
        func text(_ str: String, size: Double = 13, bold: Bool = false, colour: String = "#0f172a") {
            s += "<text x=\"\(f(lx))\" y=\"\(f(ly))\" font-size=\"\(f(size))\"\(bold ? " font-weight=\"bold\"" : "") fill=\"\(colour)\">\(xml(str))</text>\n"
            ly += size + 8
        }
        let tot = report.totals
        text("覆盖情况", size: 15, bold: true)
        text("总人口 \(grouped(tot.population)) 人")
        text("已覆盖 \(grouped(tot.covered)) 人（\(tot.percent.map { String(format: "%.1f%%", $0) } ?? "—")）")
        text("未覆盖 \(grouped(tot.uncovered)) 人")
        text("计入网点 \(report.outlets.count) 个，时段内未营业 \(report.closedOutlets) 个", size: 12, colour: "#334155")
        ly += 6
        text("图例", size: 15, bold: true)
        s += "<circle cx=\"\(f(lx + 8))\" cy=\"\(f(ly - 5))\" r=\"4\" fill=\"#1d4ed8\"/>"
        s += "<text x=\"\(f(lx + 22))\" y=\"\(f(ly))\" font-size=\"12\">\(xml("时段内营业的网点"))</text>\n"
        ly += 22
        s += "<circle cx=\"\(f(lx + 8))\" cy=\"\(f(ly - 5))\" r=\"8\" fill=\"#60a5fa\" fill-opacity=\"0.35\"/>"
        s += "<text x=\"\(f(lx + 22))\" y=\"\(f(ly))\" font-size=\"12\">\(xml("\(CoverageReport.radiusZh(r))服务圈"))</text>\n"
        ly += 24
        text("未覆盖人口（每格，六边形边长 \(Int(report.parameters.cellMetres)) 米）", size: 12)
        var lower = 1
        for (k, b) in breaks.enumerated() where k < classColours.count {
            s += "<rect x=\"\(f(lx))\" y=\"\(f(ly - 11))\" width=\"18\" height=\"13\" fill=\"\(classColours[k])\" stroke=\"#7f1d1d\" stroke-width=\"0.3\"/>"
            s += "<text x=\"\(f(lx + 26))\" y=\"\(f(ly))\" font-size=\"12\">\(xml("\(grouped(lower))–\(grouped(b)) 人"))</text>\n"
            lower = b + 1
            ly += 19
        }
        if !report.suggestions.isEmpty {
            ly += 6
            text("建议新增点位（贪心最大覆盖）", size: 13, bold: true)
            for sg in report.suggestions {
                text("\(sg.rank). \(sg.at.point.street)\(sg.at.point.name) +\(grouped(sg.addedPopulation)) 人", size: 12)
            }
        }
        ly += 6
        let boundary = report.area.subRegions.contains { $0.boundarySource == "uploaded" } ? "边界：含上传边界" : "边界：近似（由需求点生成）"
        text(boundary, size: 11, colour: "#64748b")
        // Which figures are census and which are estimates (development-zone shares, area × density); lines short
        // enough for the panel (about 25 characters).
        let estimated = report.area.subRegions.filter(\.populationEstimated).map(\.name)
        text("人口：2020年第七次人口普查数", size: 11, colour: "#64748b")
        text("需求点按普查数生成（社区/村，示意）", size: 11, colour: "#64748b")
        if !estimated.isEmpty {
            let names = estimated.count > 4 ? estimated.prefix(4).joined(separator: "、") + "等\(estimated.count)区" : estimated.joined(separator: "、")
            text("含估算：\(names)", size: 11, colour: "#64748b")
            text("（开发区人口分摊或面积×密度估算）", size: 11, colour: "#64748b")
        }
        s += "</svg>\n"
        return s
    }

    /// Upper bounds of five population classes: a geometric progression to the largest cell (at least 1 apart).
    static func classBreaks(_ pops: [Int]) -> [Int] {
        let top = max(5, pops.max() ?? 5)
        var out: [Int] = []
        for k in (0..<5).reversed() {
            let b = Int((Double(top) / pow(2, Double(k) * 1.2)).rounded(.up))
            out.append(max(b, (out.last ?? 0) + 1))
        }
        out[out.count - 1] = max(out[out.count - 1], top)
        return out
    }

    /// `1,151,644`.
    static func grouped(_ n: Int) -> String {
        let s = String(abs(n))
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return n < 0 ? "-" + out : out
    }

    static func xml(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
