// `yespo unsubscribe EMAIL…` and `yespo resubscribe EMAIL…`: the account's unsubscribed list
// (POST /emails/unsubscribed/add and /delete).
import ArgumentParser
import YespoCore

struct UnsubscribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unsubscribe",
        abstract: "Add emails to the account's unsubscribed list (POST /emails/unsubscribed/add).")

    @Argument(help: ArgumentHelp("Email addresses (or - to read one per line from stdin).", valueName: "email"))
    var emails: [String] = []
    @OptionGroup(title: "Connection") var connection: ConnectionOptions

    func run() throws { try UnsubscribedList.change(emails, unsubscribe: true, connection) }
}

struct ResubscribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resubscribe",
        abstract: "Remove emails from the account's unsubscribed list (POST /emails/unsubscribed/delete).")

    @Argument(help: ArgumentHelp("Email addresses (or - to read one per line from stdin).", valueName: "email"))
    var emails: [String] = []
    @OptionGroup(title: "Connection") var connection: ConnectionOptions

    func run() throws { try UnsubscribedList.change(emails, unsubscribe: false, connection) }
}

enum UnsubscribedList {
    static func change(_ arguments: [String], unsubscribe: Bool, _ connection: ConnectionOptions) throws {
        var emails: [String] = []
        for argument in arguments {
            if argument == "-" {
                let text = try SingleCall.stdinText("-")
                emails += text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map { trimWhitespace(String($0)) }.filter { !$0.isEmpty }
            } else {
                emails.append(trimWhitespace(argument))
            }
        }
        guard !emails.isEmpty else { throw CLIFailure("give at least one email address (or - for stdin)") }
        for email in emails where !email.contains("@") || email.contains(" ") {
            throw CLIFailure("\"\(email)\" is not an email address")
        }
        let body = JSON.array(emails.map { .string($0) }).encoded()
        let client = try connection.makeClient()
        defer { client.close() }
        let verb = unsubscribe ? "unsubscribe" : "resubscribe"
        try SingleCall.run("cannot \(verb) \(emails.count == 1 ? emails[0] : "\(emails.count) emails")") { () throws(YespoError) in
            try client.setUnsubscribed(body, unsubscribe: unsubscribe)
        }
        Terminal.out("\(unsubscribe ? "unsubscribed" : "resubscribed") \(Format.count(emails.count)) email\(emails.count == 1 ? "" : "s")\n")
    }
}
