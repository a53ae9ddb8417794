import Foundation
import Hummingbird
import ServiceCircleApp
import ServiceCircleDomain
import ServiceCircleSearch

/// GET /v1/ask — a caller's sentence to what it says (place, businesses, visit time, questions to ask), the
/// `/v1/nearest` answer for it and one sentence for the agent to read out (docs/hotline.md).
struct AskController: Sendable {
    let deps: AppDependencies

    func register(on router: Router<AppContext>) {
        router.get("/v1/ask", use: ask)
    }

    /// Services that can also be done in the 交管12123 App (said when no outlet offers them nearby).
    static let alsoOnline: Set<BusinessCode> = [.licenseRenewal, .licenseReplacement, .permitReplacement, .inspectionSticker,
                                                .violationHandling, .finePayment, .licenseReview]
    /// "However far" for the no-dead-end fallback: anywhere in the catalogue.
    static let anywhere = 5_000_000.0
    /// How far to look for the city's 车管所.
    static let cityOfficeRadius = 300_000.0

    struct Fallback {
        var nearestOffering: OutletDistance?
        var cityOffice: OutletDistance?
    }

    @Sendable func ask(_ request: Request, context: AppContext) async throws -> Response {
        var p = QueryParameters(request, allowed: ["q", "now", "business", "place_id"])
        let q = p.required("q", p.string("q"))
        if let q, q.count > SentenceReader.maxLength { p.fail("q", "must be at most \(SentenceReader.maxLength) characters") }
        let now = p.instant("now") ?? deps.clock.now()
        // The agent's answers to the clarifying questions: they replace what the sentence said.
        let chosenBusinesses = p.codes("business", BusinessCode.self)
        let chosenPlace = p.string("place_id")
        try p.check()
        guard let q else { throw DomainError.invalid("q", "is required") }

        let built = try await deps.places.built()
        let calendar = try await deps.calendar.current()
        let reader = SentenceReader(vocabulary: deps.hotline.vocabulary, tables: deps.hotline.tables, places: built.index,
                                    lexicon: built.lexicon)
        var u = reader.read(q, now: now, calendar: calendar)
        if !chosenBusinesses.isEmpty {
            u.businesses = chosenBusinesses.map { Understanding.Business(code: $0, words: []) }
            u.online = []
            u.clarify.removeAll { $0.kind == .business }
        }
        if let chosenPlace {
            guard let point = built.index.points.first(where: { $0.id == chosenPlace }) else {
                throw DomainError.invalid("place_id", "no place with id '\(chosenPlace)'; ids come from /v1/places or /v1/ask")
            }
            u.place = PlaceMatch(place: point, coverage: 1, nameMatch: .exact, nameCoverage: 1)
            u.runnersUp = []
            u.confidence = .high
            u.placeMatchedBy = "place_id"
            u.clarify.removeAll { $0.kind == .place }
        }
        let coverage = self.coverage(u)

        // The nearest answer, for a place the catalogue covers and a service done at outlets.
        var nearest: (NearestAnswer, NearestQuery, NearestController.InputPoint, SearchMemo)?
        var fallback: Fallback?
        if let m = u.place, coverage.inCatalogue != false, u.online.isEmpty {
            let point = m.place.point
            let query = NearestQuery(point: point, businesses: u.businesses.map(\.code), kinds: u.kinds, at: u.time.at)
            let controller = NearestController(deps: deps)
            let (answer, memo, _) = try await controller.search(query)
            var input = NearestController.InputPoint(lat: point.lat, lon: point.lon, coordsys: CoordinateSystem.wgs84.rawValue,
                                                     place: PlaceResolution(parameter: "place", text: u.placeWords.joined(separator: " "),
                                                                            normalized: u.placeWords.joined(), resolved: m,
                                                                            runnersUp: u.runnersUp))
            (input.region, input.coverage) = deps.locator.lookup(point)
            nearest = (answer, query, input, memo)
            if answer.results.isEmpty && answer.nearestOpenBeyondRadius == nil {
                // No dead end: the nearest outlet offering it, however far, and the city's 车管所.
                let offering = try await deps.catalogue.nearestFirst(of: point, within: Self.anywhere, businesses: query.businesses,
                                                                     kinds: [], offset: 0, limit: 1).first?.0
                let office = try await deps.catalogue.nearestFirst(of: point, within: Self.cityOfficeRadius, businesses: [],
                                                                   kinds: [.vehicleAdminOffice], offset: 0, limit: 1).first?.0
                fallback = Fallback(nearestOffering: offering, cityOffice: office)
            }
        }
        // The 办事指南 of the one business understood, with the overrides of the caller's district (city, province).
        var guide: Guide?
        if u.businesses.count == 1, u.online.isEmpty, let b = u.businesses.first?.code {
            guide = deps.hotline.guides.guide(for: b, region: u.place?.place.districtCode)
        }
        let trust = TrustLookup(deps)
        let readBack = Self.readBack(u, coverage: coverage, nearest: nearest.map { ($0.0, $0.1, $0.3) }, fallback: fallback, now: now,
                                     bring: guide?.bringZh, trust: trust)

        var w = JSONWriter(capacity: 16384)
        w.beginObject()
        w.key("answer")
        if let (answer, query, input, memo) = nearest { w.raw(NearestController.body(answer, query, input, memo: memo, trust: trust).bytes) } else { w.null() }
        w.key("fallback")
        if let fallback {
            w.beginObject()
            w.key("city_office"); w.outletDistance(fallback.cityOffice)
            w.key("nearest_offering"); w.outletDistance(fallback.nearestOffering)
            w.key("online_channel")
            if u.businesses.contains(where: { Self.alsoOnline.contains($0.code) }) { w.string("交管12123 App") } else { w.null() }
            w.endObject()
        } else { w.null() }
        w.key("guide")
        if let guide { w.guideSummary(guide, url: GuideController.url(guide.business, city: u.place?.place.districtCode)) } else { w.null() }
        w.key("online")
        w.beginArray()
        for o in u.online {
            w.beginObject()
            w.key("channel"); w.string(o.channel)
            w.key("read_out_zh"); w.string(o.readOutZh)
            w.key("word"); w.string(o.word)
            w.endObject()
        }
        w.endArray()
        w.key("q"); w.string(q)
        w.key("read_back_zh"); w.string(readBack)
        w.key("understood")
        w.beginObject()
        w.key("at"); w.instant(u.time.at)
        w.key("businesses")
        w.beginArray()
        for b in u.businesses {
            w.beginObject()
            w.key("code"); w.string(b.code.rawValue)
            w.key("name_zh"); w.string(b.code.nameZh)
            w.key("words"); w.beginArray(); for s in b.words { w.string(s) }; w.endArray()
            w.endObject()
        }
        w.endArray()
        w.key("calendar_known"); w.bool(!u.time.beyondCalendar)
        w.key("clarify")
        w.beginArray()
        for c in u.clarify {
            w.beginObject()
            w.key("kind"); w.string(c.kind.rawValue)
            w.key("options")
            w.beginArray()
            for o in c.options {
                w.beginObject(); w.key("label_zh"); w.string(o.labelZh); w.key("value"); w.string(o.value); w.endObject()
            }
            w.endArray()
            w.key("question_zh"); w.string(c.questionZh)
            w.endObject()
        }
        w.endArray()
        w.key("coverage"); w.coverage(coverage)
        w.key("kinds"); w.beginArray(); for k in u.kinds { w.string(k.rawValue) }; w.endArray()
        w.key("normalized"); w.string(u.normalized.split(separator: " ").joined(separator: " "))
        w.key("place")
        if let m = u.place {
            w.beginObject()
            w.key("confidence"); w.optional(u.confidence?.rawValue)
            w.key("district_code"); w.optional(m.place.districtCode)
            w.key("full_name"); w.string(Self.fullName(m.place))
            w.key("id"); w.optional(u.placeID)
            w.key("kind"); w.string(m.place.kind.rawValue)
            w.key("location"); w.point(PointDTO(m.place.point))
            w.key("matched_by"); w.optional(u.placeMatchedBy)
            w.key("name"); w.optional(u.placeName)
            w.key("runners_up")
            w.beginArray()
            for r in u.runnersUp {
                w.beginObject()
                w.key("district_code"); w.optional(r.place.districtCode)
                w.key("full_name"); w.string(Self.fullName(r.place))
                w.key("id"); w.string(r.place.id.split(separator: "#").first.map(String.init) ?? r.place.id)
                w.key("kind"); w.string(r.place.kind.rawValue)
                w.key("name"); w.string(r.place.aliasOf ?? r.place.name)
                w.endObject()
            }
            w.endArray()
            w.key("words"); w.beginArray(); for s in u.placeWords { w.string(s) }; w.endArray()
            w.endObject()
        } else { w.null() }
        w.key("time_words"); w.beginArray(); for s in u.time.words { w.string(s) }; w.endArray()
        w.endObject()
        w.endObject()
        return w.response()
    }

