import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk
import KaibanExchange

/// `kaiban partner add|list|remove-key|endpoint`: the partner authorities of the 川渝通办 exchange
/// and their keys.
struct PartnerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "partner",
        abstract: localized(
            zh: "川渝通办协同机构及其SM2公钥：登记、查看、撤除公钥、变更投递地址（负责人）。",
            en:
                "The exchange's partner authorities and their SM2 keys: add, list, remove a key, change the endpoint (supervisors)."
        ),
        subcommands: [Add.self, List.self, RemoveKey.self, Endpoint.self, History.self])

    /// `kaiban partner history CODE`
    struct History: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "history",
            abstract: localized(
                zh: "协同机构登记后的变更（撤除公钥、变更投递地址）：时间、负责人、理由。",
                en: "A partner's changes since it was added (keys removed, endpoint changed): when, by whom, why."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: .localized(zh: "机构的统一社会信用代码。", en: "The authority's unified social credit code."))
        var code: String

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let changes = try await session.desk.exchangePartnerChanges(code: code)
                if output.json {
                    try Console.json(changes)
                    return
                }
                let zh = session.zh
                guard !changes.isEmpty else {
                    Console.print(zh ? "登记后未作变更" : "no change since it was added")
                    return
                }
                var table = TextTable(zh ? ["时间", "负责人", "变更", "内容", "理由"] : ["at", "by", "change", "what", "reason"])
                for change in changes {
                    let kind =
                        zh ? (change.change == "key-removed" ? "撤除公钥" : "变更投递地址") : change.change
                    table.add([
                        HallTime.localText(of: change.at), change.by, kind, change.detail ?? (zh ? "（无）" : "(none)"),
                        change.reason,
                    ])
                }
                Console.print(table.rendered)
            }
        }
    }

    /// `kaiban partner remove-key CODE FINGERPRINT --reason R`
    struct RemoveKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-key",
            abstract: localized(
                zh: "撤除协同机构的一把公钥（停用或泄露）：此后用它签名的报文一律拒收；须说明理由。",
                en:
                    "Remove a partner's key (retired or compromised): messages signed with it are refused from then on; give --reason."
            ))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: .localized(zh: "机构的统一社会信用代码。", en: "The authority's unified social credit code."))
        var code: String
        @Argument(
            help: .localized(
                zh: "公钥指纹（至少前16位，见 kaiban partner list）。",
                en: "The key's fingerprint (16 characters or more, see partner list)."
            ))
        var fingerprint: String
        @Option(help: .localized(zh: "理由（与变更一并保存）。", en: "Why (kept with the change)."))
        var reason: String?

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let partner = try await session.desk.removeExchangePartnerKey(
                    code: code, fingerprint: fingerprint, reason: reason, as: session.actor)
                if output.json {
                    try Console.json(partner)
                    return
                }
                Console.print(
                    session.zh
                        ? "已撤除协同机构\(partner.name)的公钥\(fingerprint)，尚有\(partner.keys.count)把公钥"
                        : "key \(fingerprint) of \(partner.name) removed; \(partner.keys.count) key(s) left")
                if partner.keys.isEmpty {
                    Console.error(
                        session.zh
                            ? "注意：该机构已无公钥，其报文一律拒收，直至 kaiban partner add --add-key 登记新公钥"
                            : "note: the partner has no key left: its messages are refused until a new one is added with --add-key"
                    )
                }
            }
        }
    }

    /// `kaiban partner endpoint CODE [URL|FOLDER] [--none] --reason R`
    struct Endpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "endpoint",
            abstract: localized(
                zh: "变更协同机构的报文投递地址（http(s):// 地址或收件目录；--none 为暂停投递）；须说明理由。",
                en:
                    "Change where a partner's messages go (an http(s):// address or a spool folder; --none holds them); give --reason."
            ))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: .localized(zh: "机构的统一社会信用代码。", en: "The authority's unified social credit code."))
        var code: String
        @Argument(help: .localized(zh: "新的投递地址。", en: "The new endpoint."))
        var endpoint: String?
        @Flag(help: .localized(zh: "不再投递（报文留在发件箱）。", en: "No endpoint (messages wait in the outbox)."))
        var none = false
        @Option(help: .localized(zh: "理由（与变更一并保存）。", en: "Why (kept with the change)."))
        var reason: String?

        func validate() throws {
            if (endpoint == nil) == !none {
                throw usageError(zh: "须给出新的投递地址或 --none（二者取一）", en: "give the new endpoint or --none (one of them)")
            }
        }

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let partner = try await session.desk.changeExchangePartnerEndpoint(
                    code: code, endpoint: none ? nil : endpoint, reason: reason, as: session.actor)
                if output.json {
                    try Console.json(partner)
                    return
                }
                Console.print(
                    session.zh
                        ? "协同机构\(partner.name)的投递地址已改为\(partner.endpoint ?? "（无）")"
                        : "the endpoint of \(partner.name) is now \(partner.endpoint ?? "(none)")")
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: localized(
                zh: "登记协同机构及其公钥；已登记的机构换新公钥时加 --add-key。",
                en: "Register a partner with its public key; --add-key adds a new key to a registered one."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: .localized(zh: "机构的统一社会信用代码。", en: "The authority's unified social credit code."))
        var code: String
        @Option(help: .localized(zh: "机构名称。", en: "Its name."))
        var name: String?
        @Option(help: .localized(zh: "SM2公钥文件（PEM）。", en: "Its SM2 public key file (PEM)."))
        var key: String
        @Option(
            help: .localized(
                zh: "报文投递地址：http(s):// 地址或收件目录。", en: "Where its messages go: an http(s):// address or a spool folder.")
        )
        var endpoint: String?
        @Flag(
            name: .customLong("add-key"), help: .localized(zh: "为已登记的机构增加公钥。", en: "Add a key to a registered partner.")
        )
        var addKey = false

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let zh = session.zh
                let pem: Data
                do {
                    pem = try Data(contentsOf: URL(fileURLWithPath: key))
                } catch {
                    throw Problem(
                        .notFound, "file.unreadable", zh: "无法读取公钥文件 \(key)", en: "cannot read the key file \(key)")
                }
                let partner: ExchangePartner
                if addKey {
                    // A key is added to a partner as registered: a name or an endpoint given with it
                    // would be dropped without a word.
                    if name != nil || endpoint != nil {
                        throw usageError(
                            zh: "--add-key 只增加公钥，不能同时给出 --name 或 --endpoint",
                            en: "--add-key only adds a key: --name and --endpoint cannot go with it")
                    }
                    partner = try await session.desk.addExchangePartnerKey(
                        code: code, publicKeyPEM: pem, as: session.actor)
                } else {
                    guard let name else {
                        throw usageError(zh: "登记协同机构须给出 --name", en: "--name is needed to register a partner")
                    }
                    partner = try await session.desk.addExchangePartner(
                        code: code, name: name, endpoint: endpoint, publicKeyPEM: pem, as: session.actor)
                }
                if output.json {
                    try Console.json(partner)
                    return
                }
                let fingerprint = partner.keys.last?.fingerprint ?? ""
                Console.print(
                    zh
                        ? "已登记协同机构\(partner.name)（\(partner.code)），公钥指纹 \(fingerprint)，共\(partner.keys.count)把公钥"
                        : "partner \(partner.name) (\(partner.code)) registered, key fingerprint \(fingerprint), \(partner.keys.count) key(s)"
                )
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: localized(zh: "列出协同机构。", en: "List the partners."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let partners = try await session.desk.exchangePartners()
                if output.json {
                    try Console.json(partners)
                    return
                }
                let zh = session.zh
                var table = TextTable(
                    zh
                        ? ["代码", "名称", "投递地址", "公钥指纹", "登记"]
                        : ["code", "name", "endpoint", "key fingerprints", "registered"])
                for partner in partners {
                    table.add([
                        partner.code, partner.name, partner.endpoint ?? "—",
                        partner.keys.map { String($0.fingerprint.prefix(16)) + "…" }.joined(separator: " "),
                        HallTime.localText(of: partner.addedAt) + " \(partner.addedBy)",
                    ])
                }
                Console.print(partners.isEmpty ? (zh ? "尚未登记协同机构" : "no partner registered") : table.rendered)
            }
        }
    }
}

