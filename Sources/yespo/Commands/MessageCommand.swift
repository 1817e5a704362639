// `yespo message email|sms|send`: one message send (POST /message/email, /message/sms,
// /message/{id}/send). Sending to an unknown address or phone creates that contact. The flags build
// the common body; --body adds any other field of the API (JSON, or - for stdin).
import ArgumentParser
import YespoCore

struct MessageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "message",
        abstract: "Send an email, an SMS or a prepared message (creates unknown contacts).",
        subcommands: [Email.self, SMS.self, Send.self])

    struct Email: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Send an email (POST /message/email).")
        @Option(name: .long, help: ArgumentHelp("Recipient email (repeatable).", valueName: "email")) var to: [String] = []
        @Option(name: .customLong("from"), help: ArgumentHelp("Sender, e.g. '\"Shop\" <shop@example.com>'.", valueName: "sender"))
        var sender: String?
        @Option(name: .long, help: "Subject.") var subject: String?
        @Option(name: .long, help: ArgumentHelp("HTML body (@FILE reads a file).", valueName: "html")) var html: String?
        @Option(name: .long, help: ArgumentHelp("Plain-text body (@FILE reads a file).", valueName: "text")) var text: String?
        @OptionGroup var request: MessageRequestOptions

        func run() throws {
            let body = SingleCall.merging(try request.bodyObject(), [
                ("from", sender.map { .string($0) }), ("subject", subject.map { .string($0) }),
                ("htmlText", try html.map { t throws(CLIFailure) in .string(try MessageText.read(t, "--html")) }),
                ("plainText", try text.map { t throws(CLIFailure) in .string(try MessageText.read(t, "--text")) }),
                ("emails", to.isEmpty ? nil : .array(to.map { .string($0) })),
            ]).encoded()
            try request.send("cannot send the email") { c throws(YespoError) in try c.sendEmailMessage(body) }
        }
    }

    struct SMS: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sms", abstract: "Send an SMS (POST /message/sms).")
        @Option(name: .long, help: ArgumentHelp("Recipient phone number (repeatable).", valueName: "phone")) var to: [String] = []
        @Option(name: .customLong("from"), help: ArgumentHelp("Sender name (an alpha name set up in Yespo).", valueName: "sender"))
        var sender: String?
        @Option(name: .long, help: ArgumentHelp("The message text (@FILE reads a file).", valueName: "text")) var text: String?
        @OptionGroup var request: MessageRequestOptions

        func run() throws {
            let body = SingleCall.merging(try request.bodyObject(), [
                ("from", sender.map { .string($0) }),
                ("text", try text.map { t throws(CLIFailure) in .string(try MessageText.read(t, "--text")) }),
                ("phoneNumbers", to.isEmpty ? nil : .array(to.map { .string($0) })),
            ]).encoded()
            try request.send("cannot send the SMS") { c throws(YespoError) in try c.sendSMSMessage(body) }
        }
    }

    struct Send: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a prepared message (POST /message/{id}/send).",
            discussion: "--param name=value fills the message's personalisation parameters (sent as {\"key\",\"value\"} pairs).")
        @Argument(help: ArgumentHelp("The prepared message's id.", valueName: "id")) var id: Int64
        @Option(name: .long, help: ArgumentHelp("Recipient email or phone (repeatable).", valueName: "recipient")) var to: [String] = []
        @Option(name: .long, help: ArgumentHelp("A message parameter (repeatable).", valueName: "name=value")) var param: [String] = []
        @Flag(name: .long, help: "The recipients are emails (the API's \"email\": true); default: as the message's channel.")
        var email = false
        @OptionGroup var request: MessageRequestOptions

        func validate() throws {
            if id < 1 { throw ValidationError("the message id must be positive") }
        }

        func run() throws {
            let params = try SingleCall.pairs(param, "--param")
            let body = SingleCall.merging(try request.bodyObject(), [
                ("recipients", to.isEmpty ? nil : .array(to.map { .string($0) })),
                ("params", params.isEmpty ? nil : .array(params.map { .object([("key", .string($0.0)), ("value", .string($0.1))]) })),
                ("email", email ? .bool(true) : nil),
            ]).encoded()
            try request.send("cannot send message \(id)") { c throws(YespoError) in
                try c.sendPreparedMessage(id: id, body)
            }
        }
    }
}

enum MessageText {
    /// A flag's text, or a file's when it starts with "@".
    static func read(_ value: String, _ flag: String) throws(CLIFailure) -> String {
        guard value.hasPrefix("@") else { return value }
        let path = String(value.dropFirst())
        do { return String(decoding: try FileSystem.read(path, limit: 16 << 20), as: UTF8.self) } catch {
            throw CLIFailure("\(flag) \(value): \(error.message)")
        }
    }

}

/// What every message command shares: the request as JSON (flags override its fields), how the
/// answer is printed, and the connection.
struct MessageRequestOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The request as JSON (- for stdin); flags override its fields.", valueName: "json"))
    var body: String?
    @Flag(name: .long, help: "Print the answer as compact JSON.") var json = false
    @OptionGroup(title: "Connection") var connection: ConnectionOptions

    func bodyObject() throws(CLIFailure) -> JSON {
        try body.map { t throws(CLIFailure) in try SingleCall.jsonObject(t, "--body") } ?? .object([])
    }

    func send(_ action: String, _ call: (YespoClient) throws(YespoError) -> String) throws {
        let client = try connection.makeClient()
        defer { client.close() }
        let answer = try SingleCall.run(action) { () throws(YespoError) -> String in try call(client) }
        SingleCall.printJSON(answer, compact: json)
    }
}
