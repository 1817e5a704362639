// `yespo orders` (upsert: KindCommands.swift) and `yespo orders delete --id X | --from T --to T`: deletes orders (DELETE /orders), by external
// order id or by a window of at most 24 hours. Yespo deletes asynchronously.
import ArgumentParser
import YespoCore

struct OrdersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "Orders: bulk upsert (POST /orders) and delete.",
        subcommands: [OrdersUpsertCommand.self, Delete.self])

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete one order by its external id, or every order in a window of at most 24 hours.",
            discussion: "Times are ISO 8601, e.g. 2026-11-30T10:00:00 (with or without Z / +02:00); they are sent as given.")

        @Option(name: .long, help: ArgumentHelp("The order's externalOrderId.", valueName: "id")) var id: String?
        @Option(name: .long, help: ArgumentHelp("Start of the window.", valueName: "time")) var from: String?
        @Option(name: .long, help: ArgumentHelp("End of the window (at most 24 h after --from).", valueName: "time")) var to: String?
        @OptionGroup(title: "Connection") var connection: ConnectionOptions

        func validate() throws {
            if id != nil && (from != nil || to != nil) { throw ValidationError("give --id, or --from and --to, not both") }
            if id == nil && (from == nil || to == nil) { throw ValidationError("give --id, or both --from and --to") }
        }

        func run() throws {
            let query = SingleCall.object([("externalOrderId", id.map { .string($0) }),
                                           ("from", from.map { .string($0) }), ("to", to.map { .string($0) })])
            let client = try connection.makeClient()
            defer { client.close() }
            let what = id.map { "order \($0)" } ?? "orders from \(from ?? "") to \(to ?? "")"
            try SingleCall.run("cannot delete \(what)") { () throws(YespoError) in try client.deleteOrders(query) }
            Terminal.out("deleted \(what) (Yespo deletes asynchronously)\n")
        }
    }
}
