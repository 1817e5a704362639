// `yespo subscribe`: one contact through the subscription-form API (double opt-in).
import ArgumentParser
import YespoCore

struct SubscribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribe",
        abstract: "Subscribe one contact as a form would (POST /contact/subscribe; not confirmed).")

    @OptionGroup var contact: ContactFlags
    @Option(name: .long, help: ArgumentHelp("Add to this segment (repeatable).", valueName: "name"))
    var group: [String] = []
    @Option(name: .long, help: "The form type, appended to the event name.") var formType: String?
    @Flag(name: .long, help: "Print JSON.") var json = false
    @OptionGroup(title: "Connection") var connection: ConnectionOptions

    func run() throws {
        let contactValue = try contact.value()
        var members: [(String, JSON)] = [("contact", contactValue)]
        if !group.isEmpty { members.append(("groups", .array(group.map { .string($0) }))) }
        if let formType { members.append(("formType", .string(formType))) }
        let request = JSON.object(members).encoded()
        let client = try connection.makeClient()
        defer { client.close() }
        let answer = try SingleCall.run("cannot subscribe the contact") { () throws(YespoError) -> String in
            try client.subscribe(request)
        }
        if json { SingleCall.printJSON(answer, compact: true); return }
        let id = (try? JSON.parse(answer))?["id"]
        Terminal.out("subscribed: contact id \(id?.int.map(String.init) ?? id?.string ?? answer)\n")
    }
}
