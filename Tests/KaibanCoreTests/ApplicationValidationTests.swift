import Foundation
import KaibanCore
import KaibanTestSupport
import Testing

@Suite struct ApplicationValidationTests {
    let tasks: Set<String> = ["seal", "tax", "social-insurance", "provident-fund", "bank"]

    @Test func aCompleteApplicationHasNoProblems() {
        #expect(Fixtures.application().problems(knownTasks: tasks, on: Fixtures.day).isEmpty)
    }

    @Test func namesEveryFieldThatIsWrongAtOnce() {
        var application = Fixtures.application()
        application.proposedName = " "
        application.legalRepresentative.idNumber = "110105194912310021"
        application.investors[1].idNumber = "110105491231002"
        application.domicileDivision = "51081"
        application.contact.phone = "call me"
        application.requestedTasks = ["seal", "seal", "lottery"]
        let fields = application.problems(knownTasks: tasks, on: Fixtures.day).map(\.field)
        #expect(
            fields == [
                "proposedName", "domicileDivision", "legalRepresentative.idNumber", "contact.phone",
                "investors[2].idNumber", "requestedTasks", "requestedTasks",
            ])
    }

    /// From a hostile trial: a no-break or ideographic space inside a person's name (pasted from a
    /// document) had been taken and kept; a search for the name as typed never finds it.
    @Test func aNameMayHoldOnlyOrdinarySpaces() {
        var application = Fixtures.application()
        application.legalRepresentative.name = "张\u{00A0}伟"
        application.contact.name = "张\u{3000}伟"
        application.investors[1].name = "John Smith"
        application.agent = Person(name: "李\u{2003}娜", idNumber: "510811198503120178")
        let problems = application.problems(knownTasks: tasks, on: Fixtures.day)
        let spacing = problems.filter { $0.reason.en.contains("ordinary spaces") }
        #expect(spacing.map(\.field) == ["legalRepresentative.name", "contact.name", "agent.name"], "\(problems)")
        #expect(spacing.first?.reason.zh.contains("U+00A0") == true)
        #expect(spacing.last?.reason.zh.contains("U+2003") == true)
        #expect(!problems.contains { $0.field == "investors[2].name" })
    }

    /// From a hostile trial: a person's name took anything (😀, 123, !!!, <b>张</b>, a leading
    /// middle dot) and was kept as typed (𝐙𝐡𝐚𝐧𝐠, ｚｈａｎｇ), while searches read names as NFKC;
    /// 张 伟 and 张伟 were two people to a search.
    @Test(arguments: [
        ("😀", "U+1F600"), ("123", "U+0031"), ("!!!", "U+0021"), ("<b>张</b>", "U+003C"), ("·阿卜杜拉", "start or end"),
        ("阿卜杜拉·", "start or end"), ("张伟\u{0F0B}", "start or end"), ("Li Na\u{0F0B}", "start or end"),
        ("张 伟", "Chinese characters"), ("张三①", "U+2460"), ("SMITH, JOHN", "U+002C"),
        ("王\u{FFFE}五", "noncharacter"),
    ])
    func aPersonsNameIsLettersAndWhatGoesBetweenThem(name: String, why: String) {
        var application = Fixtures.application()
        application.legalRepresentative.name = name
        application.contact.name = name
        application.agent = Person(name: name, idNumber: "510811198503120178")
        application.investors[0].name = name
        let problems = application.problems(knownTasks: tasks, on: Fixtures.day)
        let fields = problems.filter { $0.reason.en.contains(why) }.map(\.field)
        #expect(
            fields == ["legalRepresentative.name", "contact.name", "investors[1].name", "agent.name"], "\(problems)")
    }

    @Test(arguments: [
        "张伟", "阿卜杜拉·艾合买提", "阿卜杜拉•艾合买提", "John Smith", "Jean-Luc O'Brien", "J. R. Smith", "𝐙𝐡𝐚𝐧𝐠", "ｚｈａｎｇ",
        "禰\u{E0100}豆子", "Nguyễn Văn An",
        // From a review: rare characters kept in the private-use area, 〇, an initial's stop at
        // the end, a vowel sign before a space, a Tibetan tsheg, spaces around a middle dot, an en
        // dash, two spaces.
        "张\u{E3A0}", "李〇", "John Smith Jr.", "सीता देवी", "བསྟན་འཛིན", "阿卜杜拉 · 艾合买提", "Smith–Jones", "John  Smith",
        // From a re-trial: a Tibetan name ending in its tsheg.
        "བཀྲ་ཤིས་",
    ])
    func namesOfEveryScriptAndFormAreTaken(name: String) {
        var application = Fixtures.application()
        application.legalRepresentative.name = name
        application.contact.name = name
        let problems = application.problems(knownTasks: tasks, on: Fixtures.day).filter {
            $0.field == "legalRepresentative.name" || $0.field == "contact.name"
        }
        #expect(problems.isEmpty, "\(name): \(problems)")
    }

    /// One spelling for a name typed several ways: the record, a search and a commitment's signer
    /// (a signer typed in full-width letters had not matched the name kept in its NFKC form).
    @Test func aNameTypedSeveralWaysIsOneName() {
        #expect(PersonName.canonical("阿卜杜拉•艾合买提") == "阿卜杜拉·艾合买提")
        #expect(PersonName.canonical(" 阿卜杜拉 ・ 艾合买提 ") == "阿卜杜拉·艾合买提")
        #expect(PersonName.canonical("ＬＩ  ＮＡ") == "LI NA")
        #expect(PersonName.canonical("O’Brien‐Smith") == "O'Brien-Smith")
        #expect(PersonName.canonical("张伟") == "张伟")
        #expect(CaseLookup.nameKey("阿卜杜拉‧艾合买提") == CaseLookup.nameKey("阿卜杜拉·艾合买提"))
        // From a re-trial: look-alike dots, spaces around any separator.
        #expect(PersonName.canonical("阿卜杜拉ꞏ艾合买提") == "阿卜杜拉·艾合买提")
        #expect(PersonName.canonical("阿卜杜拉ᐧ艾合买提") == "阿卜杜拉·艾合买提")
        #expect(PersonName.canonical("Jean - Luc O ’Brien") == "Jean-Luc O'Brien")
        #expect(PersonName.canonical("J. R.  Smith") == "J. R. Smith")
        #expect(PersonName.canonical("王 . 伟") == "王. 伟")
    }

    @Test(arguments: ["张··伟", "张-·伟", "O''Brien"])
    func twoSeparatorsInARowAreNoName(name: String) {
        #expect(FreeText.personNameProblem(name)?.en.contains("in a row") == true, "\(name)")
    }

    @Test func aPersonsNameIsKeptInItsNFKCFormAndACompanysAsTyped() {
        var application = Fixtures.application()
        application.legalRepresentative.name = " 𝐙𝐡𝐚𝐧𝐠 "
        application.contact.name = "ｚｈａｎｇ"
        application.investors[0].name = "Ｌｉ．Ｎａ"
        application.domicileDivision = " 510811\u{3000}"
        let canonical = application.withCanonicalPeople()
        #expect(canonical.domicileDivision == "510811")
        #expect(canonical.legalRepresentative.name == "Zhang")
        #expect(canonical.contact.name == "zhang")
        #expect(canonical.investors[0].name == (application.investors[0].kind == .person ? "Li.Na" : "Ｌｉ．Ｎａ"))
    }

    @Test func contributionsMustAddUpToTheRegisteredCapital() {
        var application = Fixtures.application()
        application.registeredCapital = Money(fen: 60_000_000)
        let problems = application.problems(knownTasks: tasks, on: Fixtures.day)
        #expect(problems.map(\.field) == ["investors"])
        #expect(problems.first?.reason.zh.contains("500000.00") == true)
    }

    @Test func investorCountsFollowTheEnterpriseType() {
        var application = Fixtures.application()
        application.enterpriseType = .farmersCooperative
        application.registeredCapital = .zero
        #expect(application.problems(knownTasks: tasks, on: Fixtures.day).map(\.field) == ["investors"])
        application.enterpriseType = .partnership
        #expect(application.problems(knownTasks: tasks, on: Fixtures.day).isEmpty)
    }

    @Test func theRejectionSpeaksBothLanguages() {
        var application = Fixtures.application()
        application.businessScope = ""
        let rejection = ApplicationRejected(problems: application.problems(knownTasks: tasks, on: Fixtures.day))
        #expect(rejection.message(.zh).contains("businessScope: 经营范围不能为空"))
        #expect(rejection.message(.en).contains("businessScope: the business scope is empty"))
    }
}

@Suite struct ApplicationOverflowTests {
    @Test func hugeContributionsAreAProblemNotACrash() throws {
        var application = Fixtures.application()
        let huge = try #require(Money(yuan: "999999999999999.99"))
        application.requestedTasks = ["lottery"]
        application.investors = (0..<93).map {
            Investor(name: "出资人\($0)", kind: .person, idNumber: Fixtures.idZhang, contribution: huge)
        }
        let problems = application.problems(knownTasks: ["seal"], on: Fixtures.day)
        #expect(problems.contains { $0.field == "investors" && $0.reason.en.contains("too large") })
        // Still every problem at once: the task after it is reported too.
        #expect(problems.contains { $0.field == "requestedTasks" })
    }
}
