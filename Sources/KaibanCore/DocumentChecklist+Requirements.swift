import Foundation

extension DocumentChecklist {
    /// The documents `application` needs, in checklist order, each code at most once (the first
    /// item that applies wins): the items for its type (or for every type) whose condition holds.
    public func requirements(for application: CaseApplication) -> [DocumentRequirement] {
        var codes: Set<String> = []
        return items.filter { applies($0, to: application) && codes.insert($0.requirement.code).inserted }
            .map(\.requirement)
    }

    /// Whether `item` is needed for `application`: its types include the application's (no types:
    /// every type) and its condition holds.
    public func applies(_ item: Item, to application: CaseApplication) -> Bool {
        guard item.types.isEmpty || item.types.contains(application.enterpriseType) else { return false }
        switch item.condition {
        case .always:
            return true
        case .domicileTenure(let tenure):
            // An application that does not say how its domicile is held (older applications)
            // counts as owned: it needs the ordinary proof, the property certificate.
            return (application.domicileTenure ?? .owned) == tenure
        case .investorKind(let kind):
            return application.investors.contains { $0.kind == kind }
        case .agent:
            return application.agent != nil
        case .priorPermit:
            return !permitTerms(in: application.businessScope).isEmpty
        }
    }

    /// The prior-permit terms (前置审批) that `scope` contains, in checklist order.
    public func permitTerms(in scope: String) -> [String] {
        priorPermitTerms.filter { !$0.isEmpty && scope.contains($0) }
    }

    /// The requirement with `code` that applies to `type` regardless of conditions, if any.
    public func requirement(_ code: String, for type: EnterpriseType) -> DocumentRequirement? {
        items.first { $0.requirement.code == code && ($0.types.isEmpty || $0.types.contains(type)) }?.requirement
    }
}
