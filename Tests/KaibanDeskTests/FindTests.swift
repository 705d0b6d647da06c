import Foundation
import KaibanCore
import KaibanDesk
import KaibanStore
import KaibanTestSupport
import Testing

/// `find`: cases by the names, ID numbers, phone and credit codes in them.
@Suite struct FindTests {
    let window = DeskActor.clerk("wangfang")
    let reviewer = DeskActor.clerk("lijun")

    /// A second application with other people, another name and another phone.
    static func otherApplication() -> CaseApplication {
        var application = Fixtures.application()
        application.proposedName = "广元市昭化区红星商贸有限公司"
        application.legalRepresentative = Person(name: "李秀英", idNumber: Fixtures.idLi)
        application.investors = [
            Investor(name: "李秀英", kind: .person, idNumber: Fixtures.idLi, contribution: Money(fen: 50_000_000))
        ]
        application.contact = Contact(name: "张伟强", phone: "139 1234-5678")
        return application
    }

    /// Two cases: the sample (张伟, 李秀英) licensed, and another (李秀英, contact 张伟强) open.
    func twoCases(store: TestStoreKind) async throws -> (Desk, CaseNumber, CaseNumber, String) {
        let desk = try await Fixtures.desk(store: store)
        let first = try await desk.playing(Fixtures.at(9, 5)).intake(
            Fixtures.application(), documents: .all, as: window, at: Fixtures.at(9, 5)
        ).case.number
        var code = ""
        for (step, actor, minute) in [
            ("accept", window, 20), ("review", reviewer, 30), ("approve", reviewer, 40), ("issue-licence", window, 50),
        ] {
            let outcome = try await desk.playing(Fixtures.at(9, minute)).step(
                first, step, as: actor, at: Fixtures.at(9, minute))
            code = outcome.state.creditCode ?? code
        }
        let second = try await desk.playing(Fixtures.at(10, 5)).intake(
            Self.otherApplication(), documents: .all, as: window, at: Fixtures.at(10, 5)
        ).case.number
        return (desk, first, second, code)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .find))
    func namesMatchWholeOrByTheirBeginningNewestFirst(store: TestStoreKind) async throws {
        let (desk, first, second, _) = try await twoCases(store: store)
        // 张伟 is the first case's legal representative, investor and contact; 张伟强 the second's contact.
        let prefix = try await desk.find("张伟")
        #expect(prefix.kinds == [.name])
        #expect(prefix.cases.map(\.number) == [second, first])
        #expect(prefix.cases[1].matched == ["contact.name", "investors[1].name", "legalRepresentative.name"])
        #expect(prefix.cases[0].matched == ["contact.name"])
        let exact = try await desk.find("张伟", exact: true)
        #expect(exact.cases.map(\.number) == [first])
        // The trade name and the proposed name's beginning.
        #expect(try await desk.find("红星").cases.map(\.number) == [second])
        #expect(try await desk.find("广元市昭化区青禾").cases.map(\.number) == [first])
        #expect(try await desk.find("王").cases.isEmpty)
        // What the list says of each case.
        let found = try #require(prefix.cases.last)
        #expect(found.proposedName == "广元市昭化区青禾农业科技有限公司")
        #expect(found.stage == "startup" && found.open)
        #expect(found.openedAt == Fixtures.at(9, 5))
        #expect(found.creditCode?.hasPrefix("91510811MA") == true)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .find))
    func idNumbersMatchWholeWithTheFinalXInEitherCase(store: TestStoreKind) async throws {
        let (desk, first, second, _) = try await twoCases(store: store)
        let upper = try await desk.find(Fixtures.idZhang)
        #expect(upper.kinds == [.idNumber, .creditCode])
        #expect(upper.cases.map(\.number) == [first])
        #expect(upper.cases[0].matched == ["investors[1].idNumber", "legalRepresentative.idNumber"])
        let lower = try await desk.find(" " + Fixtures.idZhang.lowercased() + " ", by: .idNumber)
        #expect(lower.cases.map(\.number) == [first])
        #expect(try await desk.find(Fixtures.idLi).cases.map(\.number) == [second, first])
        // From a re-trial: spaces or dashes inside, as numbers are read aloud or printed.
        let spaced =
            Fixtures.idZhang.prefix(6) + " " + Fixtures.idZhang.dropFirst(6).prefix(8) + "-"
            + Fixtures.idZhang.dropFirst(14)
        #expect(try await desk.find(String(spaced)).cases.map(\.number) == [first], "\(spaced)")
        // Never by a part of the number.
        let part = await Fixtures.problem { _ = try await desk.find("110105194912", by: .idNumber) }
        #expect(part?.code == "find.query-invalid")
        #expect(part?.kind == .invalid)
        #expect(part?.fields.map(\.field) == ["query"])
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .find)) func phonesMatchIgnoringSpacesAndDashes(
        store: TestStoreKind
    ) async throws {
        let (desk, first, second, _) = try await twoCases(store: store)
        let dashed = try await desk.find("139-1234-5678")
        #expect(dashed.kinds == [.phone])
        #expect(dashed.query == "13912345678")
        #expect(dashed.cases.map(\.number) == [second])
        #expect(try await desk.find("138 0000 0000").cases.map(\.number) == [first])
        #expect(try await desk.find("1380000000", by: .phone).cases.isEmpty)
        // From a hostile trial: full-width digits and the country code had found nothing.
        #expect(try await desk.find("１３８ ００００ ００００").cases.map(\.number) == [first])
        #expect(try await desk.find("+86 138 0000 0000").cases.map(\.number) == [first])
        #expect(try await desk.find("0086-139-1234-5678").cases.map(\.number) == [second])
        // From a re-trial: brackets and dots.
        #expect(try await desk.find("(+86)138.0000.0000").cases.map(\.number) == [first])
        let letters = await Fixtures.problem { _ = try await desk.find("138abc", by: .phone) }
        #expect(letters?.code == "find.query-invalid")
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .find))
    func theLicencesCreditCodeFindsItsCaseAsCheckReadsIt(store: TestStoreKind) async throws {
        let (desk, first, _, code) = try await twoCases(store: store)
        #expect(code.count == 18)
        let found = try await desk.find("  " + code.lowercased())
        #expect(found.cases.map(\.number) == [first])
        #expect(found.cases[0].matched == ["creditCode"])
        #expect(try await desk.find(code, by: .creditCode).cases.map(\.number) == [first])
        // The same characters are no one's ID number.
        #expect(try await desk.find(code, by: .idNumber).cases.isEmpty)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .find)) func resultsComeInPagesWithMoreSaid(
        store: TestStoreKind
    ) async throws {
        let desk = try await Fixtures.desk(store: store)
        var numbers: [CaseNumber] = []
        for minute in [1, 2, 3, 4, 5] {
            numbers.append(
                try await desk.playing(Fixtures.at(9, minute)).intake(
                    Fixtures.application(), documents: .all, as: window, at: Fixtures.at(9, minute)
                ).case.number)
        }
        let page1 = try await desk.find("张伟", limit: 2)
        #expect(page1.cases.map(\.number) == [numbers[4], numbers[3]])
        #expect(page1.more)
        let page3 = try await desk.find("张伟", limit: 2, offset: 4)
        #expect(page3.cases.map(\.number) == [numbers[0]])
        #expect(!page3.more)
        let tooMany = await Fixtures.problem { _ = try await desk.find("张伟", limit: 0) }
        #expect(tooMany?.code == "limit.out-of-range")
        let negative = await Fixtures.problem { _ = try await desk.find("张伟", offset: -1) }
        #expect(negative?.code == "find.offset-negative")
        let empty = await Fixtures.problem { _ = try await desk.find("   ") }
        #expect(empty?.code == "find.query-invalid")
    }
}
