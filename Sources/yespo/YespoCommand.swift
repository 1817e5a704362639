// `yespo`: the command-line client for Yespo's contacts API. The root only dispatches; each
// subcommand lives in Commands/. Exit codes are ours, not ArgumentParser's: a usage error is 2
// (fatal), like every other reason to stop before doing anything.
import ArgumentParser
import YespoCore

@main
struct YespoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "yespo",
        abstract: "Stream contacts into Yespo (eSputnik) fast and safely, and manage them.",
        discussion: """
            The API key is read from YESPO_API_KEY or from --api-key-file; it is never printed.
            Exit codes: 0 all done, 1 some rows (or the thing asked for) failed, 2 fatal error \
            (bad arguments, auth, unreachable), 130 interrupted after a clean stop.
            """,
        version: "yespo \(yespoVersionString)",
        subcommands: [UpsertCommand.self, OrdersCommand.self, EventCommand.self, SyncCommand.self, StatusCommand.self, ContactCommand.self, SubscribeCommand.self,
                      SegmentCommand.self, EmulatorCommand.self, DoctorCommand.self, VersionCommand.self])

    static func main() {
        let code: Int32
        do {
            var command = try parseAsRoot()
            try command.run()
            code = ExitStatus.ok
        } catch let failure as CLIFailure {
            Terminal.error(Secrets.redact(failure.message))
            code = failure.exitCode
        } catch let exit as ExitCode {
            code = exit.rawValue
        } catch {
            // ArgumentParser's own errors: help and --version print to stdout and succeed;
            // anything else is a usage error.
            let status = exitCode(for: error)
            let message = fullMessage(for: error)
            if status == .success {
                if !message.isEmpty { Terminal.out(message + "\n") }
                code = ExitStatus.ok
            } else {
                Terminal.err(Secrets.redact(message) + "\n")
                code = ExitStatus.fatal
            }
        }
        exitProcess(code)
    }
}