    static func fullName(_ p: NamedPoint) -> String {
        var q = p
        if let a = p.aliasOf { q.name = a }
        return q.fullName
    }

    /// The coverage shape of issue "Real geography" for what was understood: a named region by its code, any
    /// other place by the district containing its point; `in_catalogue: null` when no place was understood.
    func coverage(_ u: Understanding) -> CatalogueCoverage {
        guard let p = u.place?.place else {
            return CatalogueCoverage(inCatalogue: nil, region: nil, messageZh: "没有听出地点，请再问一次来电人在哪里。")
        }
        let scope = deps.locator.scope
        switch p.kind {
        case .district, .city, .province:
            let code = p.districtCode ?? ""
            let r = deps.hotline.regionsByCode[code]
            let province = r?.province ?? p.parents.first ?? ""
            let city = p.kind == .city ? p.name : (r?.city ?? (p.parents.count > 1 ? p.parents[1] : ""))
            let place = CatalogueCoverage.Place(code: code, name: p.name, city: city, province: province)
            let full = Self.fullName(p)
            if p.kind == .district {
                if p.catalogued { return CatalogueCoverage(inCatalogue: true, region: place, messageZh: "\(full)在本服务覆盖范围内。") }
                if let covered = scope.districtsByCity[city], !covered.isEmpty {
                    return CatalogueCoverage(inCatalogue: false, region: place,
                                             messageZh: "本服务在\(city)只覆盖\(covered.joined(separator: "、"))，不覆盖\(p.name)，暂无该地的网点信息。")
                }
                return CatalogueCoverage(inCatalogue: false, region: place, messageZh: "本服务暂不覆盖\(full)，暂无该地的网点信息。")
            }
            let covered: [String] = p.kind == .city ? (scope.districtsByCity[p.name] ?? [])
                : scope.districtsByCity.filter { k, _ in deps.hotline.regionsByCode.values.contains { $0.name == k && $0.province == p.name } }
                    .values.flatMap { $0 }.sorted()
            if p.catalogued || !covered.isEmpty {
                return CatalogueCoverage(inCatalogue: true, region: place,
                                         messageZh: "本服务在\(full)覆盖\(covered.isEmpty ? "全部区县" : covered.joined(separator: "、"))。")
            }
            return CatalogueCoverage(inCatalogue: false, region: place, messageZh: "本服务暂不覆盖\(full)，暂无该地的网点信息。")
        default:
            // A place the catalogue files under one of its districts is in that district, whatever the point's
            // (approximate) position says; any other place is where its point is.
            if let code = p.districtCode, scope.covers(code), let r = deps.hotline.regionsByCode[code] {
                let full = RegionLocation(district: AdminRegion(code: code, name: r.name, level: .district),
                                          city: AdminRegion(code: "", name: r.city, level: .city),
                                          province: AdminRegion(code: "", name: r.province, level: .province)).fullNameZh
                return CatalogueCoverage(inCatalogue: true, region: .init(code: code, name: r.name, city: r.city, province: r.province),
                                         messageZh: "该位置在\(full)，在本服务覆盖范围内。")
            }
            return deps.locator.lookup(p.point).coverage
        }
    }

