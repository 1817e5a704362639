// `yespo event` (upsert: KindCommands.swift) and `yespo event send TYPE [--key K] [--param name=value]…`: one event through the v2 API
// (POST /api/v2/event, beside the v1 base URL; --base-url-v2 overrides where it goes).
import ArgumentParser
import YespoCore

struct EventCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event",
        abstract: "Events (POST /api/v2/event): one, or a stream from files.",
        subcommands: [Send.self, EventUpsertCommand.self])

    struct Send: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send one event.",
            discussion: """
                The event needs a key: --key, or a --param named contactId, externalCustomerId, email, phone \
                or pushToken. TYPE is at most 100 characters, none of ‹ ; ’ \\ / | " ' ^ ? ! , >. \
                The v2 URL is the base URL with /v1 made /v2, unless --base-url-v2 (or YESPO_BASE_URL_V2) says otherwise.
                """)

        @Argument(help: ArgumentHelp("The event type key (eventTypeKey).", valueName: "type")) var type: String
        @Option(name: .long, help: ArgumentHelp("The event's key (keyValue), e.g. the contact's email.", valueName: "value"))
        var key: String?
        @Option(name: .long, help: ArgumentHelp("An event parameter (repeatable).", valueName: "name=value"))
        var param: [String] = []
        @OptionGroup(title: "Connection") var connection: ConnectionOptions

        func run() throws {
            let params = try SingleCall.pairs(param, "--param")
            let event = SingleCall.object([
                ("eventTypeKey", .string(type)),
                ("keyValue", key.map { .string($0) }),
                ("params", params.isEmpty ? nil : .array(params.map { .object([("name", .string($0.0)), ("value", .string($0.1))]) })),
            ])
            let client = try connection.makeClient()
            defer { client.close() }
            try SingleCall.run("cannot send the event \(type)") { () throws(YespoError) in try client.sendEvent(event) }
            Terminal.out("event \(type) sent\n")
        }
    }
}