/// `kaiban exchange keygen|import|failed|cases`: the signed XML exchange with the partner province.
struct ExchangeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exchange",
        abstract: localized(
            zh: "川渝通办报文交换：生成密钥、导入收件目录、查看失败报文与跨省办件。",
            en:
                "The 川渝通办 exchange: make the key, import a spool folder, list refused messages and cross-province cases."
        ),
        subcommands: [Keygen.self, Import.self, Send.self, Status.self, Failed.self, Cases.self])

    struct Keygen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keygen",
            abstract: localized(
                zh: "生成本机构的SM2密钥对（私钥文件权限0600），显示公钥指纹。",
                en: "Make this hall's SM2 key pair (private key file mode 0600) and show its fingerprint."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Flag(help: .localized(zh: "替换已有的密钥。", en: "Replace the existing key."))
        var replace = false

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let generated = try ExchangeKeys.generate(session.settings, replacing: replace)
                if output.json {
                    try Console.json(generated)
                    return
                }
                Console.print(
                    session.zh
                        ? "已生成本机构交换密钥：私钥 \(generated.privateKey)（仅本人可读），公钥 \(generated.publicKey)\n公钥指纹 \(generated.fingerprint)：请把公钥文件交给各协同机构登记。"
                        : "exchange key made: private key \(generated.privateKey) (owner only), public key \(generated.publicKey)\nfingerprint \(generated.fingerprint): give the public key file to each partner to register."
                )
            }
        }
    }

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: localized(
                zh: "导入收件目录中的报文（*.xml，按到达顺序：先按修改时间，再按文件名；材料文件以其SM3命名放在旁边），回执写入 receipts/ 子目录；有报文被拒时以非零状态退出。",
                en:
                    "Import the messages of a spool folder (*.xml, in the order they arrived: by modification time, then name; document files beside them named by SM3); receipts go to receipts/; exits non-zero when any was refused."
            ))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: .localized(zh: "收件目录。", en: "The spool folder."))
        var folder: String

        struct Line: Codable {
            var file: String
            var answer: InboundAnswer.Outcome
            var type: String?
            var messageID: String?
            var sender: String?
            var code: String?
            var reason: String?
            var receipt: String?
        }

        /// `names` in the order the files came into the spool: by modification time, then by
        /// name. Names are message ids (random UUIDs): in their order a withdrawal dropped with its
        /// transfer had been applied first, refused as of an unknown case, and the case then taken
        /// in. Files of the very same modification time (a filesystem that keeps whole seconds, an
        /// archive unpacked, a copy that kept the times) go by the send time their envelopes state,
        /// then by name. A file that cannot be read comes first (it is reported as it is reached).
        static func inArrivalOrder(_ names: [String], in directory: URL) -> [String] {
            struct Stamp: Hashable {
                var seconds = 0
                var nanoseconds = 0
            }
            let stamped = names.map { name -> (name: String, stamp: Stamp) in
                var status = stat()
                guard lstat(directory.appendingPathComponent(name).path, &status) == 0 else { return (name, Stamp()) }
                return (name, Stamp(seconds: Int(status.st_mtim.tv_sec), nanoseconds: Int(status.st_mtim.tv_nsec)))
            }
            var sent: [String: Date] = [:]
            for group in Dictionary(grouping: stamped, by: \.stamp).values where group.count > 1 {
                for file in group { sent[file.name] = statedSendTime(directory.appendingPathComponent(file.name)) }
            }
            return stamped.sorted { a, b in
                guard a.stamp == b.stamp else {
                    return (a.stamp.seconds, a.stamp.nanoseconds) < (b.stamp.seconds, b.stamp.nanoseconds)
                }
                return (sent[a.name] ?? .distantFuture, a.name) < (sent[b.name] ?? .distantFuture, b.name)
            }.map(\.name)
        }

        /// The send time a spool file's envelope states (`SendTime`), read from its first 8 KiB
        /// without parsing: for the order only, the message is checked whole when it is imported.
        static func statedSendTime(_ file: URL) -> Date? {
            guard let head = try? read(file, limit: 8192) else { return nil }
            let tag = Data("SendTime>".utf8)
            guard let open = head.range(of: tag),
                let end = head[open.upperBound...].firstIndex(of: UInt8(ascii: "<")),
                let text = String(data: head[open.upperBound..<end], encoding: .utf8)
            else { return nil }
            return ExchangeTime.parse(text.trimmingCharacters(in: .whitespacesAndNewlines))
        }

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let zh = session.zh
                let inbox = try ExchangeInbox.open(session.desk)
                let directory = URL(fileURLWithPath: folder)
                let names: [String]
                do {
                    names = Self.inArrivalOrder(
                        try FileManager.default.contentsOfDirectory(atPath: directory.path)
                            .filter { $0.lowercased().hasSuffix(".xml") }, in: directory)
                } catch {
                    throw Problem(
                        .notFound, "folder.unreadable", zh: "无法读取收件目录 \(folder)",
                        en: "cannot read the spool folder \(folder)")
                }
                let receipts = directory.appendingPathComponent("receipts")
                // What an import killed mid-write left (the receipts are written again below).
                DurableFiles.removeAbandoned(in: receipts, now: Date())
                DurableFiles.removeAbandoned(in: ExchangeInbox.filesFolder(session.desk.settings), now: Date())
                var lines: [Line] = []
                // Read, then received in batches: each checked concurrently while the one before it
                // is applied, in one transaction each.
                var batch: [(name: String, data: Data, origin: String)] = []
                var checking:
                    (
                        items: [(name: String, data: Data, origin: String)],
                        checked: Task<ExchangeInbox.CheckedBatch, any Error>
                    )?
                // Applies the batch being checked and writes its lines.
                func applyChecked() async throws {
                    guard let current = checking else { return }
                    checking = nil
                    let answers = try await inbox.apply(try await current.checked.value)
                    // The batch's new receipts are written together, with one flush of the disk.
                    var planned: [String: Data] = [:]
                    for (item, answer) in zip(current.items, answers) {
                        var line = Line(
                            file: item.name, answer: answer.outcome, type: answer.type, messageID: answer.messageID,
                            sender: answer.senderCode, code: answer.code, reason: answer.reason)
                        if let receipt = answer.receipt {
                            line.receipt =
                                Self.receiptFile(
                                    receipt, named: "receipt-\(answer.messageID ?? item.name)", in: receipts,
                                    planned: &planned, verified: !Self.unverifiedCodes.contains(answer.code ?? ""),
                                    unverified: { Self.answersUnverified($0, codec: inbox.codec) }
                                ).path
                        }
                        lines.append(line)
                    }
                    do {
                        try DurableFiles.write(
                            planned.sorted { $0.key < $1.key }.map { (URL(fileURLWithPath: $0.key), $0.value) },
                            mode: 0o644)
                    } catch {
                        // The batch is recorded: a new import answers its messages as repeats
                        // and writes their receipts then.
                        let why: String
                        if case .storage(let text)? = error as? StoreError { why = text } else { why = "\(error)" }
                        throw Problem(
                            .storage, "receipts.unwritable",
                            zh: "回执无法写入 \(receipts.path)（\(why)）；报文均已登记（受理或拒收），排除问题后重新导入即可补写回执",
                            en:
                                "cannot write the receipts to \(receipts.path) (\(why)); the messages were recorded (applied or refused): import again once fixed to write their receipts"
                        )
                    }
                }
                // Starts checking the batch read, then applies the one checked before it;
                // `drain` applies this one too (before a line of its own, and at the end).
                func flush(drain: Bool = true) async throws {
                    if !batch.isEmpty {
                        let items = batch
                        batch.removeAll()
                        let task = Task {
                            try await inbox.check(
                                items.map { ($0.data, $0.origin) }, documents: SpoolDocuments(folder: directory))
                        }
                        try await applyChecked()
                        checking = (items, task)
                    }
                    if drain { try await applyChecked() }
                }
                for name in names {
                    let file = directory.appendingPathComponent(name)
                    // Only the spool's own files: a link could bring any file of this machine in.
                    // lstat(2) itself: Foundation's attributes read the owner's and group's names
                    // (/etc/passwd and /etc/group) for every file.
                    var status = stat()
                    guard lstat(file.path, &status) == 0 else {
                        // Listed but not found by its name: a name that is not UTF-8 comes back
                        // from the listing with replacement characters.
                        let reason = String(cString: strerror(errno))
                        try await flush()
                        lines.append(
                            Line(
                                file: name, answer: .refused, code: "file.unreadable",
                                reason: zh
                                    ? "无法按文件名读取（\(reason)；文件名须为UTF-8编码），未读取，请改名后重新导入"
                                    : "cannot be read by its name (\(reason); names must be UTF-8); not read: rename it and import again"
                            ))
                        continue
                    }
                    guard status.st_mode & S_IFMT == S_IFREG else {
                        try await flush()  // the lines stay in the files' order
                        lines.append(
                            Line(
                                file: name, answer: .refused, code: "file.not-regular",
                                reason: zh ? "不是普通文件（链接或目录），未读取" : "not a regular file (a link or a folder); not read"))
                        continue
                    }
                    let data: Data
                    do {
                        data = try Self.read(file)
                    } catch {
                        try await flush()
                        lines.append(Line(file: name, answer: .refused, code: "file.unreadable", reason: "\(error)"))
                        continue
                    }
                    batch.append((name, data, file.path))
                    if batch.count == Self.batchSize { try await flush(drain: false) }
                }
                try await flush()
                if output.json {
                    try Console.json(lines)
                } else {
                    for line in lines { Console.print(Self.text(line, zh: zh)) }
                    let refused = lines.filter(Self.isRefusal).count
                    Console.print(
                        zh
                            ? "共\(lines.count)份报文：\(lines.count - refused)份已受理或重复，\(refused)份被拒"
                            : "\(lines.count) messages: \(lines.count - refused) applied or repeated, \(refused) refused"
                    )
                }
                if lines.contains(where: Self.isRefusal) {
                    throw ExitCode(KaibanExit.refused)
                }
            }
        }

        /// The refusals made before the message's sender and signature were verified: anyone may
        /// have sent the message (a forged copy of a partner's).
        static let unverifiedCodes: Set<String> = [
            "message.too-large", "message.unreadable", "message.schema-invalid", "message.version-unsupported",
            "message.sender-unknown", "message.signature-invalid",
        ]

        /// Whether `receipt` (this hall's) refuses a message before its signature was verified.
        static func answersUnverified(_ receipt: Data, codec: ExchangeCodec) -> Bool {
            guard let opened = try? codec.open(receipt, source: "receipt"),
                case .receipt(let answer) = opened.message.body
            else { return false }
            return answer.firstCode.map { unverifiedCodes.contains($0) } ?? false
        }

        /// The file of `receipt`: `NAME.xml` in `folder`, unless a receipt with other content is
        /// there already under that name, or planned in this batch: a forgery or a reuse of a
        /// message's id gets its own refusal, and must not replace the receipt of the genuine
        /// message (`NAME-2.xml`, `NAME-3.xml`, … instead). The same receipt again (a repeat) is the
        /// same file. A file to write is added to `planned` (path to content). The receipt of a
        /// `verified` message takes `NAME.xml` from a refusal of an unverified one (`unverified`
        /// tells): a forged copy imported first had kept the name the partner looks under, and the
        /// genuine message's acceptance went beside it.
        static func receiptFile(
            _ receipt: Data, named name: String, in folder: URL, planned: inout [String: Data], verified: Bool = false,
            unverified: (Data) -> Bool = { _ in false }
        ) -> URL {
            let base = folder.appendingPathComponent("\(name).xml")
            if verified, let earlier = planned[base.path] ?? FileManager.default.contents(atPath: base.path),
                earlier != receipt, unverified(earlier)
            {
                var copy = 2
                while let other = planned[folder.appendingPathComponent("\(name)-\(copy).xml").path]
                    ?? FileManager.default.contents(atPath: folder.appendingPathComponent("\(name)-\(copy).xml").path),
                    other != earlier
                {
                    copy += 1
                }
                planned[folder.appendingPathComponent("\(name)-\(copy).xml").path] = earlier
                planned[base.path] = receipt
                return base
            }
            var copy = 1
            while true {
                let target = folder.appendingPathComponent(copy == 1 ? "\(name).xml" : "\(name)-\(copy).xml")
                if let earlier = planned[target.path] ?? FileManager.default.contents(atPath: target.path) {
                    if earlier == receipt { return target }
                    copy += 1
                    continue
                }
                planned[target.path] = receipt
                return target
            }
        }

        /// How many spool messages are applied in one transaction.
        static let batchSize = 200

        /// Whether the message was refused, now or (repeated) the first time.
        static func isRefusal(_ line: Line) -> Bool {
            line.answer == .rejected || line.answer == .refused || (line.answer == .duplicate && line.code != nil)
        }

        /// A spool file, at most one octet over the message limit (the inbox refuses it as too large).
        /// Opened without following a link and without waiting (a FIFO put in the file's place after
        /// it was listed would hold the import for ever), and read only when it is a regular file.
        static func read(_ file: URL, limit: Int = ExchangeMessage.maximumSize + 1) throws -> Data {
            let descriptor = open(file.path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard descriptor >= 0 else { throw SpoolFileError(reason: String(cString: strerror(errno))) }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            var status = stat()
            guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
                throw SpoolFileError(reason: "not a regular file")
            }
            return try handle.read(upToCount: limit) ?? Data()
        }

        /// Why a spool file could not be read.
        struct SpoolFileError: Error, CustomStringConvertible {
            var reason: String
            var description: String { reason }
        }

        static func text(_ line: Line, zh: Bool) -> String {
            let what = [line.type, line.messageID].compactMap { $0 }.joined(separator: " ")
            switch line.answer {
            case .applied: return zh ? "✓ \(line.file)：已受理 \(what)" : "✓ \(line.file): applied \(what)"
            case .duplicate:
                let first =
                    line.code.map {
                        zh ? "（首次被拒 \($0)：\(line.reason ?? "")）" : " (first refused \($0): \(line.reason ?? ""))"
                    } ?? ""
                return zh
                    ? "= \(line.file)：重复报文，已按首次回执答复 \(what)\(first)"
                    : "= \(line.file): repeated, first receipt sent again \(what)\(first)"
            case .rejected, .refused:
                return zh
                    ? "✗ \(line.file)：被拒 \(line.code ?? "")：\(line.reason ?? "")"
                    : "✗ \(line.file): refused \(line.code ?? ""): \(line.reason ?? "")"
            }
        }
    }

    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "send",
            abstract: localized(
                zh: "投递发件箱中到期的报文（HTTP 或对方收件目录），失败的按退避时间重试。",
                en:
                    "Deliver the outbox's due messages (HTTP or the partner's spool folder); failures are retried with backoff."
            ))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let worker = try ExchangeWorker.open(session.desk)
                let report = try await worker.run(at: session.desk.clock.now())
                if output.json {
                    try Console.json(report)
                    return
                }
                let zh = session.zh
                for (number, local) in report.takenIn.sorted(by: { $0.key < $1.key }) {
                    Console.print(zh ? "转入办件\(number)已收件为\(local)" : "transferred case \(number) taken in as \(local)")
                }
                for (number, reason) in report.refused.sorted(by: { $0.key < $1.key }) {
                    Console.print(zh ? "转入办件\(number)不予受理：\(reason)" : "transferred case \(number) refused: \(reason)")
                }
                for (number, why) in report.returned.sorted(by: { $0.key < $1.key }) {
                    Console.print(
                        zh
                            ? "转出办件\(number)已退回窗口（不受理）：\(why)"
                            : "transferred case \(number) returned to the window (not taken): \(why)")
                }
                for (number, why) in report.closed.sorted(by: { $0.key < $1.key }) {
                    Console.print(
                        zh
                            ? "转出办件\(number)被对方拒收，已关闭：\(why)"
                            : "transferred case \(number) refused by the partner, closed: \(why)")
                }
                for (number, why) in report.failed.sorted(by: { $0.key < $1.key }) {
                    Console.error(
                        zh
                            ? "办件\(number)的报文未能写出（下次再试）：\(why)"
                            : "case \(number): its message could not be written (tried again next time): \(why)")
                }
                let pass = report.delivery
                Console.print(
                    zh
                        ? "新写报文\(report.told)份；已投递\(pass.delivered)份（对方回执确认\(pass.acknowledged)份、拒收\(pass.rejected)份），待重试\(pass.retrying)份，放弃\(pass.failed)份"
                        : "\(report.told) messages written; delivered \(pass.delivered) (acknowledged \(pass.acknowledged), rejected \(pass.rejected)), retrying \(pass.retrying), given up \(pass.failed)"
                )
                if pass.unboundAnswers > 0 {
                    Console.error(
                        zh
                            ? "\(pass.unboundAnswers)份报文投递后对方的答复不是其回执（未签名、非该机构签名或所答记录不符），仍待回执"
                            : "\(pass.unboundAnswers) delivered messages were answered with something that is not their receipt (unsigned, signed by another, or naming other records): still awaiting a receipt"
                    )
                }
                if pass.failed > 0 { throw ExitCode(KaibanExit.refused) }
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "status",
            abstract: localized(
                zh: "发件箱：待发、已发、已确认、被拒、失败的报文。",
                en: "The outbox: pending, sent, acknowledged, rejected and failed messages."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(parsing: .unconditional, help: .localized(zh: "最多列出几份（1-10000）。", en: "At most this many (1-10000)."))
        var limit = 50

        func validate() throws { try validateLimit(limit) }

        struct Entry: Codable {
            var messageID: String
            var partner: String
            var type: String
            var collaborationNumber: String
            var state: OutboundState
            var attempts: Int
            var createdAt: Date
            var nextAttemptAt: Date?
            var lastError: String?
            var receiptCode: String?
        }

        struct Report: Codable {
            var counts: [String: Int]
            var messages: [Entry]
        }

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let store = session.desk.store
                let counts = try await store.outboundCounts()
                let messages = try await store.outboundMessages(states: nil, limit: limit)
                if output.json {
                    try Console.json(
                        Report(
                            counts: Dictionary(
                                uniqueKeysWithValues: OutboundState.allCases.map { ($0.rawValue, counts[$0] ?? 0) }),
                            messages: messages.map {
                                Entry(
                                    messageID: $0.messageID, partner: $0.partnerCode, type: $0.type,
                                    collaborationNumber: $0.collaborationNumber, state: $0.state, attempts: $0.attempts,
                                    createdAt: $0.createdAt, nextAttemptAt: $0.nextAttemptAt, lastError: $0.lastError,
                                    receiptCode: $0.receiptCode)
                            }))
                    return
                }
                let zh = session.zh
                let names: [OutboundState: (String, String)] = [
                    .pending: ("待发", "pending"), .sent: ("已发待回执", "sent"), .acknowledged: ("已确认", "acknowledged"),
                    .rejected: ("被拒", "rejected"), .failed: ("失败", "failed"),
                ]
                Console.print(
                    OutboundState.allCases.map { state in
                        let name = names[state].map { zh ? $0.0 : $0.1 } ?? state.rawValue
                        return "\(name) \(counts[state] ?? 0)"
                    }.joined(separator: zh ? "，" : ", "))
                guard !messages.isEmpty else { return }
                var table = TextTable(
                    zh
                        ? ["报文编号", "类型", "业务协同编号", "协同机构", "状态", "尝试", "下次尝试", "说明"]
                        : [
                            "message id", "type", "collaboration", "partner", "state", "attempts", "next attempt",
                            "note",
                        ])
                for message in messages {
                    table.add([
                        message.messageID, message.type, message.collaborationNumber, message.partnerCode,
                        names[message.state].map { zh ? $0.0 : $0.1 } ?? message.state.rawValue,
                        String(message.attempts),
                        message.state == .pending ? message.nextAttemptAt.map(HallTime.localText(of:)) ?? "—" : "—",
                        message.receiptCode ?? message.lastError ?? "",
                    ])
                }
                Console.print(table.rendered)
            }
        }
    }

    struct Failed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "failed",
            abstract: localized(zh: "列出被拒的报文（死信），新的在前。", en: "List the refused messages (dead letters), newest first."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(parsing: .unconditional, help: .localized(zh: "最多列出几条（1-10000）。", en: "At most this many (1-10000)."))
        var limit = 50

        func validate() throws { try validateLimit(limit) }

        struct Entry: Codable {
            var receivedAt: Date
            var origin: String
            var sender: String?
            var messageID: String?
            var code: String
            var reason: String
            var digest: String
        }

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let letters = try await session.desk.exchangeDeadLetters(limit: limit)
                if output.json {
                    try Console.json(
                        letters.map {
                            Entry(
                                receivedAt: $0.receivedAt, origin: $0.origin, sender: $0.senderCode,
                                messageID: $0.messageID, code: $0.code, reason: $0.reason, digest: $0.digest)
                        })
                    return
                }
                let zh = session.zh
                var table = TextTable(
                    zh
                        ? ["收到", "来源", "发送方", "报文编号", "结果码", "原因"]
                        : ["received", "from", "sender", "message id", "code", "reason"])
                for letter in letters {
                    table.add([
                        HallTime.localText(of: letter.receivedAt), letter.origin, letter.senderCode ?? "—",
                        letter.messageID ?? "—", letter.code, letter.reason,
                    ])
                }
                Console.print(letters.isEmpty ? (zh ? "没有被拒的报文" : "no refused message") : table.rendered)
            }
        }
    }

    struct Cases: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "cases",
            abstract: localized(zh: "列出跨省办件及其全国状态。", en: "List the cross-province cases and their national status."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions
        // Each case's statuses are read with it: the desk lists at most 1000 (a larger limit had
        // been cut to 1000 without a word; from a hostile trial).
        @Option(parsing: .unconditional, help: .localized(zh: "最多列出几件（1-1000）。", en: "At most this many (1-1000)."))
        var limit = 50

        func validate() throws { try validateLimit(limit, maximum: 1_000) }

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                let views = try await session.desk.exchangeCases(limit: limit)
                if output.json {
                    try Console.json(views)
                    return
                }
                Console.print(Self.table(views, zh: session.zh))
            }
        }

        /// A partner's enterprise name as a table cell: hidden characters shown as code points (a
        /// name with a zero-width space had looked like the real one), a blank one said to be
        /// blank, a long one cut (`--json` has it whole). From a hostile trial.
        static func shownName(_ name: String, zh: Bool) -> String {
            // Cut before the hidden characters are spelled out, so that a cut never splits one
            // (a re-trial's <U+200B> was cut to "<U+…").
            let cut = name.count > 40 ? String(name.prefix(39)) + "…" : name
            let shown = FreeText.showingHidden(cut)
            return shown.isBlank ? (zh ? "（空白）" : "(blank)") : shown
        }

        /// The cross-province cases as a table for a terminal.
        static func table(_ views: [ExchangeCaseView], zh: Bool) -> String {
            var table = TextTable(
                zh
                    ? ["业务协同编号", "方向", "协同机构", "企业名称", "状态", "状态时间", "本方办件"]
                    : ["collaboration", "direction", "partner", "enterprise", "status", "since", "local case"])
            for view in views {
                let found = view.case
                table.add([
                    found.collaborationNumber,
                    found.direction == .outbound ? (zh ? "转出" : "out") : (zh ? "转入" : "in"),
                    view.partnerName ?? found.partnerCode, Self.shownName(found.enterpriseName, zh: zh),
                    found.status.map { "\($0) \(NationalStatus.name($0, zh: zh))" } ?? "—",
                    found.statusAt.map(HallTime.localText(of:)) ?? "—", found.localCase ?? "—",
                ])
            }
            return views.isEmpty ? (zh ? "没有跨省办件" : "no cross-province case") : table.rendered
        }
    }
}
