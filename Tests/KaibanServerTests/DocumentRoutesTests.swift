import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk
import KaibanTestSupport
import Testing

/// Issue 10: a portal attaches the files of a case's documents over real HTTP on 127.0.0.1; the
/// files are kept under the data directory by their SHA-256, the desk records them as at the window.
@Suite struct DocumentRoutesTests {
    /// A case submitted through portal gov-web: the server, the portal's token, the case number
    /// and its query password.
    struct PortalCase {
        var token: String
        var number: String
        var password: String

        func headers(_ extra: [String: String] = [:]) -> [String: String] {
            ["Authorization": "Bearer \(token)", "X-Query-Password": password].merging(extra) { $1 }
        }
    }

    static func submit(_ server: TestServer, portal: String = "gov-web") async throws -> PortalCase {
        let web = try await server.desk.addPortal(
            id: portal, name: "四川政务服务网", channel: .online, as: .clerk("zhouqiang"))
        let created = try await server.send(
            "POST", "/applications",
            headers: [
                "Authorization": "Bearer \(web.token)", "Content-Type": "application/json", "Idempotency-Key": "d",
            ],
            body: Data(PortalRoutesTests.form.utf8))
        let receipt = try #require(try JSONSerialization.jsonObject(with: created.body) as? [String: Any], "\(created)")
        return PortalCase(
            token: web.token, number: try #require((receipt["case"] as? [String: Any])?["number"] as? String),
            password: try #require(receipt["queryPassword"] as? String))
    }

    /// Every file kept under the desk's data directory, by path relative to it (temporary files too).
    static func keptFiles(_ desk: Desk) -> [String] {
        SampleFiles.kept(under: desk.settings.dataDirectory)
    }

    static func json(_ answer: HTTPAnswer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: answer.body) as? [String: Any], "\(answer)")
    }

    @Test func anAttachedFileIsKeptByItsDigestAndRecordedOnTheCase() async throws {
        try await TestServer.with { server in
            let kase = try await Self.submit(server)
            let file = SampleFiles.pdf(size: 30_000)
            let sha256 = Secrets.sha256Hex(file)
            let digest = Data(try #require(Secrets.bytes(hex: sha256))).base64EncodedString()
            let answer = try await server.send(
                "POST", "/cases/\(kase.number)/documents/articles",
                headers: kase.headers([
                    "Content-Type": "application/pdf", "Repr-Digest": "sha-256=:\(digest):",
                    "Content-Disposition": "attachment; filename*=UTF-8''%E5%85%AC%E5%8F%B8%E7%AB%A0%E7%A8%8B.pdf",
                ]), body: file)
            #expect(answer.status == 201, "\(answer)")
            #expect(answer.header("Location") == "/cases/\(kase.number)/documents/articles")
            let attachment = try #require(try Self.json(answer)["attachment"] as? [String: Any])
            #expect(attachment["sha256"] as? String == sha256)
            #expect(attachment["size"] as? Int == 30_000)
            #expect(attachment["mediaType"] as? String == "application/pdf")
            #expect(attachment["fileName"] as? String == "公司章程.pdf")
            #expect(attachment["portal"] as? String == "gov-web")
            #expect(attachment["supplied"] as? Bool == false)
            #expect(!answer.text.contains(Fixtures.idZhang), "ID numbers are masked in the case")
            // Kept under the data directory by its digest, whole.
            #expect(Self.keptFiles(server.desk) == ["\(sha256.prefix(2))/\(sha256)"])
            let kept = server.desk.settings.dataDirectory.appendingPathComponent("\(sha256.prefix(2))/\(sha256)")
            #expect(try Data(contentsOf: kept) == file)
            // The case's history has the document, electronic, with its digest.
            let number = try #require(CaseNumber(kase.number))
            let documents = try await server.desk.documents(number)
            let articles = try #require(documents.documents.first { $0.requirement.code == "articles" })
            #expect(articles.state == .present)
            #expect(articles.receipt?.document == ReceivedDocument(code: "articles", form: .electronic, sha256: sha256))
            #expect(articles.attachment?.sha256 == sha256)
            #expect(articles.receipt?.by == "portal:gov-web")
            // The portal lists them, and reads the file back as it was sent.
            let listed = try await server.send("GET", "/cases/\(kase.number)/documents", headers: kase.headers())
            #expect(listed.status == 200 && listed.text.contains(sha256), "\(listed)")
            let back = try await server.send(
                "GET", "/cases/\(kase.number)/documents/articles", headers: kase.headers())
            #expect(back.status == 200 && back.body == file)
            #expect(back.header("Content-Type") == "application/pdf")
            #expect(back.header("Repr-Digest") == "sha-256=:\(digest):")
            #expect(back.header("Content-Disposition")?.contains("filename*=UTF-8''%E5%85%AC") == true, "\(back)")
            let none = try await server.send("GET", "/cases/\(kase.number)/documents/lease", headers: kase.headers())
            #expect(none.status == 404 && none.problem?.code == "attachment.not-found", "\(none)")
            // A file gone from the data directory is said to be so, not "broken definitions" (a
            // hostile trial).
            try FileManager.default.removeItem(at: kept)
            let gone = try await server.send(
                "GET", "/cases/\(kase.number)/documents/articles",
                headers: kase.headers(["Accept-Language": "en"]))
            #expect(gone.status == 500 && gone.problem?.code == "attachment.file-unreadable", "\(gone)")
            #expect(gone.problem?.title == "Document file unreadable", "\(gone)")
            #expect(gone.problem?.detail.contains("missing or unreadable") == true, "\(gone)")
        }
    }

    @Test func refusedFilesLeaveNoFileAndNoRecord() async throws {
        try await TestServer.with { server in
            let kase = try await Self.submit(server)
            let number = try #require(CaseNumber(kase.number))
            let path = "/cases/\(kase.number)/documents/articles"
            func attempt(_ headers: [String: String], _ body: Data, to path: String = path) async throws -> HTTPAnswer {
                try await server.send("POST", path, headers: kase.headers(headers), body: body)
            }
            let pdf = ["Content-Type": "application/pdf", "Accept-Language": "en"]
            // A PNG declared as a PDF; a type the hall does not take; nothing at all.
            let png = try await attempt(pdf, SampleFiles.png())
            #expect(png.status == 422 && png.problem?.code == "document.type-mismatch", "\(png)")
            #expect(png.problem?.detail.contains("image/png") == true, "\(png)")
            let text = try await attempt(["Content-Type": "text/plain"], Data("hello".utf8))
            #expect(text.status == 415 && text.problem?.code == "document.unsupported-type", "\(text)")
            #expect(text.header("Accept")?.contains("application/ofd") == true)
            let empty = try await attempt(pdf, Data())
            #expect(empty.status == 400 && empty.problem?.code == "document.empty", "\(empty)")
            // A digest that is not the file's, in either header; one that is no digest.
            let other = Data(try #require(Secrets.bytes(hex: String(repeating: "ab", count: 32)))).base64EncodedString()
            let wrongRepr = try await attempt(
                pdf.merging(["Repr-Digest": "sha-256=:\(other):"]) { $1 }, SampleFiles.pdf())
            #expect(wrongRepr.status == 422 && wrongRepr.problem?.code == "document.digest-mismatch", "\(wrongRepr)")
            let wrongHex = try await attempt(
                pdf.merging(["X-Content-SHA256": String(repeating: "cd", count: 32)]) { $1 }, SampleFiles.pdf())
            #expect(wrongHex.status == 422 && wrongHex.problem?.code == "document.digest-mismatch", "\(wrongHex)")
            // Not 64 hexadecimal digits: the message says so, and not "lower case" (either case is taken).
            let badHex = try await attempt(
                pdf.merging(["X-Content-SHA256": String(repeating: "g", count: 64)]) { $1 }, SampleFiles.pdf())
            #expect(badHex.status == 400 && badHex.problem?.code == "document.digest-invalid", "\(badHex)")
            #expect(badHex.problem?.detail.contains("64 hexadecimal digits") == true, "\(badHex)")
            #expect(badHex.problem?.detail.contains("lowercase") == false, "\(badHex)")
            let badRepr = try await attempt(pdf.merging(["Repr-Digest": "sha-256=abc"]) { $1 }, SampleFiles.pdf())
            #expect(badRepr.status == 400 && badRepr.problem?.code == "request.invalid", "\(badRepr)")
            let badName = try await attempt(
                pdf.merging(["Content-Disposition": "attachment; filename=\"../../etc/passwd\""]) { $1 },
                SampleFiles.pdf()
            )
            #expect(badName.status == 400 && badName.problem?.code == "document.file-name-invalid", "\(badName)")
            // A code not on the case's checklist; a zip that is no OFD.
            let unknown = try await attempt(pdf, SampleFiles.pdf(), to: "/cases/\(kase.number)/documents/selfie")
            #expect(unknown.status == 422 && unknown.problem?.code == "document.invalid", "\(unknown)")
            let zip = try await attempt(
                ["Content-Type": "application/ofd"], SampleFiles.zip([("word/document.xml", Array("<w/>".utf8))]))
            #expect(zip.status == 422 && zip.problem?.code == "document.type-mismatch", "\(zip)")
            // A wrong password, another portal's token.
            let wrong = try await server.send(
                "POST", path, headers: kase.headers(pdf).merging(["X-Query-Password": "WRONG"]) { $1 },
                body: SampleFiles.pdf())
            #expect(wrong.status == 401 && wrong.problem?.code == "access.password-wrong", "\(wrong)")
            let app = try await server.desk.addPortal(
                id: "gov-app", name: "天府通办", channel: .mobile, as: .clerk("zhouqiang"))
            let foreign = try await server.send(
                "POST", path, headers: kase.headers(pdf).merging(["Authorization": "Bearer \(app.token)"]) { $1 },
                body: SampleFiles.pdf())
            #expect(foreign.status == 404 && foreign.problem?.code == "case.not-found", "\(foreign)")
            // None of these kept a file or recorded anything.
            #expect(Self.keptFiles(server.desk).isEmpty)
            #expect(try await server.desk.store.attachments(number).isEmpty)
            #expect(try await server.desk.documents(number).documents.allSatisfy { $0.receipt == nil })
            // The same document twice: the second is refused by the desk before its file is kept.
            let upper = Secrets.sha256Hex(SampleFiles.pdf()).uppercased()
            let first = try await attempt(pdf.merging(["X-Content-SHA256": upper]) { $1 }, SampleFiles.pdf())
            #expect(first.status == 201, "\(first)")
            let second = try await attempt(pdf, SampleFiles.pdf(size: 5_000))
            #expect(second.status == 409 && second.problem?.code == "document.already-received", "\(second)")
            #expect(Self.keptFiles(server.desk).count == 1)
            #expect(try await server.desk.store.attachments(number).count == 1)
        }
    }

    @Test func onlyTheDocumentsRouteTakesLargeBodies() async throws {
        try await TestServer.with(maxBodyBytes: 4_096, maxDocumentBytes: 65_536) { server in
            let kase = try await Self.submit(server)
            let pdf = ["Content-Type": "application/pdf", "Accept-Language": "en"]
            let within = try await server.send(
                "POST", "/cases/\(kase.number)/documents/articles", headers: kase.headers(pdf),
                body: SampleFiles.pdf(size: 60_000))
            #expect(within.status == 201, "\(within)")
            let over = try await server.send(
                "POST", "/cases/\(kase.number)/documents/lease", headers: kase.headers(pdf),
                body: SampleFiles.pdf(size: 65_537))
            #expect(over.status == 413 && over.problem?.code == "body.too-large", "\(over)")
            #expect(over.problem?.detail == "the request body is over the limit of 65536 bytes")
            // The JSON routes keep their own limit.
            let supplies = try await server.send(
                "POST", "/cases/\(kase.number)/supplies",
                headers: kase.headers(["Content-Type": "application/json", "Accept-Language": "en"]),
                body: Data(repeating: UInt8(ascii: " "), count: 10_000))
            #expect(supplies.status == 413 && supplies.problem?.detail.contains("4096") == true, "\(supplies)")
            #expect(Self.keptFiles(server.desk).count == 1)
        }
    }

    /// A file still coming in when the server is told to stop is read to its end and answered:
    /// a graceful stop lets the request in flight finish, an upload too.
    @Test func anUploadInFlightWhenTheServerStopsIsReadAndAnswered() async throws {
        let server = try await TestServer.start(maxDocumentBytes: 65_536)
        let kase = try await Self.submit(server)
        let file = SampleFiles.png(size: 20_000)
        let connection = try RawConnection(port: server.port)
        try connection.send(
            "POST /cases/\(kase.number)/documents/articles HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Authorization: Bearer \(kase.token)\r\nX-Query-Password: \(kase.password)\r\n"
                + "Content-Type: image/png\r\nContent-Length: \(file.count)\r\nExpect: 100-continue\r\n\r\n")
        let interim = await connection.answer(timeout: 10, interim: true)
        #expect(interim.hasPrefix("HTTP/1.1 100 Continue\r\n"), "\(interim)")
        // The stop begins with the body not sent yet; half of it comes, then the rest.
        let stopping = Task { try await server.stop() }
        try await Task.sleep(for: .milliseconds(300))
        try connection.send(file.prefix(10_000))
        try await Task.sleep(for: .milliseconds(300))
        try connection.send(file.dropFirst(10_000))
        let answer = await connection.answer(timeout: 30)
        #expect(answer.hasPrefix("HTTP/1.1 201 "), "\(answer)")
        try await stopping.value
    }

    /// curl and libcurl send `Expect: 100-continue` before a body over 1 KiB and wait for the
    /// server's 100 (Continue); one over the route's limit gets its 413 without it.
    @Test func aClientThatExpects100ContinueGetsItUnlessItsFileIsTooLarge() async throws {
        try await TestServer.with(maxDocumentBytes: 65_536) { server in
            let kase = try await Self.submit(server)
            let file = SampleFiles.png(size: 20_000)
            func head(_ length: Int) -> String {
                "POST /cases/\(kase.number)/documents/articles HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer \(kase.token)\r\nX-Query-Password: \(kase.password)\r\n"
                    + "Content-Type: image/png\r\nContent-Length: \(length)\r\nExpect: 100-continue\r\n\r\n"
            }
            let connection = try RawConnection(port: server.port)
            try connection.send(head(file.count))
            let interim = await connection.answer(timeout: 10, interim: true)
            #expect(interim.hasPrefix("HTTP/1.1 100 Continue\r\n"), "\(interim)")
            try connection.send(file)
            let answer = await connection.answer(timeout: 30)
            #expect(answer.hasPrefix("HTTP/1.1 201 "), "\(answer)")
            let tooLarge = try RawConnection(port: server.port)
            try tooLarge.send(head(65_537))
            let refused = await tooLarge.answer(timeout: 10)
            #expect(refused.hasPrefix("HTTP/1.1 413 "), "\(refused)")
            #expect(refused.contains(#""code":"body.too-large""#), "\(refused)")
            // From a re-trial: a file sent without its query password, or with a wrong one, was
            // sent 100 and read whole before its 401. The token and the password are now checked
            // first: the 401 comes without a 100, and the body is never asked for.
            for password in [nil, "WRONG-PASS"] {
                let unauthorised = try RawConnection(port: server.port)
                try unauthorised.send(
                    "POST /cases/\(kase.number)/documents/articles HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Authorization: Bearer \(kase.token)\r\n"
                        + (password.map { "X-Query-Password: \($0)\r\n" } ?? "")
                        + "Content-Type: image/png\r\nContent-Length: \(file.count)\r\nExpect: 100-continue\r\n\r\n")
                let answer = await unauthorised.answer(timeout: 10, interim: true)
                #expect(answer.hasPrefix("HTTP/1.1 401 "), "\(answer)")
                #expect(answer.contains(#""code":"access.password-wrong""#), "\(answer)")
                // From a re-trial: the body never asked for, the connection closes after the
                // answer (the server had waited for the body and taken the next request for it).
                #expect(answer.lowercased().contains("connection: close"), "\(answer)")
                #expect(unauthorised.closedByServer(timeout: 10))
            }
            // The wrong one was counted, once: four more lock the case.
            for _ in 0..<3 {
                let wrong = try await server.send(
                    "POST", "/cases/\(kase.number)/documents/articles",
                    headers: kase.headers(["Content-Type": "image/png", "X-Query-Password": "WRONG-PASS"]), body: file)
                #expect(wrong.status == 401, "\(wrong)")
            }
            let locked = try await server.send(
                "POST", "/cases/\(kase.number)/documents/articles",
                headers: kase.headers(["Content-Type": "image/png", "X-Query-Password": "WRONG-PASS"]), body: file)
            #expect(locked.status == 429, "\(locked)")
        }
    }

    @Test func aFileForADeferredDocumentIsItsSupplyAndClosesTheDeferral() async throws {
        try await TestServer.with { server in
            let kase = try await Self.submit(server)
            let number = try #require(CaseNumber(kase.number))
            let desk = server.desk
            // The window receives the papers; the applicant signs for the officers' appointment.
            let needed = try await desk.documents(number).documents.map(\.requirement.code).filter {
                $0 != "officer-appointment"
            }
            _ = try await desk.playing(Fixtures.at(18, 5)).receiveDocuments(
                number, needed.map { ReceivedDocument(code: $0, form: .paper) }, as: .clerk("wangfang"))
            _ = try await desk.playing(Fixtures.at(18, 6)).commitDeferral(
                number, codes: ["officer-appointment"], signer: "张伟", signerID: Fixtures.idZhang,
                as: .clerk("wangfang"))
            _ = desk.playing(Fixtures.at(18, 10))
            let paper = try await server.send(
                "POST", "/cases/\(kase.number)/documents/articles",
                headers: kase.headers(["Content-Type": "application/pdf"]), body: SampleFiles.pdf())
            #expect(paper.status == 409 && paper.problem?.code == "document.already-received", "\(paper)")
            let scan = SampleFiles.ofd()
            let answer = try await server.send(
                "POST", "/cases/\(kase.number)/documents/officer-appointment",
                headers: kase.headers(["Content-Type": "application/ofd"]), body: scan)
            #expect(answer.status == 201, "\(answer)")
            let body = try Self.json(answer)
            #expect((body["attachment"] as? [String: Any])?["supplied"] as? Bool == true)
            #expect((body["attachment"] as? [String: Any])?["mediaType"] as? String == "application/ofd")
            let kinds = (body["events"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }
            #expect(kinds?.contains("deferral-fulfilled") == true, "\(kinds ?? [])")
            let state = try await desk.store.registrationCase(number)
            #expect(state.deferral?.isOpen == false)
            #expect(state.documents["officer-appointment"]?.document.sha256 == Secrets.sha256Hex(scan))
            #expect(Self.keptFiles(desk).count == 1)
        }
    }
}
