// The rule for `eventKeyForNewContacts`, as the API reference states it: at most 100 characters,
// any character except ‹ ; ’ \ / | " ' ^ ? ! , > (the guide's "Latin letters and digits" is
// stricter than the server; keys like "new_contact-2" are valid).

public enum EventKeyRule {
    static let forbidden: Set<Character> = ["\u{2039}", ";", "\u{2019}", "\\", "/", "|", "\"", "'", "^", "?", "!", ",", ">"]

    /// What is wrong with `key`, or nil when the server accepts it.
    public static func problem(_ key: String) -> String? {
        if key.isEmpty { return "is empty" }
        if key.count > 100 { return "has \(key.count) characters; at most 100 are allowed" }
        if let bad = key.first(where: { forbidden.contains($0) }) {
            return "contains \"\(bad)\"; any character is allowed except ‹ ; ’ \\ / | \" ' ^ ? ! , >"
        }
        return nil
    }
}
