import Foundation
import KaibanTestSupport
import Testing

/// `kaiban exchange keygen|import|failed|cases` and `kaiban partner add|list`, as a supervisor at
/// the terminal would run them, on the committed example messages.
@Suite struct ExchangeCLITests {
    static let examples = Fixtures.formsRoot.appendingPathComponent("exchange/examples")

    /// A new hall with its supervisor, its key, and Yuzhong registered with the examples' key.
    static func hall() throws -> KaibanProcess {
        let kaiban = try KaibanProcess(database: Fixtures.temporaryDatabasePath())
        #expect(try kaiban.run(["clerk", "add", "zhouqiang", "--name", "周强", "--role", "supervisor"]).status == 0)
        #expect(try kaiban.run(["exchange", "keygen"]).status == 0)
        let key = Self.examples.appendingPathComponent("keys/11500103MB164887X0.pem").path
        #expect(
            try kaiban.run([
                "partner", "add", "11500103MB164887X0", "--name", "重庆市渝中区市场监督管理局", "--key", key, "--as",
                "zhouqiang",
            ]).status == 0)
        return kaiban
    }

    @Test func keygenPartnerAddAndImportOfTheExamples() throws {
        let path = Fixtures.temporaryDatabasePath()
        let kaiban = try KaibanProcess(database: path)
        let first = try kaiban.run(["clerk", "add", "zhouqiang", "--name", "周强", "--role", "supervisor"])
        #expect(first.status == 0, "\(first)")
        let keygen = try kaiban.run(["exchange", "keygen"])
        #expect(keygen.status == 0, "\(keygen)")
        let keyFile = URL(fileURLWithPath: path).deletingPathExtension().appendingPathExtension("files")
            .appendingPathComponent("exchange/key.pem")
        let mode = try FileManager.default.attributesOfItem(atPath: keyFile.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // A second keygen keeps the key.
        let again = try kaiban.run(["exchange", "keygen"])
        #expect(again.status == 65 && again.stderr.contains("--replace"))
        // Registering a partner is a supervisor's act.
        let key = Self.examples.appendingPathComponent("keys/11500103MB164887X0.pem").path
        let anonymous = try kaiban.run([
            "partner", "add", "11500103MB164887X0", "--name", "重庆市渝中区市场监督管理局", "--key", key,
        ])
        #expect(anonymous.status != 0)
        let added = try kaiban.run([
            "partner", "add", "11500103MB164887X0", "--name", "重庆市渝中区市场监督管理局", "--key", key, "--as", "zhouqiang",
        ])
        #expect(added.status == 0, "\(added)")
        #expect(added.stdout.contains("1b5edcb0ad9918cc12c0643c03062b102059e6ef9eb74616573ca8d9e25a29c3"))
        let list = try kaiban.run(["partner", "list"])
        #expect(list.stdout.contains("重庆市渝中区市场监督管理局"))
        // Adding a key takes nothing else: an endpoint given with it had been dropped silently.
        let withEndpoint = try kaiban.run([
            "partner", "add", "11500103MB164887X0", "--key", key, "--add-key", "--endpoint", "http://127.0.0.1:9",
            "--as", "zhouqiang",
        ])
        #expect(withEndpoint.status == 64 && withEndpoint.stderr.contains("--add-key"), "\(withEndpoint)")
        #expect(try kaiban.run(["partner", "list"]).stdout.contains("127.0.0.1:9") == false)

        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-spool-\(UUID())")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        for name in ["02-receipt.xml", "03-status-update.xml", "07-case-transfer-to-zhaohua.xml"] {
            try FileManager.default.copyItem(
                at: Self.examples.appendingPathComponent(name), to: spool.appendingPathComponent(name))
        }
        try Data("<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>".utf8).write(
            to: spool.appendingPathComponent("99-xxe.xml"))
        // A link in the spool is not followed (it could bring any local file into the dead letters).
        try FileManager.default.createSymbolicLink(
            atPath: spool.appendingPathComponent("98-link.xml").path, withDestinationPath: "/etc/hostname")
        let imported = try kaiban.run(["exchange", "import", spool.path])
        // Refused messages make the run fail, each named with its reason.
        #expect(imported.status == 65, "\(imported)")
        #expect(imported.stdout.contains("✓ 02-receipt.xml"))
        #expect(imported.stdout.contains("03-status-update.xml：被拒 case.unknown"))
        #expect(imported.stdout.contains("07-case-transfer-to-zhaohua.xml：被拒 message.sender-unknown"))
        #expect(imported.stdout.contains("99-xxe.xml：被拒 message.unreadable"))
        #expect(imported.stdout.contains("98-link.xml：被拒 file.not-regular"))
        // Receipts written for the messages that get one (not for a receipt, nor the unreadable file).
        let receipts = try FileManager.default.contentsOfDirectory(
            atPath: spool.appendingPathComponent("receipts").path)
        #expect(receipts.count == 2)
        let failed = try kaiban.run(["exchange", "failed", "--json"])
        #expect(failed.status == 0)
        let entries = try JSONSerialization.jsonObject(with: Data(failed.stdout.utf8)) as? [[String: Any]]
        #expect(
            Set((entries ?? []).compactMap { $0["code"] as? String }) == [
                "case.unknown", "message.sender-unknown", "message.unreadable",
            ])
        // Imported again: the same answers, nothing applied twice.
        let twice = try kaiban.run(["exchange", "import", spool.path, "--lang", "en"])
        #expect(twice.stdout.contains("= 03-status-update.xml: repeated"))
        #expect(twice.status == 65)
        let cases = try kaiban.run(["exchange", "cases"])
        #expect(cases.stdout.contains("没有跨省办件"))
    }

    /// A forged copy of a message (its id, other content) is refused with its own receipt, written
    /// beside the genuine message's receipt, never over it.
    @Test func aForgedCopyDoesNotReplaceTheGenuineMessagesReceipt() throws {
        let path = Fixtures.temporaryDatabasePath()
        let kaiban = try KaibanProcess(database: path)
        #expect(try kaiban.run(["clerk", "add", "zhouqiang", "--name", "周强", "--role", "supervisor"]).status == 0)
        #expect(try kaiban.run(["exchange", "keygen"]).status == 0)
        let key = Self.examples.appendingPathComponent("keys/11500103MB164887X0.pem").path
        let added = try kaiban.run([
            "partner", "add", "11500103MB164887X0", "--name", "重庆市渝中区市场监督管理局", "--key", key, "--as", "zhouqiang",
        ])
        #expect(added.status == 0, "\(added)")
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-spool-\(UUID())")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        let genuine = try Data(contentsOf: Self.examples.appendingPathComponent("03-status-update.xml"))
        try genuine.write(to: spool.appendingPathComponent("a-status.xml"))
        let forged = String(decoding: genuine, as: UTF8.self).replacingOccurrences(of: "转登记科审查", with: "已办结")
        try Data(forged.utf8).write(to: spool.appendingPathComponent("b-forged.xml"))
        let imported = try kaiban.run(["exchange", "import", spool.path])
        #expect(imported.stdout.contains("a-status.xml：被拒 case.unknown"), "\(imported)")
        #expect(imported.stdout.contains("b-forged.xml：被拒 message.signature-invalid"), "\(imported)")
        let folder = spool.appendingPathComponent("receipts")
        let first = try String(
            contentsOf: folder.appendingPathComponent("receipt-0b7e6f3c-52d9-4e8a-b1c4-6a9f2e7d3c10.xml"),
            encoding: .utf8)
        let second = try String(
            contentsOf: folder.appendingPathComponent("receipt-0b7e6f3c-52d9-4e8a-b1c4-6a9f2e7d3c10-2.xml"),
            encoding: .utf8)
        #expect(first.contains("case.unknown") && !first.contains("message.signature-invalid"))
        #expect(second.contains("message.signature-invalid"))
        // Again: the genuine message is a repeat answered with its first receipt (the same file,
        // unchanged); the forgery, never recorded, gets a new refusal of its own.
        _ = try kaiban.run(["exchange", "import", spool.path])
        let again = try String(
            contentsOf: folder.appendingPathComponent("receipt-0b7e6f3c-52d9-4e8a-b1c4-6a9f2e7d3c10.xml"),
            encoding: .utf8)
        #expect(again == first)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 3)
    }

    /// From a trial: a forged copy imported first (in an earlier import, or earlier in the same
    /// one) had kept `receipt-{id}.xml`, the name the partner looks under, and the genuine
    /// message's answer went beside it. The genuine message's receipt takes the name; the
    /// forgery's refusal moves to `-2`.
    @Test func theGenuineMessageTakesItsReceiptsNameFromAForgedCopy() throws {
        let genuine = try Data(contentsOf: Self.examples.appendingPathComponent("03-status-update.xml"))
        let forged = Data(
            String(decoding: genuine, as: UTF8.self).replacingOccurrences(of: "转登记科审查", with: "已办结").utf8)
        let name = "receipt-0b7e6f3c-52d9-4e8a-b1c4-6a9f2e7d3c10"
        for together in [false, true] {
            let kaiban = try Self.hall()
            let spool = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-spool-\(UUID())")
            try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
            try forged.write(to: spool.appendingPathComponent("z-forged.xml"))
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: 1_000)],
                ofItemAtPath: spool.appendingPathComponent("z-forged.xml").path)
            if !together {
                _ = try kaiban.run(["exchange", "import", spool.path])
                try FileManager.default.removeItem(at: spool.appendingPathComponent("z-forged.xml"))
            }
            try genuine.write(to: spool.appendingPathComponent("a-status.xml"))
            let imported = try kaiban.run(["exchange", "import", spool.path])
            #expect(imported.stdout.contains("a-status.xml：被拒 case.unknown"), "\(imported)")
            let folder = spool.appendingPathComponent("receipts")
            let base = try String(contentsOf: folder.appendingPathComponent("\(name).xml"), encoding: .utf8)
            let aside = try String(contentsOf: folder.appendingPathComponent("\(name)-2.xml"), encoding: .utf8)
            #expect(base.contains("case.unknown") && !base.contains("message.signature-invalid"), "\(together)")
            #expect(aside.contains("message.signature-invalid"), "\(together)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 2, "\(together)")
        }
    }

    /// `partner endpoint`, `partner remove-key` and `partner history`, as a supervisor runs them.
    @Test func aSupervisorChangesAPartnersEndpointAndRemovesItsKey() throws {
        let kaiban = try Self.hall()
        let code = "11500103MB164887X0"
        let neither = try kaiban.run(["partner", "endpoint", code, "--reason", "迁移", "--as", "zhouqiang"])
        #expect(neither.status == 64, "\(neither)")
        let moved = try kaiban.run([
            "partner", "endpoint", code, "https://exchange.cq.example/", "--reason", "对方系统迁移", "--as", "zhouqiang",
        ])
        #expect(moved.status == 0 && moved.stdout.contains("https://exchange.cq.example/"), "\(moved)")
        let removed = try kaiban.run([
            "partner", "remove-key", code, "1b5edcb0ad9918cc", "--reason", "私钥泄露", "--as", "zhouqiang",
        ])
        #expect(removed.status == 0 && removed.stdout.contains("尚有0把公钥"), "\(removed)")
        #expect(removed.stderr.contains("已无公钥"), "\(removed)")
        let history = try kaiban.run(["partner", "history", code, "--lang", "en"])
        #expect(history.stdout.contains("endpoint-changed") && history.stdout.contains("私钥泄露"), "\(history)")
        let again = try kaiban.run([
            "partner", "remove-key", code, "1b5edcb0ad9918cc", "--reason", "私钥泄露", "--as", "zhouqiang",
        ])
        #expect(again.status != 0 && again.stderr.contains("1b5edcb0ad9918cc"), "\(again)")
    }

    /// Receipts that cannot be written (`receipts` is a file): the import says so and that the
    /// messages were recorded (exit 74); once fixed, importing again writes their receipts.
    @Test func receiptsThatCannotBeWrittenAreSaidAndWrittenByTheNextImport() throws {
        let kaiban = try Self.hall()
        let spool = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-spool-\(UUID())")
        try FileManager.default.createDirectory(at: spool, withIntermediateDirectories: true)
        try Data(contentsOf: Self.examples.appendingPathComponent("03-status-update.xml"))
            .write(to: spool.appendingPathComponent("a-status.xml"))
        let folder = spool.appendingPathComponent("receipts")
        try Data().write(to: folder)
        let blocked = try kaiban.run(["exchange", "import", spool.path])
        #expect(blocked.status == 74, "\(blocked)")
        #expect(blocked.stderr.contains("回执无法写入") && blocked.stderr.contains("报文均已登记"), "\(blocked)")
        try FileManager.default.removeItem(at: folder)
        let again = try kaiban.run(["exchange", "import", spool.path])
        #expect(again.stdout.contains("a-status.xml"), "\(again)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).count == 1)
    }

    @Test func importWithoutAKeySaysToRunKeygen() throws {
        let kaiban = try KaibanProcess()
        #expect(try kaiban.run(["clerk", "add", "zhouqiang", "--name", "周强", "--role", "supervisor"]).status == 0)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kaiban-spool-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let result = try kaiban.run(["exchange", "import", folder.path])
        #expect(result.status == 66)
        #expect(result.stderr.contains("kaiban exchange keygen"))
    }
}
