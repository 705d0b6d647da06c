import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

/// Enterprise names at the desk (issue 8, class 5; STANDARDS.md §10): `check name` and intake apply
/// one rule, on the NFKC form, name the character and its code point, and compare conflicts on
/// the normalised form.
@Suite struct EnterpriseNameRulesTests {
    let window = DeskActor.clerk("wangfang")
    let reviewer = DeskActor.clerk("lijun")

    func application(named name: String) -> CaseApplication {
        var application = Fixtures.application()
        application.proposedName = name
        return application
    }

    /// Takes in `name` and licenses it, so that it is a registered name of the hall.
    func register(_ name: String, on desk: Desk) async throws {
        let number = try await desk.playing(Fixtures.at(9, 0)).intake(
            application(named: name), documents: .all, as: window, at: Fixtures.at(9, 0)
        ).case.number
        for (step, actor, minute) in [
            ("accept", window, 5), ("review", reviewer, 10), ("approve", reviewer, 15), ("issue-licence", window, 20),
        ] {
            _ = try await desk.playing(Fixtures.at(9, minute)).step(number, step, as: actor, at: Fixtures.at(9, minute))
        }
    }

    /// The proposed-name problems of refusing `name` at intake (empty when it is taken).
    func intakeProblems(_ name: String, on desk: Desk, minute: Int = 30) async -> [LocalizedText] {
        let problem = await Fixtures.problem {
            _ = try await desk.playing(Fixtures.at(10, minute)).intake(
                application(named: name), as: window, at: Fixtures.at(10, minute))
        }
        return (problem?.fields ?? []).filter { $0.field == "proposedName" }.map(\.reason)
    }

    @Test(arguments: [
        ("广元市昭化区青\u{200B}禾农业科技有限公司", "U+200B"),
        ("广元市昭化区青\t禾农业科技有限公司", "U+0009"),
        ("广元市昭化区青禾\\农业科技有限公司", "U+005C"),
        ("广元市昭化区青 禾农业科技有限公司", "U+0020"),
        ("广元市昭化区青\u{3000}禾农业科技有限公司", "U+3000"),
        ("广元市昭化区青禾😀农业科技有限公司", "U+1F600"),
        ("广元市昭化区青禾A农业科技有限公司", "U+0041"),
        ("广元市昭化区青禾8农业科技有限公司", "U+0038"),
        ("广元市昭化区青禾８农业科技有限公司", "U+FF18"),
    ])
    func aCharacterOutsideTheRulesIsNamedWithItsCodePointByCheckAndIntake(name: String, code: String) async throws {
        let desk = try await Fixtures.desk()
        let verdict = try await desk.checkName(name, type: .limitedLiabilityCompany)
        #expect(!verdict.valid)
        let checked = try #require(verdict.problems.first { $0.zh.contains(code) }, "\(code): \(verdict.problems)")
        #expect(checked.en.contains(code))
        let refused = await intakeProblems(name, on: desk)
        #expect(refused.contains(checked), "\(code): \(refused)")
        #expect(try await desk.summary().total == 0)
    }

    @Test func digitsAndLatinLettersAreRefusedForWhatTheyAre() async throws {
        let desk = try await Fixtures.desk()
        let digit = try await desk.checkName("广元市昭化区青禾8农业科技有限公司", type: .limitedLiabilityCompany)
        #expect(digit.problems.contains { $0.zh.contains("阿拉伯数字") && $0.en.contains("Arabic digit") }, "\(digit)")
        let letter = try await desk.checkName("广元市昭化区QH农业科技有限公司", type: .limitedLiabilityCompany)
        #expect(letter.problems.contains { $0.zh.contains("外文字母") && $0.en.contains("Latin") }, "\(letter)")
        // One problem per character, not one per occurrence.
        #expect(letter.problems.filter { $0.zh.contains("U+0051") }.count == 1)
    }

    @Test func anEmojiOnlyTradeNameIsRefusedForItsEmojiNotItsLength() async throws {
        let desk = try await Fixtures.desk()
        for name in ["广元市昭化区😀农业科技有限公司", "广元市昭化区👨‍👩‍👧农业科技有限公司"] {
            let verdict = try await desk.checkName(name, type: .limitedLiabilityCompany)
            #expect(!verdict.valid)
            #expect(verdict.problems.contains { $0.zh.contains("U+1F") && $0.zh.contains("符号") }, "\(verdict.problems)")
            #expect(!verdict.problems.contains { $0.zh.contains("两个字") }, "\(verdict.problems)")
        }
    }

    @Test func aZeroWidthSpaceDoesNotMakeARegisteredNameNew() async throws {
        let desk = try await Fixtures.desk()
        try await register("广元市昭化区青禾农业科技有限公司", on: desk)
        let refused = await intakeProblems("广元市昭化区青\u{200B}禾农业科技有限公司", on: desk)
        #expect(refused.contains { $0.zh.contains("U+200B") }, "\(refused)")
        #expect(try await desk.summary().total == 1)
    }

