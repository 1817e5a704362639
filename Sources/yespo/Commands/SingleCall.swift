// The shared shape of the one-request commands (status, contact, subscribe, segment): run one
// engine call, turn its error into a clear message and an exit code, print JSON answers.
import YespoCore

enum SingleCall {
    static func run<T>(_ action: String, _ body: () throws(YespoError) -> T) throws(CLIFailure) -> T {
        do { return try body() } catch { throw CLIFailure.from(error, doing: action) }
    }

    /// Compact with --json (one line, for scripts), indented otherwise.
    static func printJSON(_ text: String, compact: Bool) {
        let safe = Secrets.redact(text)
        guard let value = try? JSON.parse(safe) else {
            Terminal.out(safe + "\n")
            return
        }
        Terminal.out((compact ? value.encoded() : value.pretty()) + "\n")
    }

    static func object(_ members: [(String, JSON?)]) -> String {
        JSON.object(members.compactMap { key, value in value.map { (key, $0) } }).encoded()
    }

    /// "Ann Lee <ann@example.com> +380..." — one contact on one line for listings.
    static func contactLine(_ c: JSON) -> String {
        var parts: [String] = []
        let id = c["id"]?.int.map(String.init) ?? c["id"]?.string ?? "?"
        parts.append(Format.leftPad(id, 10))
        let name = [c["firstName"]?.string, c["lastName"]?.string].compactMap { $0 }.filter { !$0.isEmpty }
        if !name.isEmpty { parts.append(name.joined(separator: " ")) }
        for channel in c["channels"]?.array ?? [] {
            if let type = channel["type"]?.string, let value = channel["value"]?.string {
                parts.append(type == "email" ? "<\(value)>" : "\(type):\(value)")
            }
        }
        if let ext = c["externalCustomerId"]?.string, !ext.isEmpty { parts.append("ext:\(ext)") }
        return parts.joined(separator: "  ")
    }
}
