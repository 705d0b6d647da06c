import Foundation
import KaibanCore

/// How a case's history is kept as rows, the same in every store: an event's kind as a number, and
/// what an event carries beyond its columns as compact JSON text (the opening's application, a
/// commitment, a postal item…). Both stores write the same text, so a history copied from one to
/// the other is the same history.
package enum StoredHistory {
    /// What an opening event holds beyond the columns: the application, the workflow version
    /// and the name as analysed at intake (trade name and industry, for conflict checks; absent
    /// in events written before it was kept).
    package struct Opening: Codable, Sendable {
        package var application: CaseApplication
        package var definition: WorkflowDefinition.Key
        package var nameParts: NameParts?
        package var checklist: CaseChecklist?
        /// The documents handed in with the application.
        package var received: [ReceivedDocument]?
        /// The extended hours the case was taken in during.
        package var extendedHours: ExtendedHoursIntake?

        package init(
            application: CaseApplication, definition: WorkflowDefinition.Key, nameParts: NameParts? = nil,
            checklist: CaseChecklist? = nil, received: [ReceivedDocument]? = nil,
            extendedHours: ExtendedHoursIntake? = nil
        ) {
            self.application = application
            self.definition = definition
            self.nameParts = nameParts
            self.checklist = checklist
            self.received = received
            self.extendedHours = extendedHours
        }
    }

    /// Short names for the keys of stored applications (the history keeps one per case: a
    /// million cases save about 200 MB). Reading maps them back; full names are read as they are.
    package static let keys: [String: String] = [
        "application": "a", "businessScope": "bs", "channel": "ch", "contact": "ct", "name": "n", "phone": "p",
        "domicile": "d", "domicileDivision": "dd", "enterpriseType": "t", "investors": "iv", "contribution": "c",
        "fen": "f", "form": "fm", "idNumber": "i", "kind": "k", "legalRepresentative": "lr", "proposedName": "pn",
        "registeredCapital": "rc", "requestedTasks": "rt", "definition": "wf", "version": "v",
        "domicileTenure": "dt", "agent": "ag", "nameParts": "np", "tradeName": "tn", "industry": "ind",
        "checklist": "cl", "documents": "ds", "importance": "im", "deferrable": "df", "maxDeferralDays": "md",
        "blocks": "bl", "code": "cd",
    ]
    package static let names = Dictionary(uniqueKeysWithValues: keys.map { ($0.value, $0.key) })

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int?

        init(stringValue: String) {
            self.stringValue = stringValue
        }

        init(intValue: Int) {
            stringValue = "\(intValue)"
            self.intValue = intValue
        }
    }

    package static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .custom { path in
            let key = path.last?.stringValue ?? ""
            return Key(stringValue: keys[key] ?? key)
        }
        return encoder
    }()

    package static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            let key = path.last?.stringValue ?? ""
            return Key(stringValue: names[key] ?? key)
        }
        return decoder
    }()

    /// Opening events' JSON as ``encoder`` writes it, each checklist encoded once.
    package static let openingJSON = ChecklistJSON(encoder: encoder)

    /// A value's compact stored JSON.
    package static func json<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A stored value read back; unreadable text is a storage failure naming the type.
    package static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError.storage("undecodable stored \(type): \(error)")
        }
    }

    /// How the history stores an event's kind: 0 opened, 1 transitioned, 2 task completed…
    package static func kindCode(_ kind: CaseEvent.Kind) -> Int {
        switch kind {
        case .opened: 0
        case .transitioned: 1
        case .taskCompleted: 2
        case .documentReceived: 3
        case .deferralCommitted: 4
        case .deferralExtended: 5
        case .deferralFulfilled: 6
        // Special service (migration 0019) from 20 on: other branches take 7 to 19.
        case .specialFlagged: 20
        case .specialUnflagged: 21
        case .visitRecorded: 22
        case .mailReceived: 7
        case .mailSent: 8
        }
    }

    package static func kind(code: Int) -> CaseEvent.Kind? {
        CaseEvent.Kind.allCases.first { kindCode($0) == code }
    }

    /// The text an event keeps beyond its columns, and for an opening the value it encodes (nil
    /// text when the event carries nothing more).
    package static func data(of event: CaseEvent, nameParts: NameParts?) throws -> (text: String?, opening: Opening?) {
        if let application = event.application, let definition = event.definition {
            let opening = Opening(
                application: application, definition: definition, nameParts: nameParts,
                checklist: event.checklist, received: event.documentsReceived, extendedHours: event.extendedHours)
            let text = String(
                decoding: try openingJSON.encode(opening, checklist: opening.checklist) { $0.checklist = $1 },
                as: UTF8.self)
            return (text, opening)
        }
        if let commitment = event.commitment { return (try json(commitment), nil) }
        if let granted = event.deferralExtension { return (try json(granted), nil) }
        if let special = event.special { return (try json(special), nil) }
        if let visit = event.visit { return (try json(visit), nil) }
        if let post = event.post { return (try json(post), nil) }
        return (nil, nil)
    }

    /// Puts what a non-opening event of `kind` keeps in `text` back into `event`.
    package static func restore(_ event: inout CaseEvent, kind: CaseEvent.Kind, text: String?) throws {
        guard let text else { return }
        switch kind {
        case .deferralCommitted: event.commitment = try decode(DeferralCommitment.self, text)
        case .deferralExtended: event.deferralExtension = try decode(DeferralExtension.self, text)
        case .specialFlagged: event.special = try decode(SpecialRequest.self, text)
        case .visitRecorded: event.visit = try decode(VisitDetails.self, text)
        case .mailReceived, .mailSent: event.post = try decode(PostalItem.self, text)
        default: break
        }
    }

    /// What an opening puts into its event beyond the columns.
    package static func restore(_ event: inout CaseEvent, opening: Opening) {
        event.application = opening.application
        event.definition = opening.definition
        event.checklist = opening.checklist
        event.documentsReceived = opening.received
        event.extendedHours = opening.extendedHours
    }
}

/// The JSON every store keeps of values that are not events (definitions, calendar years, a
/// licence…): sorted keys, instants as UTC text (Foundation's ISO 8601 formatter is slow on Linux;
/// the same text, computed directly).
package enum StoredJSON {
    package static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(HallTime.utcText(of: date))
        }
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    package static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = HallTime.parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not an instant: \(text)")
            }
            return date
        }
        return decoder
    }()
}
