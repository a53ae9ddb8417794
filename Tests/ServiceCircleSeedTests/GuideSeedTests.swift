import Foundation
import ServiceCircleDomain
import Testing

@Suite("Guides seed: SeedData/guides/ covers every business and cites every item")
struct GuideSeedTests {
    let book: GuideBook = try! GuideBook.load(directory: seedDataDirectory.appendingPathComponent("guides"))

    @Test func everyBusinessHasAGuideWithDocumentsAndSources() throws {
        for code in BusinessCode.allCases {
            let items = try #require(book.national[code], "no national guide for \(code.rawValue)")
            let guide = book.guide(for: code)
            #expect(!guide.items(.document).isEmpty, "\(code.rawValue): no documents")
            #expect(!guide.items(.agent).isEmpty, "\(code.rawValue): no agent rule")
            #expect(!guide.items(.online).isEmpty, "\(code.rawValue): no online channel")
            #expect(!guide.items(.appointment).isEmpty, "\(code.rawValue): no appointment rule")
            for item in items + book.overrides.map(\.item) {
                #expect(!item.source.regulation.titleZh.isEmpty)
                // An article is given only when it was checked; an unchecked one is never invented.
                #expect((item.source.article != nil) == (item.source.articleConfidence == .confident), "\(item.textZh)")
                if item.section == .document { #expect(item.shortZh != nil, "\(code.rawValue): \(item.textZh) has no short form") }
            }
        }
    }

    @Test func overridesApplyByRegionAndOutlet() {
        let national = book.guide(for: .ebikeRegistration)
        #expect(national.applied.isEmpty)
        let wuhan = book.guide(for: .ebikeRegistration, region: "420116")
        #expect(wuhan.applied == ["region:420100"])
        #expect(wuhan.items(.appointment).map(\.value) == ["not_required"])
        let hebei = book.guide(for: .ebikeRegistration, region: "130432")
        #expect(hebei.applied == ["region:130000"])
        #expect(hebei.items(.document).allSatisfy { $0.scope == "region:130000" })
        let selfService = book.guide(for: .licenseRenewal, region: "420102", outlet: "WH-SS-0001")
        #expect(selfService.items(.agent).map(\.value) == ["not_allowed"])
        #expect(book.guide(for: .licenseRenewal).items(.agent).map(\.value) == ["allowed"])
    }

    @Test func malformedFilesNameFileAndLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("guides-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "id,title_zh,kind,url\nrtsl,道路交通安全法,law,\n".write(to: dir.appendingPathComponent("regulations.csv"), atomically: true, encoding: .utf8)
        func fails(_ national: String, _ expected: String) throws {
            try national.write(to: dir.appendingPathComponent("national.csv"), atomically: true, encoding: .utf8)
            do {
                _ = try GuideBook.load(directory: dir)
                Issue.record("no error for \(national)")
            } catch DomainError.invalid(let params) {
                #expect(params.first?.name == "guides")
                #expect(params.first?.reason.contains(expected) == true, "\(params)")
            }
        }
        let header = "business,section,text_zh,short_zh,value,regulation,article,article_confidence\n"
        try fails(header + "car_wash,document,身份证明,身份证明,,rtsl,,uncertain\n", "national.csv:2: unknown business code 'car_wash'")
        try fails(header + "license_renewal,document,身份证明,身份证明,,rtsl,,uncertain\nlicense_renewal,document,x\n", "national.csv:3: expected 8 fields")
        try fails(header + "license_renewal,document,身份证明,身份证明,,nope,,uncertain\n", "national.csv:2: unknown regulation 'nope'")
        try fails(header + "license_renewal,document,身份证明,身份证明,,rtsl,第九十九条,uncertain\n", "national.csv:2: an article is given only when confident")
    }
}
