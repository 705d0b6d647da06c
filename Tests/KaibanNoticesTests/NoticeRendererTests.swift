import Foundation
import KaibanCore
import KaibanDesk
import KaibanNotices
import KaibanTestSupport
import Testing

/// Notices laid out from the templates in Forms/notices: text for a terminal, one A4 HTML page
/// to print, every value of the case escaped.
@Suite struct NoticeRendererTests {
    let window = DeskActor.clerk("wangfang")
    let renderer: NoticeRenderer

    init() throws {
        renderer = try NoticeRenderer(formsRoot: Fixtures.formsRoot)
    }

    /// A case accepted at 09:30, one returned for correction at 09:20 (two documents in, the
    /// clerk's reason given) and one refused at 10:17, on a desk of their own.
    func notices() async throws -> (acceptance: NoticeContent, correction: NoticeContent, refusal: NoticeContent) {
        let desk = try await Fixtures.desk(at: Fixtures.at(9, 5))
        let accepted = try await desk.intake(Fixtures.application(), documents: .all, as: window).case.number
        var other = Fixtures.application()
        other.proposedName = "广元市昭化区青木农业科技有限公司"
        let returned = try await desk.intake(other, as: window).case.number
        other.proposedName = "广元市昭化区青松农业科技有限公司"
        let refused = try await desk.intake(other, as: window).case.number
        _ = try await desk.playing(Fixtures.at(9, 10)).receiveDocuments(
            returned,
            [
                ReceivedDocument(code: "application-form", form: .paper),
                ReceivedDocument(code: "articles", form: .paper),
            ], as: window)
        _ = try await desk.playing(Fixtures.at(9, 20)).step(
            returned, "request-correction", reason: "章程签字不全", as: window)
        _ = try await desk.playing(Fixtures.at(9, 30)).step(accepted, "accept", as: window)
        _ = try await desk.playing(Fixtures.at(10, 17)).step(
            refused, "refuse", reason: "经营范围含烟花爆竹批发，须先取得安全生产许可", as: window)
        return (
            try await desk.notice(accepted, .acceptance), try await desk.notice(returned, .correction),
            try await desk.notice(refused, .refusal)
        )
    }

    /// `content` as a 容缺 notice of `kind`, with two documents deferred.
    func deferral(_ content: NoticeContent, _ kind: NoticeKind) -> NoticeContent {
        var notice = content
        notice.kind = kind
        notice.title = kind.title.zh
        notice.deferredItems = [
            NoticeItem(
                code: "officer-appointment", name: "董事、监事和经理的任职文件及身份证件复印件", form: "复印件",
                deadline: CivilDate(uncheckedYear: 2026, month: 12, day: 3)),
            NoticeItem(
                code: "lessor-title", name: "出租方房屋产权证明", form: "原件",
                deadline: CivilDate(uncheckedYear: 2026, month: 12, day: 10)),
        ]
        notice.signer = content.applicant
        notice.consequence = NoticeContent.deferralConsequence
        return notice
    }

