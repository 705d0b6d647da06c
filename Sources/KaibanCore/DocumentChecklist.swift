import Foundation

/// One document a case may need (STANDARDS.md §4, §9), as a hall's checklist defines it.
public struct DocumentRequirement: Sendable, Hashable, Codable {
    /// Main documents decide acceptance; secondary ones may be deferred (容缺) when allowed.
    public enum Importance: String, Sendable, Hashable, Codable, CaseIterable {
        case main
        case secondary
    }

    /// What a missing document stops.
    public enum Blocks: String, Sendable, Hashable, Codable, CaseIterable {
        /// The case cannot be accepted without it.
        case acceptance
        /// The case may be accepted, but no licence is issued without it.
        case licence
        /// Nothing: it may follow the licence (先照后补).
        case nothing
    }

    /// Stable code, e.g. `application-form`, `lease`.
    public var code: String
    public var name: LocalizedText
    public var importance: Importance
    /// Whether a missing one may be deferred against the applicant's signed commitment (容缺).
    public var deferrable: Bool
    /// At most this many working days of deferral (only when deferrable).
    public var maxDeferralDays: Int?
    public var blocks: Blocks

    public init(
        code: String, name: LocalizedText, importance: Importance, deferrable: Bool, maxDeferralDays: Int?,
        blocks: Blocks
    ) {
        self.code = code
        self.name = name
        self.importance = importance
        self.deferrable = deferrable
        self.maxDeferralDays = maxDeferralDays
        self.blocks = blocks
    }
}

/// The documents a case needs, fixed at intake from the checklist version then in force: the
/// case keeps them for life, as it keeps its workflow version.
public struct CaseChecklist: Sendable, Hashable, Codable {
    public var key: DocumentChecklist.Key
    public var documents: [DocumentRequirement]

    public init(key: DocumentChecklist.Key, documents: [DocumentRequirement]) {
        self.key = key
        self.documents = documents
    }
}

/// A hall's document checklist for company formation, one version (open cases keep the version
/// they started under, like workflows): per enterprise type the documents every case needs, and
/// documents needed only when a condition over the application holds.
public struct DocumentChecklist: Sendable, Equatable, Codable {
    /// Identifies one version of one checklist (as a workflow's: an id and a version).
    public typealias Key = WorkflowDefinition.Key

    /// When a conditional document is needed.
    public enum Condition: Sendable, Hashable, Codable {
        /// Always (for the types listed).
        case always
        /// The domicile is held this way.
        case domicileTenure(DomicileTenure)
        /// An investor of this kind is present (a company investor → its licence).
        case investorKind(InvestorKind)
        /// The application names an agent.
        case agent
        /// The business scope mentions a term that needs a prior permit (前置审批), from
        /// ``DocumentChecklist/priorPermitTerms``.
        case priorPermit
    }

    /// A document and when (for which types, under which condition) it is needed.
    public struct Item: Sendable, Hashable, Codable {
        public var requirement: DocumentRequirement
        /// The types it applies to; empty: every type.
        public var types: [EnterpriseType]
        public var condition: Condition

        public init(requirement: DocumentRequirement, types: [EnterpriseType], condition: Condition) {
            self.requirement = requirement
            self.types = types
            self.condition = condition
        }
    }

    public var key: Key
    public var title: LocalizedText
    public var items: [Item]
    /// Business-scope terms that need a prior permit (e.g. 危险化学品, 食品生产).
    public var priorPermitTerms: [String]

    public init(key: Key, title: LocalizedText, items: [Item], priorPermitTerms: [String]) {
        self.key = key
        self.title = title
        self.items = items
        self.priorPermitTerms = priorPermitTerms
    }
}
