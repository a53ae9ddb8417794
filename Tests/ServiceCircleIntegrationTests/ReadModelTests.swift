import Foundation
import PostgresNIO
import ServiceCircleDomain
@testable import ServiceCircleApp
import ServiceCircleStore
import Testing

/// The in-memory read model follows the change feed (LISTEN servicecircle_changes).
@Suite("Read model refreshed by LISTEN/NOTIFY (PostgreSQL)")
struct ReadModelTests {
    let saturday = Instant(rfc3339: "2026-03-08T03:00:00+08:00")!

    func codes(_ model: ReadModel, _ q: NearestQuery) -> [String] {
        model.answer(q)?.results.map(\.outlet.code) ?? ["<not loaded>"]
    }

    /// Polls until `condition` holds (the notification travels asynchronously), for at most 10 s.
    func eventually(_ what: Comment, _ condition: () -> Bool) async throws {
        for _ in 0..<200 {
            if condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting: \(what)")
    }

    @Test func changesTakeEffectWithoutARestart() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await TestDatabase.load(nearestFixture, into: client)
            let model = ReadModel(client: client, logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                let feed = ChangeFeed(source: PostgresChangeSource(client: client, logger: TestDatabase.logger), views: [model],
                                      logger: TestDatabase.logger)
                group.addTask { await feed.run() }
                defer { group.cancelAll() }
                try await eventually("first load") { model.isLoaded }
                let q = NearestQuery(point: centre, businesses: [.ebikeRegistration], at: saturday)
                #expect(codes(model, q) == ["N-B"])
                #expect(model.count == nearestFixture.count - 1, "the temporarily closed outlet is not indexed")

                // An editor closes B: it leaves the answer.
                try await client.query("UPDATE outlets SET operating_state = 'temporarily_closed', version = version + 1 WHERE code = 'N-B'",
                                       logger: TestDatabase.logger)
                try await eventually("B closed") { codes(model, q).isEmpty }

                // D reopens: 24 h, 2 km away.
                try await client.query("UPDATE outlets SET operating_state = 'active', version = version + 1 WHERE code = 'N-D'",
                                       logger: TestDatabase.logger)
                try await eventually("D reopened") { codes(model, q) == ["N-D"] }

                // A new outlet is found at once.
                let near = Geodesy.destination(from: centre, bearingDegrees: 10, distance: 300)
                try await TestDatabase.load([fixture("N-NEW", "新开24小时点", at: near, hours: allDay)], into: client, calendar: false)
                try await eventually("new outlet") { codes(model, q) == ["N-NEW", "N-D"] }

                // A deleted row disappears.
                try await client.query("DELETE FROM outlets WHERE code = 'N-NEW'", logger: TestDatabase.logger)
                try await eventually("deleted outlet") { codes(model, q) == ["N-D"] }

                // A bulk statement (over 1,000 rows) triggers one full reload.
                let before = model.generation
                let far = (0..<1_200).map { i in
                    fixture(String(format: "BULK-%04d", i), "批量点\(i)", at: GeoPoint(lat: 40 + Double(i) * 0.001, lon: 116.3), hours: allDay)
                }
                try await TestDatabase.load(far, into: client, calendar: false)
                // Active now: A, C, D (reopened), E, F — B closed, N-NEW deleted.
                try await eventually("bulk reload") { model.count == 5 + 1_200 }
                #expect(model.generation == before + 1, "one reload, not 1,200 single refreshes")

                // A calendar change recompiles the hours: make Saturday 2026-03-07 a make-up workday.
                let workdaySat = NearestQuery(point: centre, businesses: [.ebikeRegistration], at: Instant(rfc3339: "2026-03-07T10:00:00+08:00")!)
                let beforeCal = codes(model, workdaySat)
                #expect(!beforeCal.contains("N-A"))
                try await client.query("UPDATE calendar_days SET day_kind = 'makeup_workday', name_zh = '测试调休' WHERE date = '2026-03-07'", logger: TestDatabase.logger)
                try await eventually("calendar reload") { codes(model, workdaySat).contains("N-A") }

                // A row whose hours the service cannot read leaves the index; the feed keeps going.
                try await client.query(#"UPDATE outlets SET hours = '{"rules": [{"x": 1}]}' WHERE code = 'N-A'"#, logger: TestDatabase.logger)
                try await eventually("unreadable row dropped") { !codes(model, workdaySat).contains("N-A") }
                try await client.query("UPDATE outlets SET operating_state = 'temporarily_closed' WHERE code = 'N-D'", logger: TestDatabase.logger)
                try await eventually("feed alive after a bad row") { codes(model, q).isEmpty }

                // TRUNCATE (no row triggers) still reloads.
                try await client.query("TRUNCATE outlets", logger: TestDatabase.logger)
                try await eventually("truncate reload") { model.count == 0 }
            }
        }
    }