    @Test func eachKindIsRenderedWithItsOwnContent() async throws {
        let (acceptance, correction, refusal) = try await notices()
        for format in NoticeFormat.allCases {
            let accepted = try renderer.render(acceptance, as: format)
            #expect(accepted.contains("受理通知书") && accepted.contains("广元市昭化区政务服务中心"))
            #expect(accepted.contains("办件编号：\(acceptance.number)"))
            #expect(accepted.contains("受理时间") && accepted.contains("二〇二六年十一月二十六日9时30分"))
            #expect(accepted.contains("0.4个工作日") && accepted.contains("二〇二六年十一月二十六日13时47分前"))
            #expect(accepted.contains("110105********002X") && !accepted.contains(Fixtures.idZhang))
            #expect(!accepted.contains("暂定工作日历"))
            var provisional = acceptance
            provisional.promisedProvisional = true
            #expect(
                try renderer.render(provisional, as: format).contains(
                    "13时47分前（按暂定工作日历推算，以当年节假日安排通知为准）"))

            let returned = try renderer.render(correction, as: format)
            #expect(returned.contains("一次性补正告知书") && returned.contains("其他需补正的事项：章程签字不全"))
            for item in correction.missingDocuments {
                #expect(returned.contains(item.name), "\(item.name)")
            }
            // Exactly the missing ones: the two received are not asked for again.
            #expect(!returned.contains("公司登记（备案）申请书") && !returned.contains("公司章程"))
            #expect(correction.missingDocuments.count == 5)

            let refused = try renderer.render(refusal, as: format)
            #expect(refused.contains("不予受理通知书"))
            #expect(refused.contains("不予受理的理由：经营范围含烟花爆竹批发，须先取得安全生产许可"))
            #expect(refused.contains("六十日内依法申请行政复议"))
            #expect(refused.contains("二〇二六年十一月二十六日10时17分"))

            let commitment = try renderer.render(deferral(acceptance, .deferralCommitment), as: format)
            #expect(commitment.contains("容缺受理承诺书") && commitment.contains("承诺人（签字）"))
            #expect(commitment.contains("出租方房屋产权证明") && commitment.contains("原件"))
            #expect(commitment.contains("二〇二六年十二月十日前") && commitment.contains("二〇二六年十二月三日前"))
            #expect(commitment.contains("逾期未补交的，终止办理或撤销登记，由申请人承担相应责任"))
            #expect(commitment.contains("姓名：张伟（法定代表人）"))

            let deferred = try renderer.render(deferral(acceptance, .deferralAcceptance), as: format)
            #expect(deferred.contains("容缺受理通知书") && deferred.contains("决定予以容缺受理"))
            #expect(deferred.contains("董事、监事和经理的任职文件及身份证件复印件") && deferred.contains("复印件"))
            #expect(deferred.contains("二〇二六年十二月三日前"))
        }
    }

    @Test func theTextFormListsTheItemsNumberedForATerminal() async throws {
        let (_, correction, _) = try await notices()
        let text = try renderer.render(correction, as: .text)
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.prefix(3) == ["广元市昭化区政务服务中心", "一次性补正告知书", "办件编号：\(correction.number)"])
        #expect(
            lines.filter { $0.first.map { $0.isASCII && $0.isNumber } == true } == [
                "1. 自然人股东身份证件复印件（主要材料）", "2. 法定代表人任职文件及身份证件复印件（主要材料）",
                "3. 住所（经营场所）产权证明（主要材料）", "4. 董事、监事和经理的任职文件及身份证件复印件（次要材料，可容缺）",
                "5. 企业名称自主申报告知书（次要材料）",
            ])
        #expect(lines.suffix(3) == ["（盖章）", "广元市昭化区政务服务中心", "二〇二六年十一月二十六日"])
        #expect(!text.contains("<") && !text.contains("&"))
        #expect(!text.contains("容缺受理承诺"))
        // With a commitment signed, its documents come apart, with their deadlines, after what is
        // to be corrected (from a re-trial: they were among "everything to correct").
        var committed = correction
        committed.deferredItems = [
            NoticeItem(code: "lessor-title", name: "出租方房屋产权证明", note: "二〇二六年十二月三日17时30分前补交")
        ]
        for format in [NoticeFormat.text, .html] {
            let page = try renderer.render(committed, as: format)
            let apart = try #require(page.range(of: "以下材料已签署容缺受理承诺，按承诺书的期限补交，不必随补正提交："))
            let listed = try #require(page.range(of: "出租方房屋产权证明"))
            #expect(apart.upperBound <= listed.lowerBound && page.contains("十二月三日17时30分前补交"), "\(format)")
            #expect(try #require(page.range(of: "一次补齐后重新提交")).upperBound <= apart.lowerBound, "\(format)")
        }
    }

    @Test func theHTMLPageIsOneSelfContainedA4PageWithSealAndDate() async throws {
        let (acceptance, _, _) = try await notices()
        let html = try renderer.render(acceptance, as: .html)
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<meta charset=\"utf-8\">"))
        #expect(html.contains("@page { size: A4;") && html.contains("@media print"))
        // Nothing fetched from elsewhere: no stylesheet, script, image or font by address.
        #expect(
            !html.contains("<link") && !html.contains("<script") && !html.contains("src=") && !html.contains("url("))
        #expect(html.contains("<div class=\"hall\">广元市昭化区政务服务中心</div>"))
        #expect(html.contains("<h1 class=\"title\">受理通知书</h1>"))
        #expect(html.contains("<div class=\"seal\">（盖章）</div>") && html.contains("border: 1.2px dashed"))
        // The date closes the page, after the body, in the sign-off at the bottom right.
        let signoff = try #require(html.range(of: "<div class=\"signoff\">"))
        #expect(html[signoff.upperBound...].contains("<div class=\"date\">二〇二六年十一月二十六日</div>"))
        #expect(html.range(of: "决定予以受理")!.lowerBound < signoff.lowerBound)
    }

    @Test func everyValueOfTheCaseIsEscapedInHTML() async throws {
        var (acceptance, _, refusal) = try await notices()
        acceptance.enterpriseName = "<script>alert(\"名\")</script>&'"
        acceptance.applicant.name = "<img src=x onerror=alert(1)>"
        let html = try renderer.render(acceptance, as: .html)
        #expect(!html.contains("<script>") && !html.contains("<img"))
        #expect(html.contains("&lt;script&gt;alert(&quot;名&quot;)&lt;/script&gt;&amp;&#39;"))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        refusal.reason = "</p><h1>伪造</h1>"
        let refused = try renderer.render(refusal, as: .html)
        #expect(refused.contains("不予受理的理由：&lt;/p&gt;&lt;h1&gt;伪造&lt;/h1&gt;") && !refused.contains("<h1>伪造"))
        // Text is text: the same values as they are.
        #expect(try renderer.render(acceptance, as: .text).contains("<script>alert(\"名\")</script>&'"))
    }

    @Test func theTemplatesNeverUnescapeAndCoverEveryKindAndFormat() throws {
        let folder = Fixtures.formsRoot.appendingPathComponent("notices")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        for kind in NoticeKind.allCases {
            for format in NoticeFormat.allCases {
                #expect(names.contains(NoticeRenderer.templateName(kind, format) + ".mustache"), "\(kind) \(format)")
            }
        }
        #expect(names.contains("print-a4.css.mustache"))
        for name in names {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect(!text.contains("{{{") && !text.contains("{{&"), "\(name) unescapes a value")
        }
    }

    @Test func aBrokenTemplateIsNamedWithItsLine() throws {
        let forms = try Fixtures.formsCopy()
        let file = forms.appendingPathComponent("notices/refusal.txt.mustache")
        try "{{%CONTENT_TYPE:TEXT}}\n第二行\n{{#reason}}{{reason}}{{/title}}\n第四行\n".write(
            to: file, atomically: true, encoding: .utf8)
        let problem = #expect(throws: Problem.self) { try NoticeRenderer(formsRoot: forms) }
        #expect(problem?.code == "data.invalid" && problem?.kind == .brokenData)
        #expect(
            problem?.fields.first?.field.hasSuffix("notices/refusal.txt.mustache:3") == true,
            "\(String(describing: problem))")
        try FileManager.default.removeItem(at: file)
        let renderer = try NoticeRenderer(formsRoot: forms)
        var content = try sampleContent()
        content.kind = .refusal
        let missing = #expect(throws: Problem.self) { try renderer.render(content, as: .text) }
        #expect(missing?.code == "notice.template-missing")
    }

    /// A notice as a JSON document would carry it.
    func sampleContent() throws -> NoticeContent {
        let json = """
            {"kind": "acceptance", "title": "受理通知书", "hallCode": "510811", "hallName": "广元市昭化区政务服务中心",
             "number": "510811-20261126-0001", "enterpriseName": "广元市昭化区青禾农业科技有限公司",
             "enterpriseType": "有限责任公司", "applicant": {"name": "张伟", "role": "法定代表人", "idNumber": "110105********002X"},
             "submittedAt": 0, "submittedOnText": "二〇二六年十一月二十六日", "at": 0, "date": "2026-11-26",
             "dateText": "二〇二六年十一月二十六日", "atText": "二〇二六年十一月二十六日9时30分",
             "missingDocuments": [], "deferredItems": []}
            """
        return try JSONDecoder().decode(NoticeContent.self, from: Data(json.utf8))
    }
}
