// The API key never leaves in a message, even if a server were to echo it.
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
}
