import Foundation
import KaibanTestSupport
import Testing

/// `kaiban find` as a clerk types it.
@Suite struct FindCLITests {
    let kaiban: KaibanProcess

    init() async throws {
        kaiban = try KaibanProcess()
        // Staff registered before the fixed day the tests enter as late entries.
        try await Fixtures.staff(kaiban.database)
    }

    @Test func findListsTheCasesOfAPersonAndSaysWhatMatched() throws {
        let intake = try kaiban.run(KaibanCLITests.intakeFlags)
        #expect(intake.status == 0, "\(intake)")
        let text = try kaiban.run(["find", "张"])
        #expect(text.status == 0, "\(text)")
        #expect(text.stdout.contains("510811-20261126-0001"), "\(text)")
        #expect(text.stdout.contains("广元市昭化区青禾农业科技有限公司"))
        #expect(text.stdout.contains("已收件") && text.stdout.contains("办理中") && text.stdout.contains("2026-11-26"))
        #expect(text.stdout.contains("法定代表人"), "\(text)")
        let json = try kaiban.run(["find", "1380000-0000", "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["kinds"] as? [String] == ["phone"])
        #expect(object?["more"] as? Bool == false)
        let cases = object?["cases"] as? [[String: Any]]
        #expect(cases?.first?["number"] as? String == "510811-20261126-0001")
        #expect(cases?.first?["matched"] as? [String] == ["contact.phone"])
        #expect(cases?.first?["openedAt"] as? String == "2026-11-26T09:05:00+08:00")
        let none = try kaiban.run(["find", "王", "--lang", "en"])
        #expect(none.status == 0 && none.stdout.contains("no case found"), "\(none)")
    }

    @Test func aQueryThatCannotBeAnIDNumberIsAUsageProblem() throws {
        let result = try kaiban.run(["find", "1101051949", "--by", "id-number", "--json"])
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains("\"code\" : \"find.query-invalid\""), "\(result)")
        let badKind = try kaiban.run(["find", "张伟", "--by", "email"])
        #expect(badKind.status == 64, "\(badKind)")
    }
}
