import Foundation
import KaibanCore
import KaibanXML

/// A scripted day at the desk (seeds/demo/desk-day.xml): the clerks on duty, the cases that come
/// in and every step taken on them, in hall local time.
public struct DeskDay: Sendable {
    /// One thing a clerk does at a moment of the day.
    public struct Action: Sendable {
        public enum Kind: Sendable, Equatable {
            /// Intake; with `receivedAll`, every document the checklist asks for is handed in but `missing`;
            /// with `appointment`, a check-in with that booking (its `ref`).
            case intake(CaseApplication, file: String, receivedAll: Bool, missing: [String], appointment: String?)
            /// A supervisor opens extended hours (延时服务) on the day, `HH:MM` to `HH:MM`.
            case openExtendedHours(from: String, to: String, capacity: Int?, reason: String?)
            /// A booking for the day's slot at `time` (`HH:MM`), known to the script as `ref`.
            case book(ref: String, time: String, name: String, idNumber: String, phone: String, enterpriseName: String?)
            case step(String, reason: String?)
            case task(String)
            case receive([String], form: ReceivedDocument.Form)
            case supplement([String], form: ReceivedDocument.Form)
            case deferral([String], signer: String, signerID: String, days: Int?)
            /// A visit to the applicant (上门服务): where and which clerks went.
            case visit(place: String, clerks: [String], note: String?)
            /// A mail case's documents arrived by post.
            case mailReceive(carrier: String?, tracking: String)
            /// Items posted back to the applicant.
            case mailSend(carrier: String?, tracking: String, items: [String])
        }

        public var at: Date
        public var clerk: String
        /// Index of the case in the day's list (0-based): the number is known only once taken in;
        /// -1 for what belongs to the day (extended hours, bookings).
        public var caseIndex: Int
        public var kind: Kind
        /// Line in the day file, for messages.
        public var line: Int
    }

    public var date: CivilDate
    public var hall: String
    public var clerks: [Clerk]
    public var caseCount: Int
    /// Every action of the day, in time order (file order among equal times).
    public var actions: [Action]

    /// Loads the day file at `url`; case files are resolved relative to it.
    public static func load(_ url: URL, forms: FormsLibrary) throws(XMLProblem) -> DeskDay {
        let root = try XMLDocumentParser.parseFile(url, schema: forms.deskDaySchema)
        let source = url.path
        guard let date = CivilDate(root["date"] ?? ""), let hall = root["hall"] else {
            throw XMLProblem(source: source, line: root.line, "bad date or hall")
        }
        let clerks = root.children("clerk").map {
            Clerk(
                id: $0["id"] ?? "", name: $0["name"] ?? "",
                roles: Set(($0["roles"] ?? "").split(separator: " ").map(String.init)))
        }
        func instant(_ element: ParsedElement) throws(XMLProblem) -> Date {
            let text = element["at"] ?? ""
            if text.count > 5 {
                guard let parsed = HallTime.parse(text) else {
                    throw XMLProblem(source: source, line: element.line, "bad time \(text)")
                }
                return parsed
            }
            let parts = text.split(separator: ":").compactMap { Int($0) }
            guard parts.count == 2 else { throw XMLProblem(source: source, line: element.line, "bad time") }
            return HallTime.instant(date, hour: parts[0], minute: parts[1])
        }
        func codes(_ text: String?) -> [String] { (text ?? "").split(separator: " ").map(String.init) }
        var actions: [Action] = []
        for element in root.children("extended-hours") {
            actions.append(
                Action(
                    at: try instant(element), clerk: element["by"] ?? "", caseIndex: -1,
                    kind: .openExtendedHours(
                        from: element["from"] ?? "", to: element["to"] ?? "",
                        capacity: element["capacity"].flatMap { Int($0) }, reason: element["reason"]),
                    line: element.line))
        }
        for element in root.children("booking") {
            actions.append(
                Action(
                    at: try instant(element), clerk: element["by"] ?? "", caseIndex: -1,
                    kind: .book(
                        ref: element["ref"] ?? "", time: element["time"] ?? "", name: element["name"] ?? "",
                        idNumber: element["id-number"] ?? "", phone: element["phone"] ?? "",
                        enterpriseName: element["enterprise-name"]),
                    line: element.line))
        }
        let caseElements = root.children("case")
        for (index, element) in caseElements.enumerated() {
            let file = element["file"] ?? ""
            let caseURL = url.deletingLastPathComponent().appendingPathComponent(file)
            let data: Data
            do {
                data = try Data(contentsOf: caseURL)
            } catch {
                throw XMLProblem(source: source, line: element.line, "cannot read case file \(file)")
            }
            let application = try forms.caseFileLoader.load(data, source: caseURL.path)
            actions.append(
                Action(
                    at: try instant(element), clerk: element["by"] ?? "", caseIndex: index,
                    kind: .intake(
                        application, file: file, receivedAll: element["received"] == "all",
                        missing: codes(element["missing"]), appointment: element["appointment"]),
                    line: element.line))
            for child in element.children {
                let form = ReceivedDocument.Form(rawValue: child["form"] ?? "paper") ?? .paper
                let kind: Action.Kind =
                    switch child.name {
                    case "task": .task(child["done"] ?? "")
                    case "receive": .receive(codes(child["codes"]), form: form)
                    case "supplement": .supplement(codes(child["codes"]), form: form)
                    case "visit":
                        .visit(place: child["place"] ?? "", clerks: codes(child["clerks"]), note: child["note"])
                    case "defer":
                        .deferral(
                            codes(child["codes"]), signer: child["signer"] ?? "", signerID: child["signer-id"] ?? "",
                            days: child["days"].flatMap { Int($0) })
                    case "mail-receive": .mailReceive(carrier: child["carrier"], tracking: child["tracking"] ?? "")
                    case "mail-send":
                        .mailSend(
                            carrier: child["carrier"], tracking: child["tracking"] ?? "",
                            items: codes(child["items"] ?? "licence"))
                    default: .step(child["do"] ?? "", reason: child["reason"])
                    }
                actions.append(
                    Action(
                        at: try instant(child), clerk: child["by"] ?? "", caseIndex: index, kind: kind, line: child.line
                    ))
            }
        }
        let ordered = actions.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(
            \.element)
        return DeskDay(date: date, hall: hall, clerks: clerks, caseCount: caseElements.count, actions: ordered)
    }
}
