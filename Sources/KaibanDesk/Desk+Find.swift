import Foundation
import KaibanCore

/// A case found by a name, ID number, phone or credit code: enough to pick it out of a list.
public struct FoundCase: Sendable, Equatable, Codable {
    public var number: CaseNumber
    public var proposedName: String
    public var stage: String
    public var workflow: WorkflowDefinition.Key
    public var open: Bool
    public var openedAt: Date
    public var closedAt: Date?
    /// The credit code issued with the licence, if any.
    public var creditCode: String?
    /// The fields of the application the query matched (`legalRepresentative.name`, …), sorted.
    public var matched: [String]

    public init(
        number: CaseNumber, proposedName: String, stage: String, workflow: WorkflowDefinition.Key, openedAt: Date,
        closedAt: Date?, creditCode: String?, matched: [String]
    ) {
        self.number = number
        self.proposedName = proposedName
        self.stage = stage
        self.workflow = workflow
        self.open = closedAt == nil
        self.openedAt = openedAt
        self.closedAt = closedAt
        self.creditCode = creditCode
        self.matched = matched
    }
}

/// One page of what `find` found, newest case first.
public struct FindResult: Sendable, Equatable, Codable {
    /// The query as it was matched (normalised).
    public var query: String
    /// What the query was taken for.
    public var kinds: [CaseLookup.Kind]
    /// Whether names were matched whole (otherwise by prefix).
    public var exact: Bool
    public var offset: Int
    public var limit: Int
    /// Whether more cases match beyond this page.
    public var more: Bool
    /// True when more names start with the query than a search by beginning reads (a common
    /// surname): only the cases with exactly that name are listed.
    public var prefixLimited: Bool
    public var cases: [FoundCase]
}

/// A page of found cases as the store reads it.
public struct FindPage: Sendable, Equatable {
    public var cases: [FoundCase]
    public var prefixLimited: Bool

    public init(cases: [FoundCase], prefixLimited: Bool) {
        self.cases = cases
        self.prefixLimited = prefixLimited
    }
}

extension Desk {
    /// Finds cases by a person's or the enterprise's name (exactly, or by prefix unless `exact`),
    /// a citizen ID number, a phone number or a credit code (exactly), through the lookup the
    /// store keeps with every intake and licence; never by reading every case. `kind` nil: the
    /// query's look decides (``CaseLookup/likelyKinds(of:)``). Newest case first, `limit` from
    /// `offset`.
    public func find(
        _ query: String, by kind: CaseLookup.Kind? = nil, exact: Bool = false, limit: Int = 20, offset: Int = 0
    ) async throws -> FindResult {
        // Read as names are read (NFKC): full-width digits and letters (１３８…, ９１５１…) are
        // the digits and letters they stand for, as in the keys.
        let query = query.precomposedStringWithCompatibilityMapping
        return try await run {
            try requireLimit(limit)
            // No one pages a million cases deep: past that the offset is a mistake (and `offset +
            // limit` must not overflow).
            guard offset <= 1_000_000 else {
                throw Problem(
                    .invalid, "find.offset-too-large", zh: "起始位置\(offset)过大（最多1000000）",
                    en: "the offset \(offset) is too large (at most 1000000)")
            }
            guard offset >= 0 else {
                throw Problem(
                    .invalid, "find.offset-negative", zh: "起始位置不能为负数（\(offset)）",
                    en: "the offset cannot be negative (\(offset))")
            }
            let kinds = kind.map { [$0] } ?? CaseLookup.likelyKinds(of: query)
            let primary = kinds[0]
            if let problem = CaseLookup.problem(query, as: primary) {
                throw Problem(
                    .invalid, "find.query-invalid", zh: "查询内容有误：\(problem.zh)",
                    en: "cannot search for that: \(problem.en)",
                    fields: [FieldProblem(field: "query", reason: problem)])
            }
            let key = CaseLookup.key(query, as: primary)
            let prefix = primary == .name && !exact
            let page = try await store.findCases(
                kinds: kinds, key: key, prefix: prefix, offset: offset, limit: limit + 1)
            var found = page.cases
            let more = found.count > limit
            if more { found.removeLast() }
            return FindResult(
                query: key, kinds: kinds, exact: !prefix || page.prefixLimited, offset: offset, limit: limit,
                more: more, prefixLimited: page.prefixLimited, cases: found)
        }
    }
}
