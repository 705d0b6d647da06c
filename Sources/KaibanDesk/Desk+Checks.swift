import Foundation
import KaibanCore

/// The result of a check: whether the value is valid, what is wrong, what deserves a look, and
/// what was read from it. Keys are fixed; texts come in both languages.
public struct CheckVerdict: Sendable, Equatable, Codable {
    public var value: String
    public var valid: Bool
    public var problems: [LocalizedText] = []
    public var warnings: [LocalizedText] = []
    public var details = CheckDetails()
}

/// What a check read from its value; each check fills its own fields.
public struct CheckDetails: Sendable, Equatable, Codable {
    /// Credit code: the registration authority and the entity type.
    public var authority: LocalizedText?
    public var entityType: LocalizedText?
    /// Credit code: the embedded GB 11714 organisation code, `XXXXXXXX-X`.
    public var organizationCode: String?
    /// The division code embedded in a credit code or ID number, and its full name.
    public var divisionCode: String?
    public var divisionName: String?
    /// ID number: the birth date and the age on `on`.
    public var birthDate: CivilDate?
    public var age: Int?
    /// The day the check was made for.
    public var on: CivilDate?
    /// Division: its names over time.
    public var history: [Division]?
    /// Enterprise name: its four parts.
    public var nameDivision: String?
    public var tradeName: String?
    public var industry: String?
    public var form: String?
}

extension Desk {
    /// A unified social credit code (GB 32100-2015 with GB 11714).
    public func checkCreditCode(_ code: String) async throws -> CheckVerdict {
        try await run {
            var verdict = CheckVerdict(value: code, valid: true)
            let parsed: CreditCode
            do throws(CreditCode.Problem) {
                parsed = try CreditCode(code)
            } catch {
                verdict.valid = false
                verdict.problems.append(LocalizedText(zh: error.message(.zh), en: error.message(.en)))
                return verdict
            }
            let authority = CreditCode.authorities[parsed.authority]
            verdict.details.authority = authority?.name
            verdict.details.entityType = authority?.types[parsed.entityType]
            verdict.details.organizationCode =
                String(parsed.organizationCode.prefix(8)) + "-" + String(parsed.organizationCode.suffix(1))
            let division = try await division(parsed.divisionCode, on: today())
            verdict.details.divisionCode = parsed.divisionCode
            verdict.details.divisionName = division.fullName
            if let warning = division.lifelongIdentifierWarning(DivisionStatus.registeringDivision) {
                verdict.warnings.append(warning)
            }
            return verdict
        }
    }

    /// A citizen ID number (GB 11643-1999), with the age on `date` (default today).
    public func checkCitizenID(_ number: String, on date: CivilDate? = nil) async throws -> CheckVerdict {
        try await run {
            let day = date ?? today()
            // The same check intake runs on every person of an application.
            let check = CitizenID.check(number, on: day)
            var verdict = CheckVerdict(value: number, valid: check.isValid, problems: check.problems)
            verdict.details.on = day
            verdict.details.birthDate = check.birthDate
            // No age for a birth date after the day (its problem says so).
            verdict.details.age = check.age.flatMap { $0 >= 0 ? $0 : nil }
            guard let id = check.id else { return verdict }
            let division = try await division(id.divisionCode, on: day)
            verdict.details.divisionCode = id.divisionCode
            verdict.details.divisionName = division.fullName
            if let warning = division.lifelongIdentifierWarning(DivisionStatus.issuingDivision) {
                verdict.warnings.append(warning)
            }
            return verdict
        }
    }

    /// A GB/T 2260 division code on `date` (default today), with its names over time.
    public func checkDivision(_ code: String, on date: CivilDate? = nil) async throws -> CheckVerdict {
        try await run {
            let day = date ?? today()
            guard code.count == 6, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw Problem(
                    .invalid, "division.malformed", zh: "“\(code)”不是6位行政区划代码",
                    en: "\"\(code)\" is not a 6-digit division code")
            }
            let status = try await division(code, on: day)
            var verdict = CheckVerdict(value: code, valid: status.state == .current)
            verdict.details.on = day
            verdict.details.divisionCode = code
            verdict.details.divisionName = status.fullName
            verdict.details.history = status.history
            switch status.state {
            case .current: break
            case .notInForce where status.history.allSatisfy({ $0.validFrom > day }):
                verdict.problems.append(
                    LocalizedText(
                        zh: "\(day)时该代码尚未设立（\(status.history.first.map { "\($0.validFrom)起为\($0.name)" } ?? "")）",
                        en:
                            "not yet created on \(day) (\(status.history.first.map { "\($0.name) from \($0.validFrom)" } ?? ""))"
                    ))
            case .notInForce:
                verdict.problems.append(
                    LocalizedText(
                        zh: "\(day)时该代码不是现行区划（曾为\(status.name ?? "")）",
                        en: "not in force on \(day) (was \(status.name ?? ""))"))
            case .unknown:
                verdict.problems.append(LocalizedText(zh: "区划库中没有该代码", en: "no such division code"))
            }
            return verdict
        }
    }

    /// An enterprise name for `type`: structure, form, forbidden words, conflicts in the hall.
    public func checkName(_ name: String, type: EnterpriseType) async throws -> CheckVerdict {
        try await run {
            // As intake reads it: also the hall's applications in progress under the same name.
            let (analysis, open) = try await analyzeName(
                name, type: type, hall: settings.hall, on: today(), openApplications: true)
            let pending = analysis.isValid ? Self.inProgressWarning(open, naming: true) : nil
            var verdict = CheckVerdict(
                value: name, valid: analysis.isValid, problems: analysis.problems,
                warnings: analysis.warnings + (pending.map { [$0] } ?? []))
            verdict.details.nameDivision = analysis.division
            verdict.details.tradeName = analysis.tradeName
            verdict.details.industry = analysis.industry
            verdict.details.form = analysis.form
            return verdict
        }
    }
}
