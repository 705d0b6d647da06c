import Foundation
import KaibanCore
import KaibanDesk
import KaibanTestSupport
import Testing

/// Issue 10: the portal routes over real HTTP on 127.0.0.1.
@Suite struct PortalRoutesTests {
    static let form = """
        {"enterpriseType": "llc", "proposedName": "广元市昭化区青禾农业科技有限公司", "registeredCapital": "500000",
         "domicile": "四川省广元市昭化区元坝镇中街12号", "domicileDivision": "510811",
         "businessScope": "农业技术推广服务", "legalRepresentative": {"name": "张伟", "idNumber": "11010519491231002X"},
         "investors": [{"name": "张伟", "idNumber": "11010519491231002X", "contribution": "300000"},
                       {"name": "李秀英", "idNumber": "510811198503120178", "contribution": "200000"}],
         "contact": {"name": "张伟", "phone": "13800000000"}, "requestedTasks": ["seal"]}
        """

    func json(_ answer: HTTPAnswer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any], "\(answer)")
    }

    @Test func aPortalSubmitsRetriesReadsAndWithdrawsItsCase() async throws {
        try await TestServer.with { server in
            let desk = server.desk
            let web = try await desk.addPortal(
                id: "gov-web", name: "四川政务服务网", channel: .online, as: .clerk("zhouqiang"))
            let app = try await desk.addPortal(id: "gov-app", name: "天府通办", channel: .mobile, as: .clerk("zhouqiang"))
            let auth = ["Authorization": "Bearer \(web.token)", "Content-Type": "application/json"]
            let body = Data(Self.form.utf8)
            // No token, a wrong one: 401.
            let anonymous = try await server.send(
                "POST", "/applications", headers: ["Content-Type": "application/json"], body: body)
            #expect(anonymous.status == 401 && anonymous.problem?.code == "portal.unauthorized", "\(anonymous)")
            #expect(anonymous.header("WWW-Authenticate")?.hasPrefix("Bearer") == true)
            let noKey = try await server.send("POST", "/applications", headers: auth, body: body)
            #expect(noKey.status == 400 && noKey.problem?.code == "idempotency.key-missing", "\(noKey)")
            // Two keys: refused, nothing made (the first had been taken, and a retry under the
            // second made a second case).
            let twice = try RawConnection(port: server.port)
            try twice.send(
                "POST /applications HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(web.token)\r\n"
                    + "Content-Type: application/json\r\nIdempotency-Key: hA\r\nIdempotency-Key: hB\r\n"
                    + "Content-Length: \(body.count)\r\n\r\n")
            try twice.send(body)
            let twoKeys = await twice.answer(timeout: 30)
            #expect(
                twoKeys.hasPrefix("HTTP/1.1 400 ") && twoKeys.contains("idempotency.key-repeated"), "\(twoKeys)")
            let created = try await server.send(
                "POST", "/applications", headers: auth.merging(["Idempotency-Key": "k1"]) { $1 }, body: body)
            #expect(created.status == 201, "\(created)")
            let receipt = try json(created)
            let number = try #require((receipt["case"] as? [String: Any])?["number"] as? String)
            let password = try #require(receipt["queryPassword"] as? String)
            #expect(
                ((receipt["case"] as? [String: Any])?["application"] as? [String: Any])?["channel"] as? String
                    == "online")
            #expect(!created.text.contains("11010519491231002X"))
            // The same key and body: the same answer; another body: 409.
            let retry = try await server.send(
                "POST", "/applications", headers: auth.merging(["Idempotency-Key": "k1"]) { $1 }, body: body)
            let again = try json(retry)
            #expect(retry.status == 200 && again["queryPassword"] as? String == password, "\(retry)")
            // The same application written again by the client (keys in another order, other blanks,
            // a character escaped): the same request.
            let rewritten = try JSONSerialization.data(
                withJSONObject: try JSONSerialization.jsonObject(with: body), options: [.prettyPrinted])
            let escaped = Data(
                String(decoding: rewritten, as: UTF8.self).replacingOccurrences(of: "张伟", with: #"\u5f20伟"#).utf8)
            #expect(escaped != body)
            let rewrittenRetry = try await server.send(
                "POST", "/applications", headers: auth.merging(["Idempotency-Key": "k1"]) { $1 }, body: escaped)
            #expect(rewrittenRetry.status == 200, "\(rewrittenRetry)")
            #expect(try json(rewrittenRetry)["queryPassword"] as? String == password)
            // The same application in other words (an amount with its cents, an ID number's x in
            // lower case, a default written out): the same request too (it had been 409, and the
            // applicant never got the password).
            let reworded = Self.form.replacingOccurrences(of: #""500000""#, with: #""500000.00""#)
                .replacingOccurrences(of: "11010519491231002X", with: "11010519491231002x")
                .replacingOccurrences(
                    of: #""contribution": "200000"}"#, with: #""contribution": "200000", "kind": "person"}"#)
            #expect(reworded.contains("500000.00") && reworded.contains("002x") && reworded.contains(#""person""#))
            let rewordedRetry = try await server.send(
                "POST", "/applications", headers: auth.merging(["Idempotency-Key": "k1"]) { $1 },
                body: Data(reworded.utf8))
            #expect(rewordedRetry.status == 200, "\(rewordedRetry)")
            #expect(try json(rewordedRetry)["queryPassword"] as? String == password)
            let reused = try await server.send(
                "POST", "/applications", headers: auth.merging(["Idempotency-Key": "k1"]) { $1 },
                body: Data(Self.form.replacingOccurrences(of: "青禾", with: "青木").utf8))
            #expect(reused.status == 409 && reused.problem?.code == "idempotency.key-reused", "\(reused)")
            #expect(try await desk.summary().total == 1)
            // A form with problems: 422 with every field.
            let bad = try await server.send(
                "POST", "/applications", headers: auth.merging(["Idempotency-Key": "k2"]) { $1 },
                body: Data(#"{"enterpriseType": "llc", "registeredCapital": "50万"}"#.utf8))
            #expect(bad.status == 422 && bad.problem?.code == "application.invalid", "\(bad)")
            #expect(bad.problem?.fields.contains { $0.field == "registeredCapital" } == true)
            // A field missing and others wrong: every problem at once (the missing kind of a special
            // request had hidden the phone number), none made of a field left unread.
            let mixed = Self.form.replacingOccurrences(
                of: #""phone": "13800000000"}"#, with: #""phone": "abc"}, "special": {}"#
            )
            .replacingOccurrences(of: #""registeredCapital": "500000""#, with: #""registeredCapital": "50万""#)
            #expect(mixed.contains(#""special": {}"#) && mixed.contains("50万"))
            let both = try await server.send(
                "POST", "/applications", headers: auth.merging(["Idempotency-Key": "k2"]) { $1 }, body: Data(mixed.utf8)
            )
            #expect(both.status == 422 && both.problem?.code == "application.invalid", "\(both)")
            #expect(
                both.problem.map { Set($0.fields.map(\.field)) } == [
                    "special.kind", "registeredCapital", "contact.phone",
                ],
                "\(both)")
            // No rule judges a placeholder: a minor beside an investor that could not be read is not
            // refused as investing alone; a capital not given is missing, not zero against the sum;
            // a null among the tasks is one problem among the others.
            let placeholders = Self.form.replacingOccurrences(
                of: #"{"name": "李秀英", "idNumber": "510811198503120178", "contribution": "200000"}"#,
                with: #"{"name": "王小明", "idNumber": "510811201501010017", "contribution": "200000"}, "x""#
            )
            .replacingOccurrences(of: #""registeredCapital": "500000","#, with: "")
            .replacingOccurrences(of: #""requestedTasks": ["seal"]"#, with: #""requestedTasks": [null]"#)
            #expect(!placeholders.contains("registeredCapital") && placeholders.contains("[null]"))
            let unread = try await server.send(
                "POST", "/applications", headers: auth.merging(["Idempotency-Key": "k2"]) { $1 },
                body: Data(placeholders.utf8))
            #expect(unread.status == 422 && unread.problem?.code == "application.invalid", "\(unread)")
            #expect(
                unread.problem.map { Set($0.fields.map(\.field)) } == [
                    "registeredCapital", "investors[3]", "requestedTasks",
                ],
                "\(unread)")
            #expect(
                unread.problem?.fields.first { $0.field == "registeredCapital" }?.message == "缺少此项", "\(unread)")
            // An investor not read counts toward no sum (their share is not known).
            let shareUnknown = Self.form.replacingOccurrences(
                of: #"{"name": "李秀英", "idNumber": "510811198503120178", "contribution": "200000"}"#, with: #""x""#)
            let share = try await server.send(
                "POST", "/applications", headers: auth.merging(["Idempotency-Key": "k2"]) { $1 },
                body: Data(shareUnknown.utf8))
            #expect(share.problem.map { $0.fields.map(\.field) } == ["investors[2]"], "\(share)")
            // The type not read: no rule of a type judges the rest (an llc's had). An adult's number
            // not read: a minor beside them is not refused as investing alone.
            for (body, field) in [
                (Self.form.replacingOccurrences(of: #""enterpriseType": "llc", "#, with: ""), "enterpriseType"),
                (
                    Self.form.replacingOccurrences(
                        of: #"{"name": "张伟", "idNumber": "11010519491231002X", "contribution""#,
                        with: #"{"name": "张伟", "idNumber": 110105194912310020, "contribution""#
                    )
                    .replacingOccurrences(of: "510811198503120178", with: "510811201501010017"),
                    "investors[1].idNumber"
                ),
            ] {
                let answer = try await server.send(
                    "POST", "/applications", headers: auth.merging(["Idempotency-Key": "k2"]) { $1 },
                    body: Data(body.utf8))
                #expect(answer.problem.map { $0.fields.map(\.field) } == [field], "\(field): \(answer)")
            }
            // The name's rules are told beside a field of the wrong type (they had waited for it).
            let badName = Self.form.replacingOccurrences(of: "广元市昭化区青禾农业科技有限公司", with: "坏名字")
                .replacingOccurrences(of: #""phone": "13800000000"}"#, with: #""phone": 13800000000}"#)
            let named = try await server.send(
                "POST", "/applications", headers: auth.merging(["Idempotency-Key": "k2"]) { $1 },
                body: Data(badName.utf8))
            #expect(
                named.problem.map { $0.fields.map(\.field) }.map {
                    $0.contains("contact.phone") && $0.contains("proposedName")
                }
                    == true, "\(named)")
            // A field of another JSON type (a number for text, text for an object or a list) is one
            // problem among the others (it had failed the whole body and hidden them).
            let typed = Self.form.replacingOccurrences(
                of: #""registeredCapital": "500000""#, with: #""registeredCapital": 500000"#
            )
            .replacingOccurrences(of: #""phone": "13800000000"}"#, with: #""phone": "abc"}, "special": "elderly""#)
            .replacingOccurrences(of: #""requestedTasks": ["seal"]"#, with: #""requestedTasks": "seal""#)
            .replacingOccurrences(of: #"{"name": "李秀英""#, with: #"{"name": 7"#)
            #expect(typed.contains("500000,") && typed.contains(#""seal"}"#) && typed.contains(#""name": 7"#))
            let all = try await server.send(
                "POST", "/applications", headers: auth.merging(["Idempotency-Key": "k2"]) { $1 }, body: Data(typed.utf8)
            )
            #expect(all.status == 422 && all.problem?.code == "application.invalid", "\(all)")
            #expect(
                all.problem.map { Set($0.fields.map(\.field)) }
                    == ["registeredCapital", "special", "requestedTasks", "investors[2].name", "contact.phone"],
                "\(all)")
            #expect(
                all.problem?.fields.first { $0.field == "registeredCapital" }?.message.contains("应为文本") == true,
                "\(all)")
            // One element of the list of the wrong type (or null): that element, the others read.
            let element = Self.form.replacingOccurrences(
                of: #"{"name": "李秀英", "idNumber": "510811198503120178", "contribution": "200000"}"#,
                with:
                    #""李秀英", null, {"name": "王五", "kind": 3, "idNumber": "91510100MA61234567", "contribution": "200000"}"#
            )
            #expect(element.contains("null"))
            let one = try await server.send(
                "POST", "/applications", headers: auth.merging(["Idempotency-Key": "k2"]) { $1 },
                body: Data(element.utf8))
            #expect(
                one.problem.map { Set($0.fields.map(\.field)) } == [
                    "investors[2]", "investors[3]", "investors[4].kind",
                ],
                "\(one)")
            // A hundred thousand repeated tasks: the task named once, and never more than a hundred
            // problems listed (the answer was 6.8 MB for a body of 0.8 MB).
            let repeated = Self.form.replacingOccurrences(
                of: #""requestedTasks": ["seal"]"#,
                with: #""requestedTasks": ["#
                    + Array(repeating: #""seal""#, count: 100_000).joined(separator: ",") + ","
                    + (0..<200).map { #""task\#($0)""# }.joined(separator: ",") + "]")
            let flood = try await server.send(
                "POST", "/applications", headers: auth.merging(["Idempotency-Key": "k3"]) { $1 },
                body: Data(repeated.utf8))
            #expect(flood.status == 422, "\(flood.status)")
            let listed = try #require(flood.problem?.fields)
            #expect(listed.count == 100)
            #expect(listed.filter { $0.message.contains("重复") }.count == 1)
            #expect(
                listed.last?.field == "…" && listed.last?.message == "另有102项问题未列出",
                "\(listed.last.map { "\($0)" } ?? "")")
            #expect(flood.body.count < 50_000)
            // The scheme's name is case-insensitive (RFC 9110 §11.1).
            let lower = try await server.send(
                "POST", "/applications",
                headers: [
                    "Authorization": "bearer \(web.token)", "Content-Type": "application/json", "Idempotency-Key": "k1",
                ],
                body: body)
            #expect(lower.status == 200, "\(lower)")
            // Reading: the password and the portal must fit.
            let read = try await server.send(
                "GET", "/cases/\(number)",
                headers: ["Authorization": "Bearer \(web.token)", "X-Query-Password": password])
            #expect(read.status == 200 && read.text.contains(number), "\(read)")
            // A path written with its hyphens percent-encoded is the same path (RFC 3986 §6.2.2.2).
            let encoded = try await server.send(
                "GET", "/cases/" + number.replacingOccurrences(of: "-", with: "%2D"),
                headers: ["Authorization": "Bearer \(web.token)", "X-Query-Password": password])
            #expect(encoded.status == 200 && encoded.text.contains(number), "\(encoded)")
            // So are its literal segments (they had been 404): `%63ases` is `cases`.
            let literal = try await server.send(
                "GET", "/%63ases/\(number)/%68istory",
                headers: ["Authorization": "Bearer \(web.token)", "X-Query-Password": password])
            #expect(literal.status == 200 && literal.text.contains("portal:gov-web"), "\(literal)")
            // An encoded slash stays inside its segment: a case number that is wrong, not a path.
            let slashed = try await server.send(
                "GET", "/cases/" + number.replacingOccurrences(of: "-", with: "%2F"),
                headers: ["Authorization": "Bearer \(web.token)", "X-Query-Password": password])
            #expect(slashed.status == 400 && slashed.problem?.code == "case.number-invalid", "\(slashed)")
            let broken = try await server.send(
                "GET", "/cases/%E4%ZZ", headers: ["Authorization": "Bearer \(web.token)", "X-Query-Password": password])
            #expect(broken.status == 400 && broken.problem?.code == "case.number-invalid", "\(broken)")
            #expect(broken.text.contains("\"field\":\"number\""), "\(broken.text)")
            let wrong = try await server.send(
                "GET", "/cases/\(number)",
                headers: ["Authorization": "Bearer \(web.token)", "X-Query-Password": "WRONG"])
            #expect(wrong.status == 401 && wrong.problem?.code == "access.password-wrong", "\(wrong)")
            let otherPortal = try await server.send(
                "GET", "/cases/\(number)",
                headers: ["Authorization": "Bearer \(app.token)", "X-Query-Password": password])
            #expect(otherPortal.status == 404, "\(otherPortal)")
            let history = try await server.send(
                "GET", "/cases/\(number)/history",
                headers: ["Authorization": "Bearer \(web.token)", "X-Query-Password": password])
            #expect(history.status == 200 && history.text.contains("portal:gov-web"), "\(history)")
            let withdrawn = try await server.send(
                "POST", "/cases/\(number)/withdrawal",
                headers: auth.merging(["X-Query-Password": password]) { $1 }, body: Data(#"{"reason": "申请人撤回"}"#.utf8))
            #expect(withdrawn.status == 200 && withdrawn.text.contains("\"withdrawn\""), "\(withdrawn)")
            // A revoked portal's token stops working.
            _ = try await desk.revokePortal("gov-web", reason: "令牌泄露", as: .clerk("zhouqiang"))
            let revoked = try await server.send(
                "GET", "/cases/\(number)",
                headers: ["Authorization": "Bearer \(web.token)", "X-Query-Password": password])
            #expect(revoked.status == 401, "\(revoked)")
        }
    }

    @Test func guessingAPasswordIsStoppedWith429() async throws {
        try await TestServer.with { server in
            let web = try await server.desk.addPortal(
                id: "gov-web", name: "四川政务服务网", channel: .online, as: .clerk("zhouqiang"))
            let created = try await server.send(
                "POST", "/applications",
                headers: [
                    "Authorization": "Bearer \(web.token)", "Content-Type": "application/json", "Idempotency-Key": "g",
                ],
                body: Data(Self.form.utf8))
            let number = try #require((try json(created)["case"] as? [String: Any])?["number"] as? String)
            var statuses: [Int] = []
            var retryAfter: [String?] = []
            for attempt in 0..<6 {
                let answer = try await server.send(
                    "GET", "/cases/\(number)",
                    headers: ["Authorization": "Bearer \(web.token)", "X-Query-Password": "GUESS\(attempt)"])
                statuses.append(answer.status)
                retryAfter.append(answer.header("Retry-After"))
            }
            #expect(statuses == [401, 401, 401, 401, 429, 429], "\(statuses)")
            // The desk's clock stands still: every guess at one instant, counted for 15 minutes,
            // so the lock lifts 901 s later (the second after the window).
            #expect(retryAfter == [nil, nil, nil, nil, "901", "901"], "\(retryAfter)")
        }
    }
}

/// Issue 10: `/metrics` in Prometheus' text format.
@Suite struct MetricsRoutesTests {
    @Test func metricsCountRequestsByRouteAndTheCasesByStageChannelAndSLAState() async throws {
        try await TestServer.with { server in
            _ = try await server.desk.playing(Fixtures.at(9, 0)).intake(Fixtures.application(), as: .clerk("wangfang"))
            _ = server.desk.playing(Fixtures.at(18, 0))
            _ = try await server.send("GET", "/healthz")
            _ = try await server.send("GET", "/healthz")
            _ = try await server.send("GET", "/nowhere")
            // Methods no route serves (WebDAV's, which the HTTP parser lets through): one series between them.
            _ = try await server.send("PROPFIND", "/nowhere")
            _ = try await server.send("MKCOL", "/nowhere")
            let answer = try await server.send("GET", "/metrics")
            #expect(answer.status == 200 && answer.header("Content-Type")?.hasPrefix("text/plain") == true)
            let text = answer.text
            #expect(
                text.contains(#"kaiban_http_requests_total{route="/healthz",method="GET",status="200"} 2"#), "\(text)")
            #expect(text.contains(#"kaiban_http_requests_total{route="unmatched",method="GET",status="404"} 1"#))
            #expect(!text.contains("PROPFIND") && !text.contains("MKCOL"), "\(text)")
            #expect(text.contains(#"kaiban_http_request_duration_seconds_count{route="unmatched",method="other"} 2"#))
            #expect(text.contains(#"kaiban_http_request_duration_seconds_count{route="/healthz",method="GET"} 2"#))
            #expect(text.contains(#"kaiban_cases_by_stage{stage="received"} 1.0"#))
            #expect(text.contains(#"kaiban_cases_by_channel{channel="window"} 1.0"#))
            // The fixture's clock stands at 18:00: the case taken in at 09:00 ran out of its budget.
            #expect(text.contains(#"kaiban_open_cases_sla{state="breached"} 1.0"#), "\(text)")
            #expect(text.contains(#"kaiban_open_cases_sla{state="on-track"} 0.0"#))
            #expect(
                text.contains("kaiban_deferrals_overdue 0.0") && text.contains("kaiban_mail_licences_late 0.0"),
                "\(text)")
            // Every metric the alert rules name is one this scrape serves (`up` is Prometheus' own).
            let rules = try String(
                contentsOf: Fixtures.formsRoot.appendingPathComponent("monitoring/alerts.yml"), encoding: .utf8)
            let named = Set(
                rules.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).map(String.init)
                    .filter { $0.hasPrefix("kaiban_") })
            #expect(named.count >= 5, "\(named)")
            for metric in named {
                let served = metric.hasSuffix("_bucket") ? String(metric.dropLast("_bucket".count)) : metric
                #expect(text.contains(served), "alerts.yml names \(metric), which /metrics does not serve")
            }
        }
    }
}

/// Issue 10: what a portal sends that the desk must never see, and when an online case's clock starts.
@Suite struct PortalSubmissionEdgeTests {
    @Test func anApplicationSentAtNightStartsItsClockAtTheNextOpening() async throws {
        try await TestServer.with { server in
            let web = try await server.desk.addPortal(
                id: "gov-web", name: "四川政务服务网", channel: .online, as: .clerk("zhouqiang"))
            _ = server.desk.playing(Fixtures.at(21, 30))
            let created = try await server.send(
                "POST", "/applications",
                headers: [
                    "Authorization": "Bearer \(web.token)", "Content-Type": "application/json", "Idempotency-Key": "n",
                ],
                body: Data(PortalRoutesTests.form.utf8))
            #expect(created.status == 201, "\(created)")
            let receipt = try #require(try JSONSerialization.jsonObject(with: created.body) as? [String: Any])
            let number = try #require(CaseNumber((receipt["case"] as? [String: Any])?["number"] as? String ?? ""))
            // Friday 09:00, the next opening: the same figures as `kaiban show`.
            let view = try await server.desk.caseView(number, at: Fixtures.at(9, 30, day: 27))
            #expect(view.sla.clockStartedAt == Fixtures.at(9, 0, day: 27))
            #expect(view.sla.governmentMinutes == 30)
        }
    }

    @Test func oversizeMalformedAndWronglyTypedBodiesNeverReachTheDesk() async throws {
        try await TestServer.with(maxBodyBytes: 4_096) { server in
            let web = try await server.desk.addPortal(
                id: "gov-web", name: "四川政务服务网", channel: .online, as: .clerk("zhouqiang"))
            let auth = ["Authorization": "Bearer \(web.token)", "Idempotency-Key": "b"]
            let huge = try await server.send(
                "POST", "/applications", headers: auth.merging(["Content-Type": "application/json"]) { $1 },
                body: Data(repeating: UInt8(ascii: " "), count: 10_000))
            #expect(huge.status == 413 && huge.problem?.code == "body.too-large", "\(huge)")
            let malformed = try await server.send(
                "POST", "/applications", headers: auth.merging(["Content-Type": "application/json"]) { $1 },
                body: Data("{\"enterpriseType\": ".utf8))
            #expect(malformed.status == 400 && malformed.problem?.code == "body.malformed", "\(malformed)")
            let typed = try await server.send(
                "POST", "/applications", headers: auth.merging(["Content-Type": "text/plain"]) { $1 },
                body: Data(PortalRoutesTests.form.utf8))
            #expect(typed.status == 415, "\(typed)")
            let wrongType = try await server.send(
                "POST", "/applications", headers: auth.merging(["Content-Type": "application/json"]) { $1 },
                body: Data(#"{"investors": "张伟"}"#.utf8))
            // Of the wrong type: said with the form's other problems (the missing fields here).
            #expect(wrongType.status == 422 && wrongType.problem?.code == "application.invalid", "\(wrongType)")
            #expect(
                wrongType.problem?.fields.contains { $0.field == "investors" && $0.message.contains("数组") } == true,
                "\(wrongType)")
            #expect(wrongType.problem?.fields.contains { $0.field == "proposedName" } == true, "\(wrongType)")
            #expect(try await server.desk.summary().total == 0)
        }
    }

    /// A key given twice in one object (the decoder would keep one value without a word, a gateway
    /// perhaps the other) is refused naming it, also when one of the two is written with escapes;
    /// the same key in different objects is not a repeat.
    @Test func aKeyGivenTwiceInOneObjectIsRefusedNamingIt() async throws {
        try await TestServer.with { server in
            let web = try await server.desk.addPortal(
                id: "gov-web", name: "四川政务服务网", channel: .online, as: .clerk("zhouqiang"))
            let headers = [
                "Authorization": "Bearer \(web.token)", "Content-Type": "application/json", "Idempotency-Key": "d",
            ]
            let repeats = [
                (
                    "{\"enterpriseType\": \"sole-proprietorship\", " + PortalRoutesTests.form.dropFirst(),
                    "enterpriseType"
                ),
                ("{\"\\u0065nterpriseType\": \"llc\", " + PortalRoutesTests.form.dropFirst(), "enterpriseType"),
                (
                    PortalRoutesTests.form.replacingOccurrences(
                        of: #"{"name": "李秀英", "#, with: #"{"name": "李秀英", "name": "王五", "#),
                    "investors[2].name"
                ),
            ]
            for (body, field) in repeats {
                let answer = try await server.send("POST", "/applications", headers: headers, body: Data(body.utf8))
                #expect(answer.status == 422 && answer.problem?.code == "body.invalid", "\(answer)")
                #expect(answer.problem?.fields.map(\.field) == [field], "\(answer)")
            }
            // Nested a hundred thousand deep: refused as malformed at once (the scan for repeated
            // keys stops at its depth limit and leaves it to the decoder).
            let deep = try await server.send(
                "POST", "/applications", headers: headers,
                body: Data((String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)).utf8))
            #expect(deep.status == 400 && deep.problem?.code == "body.malformed", "\(deep.status)")
            #expect(try await server.desk.summary().total == 0)
            // Fields count from 1 whatever the problem: a name of the wrong type or a name missing,
            // both in the second investor.
            for (replacement, code) in [
                (#""name": 5, "#, "application.invalid"), (#""name": "", "#, "application.invalid"),
            ] {
                let body = PortalRoutesTests.form.replacingOccurrences(of: #""name": "李秀英", "#, with: replacement)
                let answer = try await server.send("POST", "/applications", headers: headers, body: Data(body.utf8))
                #expect(answer.problem?.code == code, "\(answer)")
                #expect(answer.problem?.fields.map(\.field).contains("investors[2].name") == true, "\(answer)")
            }
            // "name" in the legal representative, the investors and the contact: taken in.
            let taken = try await server.send(
                "POST", "/applications", headers: headers, body: Data(PortalRoutesTests.form.utf8))
            #expect(taken.status == 201, "\(taken)")
        }
    }
}
