import ServiceCircleDomain
import Foundation

// MARK: - Demand points

extension SeedGenerator {
    /// Residents per community in an urban core, per village in the countryside: the sizes the generator aims at
    /// (actual sizes vary around them).
    static let communitySize = 8_000.0
    static let villageSize = 1_200.0
    /// Urban residential density the community discs are sized for (residents per km²).
    static let urbanDensity = 20_000.0

    /// The share of a district's residents living in its urban cores, from its density: 30 % for a rural county
    /// (under 100 per km²) rising with log density (55 % at 500 per km²) to 99 % for a city-centre district
    /// (over ~ 9,000 per km²).
    static func urbanShare(density: Double) -> Double {
        min(0.99, max(0.3, 0.3 + 0.35 * Foundation.log10(max(1, density / 100))))
    }

    /// The deterministic residential demand of every district in `regions` (all rows that are not prefecture-level
    /// cities), in region-file order: each district's points add up to ``DistrictPopulation`` exactly — with the
    /// census table of `tables` (``SeedTables/census``), its 2020 census row plus its estimated shares of the
    /// development zones the census counts apart.
    ///
    /// A district's territory is its real polygon (``SeedTables/boundaries``), less a margin of
    /// ``SeedBoundaries/marginMetres`` along the border; polygons do not overlap, so no point lies in two districts.
    /// Without boundaries (tables read without `SeedData/boundaries/`), it is approximated by the part of its bounding
    /// box closer to one of its own sites (its seed anchors and its inside point) than to any site of another district.
    /// - The census row's residents: urban residents (``urbanShare(density:)``) live in communities (社区) scattered in a disc around each anchor,
    ///   sized for ``urbanDensity`` and apportioned by the anchors' weights: the urban cores are the dense part.
    /// - Rural residents live in villages (村) on a jittered lattice over the rest of the territory, spaced for
    ///   about ``villageSize`` residents each, larger near towns. These points say `estimated` only when the
    ///   district has no census row (an area × density figure).
    /// - Each zone share (``Census2020/ZoneShare``): communities scattered around the share's centre within its
    ///   radius, like an urban core; these points always say `estimated`.
    /// Names are generated (community: anchor place + word + 社区; village: surname + local suffix + 村, the suffixes
    /// of the province: 湾/畈/岗 in Hubei, 庄/营 in Hebei, 庄/集 in Shandong, 寨/坝 in Guizhou), from the word lists of
    /// `tables` (`demand-*.csv`); the street is the anchor's 街道/镇 (for a village, the nearest anchor's).
    /// Illustrative, like the seed outlets.
    public static func demand(regions: [Region], tables: SeedTables) -> [DemandPoint] {
        let populations = Dictionary(DistrictPopulation.all(regions: regions, census: tables.census).map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        let districts = regions.filter { !$0.isCity }
        // Sites of every district, for the territory test.
        var sites: [(code: String, lat: Double, lon: Double)] = []
        for d in districts {
            for a in tables.anchors(in: d.code) { sites.append((d.code, a.lat, a.lon)) }
            sites.append((d.code, d.insidePoint.lat, d.insidePoint.lon))
        }
        var out: [DemandPoint] = []
        for d in districts {
            guard let pop = populations[d.code], pop.population > 0 else { continue }
            out += DemandBuilder(region: d, population: pop, sites: sites, tables: tables).build()
        }
        return out
    }
}

/// Builds one district's demand points.
struct DemandBuilder {
    typealias G = SeedGenerator
    let region: Region
    let population: DistrictPopulation
    let sites: [(code: String, lat: Double, lon: Double)]
    let anchors: [SeedGenerator.Anchor]
    let nameParts: SeedTables.DemandNames
    /// The district's real polygon, when the tables carry boundaries.
    let boundaries: SeedBoundaries?

