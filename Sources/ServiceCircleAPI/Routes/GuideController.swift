import Foundation
import Hummingbird
import ServiceCircleApp
import ServiceCircleDomain

/// GET /v1/business-types/{code}/guide — the 办事指南 of one business (docs/guides.md): documents to bring, who may
/// act for the applicant, the online channel, appointments, fixed fees and notes, each item with its source, from
/// `SeedData/guides/` with the overrides of the city and outlet asked.
struct GuideController: Sendable {
    let deps: AppDependencies

    func register(on router: Router<AppContext>) {
        router.get("/v1/business-types/{code}/guide", use: guide)
    }

    @Sendable func guide(_ request: Request, context: AppContext) async throws -> Response {
        var p = QueryParameters(request, allowed: ["city", "outlet"])
        let city = p.string("city")
        if let city {
            if city.count != 6 || !city.allSatisfy({ $0.isASCII && $0.isNumber }) {
                p.fail("city", "must be a six-digit GB/T 2260 code, e.g. 420100")
            } else if !deps.hotline.regionsByCode.isEmpty && deps.hotline.regionsByCode[city] == nil {
                p.fail("city", "no region with code \(city) in the national list of GB/T 2260 codes")
            }
        }
        var outletID: Int64?
        if let raw = p.string("outlet") {
            if raw.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let v = Int64(raw), v > 0 { outletID = v }
            else { p.fail("outlet", "must be a positive integer outlet id") }
        }
        let raw = context.parameters.get("code") ?? ""
        try p.check()
        guard let code = BusinessCode(rawValue: raw) else {
            throw DomainError.notFound("no business type '\(raw)'; the codes are listed at /v1/business-types")
        }
        var outlet: Outlet?
        if let outletID {
            outlet = try await deps.catalogue.outlet(id: Outlet.ID(outletID))
            if outlet == nil { throw DomainError.invalid("outlet", "no outlet with id \(outletID)") }
        }
        let guide = deps.hotline.guides.guide(for: code, region: city ?? outlet?.districtCode, outlet: outlet?.code)

        var w = JSONWriter(capacity: 8192)
        w.beginObject()
        w.key("agent"); w.guideItems(guide.items(.agent))
        w.key("appointment"); w.guideItems(guide.items(.appointment))
        w.key("business")
        w.beginObject()
        w.key("category"); w.string(code.category.rawValue)
        w.key("code"); w.string(code.rawValue)
        w.key("name_en"); w.string(code.nameEn)
        w.key("name_zh"); w.string(code.nameZh)
        w.endObject()
        w.key("documents"); w.guideItems(guide.items(.document))
        w.key("documents_zh"); w.beginArray(); for d in guide.documentsZh { w.string(d) }; w.endArray()
        w.key("fees"); w.guideItems(guide.items(.fee))
        w.key("notes"); w.guideItems(guide.items(.note))
        w.key("online"); w.guideItems(guide.items(.online))
        w.key("read_out_zh"); w.optional(guide.bringZh)
        w.key("scope")
        w.beginObject()
        w.key("applied"); w.beginArray(); for s in guide.applied { w.string(s) }; w.endArray()
        w.key("city"); w.optional(city ?? outlet?.districtCode)
        w.key("outlet")
        if let outlet {
            w.beginObject()
            w.key("code"); w.string(outlet.code)
            w.key("id"); w.int(Int(outlet.id.rawValue))
            w.key("name"); w.string(outlet.name)
            w.endObject()
        } else { w.null() }
        w.endObject()
        w.endObject()
        return w.response()
    }

    /// Where the whole guide of a business is, for answers that carry only its summary.
    static func url(_ code: BusinessCode, city: String? = nil, outlet: Outlet.ID? = nil) -> String {
        var s = "/v1/business-types/\(code.rawValue)/guide"
        if let outlet { s += "?outlet=\(outlet.rawValue)" } else if let city { s += "?city=\(city)" }
        return s
    }
}

extension JSONWriter {
    mutating func guideItems(_ items: [GuideItem]) {
        beginArray()
        for i in items {
            beginObject()
            key("scope"); string(i.scope)
            key("short_zh"); optional(i.shortZh)
            key("source")
            beginObject()
            key("article"); optional(i.source.article)
            key("article_confidence"); string(i.source.articleConfidence.rawValue)
            key("regulation"); string(i.source.regulation.titleZh)
            key("regulation_id"); string(i.source.regulation.id)
            key("url"); optional(i.source.regulation.url)
            endObject()
            key("text_zh"); string(i.textZh)
            key("value"); optional(i.value)
            endObject()
        }
        endArray()
    }

    /// The short guide that outlet answers carry for the one business asked: the documents and where the guide is.
    mutating func guideSummary(_ guide: Guide, url: String) {
        beginObject()
        key("business"); string(guide.business.rawValue)
        key("documents_zh"); beginArray(); for d in guide.documentsZh { string(d) }; endArray()
        key("guide_url"); string(url)
        endObject()
    }
}
