// `yespo segment list|attach|detach|contacts`: static segments (groups).
import ArgumentParser
import YespoCore

struct SegmentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment",
        abstract: "List segments, and attach contacts to or detach them from a static segment.",
        subcommands: [List.self, Attach.self, Detach.self, Contacts.self])

    /// Contacts named by Yespo id or by external id: one kind per request, as the API wants.
    struct ContactSelection: ParsableArguments {
        @Option(name: .long, help: ArgumentHelp("A contact id (repeatable, or comma-separated).", valueName: "id"))
        var contactId: [String] = []
        @Option(name: .long, help: ArgumentHelp("An external customer id (repeatable).", valueName: "id"))
        var externalId: [String] = []

        var isEmpty: Bool { contactId.isEmpty && externalId.isEmpty }

        func idsJSON() throws(CLIFailure) -> String {
            if !contactId.isEmpty && !externalId.isEmpty {
                throw CLIFailure("give --contact-id or --external-id, not both (the API takes one kind per request)")
            }
            if !externalId.isEmpty {
                return JSON.object([("externalCustomerIds", .array(externalId.map { .string($0) }))]).encoded()
            }
            var ids: [JSON] = []
            for item in contactId.flatMap({ BulkOptions.list($0) }) {
                guard let id = Int64(item), id > 0 else { throw CLIFailure("--contact-id: \"\(item)\" is not a contact id") }
                ids.append(.number(Double(id)))
            }
            return JSON.object([("contactIds", .array(ids))]).encoded()
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List segments.")
        @Option(name: .long, help: "Only segments whose name contains this.") var name: String?
        @Option(name: .long, help: "First result, from 1.") var start: Int?
        @Option(name: .long, help: "Results per page.") var max: Int?
        @Flag(name: .long, help: "Print JSON.") var json = false
        @OptionGroup(title: "Connection") var connection: ConnectionOptions

        func run() throws {
            let query = SingleCall.object([("name", name.map { .string($0) }),
                                           ("startindex", start.map { .number(Double($0)) }),
                                           ("maxrows", max.map { .number(Double($0)) })])
            let client = try connection.makeClient()
            defer { client.close() }
            let answer = try SingleCall.run("cannot list segments") { () throws(YespoError) -> String in
                try client.listSegments(query == "{}" ? nil : query)
            }
            if json { SingleCall.printJSON(answer, compact: true); return }
            let groups = (try? JSON.parse(answer))?.array ?? []
            var out = "\(Format.count(groups.count)) segment\(groups.count == 1 ? "" : "s")\n"
            for g in groups {
                let id = g["id"]?.int.map(String.init) ?? "?"
                out += "  \(Format.leftPad(id, 8))  \(Format.rightPad(g["type"]?.string ?? "", 8))  \(g["name"]?.string ?? "")\n"
            }
            Terminal.out(out)
        }
    }

    struct Attach: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add contacts to a static segment.")
        @Argument(help: "The segment (group) id.") var groupId: Int64
        @OptionGroup var selection: ContactSelection
        @OptionGroup(title: "Connection") var connection: ConnectionOptions

        func validate() throws {
            if selection.isEmpty { throw ValidationError("give --contact-id or --external-id") }
        }

        func run() throws {
            let ids = try selection.idsJSON()
            let client = try connection.makeClient()
            defer { client.close() }
            try SingleCall.run("cannot attach to segment \(groupId)") { () throws(YespoError) in
                try client.attachToSegment(groupId: groupId, ids)
            }
            Terminal.out("attached to segment \(groupId)\n")
        }
    }

    struct Detach: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove contacts from a static segment.")
        @Argument(help: "The segment (group) id.") var groupId: Int64
        @OptionGroup var selection: ContactSelection
        @Flag(name: .long, help: "Remove every contact from the segment.") var all = false
        @OptionGroup(title: "Connection") var connection: ConnectionOptions

        func validate() throws {
            if selection.isEmpty == !all { throw ValidationError("give --contact-id, --external-id, or --all") }
        }

        func run() throws {
            let ids = all ? "{}" : try selection.idsJSON()
            let client = try connection.makeClient()
            defer { client.close() }
            try SingleCall.run("cannot detach from segment \(groupId)") { () throws(YespoError) in
                try client.detachFromSegment(groupId: groupId, ids)
            }
            Terminal.out(all ? "emptied segment \(groupId)\n" : "detached from segment \(groupId)\n")
        }
    }

    struct Contacts: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the contacts of a segment (one page).")
        @Argument(help: "The segment (group) id.") var groupId: Int64
        @Option(name: .long, help: "First result, from 1.") var start: Int?
        @Option(name: .long, help: "Results per page.") var max: Int?
        @Flag(name: .long, help: "Print JSON.") var json = false
        @OptionGroup(title: "Connection") var connection: ConnectionOptions

        func run() throws {
            let query = SingleCall.object([("startindex", start.map { .number(Double($0)) }),
                                           ("maxrows", max.map { .number(Double($0)) })])
            let client = try connection.makeClient()
            defer { client.close() }
            let answer = try SingleCall.run("cannot list the contacts of segment \(groupId)") { () throws(YespoError) -> String in
                try client.segmentContacts(groupId: groupId, query == "{}" ? nil : query)
            }
            if json { SingleCall.printJSON(answer, compact: true); return }
            let parsed = try? JSON.parse(answer)
            let contacts = parsed?["contacts"]?.array ?? []
            var out = "\(Format.count(parsed?["totalCount"]?.int ?? contacts.count)) contacts in segment \(groupId)\n"
            for contact in contacts { out += SingleCall.contactLine(contact) + "\n" }
            Terminal.out(Secrets.redact(out))
        }
    }
}
