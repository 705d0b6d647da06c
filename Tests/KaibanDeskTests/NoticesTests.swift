import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

/// Issue 9, the notices the applicant takes home: what each prints, read off the case and its
/// history, and the kinds a case does not fit refused.
@Suite struct NoticesTests {
    let window = DeskActor.clerk("wangfang")

    /// A case taken in at 09:05 with the application form and the articles handed in.
    func caseWithTwoDocuments(_ desk: Desk) async throws -> CaseNumber {
        let number = try await desk.intake(Fixtures.application(), as: window, at: Fixtures.at(9, 5))
            .case.number
        _ = try await desk.playing(Fixtures.at(9, 10)).receiveDocuments(
            number,
            [
                ReceivedDocument(code: "application-form", form: .paper),
                ReceivedDocument(code: "articles", form: .paper),
            ], as: window)
        return number
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func anAcceptanceNoticeCarriesTheDayAndThePromisedCompletion(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 5), store: store)
        let number = try await desk.intake(Fixtures.application(), documents: .all, as: window).case
            .number
        _ = try await desk.playing(Fixtures.at(9, 30)).step(number, "accept", as: window)
        let notice = try await desk.playing(Fixtures.at(16, 0)).notice(number, .acceptance)
        #expect(notice.kind == .acceptance && notice.title == "受理通知书")
        #expect(notice.hallCode == "510811" && notice.hallName == "广元市昭化区政务服务中心")
        #expect(notice.number == number)
        #expect(notice.enterpriseName == "广元市昭化区青禾农业科技有限公司" && notice.enterpriseType == "有限责任公司")
        #expect(notice.at == Fixtures.at(9, 30))
        #expect(notice.date == Fixtures.day && notice.dateText == "二〇二六年十一月二十六日")
        #expect(notice.atText == "二〇二六年十一月二十六日9时30分")
        #expect(notice.submittedOnText == "二〇二六年十一月二十六日")
        // 192 working minutes from 09:05, 25 spent by 09:30; 150 to noon, 17 after 13:30.
        #expect(notice.promisedMinutes == 192 && notice.promisedLimitText == "0.4个工作日")
        #expect(notice.promisedBy == Fixtures.at(13, 47))
        #expect(notice.promisedByText == "二〇二六年十一月二十六日13时47分")
        #expect(notice.missingDocuments.isEmpty && notice.deferredItems.isEmpty && notice.reason == nil)
        #expect(notice.promisedProvisional == false)
    }

    /// From a hostile trial: a promise counted over a year whose holiday notice is not out yet
    /// was printed as firm (`show` marked it provisional, the notice did not), and one past the
    /// calendar's last year was a made-up midnight.
    @Test func aPromiseOverAProvisionalYearSaysSoAndNoneIsMadeUpPastTheCalendar() async throws {
        let eve = Fixtures.local("2026-12-31T16:00")
        let desk = try await Fixtures.desk(at: eve)
        let number = try await desk.intake(Fixtures.application(), documents: .all, as: window).case.number
        _ = try await desk.playing(eve.addingTimeInterval(300)).step(number, "accept", as: window)
        let notice = try await desk.notice(number, .acceptance)
        let promised = try #require(notice.promisedBy)
        #expect(HallTime.localDate(of: promised).year == 2027)
        #expect(notice.promisedProvisional == true)
        let last = Fixtures.local("\(WorkingCalendar.lastYear)-12-31T17:20")
        _ = desk.playing(last)
        let late = try await desk.intake(Fixtures.application(), documents: .all, as: window).case.number
        _ = try await desk.playing(last.addingTimeInterval(300)).step(late, "accept", as: window)
        let beyond = try await desk.notice(late, .acceptance)
        #expect(beyond.promisedBy == nil && beyond.promisedByText == nil, "\(String(describing: beyond.promisedBy))")
        #expect(beyond.promisedLimitText == "0.4个工作日")
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func theApplicantsIDNumberIsNeverPrintedInFull(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 5), store: store)
        var application = Fixtures.application()
        application.agent = Person(name: "李秀英", idNumber: Fixtures.idLi)
        let number = try await desk.intake(application, documents: .all, as: window).case.number
        _ = try await desk.playing(Fixtures.at(9, 30)).step(number, "accept", as: window)
        let notice = try await desk.notice(number, .acceptance)
        #expect(notice.applicant == NoticeParty(name: "张伟", role: "法定代表人", idNumber: Fixtures.idZhang))
        #expect(notice.applicant.idNumber == "110105********002X")
        #expect(notice.agent?.name == "李秀英" && notice.agent?.idNumber == "510811********0178")
        let json = String(decoding: try JSONEncoder().encode(notice), as: UTF8.self)
        #expect(!json.contains(Fixtures.idZhang) && !json.contains(Fixtures.idLi))
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func aCorrectionNoticeListsExactlyTheDocumentsMissingWhenTheCaseWasReturned(store: TestStoreKind)
        async throws
    {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 5), store: store)
        let number = try await caseWithTwoDocuments(desk)
        _ = try await desk.playing(Fixtures.at(9, 20)).step(
            number, "request-correction", reason: "章程签字不全", as: window)
        let notice = try await desk.notice(number, .correction)
        #expect(notice.title == "一次性补正告知书")
        // Main ones first, then the secondary ones, each by name; nothing received is listed.
        #expect(
            notice.missingDocuments.map(\.name) == [
                "自然人股东身份证件复印件", "法定代表人任职文件及身份证件复印件", "住所（经营场所）产权证明",
                "董事、监事和经理的任职文件及身份证件复印件", "企业名称自主申报告知书",
            ])
        #expect(
            notice.missingDocuments.map(\.code) == [
                "investor-id", "representative-appointment", "domicile-title", "officer-appointment",
                "name-declaration",
            ])
        #expect(notice.missingDocuments.map(\.note) == ["主要材料", "主要材料", "主要材料", "次要材料，可容缺", "次要材料"])
        // The clerk's own words, without the list the desk appended to the reason.
        #expect(notice.reason == "章程签字不全")
        #expect(notice.at == Fixtures.at(9, 20) && notice.atText == "二〇二六年十一月二十六日9时20分")

        // Documents received since do not change what was told at once; a new request tells anew.
        _ = try await desk.playing(Fixtures.at(9, 40)).receiveDocuments(
            number, [ReceivedDocument(code: "investor-id", form: .paper)], as: window)
        #expect(try await desk.notice(number, .correction).missingDocuments.count == 5)
        _ = try await desk.playing(Fixtures.at(9, 45)).step(number, "resubmit", as: window)
        _ = try await desk.playing(Fixtures.at(9, 50)).step(number, "request-correction", as: window)
        let again = try await desk.notice(number, .correction)
        #expect(
            again.missingDocuments.map(\.code) == [
                "representative-appointment", "domicile-title", "officer-appointment", "name-declaration",
            ])
        #expect(again.reason == nil)
        #expect(again.at == Fixtures.at(9, 50))
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .attachments))
    func aCorrectionWithEveryDocumentInTellsTheClerksReasonAlone(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 5), store: store)
        let number = try await desk.intake(Fixtures.application(), as: window).case.number
        let codes = try await desk.documents(number).documents.map(\.requirement.code)
        _ = try await desk.playing(Fixtures.at(9, 10)).receiveDocuments(
            number, codes.map { ReceivedDocument(code: $0, form: .paper) }, as: window)
        _ = try await desk.playing(Fixtures.at(9, 15)).step(
            number, "request-correction", reason: "章程第五条出资日期与申请书不一致", as: window)
        let notice = try await desk.notice(number, .correction)
        #expect(notice.missingDocuments.isEmpty)
        #expect(notice.reason == "章程第五条出资日期与申请书不一致")
    }

    /// From a hostile trial: the clerk's words were cut at the list's headings wherever they
    /// stood, so words that used one themselves lost all after it (or the notice was refused as
    /// having nothing to say). Only the list the desk appended is taken off, from the end.
    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .attachments))
    func theClerksWordsAreToldWholeWhateverTheySay(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 5), store: store)
        let number = try await desk.intake(Fixtures.application(), as: window).case.number
        let codes = try await desk.documents(number).documents.map(\.requirement.code)
        // Every document in but the articles.
        _ = try await desk.playing(Fixtures.at(9, 10)).receiveDocuments(
            number, codes.filter { $0 != "articles" }.map { ReceivedDocument(code: $0, form: .paper) }, as: window)
        let words = "法定代表人签字不清晰；缺少其他材料：住所证明复印件字迹不清，请重新提供"
        let returned = try await desk.playing(Fixtures.at(9, 15)).step(
            number, "request-correction", reason: words, as: window)
        #expect(returned.state.lastReason == words + "；缺少主要材料：公司章程", "\(returned.state.lastReason ?? "")")
        let notice = try await desk.notice(number, .correction)
        #expect(notice.reason == words)
        #expect(notice.missingDocuments.map(\.code) == ["articles"])
        // Words that are nothing but a heading and its item, with every document in.
        let other = try await desk.intake(Fixtures.application(), as: window).case.number
        _ = try await desk.playing(Fixtures.at(9, 20)).receiveDocuments(
            other, codes.map { ReceivedDocument(code: $0, form: .paper) }, as: window)
        _ = try await desk.playing(Fixtures.at(9, 25)).step(
            other, "request-correction", reason: "缺少主要材料：全体股东签字的章程签字页", as: window)
        #expect(try await desk.notice(other, .correction).reason == "缺少主要材料：全体股东签字的章程签字页")
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases))
    func aRefusalNoticeCarriesTheReasonGiven(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 5), store: store)
        let number = try await desk.intake(Fixtures.application(), as: window).case.number
        let reason = "经营范围含烟花爆竹批发，须先取得安全生产许可；申请人证件510811198503120178已注销"
        _ = try await desk.playing(Fixtures.at(10, 17)).step(
            number, "refuse", reason: reason, as: window)
        let notice = try await desk.notice(number, .refusal)
        #expect(notice.title == "不予受理通知书")
        #expect(notice.reason == "经营范围含烟花爆竹批发，须先取得安全生产许可；申请人证件510811********0178已注销")
        #expect(notice.at == Fixtures.at(10, 17) && notice.dateText == "二〇二六年十一月二十六日")
        #expect(notice.missingDocuments.isEmpty && notice.promisedBy == nil)
    }

    @Test(arguments: Fixtures.stores(for: .reference, .clerks, .cases, .attachments))
    func aNoticeThatDoesNotFitTheCaseIsRefused(store: TestStoreKind) async throws {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 5), store: store)
        let received = try await caseWithTwoDocuments(desk)
        // Received, never accepted, returned or refused: no notice at all.
        for kind in NoticeKind.allCases {
            let problem = await Fixtures.problem { _ = try await desk.notice(received, kind) }
            #expect(problem?.code == "notice.not-applicable", "\(kind)")
            #expect(problem?.kind == .refused)
            #expect(
                problem?.text.zh.contains("不能出具\(kind.title.zh)") == true, "\(problem?.text.zh ?? "")")
        }
        let acceptance = await Fixtures.problem { _ = try await desk.notice(received, .acceptance) }
        #expect(acceptance?.text.zh == "办件\(received)（当前为“已收件”）尚未受理，不能出具受理通知书")
        #expect(acceptance?.text.en.contains("has not been accepted") == true)

        // Accepted: an acceptance notice, but neither a refusal nor a correction.
        let rest = try await desk.documents(received).documents.filter { $0.receipt == nil }.map {
            ReceivedDocument(code: $0.requirement.code, form: .paper)
        }
        _ = try await desk.playing(Fixtures.at(9, 25)).receiveDocuments(received, rest, as: window)
        _ = try await desk.playing(Fixtures.at(9, 30)).step(received, "accept", as: window)
        _ = try await desk.notice(received, .acceptance)
        let refusal = await Fixtures.problem { _ = try await desk.notice(received, .refusal) }
        #expect(
            refusal?.code == "notice.not-applicable"
                && refusal?.text.en.contains("was not refused") == true)
        let correction = await Fixtures.problem { _ = try await desk.notice(received, .correction) }
        #expect(correction?.text.zh.contains("未曾退回补正") == true)
        // 容缺 needs deferred documents: this case has none.
        for kind in [NoticeKind.deferralCommitment, .deferralAcceptance] {
            let problem = await Fixtures.problem { _ = try await desk.notice(received, kind) }
            #expect(
                problem?.code == "notice.not-applicable" && problem?.text.zh.contains("没有容缺受理的材料") == true)
        }
        let missing = await Fixtures.problem {
            _ = try await desk.notice(
                CaseNumber(division: "510811", date: Fixtures.day, sequence: 99), .acceptance)
        }
        #expect(missing?.code == "case.not-found")
    }

    @Test func kindsAreNamedAsTheClerkTypesThem() {
        #expect(
            NoticeKind.allCases.map(\.argument) == [
                "acceptance", "correction", "commitment", "deferral", "refusal",
            ])
        #expect(NoticeKind(argument: "commitment") == .deferralCommitment)
        #expect(NoticeKind(argument: "deferral") == .deferralAcceptance)
        #expect(NoticeKind(argument: "deferral-acceptance") == .deferralAcceptance)
        #expect(NoticeKind(argument: "Acceptance") == nil)
        #expect(
            NoticeKind.allCases.map(\.title.zh) == ["受理通知书", "一次性补正告知书", "容缺受理承诺书", "容缺受理通知书", "不予受理通知书"])
        let item = NoticeItem(
            name: "出租方房屋产权证明", form: "原件", deadline: CivilDate(uncheckedYear: 2026, month: 12, day: 10))
        #expect(item.deadlineText == "二〇二六年十二月十日")
        #expect(NoticeContent.deferralConsequence == "逾期未补交的，终止办理或撤销登记，由申请人承担相应责任")
    }
}
