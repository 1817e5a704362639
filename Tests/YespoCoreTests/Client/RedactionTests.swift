// The API key never leaves in a message, even if a server were to echo it.
import Synchronization
import Testing
@testable import YespoCore

@Suite struct RedactionTests {
    @Test func theKeyIsMaskedWherever() {
        #expect(redactingSecret("bad key s3cr3t-key given; s3cr3t-key again", "s3cr3t-key") == "bad key [redacted] given; [redacted] again")
        #expect(redactingSecret("nothing here", "s3cr3t-key") == "nothing here")
        #expect(redactingSecret("abc", "ab") == "abc")   // too short to be a key: left alone
    }

    /// Found by fuzz/responses (seed corpus/error-key-combining.txt): a combining mark right after
    /// the key made String.contains miss it, and the key went out unredacted.
    @Test func theKeyIsMaskedEvenWhenACombiningMarkFollows() {
        let echoed = "key s3cr3t-key\u{301} rejected"
        let masked = redactingSecret(echoed, "s3cr3t-key")
        #expect(!Array(masked.utf8).split(separator: 0x20).contains { $0.starts(with: Array("s3cr3t-key".utf8)) })
        #expect(masked == "key [redacted]\u{301} rejected")
    }

    /// A server (or proxy) that echoes the Authorization header must not leak the key either:
    /// Base64(":s3cr3t-key") is masked like the key itself.
    @Test func theBasicAuthFormOfTheKeyIsMaskedToo() {
        let basic = base64Encode(Array(":s3cr3t-key".utf8))
        #expect(redactingSecret("got Authorization: Basic \(basic) from you", "s3cr3t-key") == "got Authorization: Basic [redacted] from you")
    }

    @Test func serverMessagesAreShortAndSingleLine() {
        #expect(serverMessage(Array(#"{"status":400,"message":"bad\nthing"}"#.utf8)) == "bad thing")
        #expect(serverMessage(Array("Contact with id='5' has been updated".utf8)) == "Contact with id='5' has been updated")
        #expect(serverMessage([]) == "(empty answer)")
        #expect(serverMessage(Array(String(repeating: "x", count: 1000).utf8)).count == 301)
    }

    /// The one redactor sits in the log sink: a server that echoes the key (with a combining mark
    /// after it, and in its Basic-auth form) reaches the log handler masked.
    @Test func logLinesReachTheHandlerRedacted() throws {
        let key = "echo-me-key-42"
        let basic = base64Encode(Array(":\(key)".utf8))
        try EmulatorProcess.with(["--quiet", "--api-key", key]) { emu in
            let config = #"{"duplicateBody":"Duplicated request: \#(key)\u0301 / Basic \#(basic)"}"#
            _ = try emu.adminText("POST", "/config", body: config)
            _ = try emu.adminText("POST", "/faults", body: #"{"rules":[{"method":"POST","path":"/api/v1/contacts","count":1,"action":"duplicated"}]}"#)
            let client = try jobClient(emu, apiKey: key)
            defer { client.close() }
            let lines = Mutex<[String]>([])
            client.setLogHandler(maxLevel: .debug) { _, line in lines.withLock { $0.append(line) } }
            let job = try client.beginUpsert(UpsertOptions())
            try job.feed(jobContacts("redact", 0..<5))
            let report = try job.finish()
            #expect(report.acceptedByDuplicatedRequest == 5)
            let text = lines.withLock { $0.joined(separator: "\n") }
            #expect(Array(text.utf8).containsSubsequence(Array("Duplicated request: [redacted]".utf8)), "\(text.prefix(2000))")
            #expect(!Array(text.utf8).containsSubsequence(Array(key.utf8)))
            #expect(!text.contains(basic))
        }
    }
}

extension Array where Element == UInt8 {
    func containsSubsequence(_ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}
