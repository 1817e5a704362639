import Foundation
import Testing
@testable import EmulatorCore

/// The executable as users run it: first stdout line, flags, clean exit on SIGTERM/SIGINT.
@Suite struct ExecutableTests {
    /// $YESPO_EMULATOR when it exists, else this package's debug build.
    static var binary: URL {
        if let env = ProcessInfo.processInfo.environment["YESPO_EMULATOR"], FileManager.default.isExecutableFile(atPath: env) {
            return URL(fileURLWithPath: env)
        }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return package.appendingPathComponent(".build/debug/yespo-emulator")
    }

    final class Running: @unchecked Sendable {
        let process = Process()
        let stdout = Pipe()
        let stderr = Pipe()
        let exited = DispatchSemaphore(value: 0)
    }

    func launch(_ args: [String]) throws -> Running {
        let r = Running()
        r.process.executableURL = Self.binary
        r.process.arguments = args
        r.process.standardOutput = r.stdout
        r.process.standardError = r.stderr
        r.process.terminationHandler = { _ in r.exited.signal() }
        try r.process.run()
        return r
    }

    /// Reads stdout up to the first newline (on a thread: it blocks).
    func firstLine(_ r: Running) async -> String {
        await withCheckedContinuation { cont in
            Thread {
                var bytes: [UInt8] = []
                while true {
                    let d = r.stdout.fileHandleForReading.readData(ofLength: 1)
                    if d.isEmpty || d.first == 10 { break }
                    bytes.append(contentsOf: d)
                }
                cont.resume(returning: String(decoding: bytes, as: UTF8.self))
            }.start()
        }
    }

    func waitExit(_ r: Running, seconds: Double = 10) async -> Int32? {
        await withCheckedContinuation { cont in
            Thread {
                if r.exited.wait(timeout: .now() + seconds) == .timedOut {
                    r.process.interrupt()
                    kill(r.process.processIdentifier, SIGKILL)
                    cont.resume(returning: nil)
                } else {
                    cont.resume(returning: r.process.terminationStatus)
                }
            }.start()
        }
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func printsThePortServesAndStopsCleanly(signal: Int32) async throws {
        let r = try launch(["--host", "127.0.0.1", "--port", "0", "--api-key", "cli-key", "--quiet"])
        let line = await firstLine(r)
        #expect(line.hasPrefix("listening http://127.0.0.1:"))
        let port = try #require(Int(line.split(separator: ":").last ?? ""))
        let ok = await RawHTTPClient.request(port: port, method: "GET", path: "/api/v1/groups", apiKey: "cli-key")
        #expect(ok.status == 200)
        #expect(await RawHTTPClient.request(port: port, method: "GET", path: "/api/v1/groups", apiKey: "test-key").status == 401)
        kill(r.process.processIdentifier, signal)
        #expect(await waitExit(r) == 0)
    }

    @Test func issue12FlagsReachTheAdminConfig() async throws {
        let r = try launch(["--port", "0", "--quiet", "--duplicate-window-ms", "1500", "--duplicate-status", "409",
                            "--duplicate-body", "Duplicated request!", "--failed-shape", "errors",
                            "--import-order", "reverse", "--import-delay-jitter-ms", "25"])
        let line = await firstLine(r)
        let port = try #require(Int(line.split(separator: ":").last ?? ""))
        let config = await RawHTTPClient.request(port: port, method: "GET", path: "/_emulator/config", apiKey: nil).json
        #expect(config?["duplicateWindowMs"] == .int(1500))
        #expect(config?["duplicateStatus"] == .int(409))
        #expect(config?["duplicateBody"] == .string("Duplicated request!"))
        #expect(config?["failedShape"] == .string("errors"))
        #expect(config?["importOrder"] == .string("reverse"))
        #expect(config?["importDelayJitterMs"] == .int(25))
        kill(r.process.processIdentifier, SIGTERM)
        #expect(await waitExit(r) == 0)
    }

    @Test func badFlagsExitWithUsage() async throws {
        for args in [["--bogus"], ["--port", "x"], ["--retry-after", "soon"], ["--rate-limit-bulk"],
                     ["--duplicate-status", "700"], ["--failed-shape", "flat"], ["--import-order", "lifo"]] {
            let r = try launch(args)
            #expect(await waitExit(r) == 2, "\(args)")
            let err = String(decoding: r.stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(!err.isEmpty)
        }
    }

    @Test func flagsSetTheRunTimeConfig() throws {
        let o = try EmulatorOptions.parse(["--import-delay-ms", "5", "--latency-ms=150", "--latency-per-contact-us", "100",
                                           "--rate-limit-bulk", "0", "--rate-limit-other", "7", "--retry-after", "2",
                                           "--max-body-mb", "8", "--seed", "9", "--api-key", "a", "--api-key", "b"])
        #expect(o.settings.importDelayMs == 5)
        #expect(o.settings.latencyMs == 150)
        #expect(o.settings.latencyNanos(contacts: 3000) == 450_000_000)
        #expect(o.settings.rateLimitBulk == 0)
        #expect(o.settings.rateLimitOther == 7)
        #expect(o.settings.retryAfter == 2)
        #expect(o.settings.maxBodyMb == 8)
        #expect(o.seed == 9)
        #expect(o.acceptedKeys == ["a", "b"])
        #expect(EmulatorOptions().acceptedKeys == ["test-key"])
    }
}
