// `yespo version`: the CLI and engine versions, for bug reports.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import YespoCore

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the version.")

    @Flag(name: .long, help: "Print JSON.")
    var json = false

    func run() throws {
        if json {
            Terminal.out(JSON.object([("cli", .string(yespoVersionString)), ("engine", .string(yespoVersionString))])
                .encoded() + "\n")
        } else {
            Terminal.out("yespo \(yespoVersionString)\n")
        }
    }
}

/// Flushes nothing (we never buffer stdout) and ends the process with `code`.
func exitProcess(_ code: Int32) -> Never {
    exit(code)
}
