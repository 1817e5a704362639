// `yespo contact get|search|add|update|delete`: one contact at a time.
import ArgumentParser
import YespoCore

struct ContactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contact",
        abstract: "Get, search, add, update or delete single contacts.",
        subcommands: [Get.self, Search.self, Add.self, Update.self, Delete.self])

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one contact by its Yespo id.")

        @Argument(help: "The contact id.") var id: Int64
        @Flag(name: .long, help: "Print compact JSON.") var json = false
        @OptionGroup(title: "Connection") var connection: ConnectionOptions

        func run() throws {
            let client = try connection.makeClient()
            defer { client.close() }
            let answer = try SingleCall.run("cannot get contact \(id)") { () throws(YespoError) -> String in
                try client.getContact(id: id)
            }
            SingleCall.printJSON(answer, compact: json)
        }
    }

    struct Search: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Find contacts by email, phone, name or external id.")

        @Option(name: .long, help: "Email address.") var email: String?
        @Option(name: .long, help: "Phone number.") var sms: String?
        @Option(name: .long, help: "First name.") var firstName: String?
        @Option(name: .long, help: "Last name.") var lastName: String?
        @Option(name: .long, help: "External customer id.") var externalId: String?
        @Option(name: .long, help: "First result to show, from 1.") var start: Int = 1
        @Option(name: .long, help: "Results per page, 1-500.") var max: Int = 500
        @Flag(name: .long, help: "Print JSON.") var json = false
        @OptionGroup(title: "Connection") var connection: ConnectionOptions

        func validate() throws {
            if email == nil && sms == nil && firstName == nil && lastName == nil && externalId == nil {
                throw ValidationError("give at least one of --email, --sms, --first-name, --last-name, --external-id")
            }
            if start < 1 { throw ValidationError("--start counts from 1") }
            if !(1...500).contains(max) { throw ValidationError("--max must be 1 to 500") }
        }

        func run() throws {
            let query = SingleCall.object([
                ("email", email.map { .string($0) }), ("sms", sms.map { .string($0) }),
                ("firstname", firstName.map { .string($0) }), ("lastname", lastName.map { .string($0) }),
                ("externalCustomerId", externalId.map { .string($0) }),
                ("startindex", .number(Double(start))), ("maxrows", .number(Double(max))),
            ])
            let client = try connection.makeClient()
            defer { client.close() }
            let answer = try SingleCall.run("cannot search contacts") { () throws(YespoError) -> String in
                try client.searchContacts(query)
            }
            if json { SingleCall.printJSON(answer, compact: true); return }
            let parsed = try? JSON.parse(answer)
            let contacts = parsed?["contacts"]?.array ?? []
            let total = parsed?["totalCount"]?.int ?? contacts.count
            var out = "\(Format.count(total)) contact\(total == 1 ? "" : "s") found"
            if total > contacts.count { out += " (showing \(Format.count(start))-\(Format.count(start + contacts.count - 1)))" }
            out += "\n"
            for contact in contacts { out += SingleCall.contactLine(contact) + "\n" }
            Terminal.out(Secrets.redact(out))
            if total == 0 { throw ExitCode(ExitStatus.partial) }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add or update one contact (POST /contact).",
            discussion: "Give the contact as JSON (--contact '{...}', or --contact - to read it from stdin) or build it from the flags.")

        @OptionGroup var contact: ContactFlags
        @Flag(name: .long, help: "Print JSON.") var json = false
        @OptionGroup(title: "Connection") var connection: ConnectionOptions

        func run() throws {
            let body = try contact.json()
            let client = try connection.makeClient()
            defer { client.close() }
            let answer = try SingleCall.run("cannot add the contact") { () throws(YespoError) -> String in
                try client.addContact(body)
            }
            if json { SingleCall.printJSON(answer, compact: true); return }
            let id = (try? JSON.parse(answer))?["id"]
            Terminal.out("contact id \(id?.int.map(String.init) ?? id?.string ?? answer)\n")
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Update one existing contact by its Yespo id (PUT /contact/{id}; never creates).",
            discussion: """
                Give the contact as JSON (--contact '{...}', or --contact - to read it from stdin) or build it \
                from the flags. Fields the contact leaves out may be emptied by Yespo, as with the API. \
                Exit 1 when there is no contact with that id.
                """)

        @Argument(help: "The contact id.") var id: Int64
        @OptionGroup var contact: ContactFlags
        @OptionGroup(title: "Connection") var connection: ConnectionOptions

        func validate() throws {
            if id < 1 { throw ValidationError("the contact id must be positive") }
        }

        func run() throws {
            let body = try contact.json()
            let client = try connection.makeClient()
            defer { client.close() }
            try SingleCall.run("cannot update contact \(id)") { () throws(YespoError) in
                try client.updateContact(id: id, body)
            }
            Terminal.out("updated contact \(id)\n")
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete one contact by id or by external customer id.")

        @Argument(help: "The contact id.") var id: Int64?
        @Option(name: .long, help: "Delete by external customer id instead.") var externalId: String?
        @Flag(name: .long, help: "GDPR erase (with --external-id): the contact cannot be restored.") var erase = false
        @OptionGroup(title: "Connection") var connection: ConnectionOptions

        func validate() throws {
            if (id == nil) == (externalId == nil) { throw ValidationError("give either a contact id or --external-id") }
            if erase && externalId == nil { throw ValidationError("--erase works with --external-id") }
        }

        func run() throws {
            let client = try connection.makeClient()
            defer { client.close() }
            if let id {
                try SingleCall.run("cannot delete contact \(id)") { () throws(YespoError) in try client.deleteContact(id: id) }
                Terminal.out("deleted contact \(id)\n")
            } else if let externalId {
                try SingleCall.run("cannot delete the contact with external id \(externalId)") { () throws(YespoError) in
                    try client.deleteContact(externalCustomerId: externalId, erase: erase)
                }
                Terminal.out("\(erase ? "erased" : "deleted") the contact with external id \(externalId)\n")
            }
        }
    }
}

/// A contact object from either a JSON argument or individual flags (contact add, contact update).
struct ContactFlags: ParsableArguments {
    @Option(name: .long, help: "The contact as a JSON object (- reads it from stdin).") var contact: String?
    @Option(name: .long, help: "Email address.") var email: String?
    @Option(name: .long, help: "Phone number.") var sms: String?
    @Option(name: .long, help: "First name.") var firstName: String?
    @Option(name: .long, help: "Last name.") var lastName: String?
    @Option(name: .long, help: "External customer id.") var externalId: String?

    func value() throws(CLIFailure) -> JSON {
        if let contact {
            let text = contact == "-" ? try SingleCall.stdinText("--contact -") : contact
            guard let parsed = try? JSON.parse(text), case .object = parsed else {
                throw CLIFailure(contact == "-" ? "stdin must hold the contact as a JSON object" : "--contact must be a JSON object")
            }
            return parsed
        }
        var channels: [JSON] = []
        if let email { channels.append(.object([("type", .string("email")), ("value", .string(email))])) }
        if let sms { channels.append(.object([("type", .string("sms")), ("value", .string(sms))])) }
        guard !channels.isEmpty else { throw CLIFailure("give --email or --sms (or the whole --contact JSON)") }
        var members: [(String, JSON)] = [("channels", .array(channels))]
        if let firstName { members.append(("firstName", .string(firstName))) }
        if let lastName { members.append(("lastName", .string(lastName))) }
        if let externalId { members.append(("externalCustomerId", .string(externalId))) }
        return .object(members)
    }

    func json() throws(CLIFailure) -> String { try value().encoded() }
}
