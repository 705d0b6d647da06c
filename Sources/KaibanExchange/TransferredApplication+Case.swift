import Foundation
import KaibanCore

extension ExchangeMode {
    /// The mode's name (全程网办, 异地代收代办, 多地联办).
    public var name: String {
        switch self {
        case .fullOnline: "全程网办"
        case .remoteIntake: "异地代收代办"
        case .joint: "多地联办"
        }
    }
}

extension TransferredApplication {
    /// An application taken in here, as the exchange writes it for the authority that decides it.
    public init(_ application: CaseApplication) {
        func party(_ person: Person, phone: String? = nil) -> Party {
            Party(name: person.name, idType: "resident-id", idNumber: person.idNumber, phone: phone)
        }
        self.init(
            enterpriseType: application.enterpriseType.rawValue, proposedName: application.proposedName,
            registeredCapital: application.enterpriseType.hasRegisteredCapital
                ? application.registeredCapital.yuanText : nil,
            domicile: TransferredDomicile(
                address: application.domicile, division: application.domicileDivision,
                // Intake asks a transfer for its tenure; older applications never transfer.
                tenure: (application.domicileTenure ?? .declared).rawValue),
            businessScope: application.businessScope,
            legalRepresentative: party(application.legalRepresentative),
            investors: application.investors.map {
                TransferredInvestor(
                    party: Party(
                        name: $0.name, idType: $0.kind == .person ? "resident-id" : "credit-code", idNumber: $0.idNumber
                    ),
                    kind: $0.kind.rawValue, contribution: $0.contribution.yuanText, contributionForm: $0.form,
                    contributionDate: nil)
            },
            agent: application.agent.map { party($0) },
            contact: TransferredContact(name: application.contact.name, phone: application.contact.phone),
            mailingAddress: application.mailingAddress)
    }
}
