import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The emulator: its state, its settings and chaos, and the server that exposes them.
/// One instance per server; tests may run several in one process.
public final class Emulator: Sendable {
    public let options: EmulatorOptions
    let acceptedKeys: Set<String>
    let world: Mutex<EmulatorWorld>
    let settingsBox: Mutex<EmulatorSettings>
    let faults: Mutex<FaultSet>
    let limits: Mutex<RateLimits>
    let stats = Mutex(Stats())
    /// Requests processed recently, for "Duplicated request" answers.
    let duplicates = Mutex(DuplicateMemory())
    /// Draws the entry shape of each failedContacts entry under `failedShape: mixed`.
    let shapeRandom: Mutex<SeededRandom>
    let importWake: AsyncStream<Void>.Continuation
    let importWakeups: AsyncStream<Void>

    public init(options: EmulatorOptions) {
        self.options = options
        self.acceptedKeys = options.acceptedKeys
        self.settingsBox = Mutex(options.settings)
        self.world = Mutex(EmulatorWorld(seed: options.seed))
        self.shapeRandom = Mutex(Self.shapeGenerator(seed: options.seed))
        self.faults = Mutex(FaultSet(seed: options.seed))
        self.limits = Mutex(RateLimits(options.settings))
        (self.importWakeups, self.importWake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    public var settings: EmulatorSettings { settingsBox.withLock { $0 } }

    static func shapeGenerator(seed: UInt64) -> SeededRandom { SeededRandom(seed: seed ^ 0x5AA9_E000) }

    /// Runs the server until the task is cancelled (tests) or, with `handleSignals`, until
    /// SIGTERM/SIGINT (the executable). `onListening` gets the bound port once.
    public func run(handleSignals: Bool = false, onListening: @escaping @Sendable (Int) -> Void) async throws {
        var logger = Logger(label: "yespo-emulator")
        logger.logLevel = .critical
        let app = Application(
            responder: EmulatorResponder(emulator: self),
            server: .http1(additionalChannelHandlers: [ExpectContinueHandler()]),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil, backlog: 1024),
            onServerRunning: { channel in onListening(channel.localAddress?.port ?? 0) },
            logger: logger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await self.runImporter() }
            defer { group.cancelAll() }
            if handleSignals { try await app.runService() } else { try await app.run() }
        }
    }

    // MARK: importer

    /// Applies import sessions as they become due. Requests that read import state also apply
    /// what is due, so /importstatus is exact even when this task lags behind.
    func runImporter() async {
        var wakeups = importWakeups.makeAsyncIterator()
        while !Task.isCancelled {
            let order = settings.importOrder
            while world.withLock({ $0.applyOneDue(now: .now, order: order) }) { await Task.yield() }
            let next = world.withLock { $0.imports.nextDue }
            if let next {
                try? await Task.sleep(until: next, clock: .continuous)
            } else if await wakeups.next() == nil {
                return
            }
        }
    }

    func wakeImporter() { importWake.yield() }

    /// Reads world state after applying every due import.
    func withWorld<T>(_ body: (inout EmulatorWorld) -> T) -> T {
        let order = settings.importOrder
        return world.withLock { w in
            w.applyDue(now: .now, order: order)
            return body(&w)
        }
    }

    // MARK: logging

    func log(_ line: String) {
        guard !options.quiet else { return }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// The request context: Hummingbird's, plus the channel (faults drop connections) and the peer.
struct EmulatorContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}

struct EmulatorResponder: HTTPResponder {
    let emulator: Emulator

    func respond(to request: Request, context: EmulatorContext) async throws -> Response {
        await emulator.handle(request, channel: context.channel)
    }
}
