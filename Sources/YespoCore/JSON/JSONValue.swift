// A small JSON value for code that builds or reads whole documents (the CLI's journal, its single
// calls and their printing). It is parsed by the core's one parser (JSONDocument, jansson) and
// written by its one writer (JSONOutput), so JSON's grammar — escapes, numbers, UTF-8 — is known
// in one place. The hot path (contacts) never builds one: it splices bytes.

public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    public var string: String? { if case .string(let s) = self { return s } else { return nil } }
    public var bool: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var array: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var double: Double? { if case .number(let n) = self { return n } else { return nil } }

    public var int: Int? {
        guard case .number(let n) = self, n.rounded() == n, abs(n) < 9.0e15 else { return nil }
        return Int(n)
    }

    /// Numeric field of an object, 0 when absent.
    public func count(_ key: String) -> Int { self[key]?.int ?? 0 }
}

/// Where a text stopped being JSON.
public struct JSONValueError: Error, CustomStringConvertible, Sendable {
    public var offset: Int
    public var what: String
    public var description: String { "\(what) at byte \(offset)" }
}

extension JSONValue {
    public static func parse(_ text: String) throws(JSONValueError) -> JSONValue {
        try parse(bytes: Array(text.utf8))
    }

    public static func parse(bytes: [UInt8]) throws(JSONValueError) -> JSONValue {
        switch JSONDocument.parse(bytes) {
        case .success(let document): return JSONValue(document.root)
        case .failure(let failure): throw JSONValueError(offset: failure.position, what: failure.message)
        }
    }

    init(_ node: JSONNode) {
        switch node.kind {
        case .null: self = .null
        case .bool: self = .bool(node.bool ?? false)
        case .integer, .real: self = .number(node.double ?? 0)
        case .string: self = .string(node.string ?? "")
        case .array: self = .array(node.elements.map(JSONValue.init))
        case .object: self = .object(node.members.map { ($0.key, JSONValue($0.value)) })
        }
    }

    public func encoded() -> String {
        var out = JSONOutput(capacity: 128)
        write(into: &out)
        return out.text
    }

    func write(into out: inout JSONOutput) {
        switch self {
        case .null: out.null()
        case .bool(let b): out.bool(b)
        case .number(let n): out.number(n)
        case .string(let s): out.string(s)
        case .array(let items):
            out.raw("[")
            for (i, item) in items.enumerated() {
                if i > 0 { out.raw(",") }
                item.write(into: &out)
            }
            out.raw("]")
        case .object(let members):
            out.raw("{")
            for (i, (key, value)) in members.enumerated() {
                if i > 0 { out.raw(",") }
                out.string(key)
                out.raw(":")
                value.write(into: &out)
            }
            out.raw("}")
        }
    }

    /// A string as a JSON string literal.
    public static func quoted(_ s: String) -> String {
        var out = JSONOutput(capacity: s.utf8.count + 2)
        out.string(s)
        return out.text
    }

    /// Indented rendering for humans (`contact get`, `status`).
    public func pretty(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1)
        let closePad = String(repeating: "  ", count: indent)
        switch self {
        case .array(let items) where !items.isEmpty:
            return "[\n" + items.map { pad + $0.pretty(indent: indent + 1) }.joined(separator: ",\n")
                + "\n" + closePad + "]"
        case .object(let members) where !members.isEmpty:
            return "{\n" + members.map { pad + JSONValue.quoted($0.0) + ": " + $0.1.pretty(indent: indent + 1) }
                .joined(separator: ",\n") + "\n" + closePad + "}"
        default:
            return encoded()
        }
    }
}
