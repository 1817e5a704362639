import EmulatorCore
import Foundation

// yespo-emulator: prints `listening http://HOST:PORT` as its first stdout line, serves until
// SIGTERM/SIGINT, exits 0.
let options: EmulatorOptions
do {
    options = try EmulatorOptions.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data((error.description + "\n").utf8))
    exit(error.description == EmulatorOptions.usage ? 0 : 2)
}

let emulator = Emulator(options: options)
do {
    try await emulator.run(handleSignals: true) { port in
        let line = "listening http://\(options.host):\(port)\n"
        FileHandle.standardOutput.write(Data(line.utf8))
    }
} catch {
    FileHandle.standardError.write(Data("yespo-emulator: \(error)\n".utf8))
    exit(1)
}
exit(0)
