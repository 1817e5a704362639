// libFuzzer target over every parser of server answers: the bulk answer (asyncSessionId,
// failedContacts as array/object/absent), /importstatus (job side and client side), search and
// segment pages, contact-id answers, error bodies (JSON or plain text), and the JSON tree itself.
// run.sh compiles this file together with Sources/YespoCore/**, so `internal` code is reachable
// without a public test seam. Beyond "no crash", each parser must keep its promise: outputs that
// claim to be JSON parse back, error texts stay short and single-line, the key is never shown.

import Glibc

private let apiKey = "fuzz-K3y-5ecret"

/// One client for the process; the fuzzer never sends (it calls the answer parsers only), and the
/// closed loopback port makes sure nothing could leave the machine anyway.
private let client: YespoClient? = {
    var settings = ClientSettings(apiKey: apiKey)
    settings.baseURL = "http://127.0.0.1:9/api/v1"
    return try? YespoClient(settings: settings)
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzResponse(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let body = size > 0 && data != nil ? Array(UnsafeBufferPointer(start: data, count: size)) : []
    walkTree(body)
    checkBulkAnswer(body)
    _ = ImportStatus.parse(body)
    checkErrorText(body)
    if let client { checkClientAnswers(client, body) }
    return 0
}

private func fail(_ what: String, _ body: [UInt8]) -> Never {
    let line = Array("fuzz_responses: \(what) (input of \(body.count) bytes)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    abort()
}

/// Touches every accessor of every node, as the engine's readers might.
private func walkTree(_ body: [UInt8]) {
    guard case .success(let document) = JSONDocument.parse(body) else { return }
    var pending = [document.root]
    while let node = pending.popLast() {
        _ = (node.kind, node.kindName, node.string, node.int64, node.double, node.bool, node.count)
        pending.append(contentsOf: node.elements)
        pending.append(contentsOf: node.members.map(\.value))
        _ = node["status"]
    }
    let text = document.root.compactBytes()
    guard case .success = JSONDocument.parse(text) else { fail("compactBytes is not JSON", body) }
}

private func checkBulkAnswer(_ body: [UInt8]) {
    guard let answer = BulkAnswer.parse(body) else { return }
    for failure in answer.failures {
        if let position = failure.position, position < 0 || position >= Int(Int32.max) {
            fail("failure position \(position) out of range", body)
        }
        if failure.reason.isEmpty { fail("failure without a reason", body) }
    }
}

/// Error texts end up in messages and report rows: bounded, single-line, never the key.
private func checkErrorText(_ body: [UInt8]) {
    let message = serverMessage(body)
    if message.isEmpty { fail("empty server message", body) }
    if message.unicodeScalars.count > 301 { fail("server message longer than the limit", body) }
    if message.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
        fail("control character in a server message", body)
    }
    let redacted = redactingSecret(httpFailureText(status: 500, body: body), apiKey)
    if containsBytes(Array(redacted.utf8), Array(apiKey.utf8)) { fail("the API key survived redaction", body) }
    if containsBytes(Array(redacted.utf8), Array(base64Encode(Array((":" + apiKey).utf8)).utf8)) {
        fail("the API key's Basic-auth form survived redaction", body)
    }
}

/// The client's normalised answers (include/yespo.h shapes) must be JSON objects of that shape.
private func checkClientAnswers(_ client: YespoClient, _ body: [UInt8]) {
    let plain = HTTPResponse(status: 200, body: body, headers: [:])
    // a TotalCount header taken from the input's first line, as a hostile server may send
    let firstLine = body.prefix(24).prefix { $0 != 10 }
    let withTotal = HTTPResponse(status: 200, body: body,
                                 headers: ["totalcount": String(decoding: firstLine, as: UTF8.self)])
    if let text = try? client.importStatusAnswer(plain, "GET /importstatus/x") {
        reparsed(text, body) { root in
            guard root["status"]?.string != nil, root["mapping"]?.kind == .array else {
                fail("importstatus answer without status or mapping array: \(text)", body)
            }
        }
    }
    for response in [plain, withTotal] {
        if let text = try? client.pageAnswer(response, "GET /contacts") {
            reparsed(text, body) { root in
                guard root["totalCount"]?.kind == .integer, root["contacts"]?.kind == .array else {
                    fail("page answer without totalCount or contacts array: \(text)", body)
                }
            }
        }
    }
    if let text = try? client.idAnswer(plain, "POST /contact") {
        reparsed(text, body) { root in
            guard root["id"]?.kind == .integer else { fail("id answer without id: \(text)", body) }
        }
    }
}

/// Checks a normalised answer's root while its document is alive (a JSONNode only borrows it).
private func reparsed(_ text: String, _ body: [UInt8], _ check: (JSONNode) -> Void) {
    guard case .success(let document) = JSONDocument.parse(text), document.root.kind == .object else {
        fail("normalised answer is not a JSON object: \(text)", body)
    }
    withExtendedLifetime(document) { check(document.root) }
}

private func containsBytes(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
    guard !needle.isEmpty, hay.count >= needle.count else { return false }
    for start in 0...(hay.count - needle.count) where hay[start] == needle[0] {
        if hay[start..<start + needle.count].elementsEqual(needle) { return true }
    }
    return false
}
