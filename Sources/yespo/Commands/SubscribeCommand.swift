// `yespo subscribe`: one contact through the subscription-form API (double opt-in).
import ArgumentParser
import YespoCore

struct SubscribeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "subscribe",
        abstract: "Subscribe one contact as a form would (POST /contact/subscribe; not confirmed).")

    @Option(name: .long, help: "The contact as a JSON object.") var contact: String?
    @Option(name: .long, help: "Email address.") var email: String?
    @Option(name: .long, help: "Phone number.") var sms: String?
    @Option(name: .long, help: "First name.") var firstName: String?
    @Option(name: .long, help: "Last name.") var lastName: String?
    @Option(name: .long, help: ArgumentHelp("Add to this segment (repeatable).", valueName: "name"))
    var group: [String] = []
    @Option(name: .long, help: "The form type, appended to the event name.") var formType: String?
    @Flag(name: .long, help: "Print JSON.") var json = false
    @OptionGroup(title: "Connection") var connection: ConnectionOptions

    func run() throws {
        let contactValue = try ContactFlags(contact: contact, email: email, sms: sms, firstName: firstName,
                                            lastName: lastName, externalId: nil).value()
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
