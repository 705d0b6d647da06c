import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

/// The people of an application (issue 8, class 6): intake runs exactly the checks of `check id`,
/// plus each role's rules, and reports every problem at once naming its field.
@Suite struct PeopleRulesTests {
    let window = DeskActor.clerk("wangfang")

    /// GB 11643 numbers issued in 510811 (valid check characters), by birth date.
    static let bornIn2030 = "510811203001011231"
    static let bornIn2020 = "510811202005051236"
    static let bornIn1850 = "510811185001011235"
    /// 18 on 2026-11-26 (born that day in 2008), and one day short of it.
    static let eighteenOnTheDay = "510811200811261239"
    static let eighteenTheDayAfter = "510811200811271234"
    static let bornIn1990 = "510811199001011232"
    static let bornIn1985 = "510811198506151236"

    /// The fields of the refusal `body` throws (empty when it throws none).
    func refusedFields(_ body: () async throws -> Void) async -> [FieldProblem] {
        let problem = await Fixtures.problem(body)
        #expect(problem?.code == "application.invalid", "\(String(describing: problem))")
        return problem?.fields ?? []
    }

    @Test func intakeRefusesExactlyWhatCheckIDRefusesWithTheSameWords() async throws {
        let desk = try await Fixtures.desk()
        for number in [Self.bornIn2030, Self.bornIn1850] {
            let verdict = try await desk.checkCitizenID(number, on: Fixtures.day)
            #expect(!verdict.valid, "\(number)")
            let reason = try #require(verdict.problems.first, "\(number)")
            var application = Fixtures.application()
            application.legalRepresentative.idNumber = number
            application.investors[0].idNumber = number
            let fields = await refusedFields {
                _ = try await desk.playing(Fixtures.at(9, 5)).intake(application, as: window, at: Fixtures.at(9, 5))
            }
            for field in ["legalRepresentative.idNumber", "investors[1].idNumber"] {
                let problem = try #require(fields.first { $0.field == field }, "\(number) \(field): \(fields)")
                #expect(problem.reason.zh.contains(reason.zh), "\(problem.reason.zh) lacks \(reason.zh)")
                #expect(problem.reason.en.contains(reason.en), "\(problem.reason.en) lacks \(reason.en)")
            }
        }
        // A valid number is valid for both.
        #expect(try await desk.checkCitizenID(Self.bornIn1990, on: Fixtures.day).valid)
        #expect(try await desk.summary().total == 0)
    }

    @Test func aLegalRepresentativeAgedSixIsRefusedForHisAge() async throws {
        let desk = try await Fixtures.desk()
        var application = Fixtures.application()
        application.legalRepresentative = Person(name: "张小宝", idNumber: Self.bornIn2020)
        let fields = await refusedFields {
            _ = try await desk.playing(Fixtures.at(9, 5)).intake(application, as: window, at: Fixtures.at(9, 5))
        }
        #expect(fields.map(\.field) == ["legalRepresentative.idNumber"], "\(fields)")
        #expect(fields.first?.reason.zh.contains("法定代表人") == true, "\(fields)")
        #expect(fields.first?.reason.zh.contains("未满18周岁") == true, "\(fields)")
        #expect(fields.first?.reason.en.contains("under 18") == true, "\(fields)")
    }

    @Test func fullAgeIsCountedOnTheIntakeDayInShanghai() async throws {
        let desk = try await Fixtures.desk()
        // 2026-11-26 00:30 in Shanghai is still 2026-11-25 in UTC: the day is the 26th.
        let justAfterMidnight = Fixtures.at(0, 30)
        var adult = Fixtures.application()
        adult.legalRepresentative = Person(name: "周宁", idNumber: Self.eighteenOnTheDay)
        adult.investors[0] = Investor(
            name: "周宁", kind: .person, idNumber: Self.eighteenOnTheDay, contribution: Money(fen: 30_000_000))
        let taken = try await desk.playing(justAfterMidnight).intake(adult, as: window, at: justAfterMidnight)
        #expect(taken.case.number.description == "510811-20261126-0001")

        // A partner must be of full age (合伙企业法 §14): one who turns 18 the day after is refused.
        var minor = Fixtures.application()
        minor.enterpriseType = .partnership
        minor.registeredCapital = .zero
        minor.proposedName = "广元市昭化区青禾农业科技合伙企业（普通合伙）"
        minor.investors[1] = Investor(
            name: "吴越", kind: .person, idNumber: Self.eighteenTheDayAfter, contribution: Money(fen: 20_000_000))
        let fields = await refusedFields {
            _ = try await desk.playing(justAfterMidnight).intake(minor, as: window, at: justAfterMidnight)
        }
        #expect(fields.map(\.field) == ["investors[2].idNumber"], "\(fields)")
        #expect(fields.first?.reason.zh.contains("未满18周岁") == true, "\(fields)")
    }

