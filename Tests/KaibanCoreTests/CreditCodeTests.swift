import Foundation
import KaibanCore
import Testing

@Suite struct CreditCodeTests {
    @Test(arguments: ["91350100M000100Y43", "91310230MA1K314J7C", "91110000600037341L"])
    func acceptsTheStandardsExamples(code: String) throws {
        let parsed = try CreditCode(code)
        #expect(parsed.authority == "9")
        #expect(parsed.entityType == "1")
    }

    @Test func namesTheExpectedCheckCharacter() {
        #expect(throws: CreditCode.Problem.wrongCheckCharacter(expected: "3")) { try CreditCode("91350100M000100Y44") }
    }

    @Test func organisationCodesFollowGB11714() {
        #expect(OrganizationCode.checkCharacter(for: Array("D2143569")) == "X")
        #expect(OrganizationCode.checkCharacter(for: Array("60003734")) == "1")
        #expect(OrganizationCode.checkCharacter(for: Array("6000373")) == nil)
    }

    /// GB 32100-2015's authorities (position 1) and the entity types (position 2) each registers,
    /// written out from the standard, not read from the code under test.
    static let typesByAuthority: [Character: String] = [
        "1": "1239", "2": "19", "3": "123459", "4": "19", "5": "1239", "6": "129", "7": "129", "8": "19", "9": "123",
        "A": "19", "N": "1239", "Y": "1",
    ]

    /// A character's value in the organisation code of GB 11714 (0-9, then A = 10 … Z = 35).
    static func organizationValue(_ character: Character) -> Int {
        character.wholeNumberValue ?? Int(character.asciiValue ?? 0) - 55
    }

    /// The refusal a one-character change must meet, by where it falls: the authority or type no
    /// longer exists, the division is no longer digits, the organisation code's own check fails
    /// (unless the change is a multiple of 11 there, which only the final check sees), or the
    /// final check character fails.
    static func expectedProblem(original: [Character], changed: [Character], position: Int) -> (
        CreditCode.Problem
    ) -> Bool {
        let replacement = changed[position]
        let finalCheckFails: (CreditCode.Problem) -> Bool = {
            guard case .wrongCheckCharacter(let expected) = $0 else { return false }
            return expected != changed[17] && (position != 17 || expected == original[17])
        }
        switch position {
        case 0:
            guard let types = typesByAuthority[replacement] else { return { $0 == .unknownAuthority(replacement) } }
            guard types.contains(original[1]) else {
                return { $0 == .unknownType(authority: replacement, type: original[1]) }
            }
            return finalCheckFails
        case 1:
            guard typesByAuthority[original[0]]?.contains(replacement) == true else {
                return { $0 == .unknownType(authority: original[0], type: replacement) }
            }
            return finalCheckFails
        case 2..<8:
            return replacement.isNumber ? finalCheckFails : { $0 == .divisionNotDigits }
        case 8..<16:
            if (organizationValue(replacement) - organizationValue(original[position])) % 11 == 0 {
                return finalCheckFails
            }
            return {
                guard case .wrongOrganizationCheck(let expected) = $0 else { return false }
                return expected != original[16]
            }
        case 16:
            return { $0 == .wrongOrganizationCheck(expected: original[16]) }
        default:
            return finalCheckFails
        }
    }

    @Test(arguments: ["91350100M000100Y43", "91310230MA1K314J7C", "91110000600037341L", "N2510811MA6CQW8F1B"])
    func everySingleCharacterChangeIsDetectedForWhatItBreaks(code: String) throws {
        let original = Array(try CreditCode(code).value)
        var variants = 0
        var byFinalCheck = 0
        for position in original.indices {
            for replacement in CreditCode.alphabet where replacement != original[position] {
                var changed = original
                changed[position] = replacement
                variants += 1
                let text = String(changed)
                let problem = #expect(throws: CreditCode.Problem.self, "\(text)") { try CreditCode(text) }
                let matches = Self.expectedProblem(original: original, changed: changed, position: position)
                #expect(problem.map(matches) == true, "\(text): \(String(describing: problem))")
                if case .wrongCheckCharacter = problem { byFinalCheck += 1 }
            }
        }
        #expect(variants == 18 * 30)
        // The final check character catches, among others, every change of the division and of itself.
        #expect(byFinalCheck >= 30 + 6 * 9)
    }

