// The server's own words from an error answer, which may be JSON ({"message":...}, {"error":...})
// or a plain sentence. Kept short and single-line so it fits an error message or a report row.

func serverMessage(_ body: [UInt8], limit: Int = 300) -> String {
    if case .success(let document) = JSONDocument.parse(body) {
        let root = document.root
        if let text = root.string { return clipped(text, limit) }
        for key in ["message", "error", "description", "errorMessage", "detail"] {
            if let text = root[key]?.string, !text.isEmpty { return clipped(text, limit) }
        }
        if root.kind == .object || root.kind == .array {
            return clipped(String(decoding: root.compactBytes(), as: UTF8.self), limit)
        }
    }
    return clipped(String(decoding: body, as: UTF8.self), limit)
}

private func clipped(_ text: String, _ limit: Int) -> String {
    var out = ""
    var count = 0
    for scalar in text.unicodeScalars {
        if count == limit { out += "…"; break }
        out.unicodeScalars.append(scalar.value < 0x20 || scalar.value == 0x7F ? " " : scalar)
        count += 1
    }
    while out.hasSuffix(" ") { out.removeLast() }
    while out.hasPrefix(" ") { out.removeFirst() }
    return out.isEmpty ? "(empty answer)" : out
}

/// "HTTP 400: <server message>" for reports and errors.
func httpFailureText(status: Int, body: [UInt8]) -> String {
    "HTTP \(status): \(serverMessage(body))"
}