    /// From a hostile trial: a minor shareholder of a limited liability company was refused. The
    /// Company Law asks no full capacity of a shareholder (the guardian acts for them): the case
    /// is taken, with a warning to check the guardianship, while a partnership's or a one-person
    /// company's minor investor, and a minor legal representative, are still refused.
    @Test func aMinorMayHoldSharesInALimitedLiabilityCompanyThroughTheGuardian() async throws {
        let desk = try await Fixtures.desk()
        var application = Fixtures.application()
        #expect(application.enterpriseType == .limitedLiabilityCompany)
        application.investors[1] = Investor(
            name: "张小宝", kind: .person, idNumber: Self.bornIn2020, contribution: Money(fen: 20_000_000))
        let taken = try await desk.playing(Fixtures.at(9, 5)).intake(application, as: window, at: Fixtures.at(9, 5))
        let warning = try #require(taken.warnings.first { $0.field == "investors[2].idNumber" }, "\(taken.warnings)")
        #expect(warning.reason.zh.contains("未满18周岁") && warning.reason.zh.contains("法定代理人"), "\(warning)")
        #expect(EnterpriseType.allCases.filter(\.minorsMayInvest) == [.limitedLiabilityCompany])
        // From a re-trial: not the only shareholder, nor beside minors only.
        var alone = application
        alone.investors = [
            Investor(name: "张小宝", kind: .person, idNumber: Self.bornIn2020, contribution: application.registeredCapital)
        ]
        let refused = await refusedFields {
            _ = try await desk.playing(Fixtures.at(9, 6)).intake(alone, as: window, at: Fixtures.at(9, 6))
        }
        #expect(refused.map(\.field) == ["investors[1].idNumber"], "\(refused)")
        #expect(refused.first?.reason.zh.contains("未满18周岁") == true, "\(refused)")
    }

    @Test func theSamePersonIsNotTwoInvestors() async throws {
        let desk = try await Fixtures.desk()
        var application = Fixtures.application()
        application.registeredCapital = Money(fen: 60_000_000)
        application.investors.append(
            Investor(
                name: "张伟", kind: .person, idNumber: Fixtures.idZhang.lowercased(), contribution: Money(fen: 10_000_000)
            )
        )
        let fields = await refusedFields {
            _ = try await desk.playing(Fixtures.at(9, 5)).intake(application, as: window, at: Fixtures.at(9, 5))
        }
        #expect(fields.map(\.field) == ["investors[3].idNumber"], "\(fields)")
        #expect(fields.first?.reason.zh.contains("第1位出资人") == true, "\(fields)")

        var companies = Fixtures.application()
        let code = "91510811MA6BX7K206"
        companies.investors = [
            Investor(name: "广元市昭化区农投发展有限公司", kind: .company, idNumber: code, contribution: Money(fen: 30_000_000)),
            Investor(
                name: "广元市昭化区农投发展有限公司", kind: .company, idNumber: " \(code) ", contribution: Money(fen: 20_000_000)),
        ]
        let twice = await refusedFields {
            _ = try await desk.playing(Fixtures.at(9, 5)).intake(companies, as: window, at: Fixtures.at(9, 5))
        }
        #expect(twice.map(\.field) == ["investors[2].idNumber"], "\(twice)")
    }

    @Test func contributionsArePositive() async throws {
        let desk = try await Fixtures.desk()
        var application = Fixtures.application()
        application.registeredCapital = Money(fen: 30_000_000)
        application.investors[1].contribution = .zero
        let fields = await refusedFields {
            _ = try await desk.playing(Fixtures.at(9, 5)).intake(application, as: window, at: Fixtures.at(9, 5))
        }
        #expect(fields.map(\.field) == ["investors[2].contribution"], "\(fields)")
        #expect(fields.first?.reason.zh.contains("大于零") == true, "\(fields)")
    }

    /// A one-owner business of `type` whose single investor is `owner`.
    func oneOwner(_ type: EnterpriseType, name: String, owner: Investor, capital: Money = .zero) -> CaseApplication {
        var application = Fixtures.application()
        application.enterpriseType = type
        application.proposedName = name
        application.registeredCapital = capital
        application.investors = [owner]
        return application
    }