    @Test func lettersAsAuthorityAreLegalWhenTheirChecksHold() throws {
        for (authority, type) in [("N", "2"), ("Y", "1"), ("A", "1"), ("5", "1")] {
            let code = try #require(
                CreditCode.make(
                    authority: Character(authority), type: Character(type), division: "510811",
                    organizationBody: "MA6CQW8F"))
            #expect(try CreditCode(code.value).authority == Character(authority))
        }
        #expect(throws: CreditCode.Problem.unknownAuthority("B")) { try CreditCode("B1510811MA6CQW8F3K") }
        #expect(throws: CreditCode.Problem.unknownType(authority: "9", type: "4")) {
            try CreditCode("94510811MA6CQW8F3K")
        }
    }

    @Test func tenThousandIssuedCodesAreDistinctAndValid() throws {
        var seen: Set<String> = []
        for serial in 1...10_000 {
            let body = try #require(CreditCode.organizationBody(serial: serial))
            let code = try #require(
                CreditCode.make(authority: "9", type: "1", division: "510811", organizationBody: body))
            _ = try CreditCode(code.value)
            #expect(code.divisionCode == "510811")
            seen.insert(code.value)
        }
        #expect(seen.count == 10_000)
        #expect(CreditCode.organizationBody(serial: -1) == nil)
    }

    @Test func refusesWrongLengthsAndCharacters() {
        #expect(throws: CreditCode.Problem.wrongLength(17)) { try CreditCode("91350100M000100Y4") }
        #expect(throws: CreditCode.Problem.invalidCharacter(position: 9, character: "I")) {
            try CreditCode("91350100I000100Y43")
        }
        #expect(throws: CreditCode.Problem.invalidCharacter(position: 1, character: "９")) {
            try CreditCode("９1350100M000100Y43")
        }
    }
}

@Suite struct EnterpriseNameTests {
    let rules = NameRules(
        forms: [
            "llc": ["有限责任公司", "有限公司"], "individual-business": ["店", "经营部"],
            "partnership": ["合伙企业（有限合伙）", "（普通合伙）"],
        ],
        industries: ["农业科技", "科技", "小吃", "投资"],
        words: [
            NameRules.Word(word: "中国", reason: LocalizedText(zh: "须经批准", en: "needs approval"), restricted: true),
            NameRules.Word(word: "政府", reason: LocalizedText(zh: "不得使用", en: "never"), restricted: false),
        ])
    let zhaohua = ["四川省", "广元市", "昭化区"]

    func analyze(_ name: String, _ type: EnterpriseType = .limitedLiabilityCompany) -> NameAnalysis {
        NameAnalysis(name: name, type: type, divisionNames: zhaohua, rules: rules)
    }

    @Test func takesANameApart() {
        let name = analyze("广元市昭化区青禾农业科技有限公司")
        #expect(name.isValid)
        #expect([name.division, name.tradeName, name.industry, name.form] == ["广元市昭化区", "青禾", "农业科技", "有限公司"])
        let partnership = analyze("广元市昭化区盛源投资合伙企业(有限合伙)", .partnership)
        #expect([partnership.tradeName, partnership.industry] == ["盛源", "投资"])
        #expect(analyze("四川青禾科技有限公司").division == "四川")
    }

    @Test func theFormMustFitTheType() {
        #expect(!analyze("广元市昭化区青禾农业科技有限公司", .individualBusiness).isValid)
        #expect(analyze("广元市昭化区杨帆小吃店", .individualBusiness).isValid)
        #expect(!analyze("广元市昭化区杨帆小吃店").isValid)
    }

    @Test func forbiddenAndRestrictedWordsAreRefused() {
        #expect(analyze("广元市昭化区中国青禾科技有限公司").problems.contains { $0.zh.contains("限制使用的文字“中国”") })
        #expect(analyze("广元市昭化区政府青禾科技有限公司").problems.contains { $0.zh.contains("禁止使用的文字“政府”") })
        #expect(!analyze("青禾农业科技有限公司").isValid)
        #expect(!analyze("广元市昭化区禾农业科技有限公司").isValid)
        #expect(!analyze("广元市昭化区ABC科技有限公司").isValid)
    }

    @Test func conflictsInTheSameDivision() {
        let registered = analyze("广元市昭化区青禾农业科技有限公司")
        var same = analyze("广元市昭化区青禾农业科技有限责任公司")
        same.check(against: [registered])
        #expect(!same.isValid)
        var otherIndustry = analyze("广元市昭化区青禾科技有限公司")
        otherIndustry.check(against: [registered])
        #expect(otherIndustry.isValid)
        #expect(otherIndustry.warnings.contains { $0.zh.contains("字号相同") })
        var near = analyze("广元市昭化区青苗农业科技有限公司")
        near.check(against: [registered])
        #expect(near.isValid)
        #expect(near.warnings.contains { $0.zh.contains("字号相近") })
        var far = analyze("广元市昭化区红岩农业科技有限公司")
        far.check(against: [registered])
        #expect(far.warnings.isEmpty)
    }
}
