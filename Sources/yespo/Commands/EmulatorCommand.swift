// `yespo emulator [ARGS...]`: runs the bundled Yespo API emulator in place of this process, so
// signals, exit codes and its "listening http://..." first line pass straight through.
// Looked for in $YESPO_EMULATOR, then next to this binary, then ./dist/bin.
import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

struct EmulatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run the local Yespo API emulator (arguments go to it; try: yespo emulator --help).")

    @Argument(parsing: .captureForPassthrough, help: "Arguments for yespo-emulator.")
    var arguments: [String] = []

    static func candidates() -> [String] {
        var paths: [String] = []
        if let env = FileSystem.environment("YESPO_EMULATOR"), !env.isEmpty { paths.append(env) }
        if let dir = FileSystem.executableDirectory() { paths.append(dir + "/yespo-emulator") }
        paths.append("dist/bin/yespo-emulator")
        return paths
    }

    func run() throws {
        let candidates = Self.candidates()
        guard let binary = candidates.first(where: FileSystem.isExecutable) else {
            throw CLIFailure("the emulator is not built; run `make emulator` (looked in: "
                             + candidates.joined(separator: ", ") + ")")
        }
        let argv = [binary] + arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) }
        cArgs.append(nil)
        execv(binary, cArgs)
        let reason = String(cString: strerror(errno))
        throw CLIFailure("cannot run \(binary): \(reason)")
    }
}
