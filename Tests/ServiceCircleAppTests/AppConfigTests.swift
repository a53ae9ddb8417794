import Foundation
import ServiceCircleApp
import Testing

@Suite("Configuration: flags over environment over file, every bad setting named at once")
struct AppConfigTests {
    func load(flags: [String: String] = [:], env: [String: String] = [:], file: String? = nil) throws -> AppConfig {
        try AppConfig.load(from: AppConfig.reader(flags: flags, configFile: file, environment: env))
    }

    @Test func defaultsWhenNothingIsSet() throws {
        let c = try load()
        #expect(c.host == "127.0.0.1")
        #expect(c.port == 8080)
        #expect(c.databaseURL == nil)
        #expect(c.readModel == .memory)
        #expect(c.seedOnStart)
    }

    @Test func flagsWinOverEnvironmentWhichWinsOverTheFile() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sc-config-\(UUID()).json").path
        try Data(#"{"port": 7000, "host": "0.0.0.0", "log": {"level": "debug"}, "seed": false}"#.utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let c = try load(flags: ["port": "9000"], env: ["PORT": "8000", "HOST": "127.0.0.2"], file: path)
        #expect(c.port == 9000)
        #expect(c.host == "127.0.0.2")
        #expect(c.logLevel == "debug")
        #expect(!c.seedOnStart)
        #expect(try load(env: ["PORT": "8000"], file: path).port == 8000)
        #expect(try load(file: path).port == 7000)
    }

    @Test func everyBadSettingIsNamedInOneError() throws {
        do {
            _ = try load(flags: ["read.model": "disk"], env: ["PORT": "80x", "LOG_LEVEL": "loud", "DATABASE_URL": "mysql://x", "SEED": "maybe"])
            Issue.record("accepted a bad configuration")
        } catch let e as ConfigurationError {
            #expect(e.problems.count == 5)
            for name in ["PORT", "LOG_LEVEL", "DATABASE_URL", "--read-model", "SEED"] {
                #expect(e.description.contains(name), "names \(name)")
            }
        }
    }

    @Test func anUnreadableFileIsNamed() throws {
        #expect(throws: ConfigurationError.self) { try load(file: "/nonexistent/servicecircle.json") }
    }
}