    /// One feed, every view: an outlet renamed in the database reaches the place index, a calendar day reaches the
    /// calendar, and a write this process applied itself is not applied again when its notification arrives.
    @Test func oneFeedKeepsEveryViewFresh() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await TestDatabase.load(nearestFixture, into: client)
            let model = ReadModel(client: client, logger: TestDatabase.logger)
            let deps = AppDependencies.postgres(client: client, migrations: try TestDatabase.migrations(), readModel: model,
                                                logger: TestDatabase.logger)
            let feed = ChangeFeed(source: PostgresChangeSource(client: client, logger: TestDatabase.logger), views: deps.views,
                                  logger: TestDatabase.logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await feed.run() }
                defer { group.cancelAll() }
                try await eventually("first load") { model.isLoaded }
                // Read your writes: the writer applies the row it wrote; the notification of that version changes nothing.
                let editor = CatalogueEditor(client: client, logger: TestDatabase.logger)
                let id = try #require(model.answer(NearestQuery(point: centre, businesses: [.ebikeRegistration], at: saturday))?
                    .results.first?.outlet.id)
                let (v, _) = try await editor.update(id: id, ifVersion: nil, change: ChangeContext(actor: "test", action: "patch")) { cur in
                    var r = OutletRecord(cur.outlet)
                    r.phone = "027-12345678"
                    return r
                }
                model.apply(written: v.outlet, version: v.version)
                let afterWrite = model.generation
                #expect(model.answer(NearestQuery(point: centre, businesses: [.ebikeRegistration], at: saturday))?
                    .results.first?.outlet.phone == "027-12345678")
                try await Task.sleep(for: .seconds(1))
                #expect(model.generation == afterWrite, "the feed's notification of a version already held is skipped")

                #expect(try await deps.places.current().search("金桥湾").matches.isEmpty)

                // Renamed in the database by another process: the place index follows the feed (no restart, no TTL).
                try await client.query("UPDATE outlets SET name = '金桥湾电动车上牌点', version = version + 1 WHERE code = 'N-B'",
                                       logger: TestDatabase.logger)
                var found = false
                for _ in 0..<300 where !found {
                    found = try await deps.places.current().search("金桥湾").matches.contains { $0.place.name == "金桥湾电动车上牌点" }
                    if !found { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(found, "the renamed outlet reaches the place index within 15 s")

                // A calendar day announced by the feed reaches the calendar view.
                let day = LocalDate(iso: "2026-03-11")!
                #expect(try await deps.calendar.current().info(day).kind == .workday)
                try await client.query("INSERT INTO calendar_days (date, day_kind, name_zh) VALUES ('2026-03-11', 'holiday', '测试假日') ON CONFLICT (date) DO UPDATE SET day_kind = 'holiday', name_zh = '测试假日'",
                                       logger: TestDatabase.logger)
                var holiday = false
                for _ in 0..<200 where !holiday {
                    holiday = try await deps.calendar.current().info(day).kind == .holiday
                    if !holiday { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(holiday, "the calendar follows the feed")

            }
        }
    }
}
