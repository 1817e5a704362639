// The API key never leaves in a message, even if a server were to echo it.
import Testing
@testable import YespoCore

@Suite struct RedactionTests {
    @Test func theKeyIsMaskedWherever() {
        #expect(redactingSecret("bad key s3cr3t-key given; s3cr3t-key again", "s3cr3t-key") == "bad key [redacted] given; [redacted] again")
        #expect(redactingSecret("nothing here", "s3cr3t-key") == "nothing here")
        #expect(redactingSecret("abc", "ab") == "abc")   // too short to be a key: left alone
    }

    @Test func serverMessagesAreShortAndSingleLine() {
        #expect(serverMessage(Array(#"{"status":400,"message":"bad\nthing"}"#.utf8)) == "bad thing")
        #expect(serverMessage(Array("Contact with id='5' has been updated".utf8)) == "Contact with id='5' has been updated")
        #expect(serverMessage([]) == "(empty answer)")
        #expect(serverMessage(Array(String(repeating: "x", count: 1000).utf8)).count == 301)
    }
}
