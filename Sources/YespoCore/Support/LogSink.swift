// Where the engine's log lines go: one optional handler with a maximum level. A line above the level
// is never even formatted (the message is an autoclosure), so logging costs nothing when off.
// Every line passes the client's SecretRedactor before any handler (C, Python, Go, CLI) sees it.

import Synchronization

public enum LogLevel: Int32, Sendable, Comparable {
    case error = 1, warn, info, debug
    public static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
}

public final class LogSink: Sendable {
    public typealias Handler = @Sendable (LogLevel, String) -> Void
    private let maxLevel = Atomic<Int32>(0)
    private let handler = Mutex<Handler?>(nil)
    private let redactor = Mutex(SecretRedactor(secret: nil))

    public init() {}

    /// The key whose every form is masked in log lines (set by the client, again when it changes).
    public func setSecret(_ secret: String) {
        redactor.withLock { $0 = SecretRedactor(secret: secret) }
    }

    /// Installs (or with nil removes) the handler; lines above `maxLevel` are not produced.
    public func setHandler(maxLevel level: LogLevel, _ h: Handler?) {
        handler.withLock { $0 = h }
        maxLevel.store(h == nil ? 0 : level.rawValue, ordering: .releasing)
    }

    public func isEnabled(_ level: LogLevel) -> Bool {
        level.rawValue <= maxLevel.load(ordering: .acquiring)
    }

    public func log(_ level: LogLevel, _ message: @autoclosure () -> String) {
        guard isEnabled(level), let h = handler.withLock({ $0 }) else { return }
        let line = redactor.withLock { $0 }.redact(message())
        h(level, line)
    }
}