    init(region: Region, population: DistrictPopulation, sites: [(code: String, lat: Double, lon: Double)], tables: SeedTables) {
        self.region = region
        self.population = population
        self.sites = sites
        nameParts = tables.demandNames
        boundaries = tables.boundaries.flatMap { $0.has(region.code) ? $0 : nil }
        let own = tables.anchors(in: region.code)
        // A district without anchors gets one at its inside point.
        anchors = own.isEmpty
            ? [SeedGenerator.Anchor(districtCode: region.code, place: region.name, street: region.name, lat: region.insidePoint.lat,
                                    lon: region.insidePoint.lon, radiusKm: 0.5, weight: 1, roads: [])]
            : own
    }

    /// The box the territory lies in: the polygon's bounding box, else regions.csv's.
    var bbox: Region.BoundingBox { boundaries?.bboxes[region.code] ?? region.bbox }

    /// In the district's territory: inside its polygon by the margin; without boundaries, inside its bbox (with a
    /// small margin) and nearer to one of its sites than to any other's.
    func inTerritory(_ lat: Double, _ lon: Double) -> Bool {
        if let boundaries { return boundaries.isWellInside(region.code, lat: lat, lon: lon) }
        let b = region.bbox
        let m = 1e-4
        guard lat > b.minLat + m, lat < b.maxLat - m, lon > b.minLon + m, lon < b.maxLon - m else { return false }
        // The nearest site by the local equirectangular metric (a pure function of the point, so every district
        // labels every point the same way: territories cannot overlap).
        let c = Foundation.cos(lat * .pi / 180)
        var best = Double.infinity
        var owner = ""
        for s in sites {
            let dy = s.lat - lat, dx = (s.lon - lon) * c
            let d = dx * dx + dy * dy
            if d < best { best = d; owner = s.code }
        }
        return owner == region.code
    }

    struct Candidate {
        var lat: Double
        var lon: Double
        var weight: Double
        var anchor: Int
        var kind: DemandPoint.Kind
    }

