// How a command fails: a message for stderr and the exit code a script can trust.
//   0 everything done, 1 some rows (or the one thing asked for) failed, 2 fatal (bad arguments,
//   auth, unreachable server, unreadable input), 130 stopped by Ctrl-C after a clean stop.
import Synchronization
import YespoCore

enum ExitStatus {
    static let ok: Int32 = 0
    static let partial: Int32 = 1
    static let fatal: Int32 = 2
    static let interrupted: Int32 = 130
}

struct CLIFailure: Error, CustomStringConvertible {
    var message: String
    var exitCode: Int32

    init(_ message: String, exitCode: Int32 = ExitStatus.fatal) {
        self.message = message
        self.exitCode = exitCode
    }

    var description: String { message }

    /// An engine error as the CLI reports it. A refusal about one thing (404, a 400 naming a bad
    /// field) is a partial failure; auth, network and our own argument errors are fatal.
    static func from(_ error: YespoError, doing action: String) -> CLIFailure {
        let code: Int32
        switch error.code {
        case .notFound, .http, .invalidInput: code = ExitStatus.partial
        case .cancelled: code = ExitStatus.interrupted
        default: code = ExitStatus.fatal
        }
        return CLIFailure("\(action): \(describe(error))", exitCode: code)
    }

    static func describe(_ error: YespoError) -> String {
        var text = error.message.isEmpty ? "\(error.code)" : error.message
        if error.code == .auth { text += " (check YESPO_API_KEY or --api-key-file)" }
        if error.httpStatus != 0 && !text.contains("\(error.httpStatus)") { text += " (HTTP \(error.httpStatus))" }
        return Secrets.redact(text)
    }
}

/// The API key is kept here once loaded so that every line the CLI prints or writes can be checked
/// for it. The engine promises never to put it in a message; this is the second lock on that door,
/// with the core's one redactor (the key and its Basic-auth form).
enum Secrets {
    private static let redactor = Mutex(SecretRedactor(secret: nil))

    static func remember(_ apiKey: String) { redactor.withLock { $0 = SecretRedactor(secret: apiKey) } }

    static func redact(_ text: String) -> String { redactor.withLock { $0 }.redact(text) }

    static func redact(_ bytes: [UInt8]) -> [UInt8] { redactor.withLock { $0 }.redact(bytes) }
}
