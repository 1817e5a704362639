// jansson, read side: parse untrusted bytes (options, server responses) into a tree the caller
// walks through `JSONNode` views. Responses may be plain text, so parsing never throws on its own:
// callers decide whether "not JSON" is an error.
import CJansson

/// Owns one parsed jansson tree; the tree is freed when the document goes away.
final class JSONDocument {
    let root: JSONNode
    private let pointer: UnsafeMutablePointer<json_t>

    private init(pointer: UnsafeMutablePointer<json_t>) {
        self.pointer = pointer
        self.root = JSONNode(pointer)
    }

    deinit { yespo_json_decref(pointer) }

    /// Parses `bytes` as one JSON value (any type at the top). On failure returns the parser's
    /// message with the byte position, for errors that say where.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Result<JSONDocument, JSONParseFailure> {
        var error = json_error_t()
        let base = bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
        let empty: CChar = 0
        let parsed: UnsafeMutablePointer<json_t>? = withUnsafePointer(to: empty) { emptyPointer in
            json_loadb(base ?? emptyPointer, bytes.count, size_t(JSON_DECODE_ANY | JSON_REJECT_DUPLICATES), &error)
        }
        guard let parsed else {
            let text = withUnsafeBytes(of: &error.text) { raw -> String in
                let chars = raw.bindMemory(to: UInt8.self)
                let end = chars.firstIndex(of: 0) ?? chars.count
                return String(decoding: chars[..<end], as: UTF8.self)
            }
            return .failure(JSONParseFailure(message: text, position: Int(error.position)))
        }
        return .success(JSONDocument(pointer: parsed))
    }

    static func parse(_ bytes: [UInt8]) -> Result<JSONDocument, JSONParseFailure> {
        bytes.withUnsafeBytes { parse($0) }
    }

    static func parse(_ text: String) -> Result<JSONDocument, JSONParseFailure> {
        var copy = text
        return copy.withUTF8 { parse(UnsafeRawBufferPointer($0)) }
    }
}

struct JSONParseFailure: Error {
    var message: String
    /// Byte offset where the parser stopped.
    var position: Int
}

enum JSONKind: Equatable {
    case object, array, string, integer, real, bool, null
}

/// A borrowed view of one value inside a `JSONDocument`; valid only while the document lives.
struct JSONNode {
    let pointer: UnsafeMutablePointer<json_t>

    init(_ pointer: UnsafeMutablePointer<json_t>) { self.pointer = pointer }

    var kind: JSONKind {
        switch yespo_json_typeof(pointer) {
        case Int32(JSON_OBJECT.rawValue): return .object
        case Int32(JSON_ARRAY.rawValue): return .array
        case Int32(JSON_STRING.rawValue): return .string
        case Int32(JSON_INTEGER.rawValue): return .integer
        case Int32(JSON_REAL.rawValue): return .real
        case Int32(JSON_TRUE.rawValue), Int32(JSON_FALSE.rawValue): return .bool
        default: return .null
        }
    }

    /// Human name of the kind, for "expected X, got Y" messages.
    var kindName: String {
        switch kind {
        case .object: return "an object"
        case .array: return "an array"
        case .string: return "a string"
        case .integer: return "an integer"
        case .real: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }

    var string: String? {
        guard kind == .string, let chars = json_string_value(pointer) else { return nil }
        let length = json_string_length(pointer)
        return chars.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    var int64: Int64? {
        switch kind {
        case .integer: return Int64(json_integer_value(pointer))
        case .real:
            let value = json_real_value(pointer)
            guard value.rounded() == value, abs(value) < 9.0e15 else { return nil }
            return Int64(value)
        default: return nil
        }
    }

    var double: Double? {
        switch kind {
        case .integer: return Double(json_integer_value(pointer))
        case .real: return json_real_value(pointer)
        default: return nil
        }
    }

    var bool: Bool? {
        guard kind == .bool else { return nil }
        return yespo_json_typeof(pointer) == Int32(JSON_TRUE.rawValue)
    }

    subscript(key: String) -> JSONNode? {
        guard kind == .object, let child = json_object_get(pointer, key) else { return nil }
        return JSONNode(child)
    }

    var count: Int {
        switch kind {
        case .array: return json_array_size(pointer)
        case .object: return json_object_size(pointer)
        default: return 0
        }
    }

    var elements: [JSONNode] {
        guard kind == .array else { return [] }
        var out: [JSONNode] = []
        out.reserveCapacity(json_array_size(pointer))
        for i in 0..<json_array_size(pointer) {
            if let child = json_array_get(pointer, i) { out.append(JSONNode(child)) }
        }
        return out
    }

    /// Object members in document order.
    var members: [(key: String, value: JSONNode)] {
        guard kind == .object else { return [] }
        var out: [(key: String, value: JSONNode)] = []
        var iterator = json_object_iter(pointer)
        while let current = iterator {
            if let key = json_object_iter_key(current), let value = json_object_iter_value(current) {
                out.append((String(cString: key), JSONNode(value)))
            }
            iterator = json_object_iter_next(pointer, current)
        }
        return out
    }

    /// Compact JSON text of this value (for passing a sub-tree through unchanged).
    func compactBytes() -> [UInt8] {
        let flags = size_t(JSON_COMPACT) | size_t(JSON_ENCODE_ANY)
        let needed = json_dumpb(pointer, nil, 0, flags)
        guard needed > 0 else { return Array("null".utf8) }
        var out = [UInt8](repeating: 0, count: needed)
        let written = out.withUnsafeMutableBytes { raw in
            json_dumpb(pointer, raw.baseAddress?.assumingMemoryBound(to: CChar.self), needed, flags)
        }
        if written < out.count { out.removeLast(out.count - written) }
        return out
    }
}