    static func km(_ metres: Double) -> String {
        metres < 1000 ? "\(Int((metres / 10).rounded()) * 10)米"
            : metres.truncatingRemainder(dividingBy: 1000) == 0 ? "\(Int(metres / 1000))公里" : String(format: "%.1f公里", metres / 1000)
    }

    static func describe(_ o: Outlet, distance: Double) -> String {
        var s = "\(o.name)，距离约\(km(distance))，地址：\(o.address)"
        if let phone = o.phone, !phone.isEmpty { s += "，电话：\(phone)" }
        return s
    }

    /// One sentence an agent reads out: the outlet, its distance, address and phone, its status at the visit time
    /// (with the date when it is not today), and what to do when it is closed; or what is missing and what to ask.
    static func readBack(_ u: Understanding, coverage: CatalogueCoverage, nearest: (NearestAnswer, NearestQuery, SearchMemo)?,
                         fallback: Fallback?, now: Instant, bring: String? = nil, trust: TrustLookup = .none) -> String {
        var parts: [String] = []
        if !u.online.isEmpty {
            var seen = Set<String>()
            for o in u.online where seen.insert(o.readOutZh).inserted { parts.append(o.readOutZh) }
            return parts.joined()
        }
        let businessNames = u.businesses.map(\.code.nameZh).joined(separator: "、")
        guard let place = u.place else {
            if u.businesses.isEmpty && u.kinds.isEmpty { return "抱歉，没有听清您要办的业务和所在位置。" + u.clarify.map(\.questionZh).joined() }
            return "请问您现在在哪个区、哪条街道，或者附近有什么地标？告诉我之后，我帮您查最近能办\(businessNames.isEmpty ? "业务" : businessNames)的地方。"
        }
        if coverage.inCatalogue == false {
            return coverage.messageZh + "请通过交管12123 App或拨打当地交警服务热线12123咨询办理地点。"
        }
        let name = u.placeName ?? place.place.name
        switch u.confidence {
        case .confirm?: parts.append("（请与来电人确认地点：\(fullName(place.place))）")
        case .low?: parts.append("（地点把握不大，请与来电人确认地点：\(fullName(place.place))）")
        default: break
        }
        let visitDay = u.time.at.localDate != now.localDate
        let when = visitDay ? "按您\(ChineseStatusText.when(u.time.at, from: now))到达计算，" : ""
        let what = businessNames.isEmpty ? (u.kinds.isEmpty ? "" : "的" + u.kinds.map(\.nameZh).joined(separator: "或")) : "能办\(businessNames)的"
        if let (answer, query, memo) = nearest {
            if let r = answer.results.first {
                parts.append("离\(name)最近\(what)是\(describe(r.outlet, distance: r.distance))。\(when)\(memo.statusTextZh(r, query))\(trust(r.outlet).suffixZh)。")
                if answer.results.count > 1 {
                    let s = answer.results[1]
                    parts.append("也可以去\(s.outlet.name)（约\(km(s.distance))）。")
                }
            } else {
                if let s = answer.openingSoon.first {
                    parts.append("离\(name)最近\(what)是\(describe(s.outlet, distance: s.distance))。\(when)\(memo.statusTextZh(s, query))\(trust(s.outlet).suffixZh)。")
                } else if !visitDay {
                    parts.append("\(name)附近\(km(query.radius))内没有此时能办\(businessNames.isEmpty ? "业务" : businessNames)的网点。")
                } else {
                    parts.append("\(name)附近\(km(query.radius))内没有在\(ChineseStatusText.when(u.time.at, from: now))能办\(businessNames.isEmpty ? "业务" : businessNames)的网点。")
                }
                if let b = answer.nearestOpenBeyondRadius {
                    parts.append("如需那时办理，最近开着的是\(describe(b.outlet, distance: b.distance))，\(memo.statusTextZh(b, query))\(trust(b.outlet).suffixZh)。")
                }
            }
        }
        if let f = fallback {
            if let o = f.nearestOffering {
                parts.append("能办\(businessNames.isEmpty ? "该业务" : businessNames)的最近网点是\(describe(o.outlet, distance: o.distance))。")
            } else if !businessNames.isEmpty {
                parts.append("本服务收录的网点都不办理\(businessNames)。")
            }
            if let c = f.cityOffice, c.outlet.id != f.nearestOffering?.outlet.id {
                parts.append("也可以咨询\(c.outlet.name)\(c.outlet.phone.map { "，电话\($0)" } ?? "")。")
            }
            if u.businesses.contains(where: { alsoOnline.contains($0.code) }) { parts.append("该业务也可以在交管12123 App上办理。") }
        }
        // "请携带：…" once a place answered for the one business understood (the guide's documents, short).
        // Not while the business is still to be confirmed (上牌: car or e-bike?).
        let answered = nearest.map { !$0.0.results.isEmpty || !$0.0.openingSoon.isEmpty || $0.0.nearestOpenBeyondRadius != nil } == true
            || fallback?.nearestOffering != nil
        if answered, let bring, !u.clarify.contains(where: { $0.kind == .business }) { parts.append(bring) }
        if let q = u.clarify.first(where: { $0.kind == .business }) { parts.append("请确认：" + q.questionZh) }
        if let q = u.clarify.first(where: { $0.kind == .place }) { parts.append(q.questionZh) }
        return parts.joined()
    }
}

extension JSONWriter {
    /// JSON already written (a whole value).
    mutating func raw(_ value: [UInt8]) { outletSummary(bytes: value) }

    /// An outlet with its distance (the hotline's fallbacks), or null.
    mutating func outletDistance(_ o: OutletDistance?) {
        guard let o else { null(); return }
        beginObject()
        key("address"); string(o.outlet.address)
        key("distance_m"); int(Int(o.distance.rounded()))
        key("id"); int(Int(o.outlet.id.rawValue))
        key("kind"); string(o.outlet.kind.rawValue)
        key("location"); point(PointDTO(o.outlet.location))
        key("name"); string(o.outlet.name)
        key("phone"); optional(o.outlet.phone)
        endObject()
    }
}
