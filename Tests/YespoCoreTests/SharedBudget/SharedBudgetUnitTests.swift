// The shared budget's parts that need no server: Redis URLs (the password never shown), the key
// derivation (SHA-256 vectors; the API key never in the key), settings validation, RESP encoding.
import Testing
@testable import YespoCore

@Suite struct SharedBudgetUnitTests {
    @Test func parsesRedisURLs() throws {
        let plain = try RedisURL.parse("redis://cache.internal")
        #expect(plain == RedisURL(host: "cache.internal", port: 6379, database: 0, user: nil, password: nil))
        let full = try RedisURL.parse("redis://:p%40ss@10.0.0.5:6380/3")
        #expect(full.host == "10.0.0.5" && full.port == 6380 && full.database == 3)
        #expect(full.password == "p@ss" && full.user == nil)
        #expect(full.display == "redis://10.0.0.5:6380/3")
        let acl = try RedisURL.parse("redis://app:secret@[::1]:7000")
        #expect(acl.user == "app" && acl.password == "secret" && acl.host == "::1" && acl.port == 7000)
        #expect(acl.display == "redis://[::1]:7000/0")
        let lone = try RedisURL.parse("redis://secret@host/1")
        #expect(lone.password == "secret" && lone.user == nil && lone.database == 1)
    }

    @Test func badRedisURLsNameTheProblemButNotThePassword() {
        for raw in ["http://host", "rediss://:hunter2@host", "redis://:hunter2@", "redis://:hunter2@host:99999",
                    "redis://:hunter2@host/x", "redis://:hunter2@host?db=1", "redis://:hunter2@ho st",
                    "redis://:hunter2@[::1"] {
            do {
                _ = try RedisURL.parse(raw)
                Issue.record("\(raw) was accepted")
            } catch {
                #expect(error.code == .invalidArgument)
                #expect(!error.message.contains("hunter2"), "\(error.message)")
                #expect(error.message.contains("redis://"))
            }
        }
    }

    @Test func sha256KnownAnswers() {
        func hex(_ b: [UInt8]) -> String { b.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() }
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(hex(SHA256.hash(long)) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func redisKeyIsTheNameOrAHashNeverTheKey() {
        let key = "sk-live-0123456789abcdef"
        let derived = SharedBudgetKey.redisKey(name: nil, apiKey: key)
        #expect(derived.hasPrefix("yespo:budget:key-"))
        #expect(derived.count == "yespo:budget:key-".count + 16)
        #expect(!derived.contains(key) && !derived.contains("0123456789"))
        #expect(derived == SharedBudgetKey.redisKey(name: nil, apiKey: key))   // stable across processes
        #expect(derived != SharedBudgetKey.redisKey(name: nil, apiKey: key + "x"))
        #expect(SharedBudgetKey.redisKey(name: "nightly", apiKey: key) == "yespo:budget:nightly")
    }

    @Test func settingsAreValidatedWithoutRedis() {
        var s = ClientSettings(apiKey: "k")
        s.sharedBudget.url = "redis://127.0.0.1:6379/0"
        s.requestsPerSecond = 0
        #expect(throws: YespoError.self) { try s.validated() }   // a shared budget needs a rate
        s.requestsPerSecond = 10
        #expect((try? s.validated()) != nil)
        s.sharedBudget.name = "has space"
        #expect(throws: YespoError.self) { try s.validated() }
        s.sharedBudget.name = String(repeating: "n", count: 201)
        #expect(throws: YespoError.self) { try s.validated() }
        s.sharedBudget.name = "ok"
        s.sharedBudget.expectedProcesses = 0
        #expect(throws: YespoError.self) { try s.validated() }
        s.sharedBudget.expectedProcesses = 4
        s.sharedBudget.url = "redis://:pw@:6379"
        #expect(throws: YespoError.self) { try s.validated() }
    }

    @Test func fallbackRateIsRateOverProcessesAtLeastOne() throws {
        var s = ClientSettings(apiKey: "k")
        s.sharedBudget.url = "redis://127.0.0.1:1/0"
        s.requestsPerSecond = 10
        s.sharedBudget.expectedProcesses = 4
        #expect(try SharedBudget.Config(settings: s).localRate == 2)
        s.requestsPerSecond = 3
        #expect(try SharedBudget.Config(settings: s).localRate == 1)
    }

    @Test func encodesCommandsAsRESPArrays() {
        #expect(RESPConnection.encode(["GET", "k"]) == Array("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n".utf8))
        #expect(RESPConnection.encode(["SET", "é", ""]) == Array("*3\r\n$3\r\nSET\r\n$2\r\né\r\n$0\r\n\r\n".utf8))
    }

    @Test func reportTimesAreISO8601UTC() {
        #expect(isoTime(0) == "1970-01-01T00:00:00.000Z")
        #expect(isoTime(1_764_536_645_123) == "2025-11-30T21:04:05.123Z")
    }
}
