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

    @Test func connectionLimitsAndCORS() throws {
        let d = try load()
        #expect(d.idleTimeout == 75 && d.headerTimeout == 10 && d.maxConnections == 10_000 && d.drainTimeout == 20)
        #expect(d.corsOrigins.isEmpty)
        let c = try load(flags: ["http.idle.timeout": "2.5", "cors.origins": "https://a.example, http://localhost:3000"],
                         env: ["HTTP_HEADER_TIMEOUT": "3", "HTTP_MAX_CONNECTIONS": "500", "DRAIN_TIMEOUT": "0"])
        #expect(c.idleTimeout == 2.5 && c.headerTimeout == 3 && c.maxConnections == 500 && c.drainTimeout == 0)
        #expect(c.corsOrigins == ["https://a.example", "http://localhost:3000"])
        #expect(try load(env: ["CORS_ORIGINS": "*"]).corsOrigins == ["*"])
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sc-config-\(UUID()).json").path
        try Data(#"{"http": {"idle": {"timeout": 30}, "max": {"connections": 64}}, "cors": {"origins": ["https://x.example"]}}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let f = try load(file: path)
        #expect(f.idleTimeout == 30 && f.maxConnections == 64 && f.corsOrigins == ["https://x.example"])
    }

    @Test func badConnectionSettingsAreNamed() throws {
        do {
            _ = try load(flags: ["http.idle.timeout": "0", "cors.origins": "https://ok.example,ftp://x,https://a.example/path"],
                         env: ["HTTP_HEADER_TIMEOUT": "soon", "HTTP_MAX_CONNECTIONS": "0", "DRAIN_TIMEOUT": "-1"])
            Issue.record("accepted bad connection settings")
        } catch let e as ConfigurationError {
            #expect(e.problems.count == 5, "\(e.problems)")
            for name in ["--idle-timeout", "HTTP_HEADER_TIMEOUT", "HTTP_MAX_CONNECTIONS", "DRAIN_TIMEOUT", "CORS_ORIGINS", "'ftp://x'",
                         "'https://a.example/path'"] {
                #expect(e.description.contains(name), "names \(name)")
            }
            #expect(!e.description.contains("'https://ok.example'"))
        }
    }

    @Test func anUnreadableFileIsNamed() throws {
        #expect(throws: ConfigurationError.self) { try load(file: "/nonexistent/servicecircle.json") }
    }
}