    func build() -> [DemandPoint] {
        var rng = G.SplitMix64("demand/" + region.code)
        // The census row (or the whole estimate); the zone shares are placed after.
        let total = population.population - population.zoneResidents
        let density = Double(population.population) / max(1, region.areaKm2)
        let urban = Int((Double(total) * G.urbanShare(density: density)).rounded())
        let rural = total - urban

        // Urban communities around each anchor.
        let perAnchor = G.apportion(urban, weights: anchors.map(\.weight))
        var radii: [Double] = []
        var candidates: [Candidate] = []
        for (ai, a) in anchors.enumerated() {
            let people = Double(perAnchor[ai])
            let r = max(a.radiusKm, (people / (Double.pi * G.urbanDensity)).squareRoot())
            radii.append(r)
            let n = max(1, Int((people / G.communitySize).rounded()))
            var placed = 0
            var tries = 0
            while placed < n && tries < n * 40 {
                tries += 1
                let rr = r * rng.unit().squareRoot()
                let th = 2 * Double.pi * rng.unit()
                let p = G.offset(lat: a.lat, lon: a.lon, dNorthKm: rr * Foundation.cos(th), dEastKm: rr * Foundation.sin(th))
                guard inTerritory(p.lat, p.lon) else { continue }
                // Denser towards the anchor, with the spread real community sizes have.
                let w = (1.3 - 0.6 * rr / r) * Foundation.exp(0.35 * rng.normal())
                candidates.append(Candidate(lat: p.lat, lon: p.lon, weight: w, anchor: ai, kind: .community))
                placed += 1
            }
            if placed == 0 {
                candidates.append(Candidate(lat: a.lat, lon: a.lon, weight: 1, anchor: ai, kind: .community))
            }
        }
        var urbanCandidates = candidates
        let urbanPops = apportionByAnchor(urbanCandidates, perAnchor: perAnchor)
        for k in urbanCandidates.indices { urbanCandidates[k].weight = Double(urbanPops[k]) }

        // Rural villages on a jittered lattice over the rest of the territory.
        var villages: [Candidate] = []
        if rural > 0 {
            let b = bbox
            let latKm = (b.maxLat - b.minLat) * 110.574
            let lonKm = (b.maxLon - b.minLon) * 111.320 * Foundation.cos((b.minLat + b.maxLat) / 2 * .pi / 180)
            // Territory area by sampling a 64 × 64 lattice of the bbox.
            var inside = 0
            for i in 0..<64 {
                for j in 0..<64 {
                    let lat = b.minLat + (Double(i) + 0.5) / 64 * (b.maxLat - b.minLat)
                    let lon = b.minLon + (Double(j) + 0.5) / 64 * (b.maxLon - b.minLon)
                    if inArea(lat, lon) && !inUrbanDisc(lat, lon, radii) { inside += 1 }
                }
            }
            let areaKm2 = max(1, Double(inside) / 4096 * latKm * lonKm)
            let target = max(1, Double(rural) / G.villageSize)
            let spacing = max(0.3, (areaKm2 / target).squareRoot())
            let rows = max(1, Int(latKm / spacing)), cols = max(1, Int(lonKm / spacing))
            for i in 0..<rows {
                for j in 0..<cols {
                    let y = (Double(i) + 0.5 + 0.7 * (rng.unit() - 0.5)) / Double(rows)
                    let x = (Double(j) + 0.5 + 0.7 * (rng.unit() - 0.5)) / Double(cols)
                    let lat = b.minLat + y * (b.maxLat - b.minLat)
                    let lon = b.minLon + x * (b.maxLon - b.minLon)
                    guard inTerritory(lat, lon), !inUrbanDisc(lat, lon, radii) else { continue }
                    let (ai, dKm) = nearestAnchor(lat, lon)
                    let w = (1 + 2 * Foundation.exp(-dKm / 8)) * Foundation.exp(0.5 * rng.normal())
                    // In a city-centre district the lattice fills the gaps between cores with more communities.
                    villages.append(Candidate(lat: lat, lon: lon, weight: w, anchor: ai, kind: density >= 3_000 ? .community : .village))
                }
            }
            if villages.isEmpty {
                // No room outside the cores: the rural residents join the communities.
                let extra = G.apportion(rural, weights: urbanCandidates.map(\.weight))
                for k in urbanCandidates.indices { urbanCandidates[k].weight += Double(extra[k]) }
            } else {
                let pops = G.apportion(rural, weights: villages.map(\.weight))
                for k in villages.indices { villages[k].weight = Double(pops[k]) }
            }
        }

        // Development zones the census counts apart: communities around each share's centre, estimated.
        var zoneCandidates: [Candidate] = []
        for share in population.zoneShares {
            var zrng = G.SplitMix64("demand-zone/" + region.code + "/" + share.zone)
            let n = max(1, Int((Double(share.residents) / G.communitySize).rounded()))
            var zone: [Candidate] = []
            var tries = 0
            while zone.count < n && tries < n * 200 {
                tries += 1
                let rr = share.radiusKm * zrng.unit().squareRoot()
                let th = 2 * Double.pi * zrng.unit()
                let p = G.offset(lat: share.centre.lat, lon: share.centre.lon, dNorthKm: rr * Foundation.cos(th), dEastKm: rr * Foundation.sin(th))
                guard inTerritory(p.lat, p.lon) else { continue }
                let w = (1.3 - 0.6 * rr / share.radiusKm) * Foundation.exp(0.35 * zrng.normal())
                zone.append(Candidate(lat: p.lat, lon: p.lon, weight: w, anchor: nearestAnchor(p.lat, p.lon).0, kind: .community))
            }
            if zone.isEmpty {
                let c = share.centre
                zone.append(Candidate(lat: c.lat, lon: c.lon, weight: 1, anchor: nearestAnchor(c.lat, c.lon).0, kind: .community))
            }
            let pops = G.apportion(share.residents, weights: zone.map(\.weight))
            for k in zone.indices { zone[k].weight = Double(pops[k]) }
            zoneCandidates += zone
        }

        // Names, codes, rounding; points that received nobody are dropped.
        var names = NameMaker(province: region.province, seed: "names/" + region.code, parts: nameParts)
        var seen: Set<String> = []
        var out: [DemandPoint] = []
        let censusPart = urbanCandidates.count + villages.count
        for (i, c) in (urbanCandidates + villages + zoneCandidates).enumerated() where c.weight >= 1 {
            var lat = G.round6(c.lat), lon = G.round6(c.lon)
            while !seen.insert("\(lat),\(lon)").inserted { lat += 0.000_01; lon += 0.000_01 }
            let a = anchors[c.anchor]
            let name = c.kind == .community ? names.community(place: a.place) : names.village()
            out.append(DemandPoint(code: region.code + "-" + G.zeroPad(out.count + 1, 4), regionCode: region.code,
                                   street: a.street, name: name, kind: c.kind, location: GeoPoint(lat: lat, lon: lon),
                                   population: Int(c.weight),
                                   estimated: i >= censusPart || population.census == nil))
        }
        return out
    }