    @Test func aCompatibilityFormOfARegisteredNameConflictsWithIt() async throws {
        let desk = try await Fixtures.desk()
        try await register("广元市昭化区金山农业科技有限公司", on: desk)
        // U+2FA6 and U+2F2D are Kangxi radicals that NFKC (not NFC: Swift's == tells them apart)
        // makes 金 and 山.
        let lookalike = "广元市昭化区\u{2FA6}\u{2F2D}农业科技有限公司"
        #expect(lookalike != "广元市昭化区金山农业科技有限公司")
        let verdict = try await desk.checkName(lookalike, type: .limitedLiabilityCompany)
        #expect(!verdict.valid)
        #expect(verdict.details.tradeName == "金山")
        #expect(verdict.problems.contains { $0.zh.contains("字号、行业相同") }, "\(verdict.problems)")
        let refused = await intakeProblems(lookalike, on: desk)
        #expect(refused.contains { $0.zh.contains("字号、行业相同") }, "\(refused)")
    }

    @Test func anOpenApplicationIsFoundUnderItsNormalisedName() async throws {
        let desk = try await Fixtures.desk()
        _ = try await desk.playing(Fixtures.at(9, 0)).intake(
            application(named: "广元市昭化区金山农业科技有限公司"), as: window, at: Fixtures.at(9, 0))
        let second = try await desk.intake(
            application(named: "广元市昭化区\u{2FA6}\u{2F2D}农业科技有限公司"), as: window, at: Fixtures.at(9, 5))
        #expect(second.warnings.contains { $0.field == "proposedName" && $0.reason.zh.contains("正在办理") }, "\(second)")
        // What is stored is the normalised name.
        #expect(second.case.application.proposedName == "广元市昭化区金山农业科技有限公司")
        // check name says what intake says: both applications in progress, by number.
        let checked = try await desk.checkName("广元市昭化区金山农业科技有限公司", type: .limitedLiabilityCompany)
        #expect(checked.valid)
        let pending = try #require(checked.warnings.first { $0.zh.contains("正在办理") }, "\(checked.warnings)")
        #expect(pending.zh.contains(second.case.number.description), "\(pending.zh)")
        let other = try await desk.checkName("广元市昭化区银山农业科技有限公司", type: .limitedLiabilityCompany)
        #expect(!other.warnings.contains { $0.zh.contains("正在办理") }, "\(other.warnings)")
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func theNamesAnIntakeChecksAgainstAreReadTogetherAsApart(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(store: store)
        // Registered in the industry; two open applications under the trade name, one withdrawn.
        try await register("广元市昭化区金山农业科技有限公司", on: desk)
        try await register("广元市昭化区青禾农业科技有限公司", on: desk)
        var open: [CaseNumber] = []
        for minute in [30, 31, 32] {
            open.append(
                try await desk.playing(Fixtures.at(10, minute)).intake(
                    application(named: "广元市昭化区银河农业科技有限公司"), as: window, at: Fixtures.at(10, minute)
                ).case.number)
        }
        _ = try await desk.playing(Fixtures.at(10, 40)).withdraw(
            open[1], reason: "申请人撤回", as: window, at: Fixtures.at(10, 40))
        let details = try await desk.checkName("广元市昭化区银河农业科技有限公司", type: .limitedLiabilityCompany)
            .details
        let trade = try #require(details.tradeName)
        let industry = try #require(details.industry)
        let records = try await desk.store.nameRecords(division: "510811", tradeName: trade, industry: industry)
        let registered = try await desk.store.registeredNames(division: "510811", tradeName: trade, industry: industry)
        #expect(
            records.registered.map(\.name).sorted() == ["广元市昭化区金山农业科技有限公司", "广元市昭化区青禾农业科技有限公司"])
        #expect(records.registered.map(\.caseNumber).sorted() == registered.map(\.caseNumber).sorted())
        #expect(records.open == [open[0], open[2]].map(\.description))
        #expect(
            records.open
                == (try await desk.store.openApplications(hall: "510811", tradeName: trade, industry: industry)))
        // Another division has neither.
        #expect(
            try await desk.store.nameRecords(division: "510812", tradeName: trade, industry: industry)
                == NameRecords(registered: [], open: []))
    }

    @Test func compatibilityFormsAreReadAsTheCharactersTheyStandFor() async throws {
        let desk = try await Fixtures.desk()
        // ⼴ is the Kangxi radical U+2F34, NFKC 广; the ASCII parentheses become full-width.
        let verdict = try await desk.checkName("⼴元市昭化区明德企业管理咨询中心(普通合伙)", type: .partnership)
        #expect(verdict.valid, "\(verdict.problems)")
        #expect(verdict.details.nameDivision == "广元市昭化区")
        #expect(verdict.details.form == "中心（普通合伙）")
    }

    @Test func checkNameAndIntakeShareOneLengthLimit() async throws {
        let desk = try await Fixtures.desk()
        func name(length: Int) -> String {
            "广元市昭化区" + String(repeating: "青", count: length - 14) + "农业科技有限公司"
        }
        let longest = name(length: 100)
        #expect(longest.count == 100)
        #expect(try await desk.checkName(longest, type: .limitedLiabilityCompany).valid)
        #expect(await intakeProblems(longest, on: desk).isEmpty)
        let tooLong = name(length: 101)
        let verdict = try await desk.checkName(tooLong, type: .limitedLiabilityCompany)
        #expect(!verdict.valid)
        let limit = try #require(verdict.problems.first { $0.zh.contains("101") }, "\(verdict.problems)")
        #expect(await intakeProblems(tooLong, on: desk, minute: 40) == [limit])
    }
}
