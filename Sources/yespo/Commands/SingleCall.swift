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

    /// All of stdin as text (at most 16 MiB), for `-` arguments.
    static func stdinText(_ what: String) throws(CLIFailure) -> String {
        do {
            return String(decoding: try FileSystem.read("/dev/stdin", limit: 16 << 20), as: UTF8.self)
        } catch {
            throw CLIFailure("\(what): cannot read stdin: \(error.message)")
        }
    }

    /// A JSON object from an argument, or from stdin when the argument is "-".
    static func jsonObject(_ text: String, _ what: String) throws(CLIFailure) -> JSON {
        let source = text == "-" ? try stdinText(what) : text
        guard let parsed = try? JSON.parse(source), case .object = parsed else {
            throw CLIFailure("\(what) must be a JSON object\(text == "-" ? " (read from stdin)" : "")")
        }
        return parsed
    }

    /// Adds (or replaces) members of a JSON object.
    static func merging(_ base: JSON, _ members: [(String, JSON?)]) -> JSON {
        guard case .object(var existing) = base else { return base }
        for (key, value) in members {
            guard let value else { continue }
            if let i = existing.firstIndex(where: { $0.0 == key }) { existing[i].1 = value } else { existing.append((key, value)) }
        }
        return .object(existing)
    }

    /// "name=value" pairs (repeatable flags) → [(name, value)]; the first "=" splits.
    static func pairs(_ items: [String], _ flag: String) throws(CLIFailure) -> [(String, String)] {
        var out: [(String, String)] = []
        for item in items {
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw CLIFailure("\(flag) \"\(item)\": expected name=value")
            }
            out.append((String(item[..<eq]), String(item[item.index(after: eq)...])))
        }
        return out
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