    /// Inside the polygon (no margin): for measuring the territory's area.
    func inArea(_ lat: Double, _ lon: Double) -> Bool {
        if let boundaries { return boundaries.contains(region.code, lat: lat, lon: lon) }
        return inTerritory(lat, lon)
    }

    func inUrbanDisc(_ lat: Double, _ lon: Double, _ radii: [Double]) -> Bool {
        anchors.indices.contains { G.distanceKm(lat, lon, anchors[$0].lat, anchors[$0].lon) < radii[$0] }
    }

    func nearestAnchor(_ lat: Double, _ lon: Double) -> (Int, Double) {
        var best = (0, Double.infinity)
        for (i, a) in anchors.enumerated() {
            let d = G.distanceKm(lat, lon, a.lat, a.lon)
            if d < best.1 { best = (i, d) }
        }
        return best
    }

    /// Each anchor's urban residents apportioned over its communities by their weights.
    func apportionByAnchor(_ c: [Candidate], perAnchor: [Int]) -> [Int] {
        var out = [Int](repeating: 0, count: c.count)
        for ai in anchors.indices {
            let idx = c.indices.filter { c[$0].anchor == ai }
            let pops = G.apportion(perAnchor[ai], weights: idx.map { c[$0].weight })
            for (k, i) in idx.enumerated() { out[i] = pops[k] }
        }
        return out
    }
}

/// Unique community and village names within a district.
struct NameMaker {
    let surnames: [String]
    let prefixes: [String]
    let words: [String]
    /// The village suffixes of the district's province.
    let suffixes: [String]
    var rng: SeedGenerator.SplitMix64
    var used: Set<String> = []

    init(province: String, seed: String, parts: SeedTables.DemandNames) {
        surnames = parts.surnames
        prefixes = parts.villagePrefixes
        words = parts.communityWords
        suffixes = parts.villageSuffixes(province: province)
        rng = SeedGenerator.SplitMix64(seed)
    }

    mutating func unique(_ make: (inout SeedGenerator.SplitMix64, Int) -> String) -> String {
        for attempt in 0..<400 {
            let n = make(&rng, attempt)
            if used.insert(n).inserted { return n }
        }
        var k = 2
        while true {
            let n = make(&rng, 0).replacingOccurrences(of: "社区", with: "第\(k)社区").replacingOccurrences(of: "村", with: "\(k)村")
            if used.insert(n).inserted { return n }
            k += 1
        }
    }

    mutating func community(place: String) -> String {
        let words = self.words
        return unique { rng, attempt in
            let w = words[rng.below(words.count)]
            return attempt < 200 ? place + w + "社区" : place + w + words[rng.below(words.count)] + "社区"
        }
    }

    mutating func village() -> String {
        let (surnames, prefixes, suffixes) = (self.surnames, self.prefixes, self.suffixes)
        return unique { rng, attempt in
            let s = surnames[rng.below(surnames.count)]
            let x = suffixes[rng.below(suffixes.count)]
            let p = attempt < 100 ? "" : prefixes[rng.below(prefixes.count)]
            return rng.chance(0.6) ? p + s + "家" + x + "村" : p + s + x + "村"
        }
    }
}