    @Test func aSoleProprietorsOrAnIndividualBusinessesOwnerIsANaturalPerson() async throws {
        let desk = try await Fixtures.desk()
        let company = Investor(
            name: "广元市昭化区农投发展有限公司", kind: .company, idNumber: "91510811MA6BX7K206", contribution: Money(fen: 5_000_000))
        for (type, name) in [
            (EnterpriseType.soleProprietorship, "广元市昭化区青禾茶叶经营部"), (.individualBusiness, "广元市昭化区青禾小吃店"),
        ] {
            let application = oneOwner(type, name: name, owner: company)
            let fields = await refusedFields {
                _ = try await desk.playing(Fixtures.at(9, 5)).intake(application, as: window, at: Fixtures.at(9, 5))
            }
            #expect(fields.map(\.field) == ["investors[1].kind"], "\(type): \(fields)")
            #expect(fields.first?.reason.zh.contains("自然人") == true, "\(fields)")
        }
    }

    @Test func registeredCapitalForAnIndividualBusinessIsRefusedNotDropped() async throws {
        let desk = try await Fixtures.desk()
        let owner = Investor(name: "张伟", kind: .person, idNumber: Fixtures.idZhang, contribution: Money(fen: 5_000_000))
        let application = oneOwner(
            .individualBusiness, name: "广元市昭化区青禾小吃店", owner: owner, capital: Money(fen: 50_000_000))
        let fields = await refusedFields {
            _ = try await desk.playing(Fixtures.at(9, 5)).intake(application, as: window, at: Fixtures.at(9, 5))
        }
        #expect(fields.map(\.field) == ["registeredCapital"], "\(fields)")
        #expect(fields.first?.reason.zh.contains("个体工商户") == true, "\(fields)")
        // Without the capital the same application is taken.
        var without = application
        without.registeredCapital = .zero
        _ = try await desk.playing(Fixtures.at(9, 6)).intake(without, as: window, at: Fixtures.at(9, 6))
    }

    @Test func aPartnershipsRepresentativeIsItsManagingPartner() async throws {
        let desk = try await Fixtures.desk()
        var application = Fixtures.application()
        application.enterpriseType = .partnership
        application.proposedName = "广元市昭化区明德企业管理咨询中心（普通合伙）"
        application.registeredCapital = .zero
        application.legalRepresentative = Person(name: "张小宝", idNumber: Self.bornIn2020)
        let fields = await refusedFields {
            _ = try await desk.playing(Fixtures.at(9, 5)).intake(application, as: window, at: Fixtures.at(9, 5))
        }
        let problem = try #require(fields.first { $0.field == "legalRepresentative.idNumber" }, "\(fields)")
        #expect(problem.reason.zh.contains("执行事务合伙人"), "\(problem)")
        #expect(!problem.reason.zh.contains("法定代表人"), "\(problem)")
        #expect(problem.reason.en.contains("managing partner"), "\(problem)")
        application.legalRepresentative.name = " "
        let blank = await refusedFields {
            _ = try await desk.playing(Fixtures.at(9, 5)).intake(application, as: window, at: Fixtures.at(9, 5))
        }
        let name = try #require(blank.first { $0.field == "legalRepresentative.name" }, "\(blank)")
        #expect(name.reason.zh.contains("执行事务合伙人") && !name.reason.zh.contains("法定代表人"), "\(name)")
    }

    @Test func everyProblemOfThePeopleIsReportedAtOnce() async throws {
        let desk = try await Fixtures.desk()
        var application = Fixtures.application()
        // A partnership, whose partners must be of full age (a company's shareholder need not).
        application.enterpriseType = .partnership
        application.proposedName = "广元市昭化区青禾农业科技合伙企业（普通合伙）"
        application.registeredCapital = .zero
        application.legalRepresentative.idNumber = Self.bornIn2030
        application.investors = [
            Investor(name: "张伟", kind: .person, idNumber: Self.bornIn1985, contribution: Money(fen: 50_000_000)),
            Investor(name: "李秀英", kind: .person, idNumber: Self.bornIn2020, contribution: Money(fen: 30_000_000)),
            Investor(name: "张伟", kind: .person, idNumber: Self.bornIn1985, contribution: .zero),
        ]
        let fields = await refusedFields {
            _ = try await desk.playing(Fixtures.at(9, 5)).intake(application, as: window, at: Fixtures.at(9, 5))
        }
        #expect(
            Set(fields.map(\.field)) == [
                "legalRepresentative.idNumber", "investors[2].idNumber", "investors[3].idNumber",
                "investors[3].contribution",
            ], "\(fields)")
        for field in fields {
            #expect(!field.reason.zh.isEmpty && !field.reason.en.isEmpty)
        }
    }
}
