import ArgumentParser
import Foundation
import KaibanCore
import KaibanDesk
import KaibanForms
import KaibanPostgres

/// `kaiban demo`: plays a scripted day at the Zhaohua hall into a new database.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: localized(zh: "演示：在新数据库中模拟企业开办窗口的一个工作日。", en: "Play a realistic desk day into a new database (演示)."),
        discussion: localized(
            zh: "数据库中已有办件时不予执行。演示后可用 queue、show 和 history 查看。",
            en: "Refuses a database that already holds cases. Afterwards, explore it with queue, show and history."))

    @OptionGroup var global: GlobalOptions

    @Option(
        help: .localized(
            zh: "要演示的工作日脚本（默认为 Forms/ 旁的 seeds/demo/desk-day.xml）。",
            en: "The day to play (default: seeds/demo/desk-day.xml beside Forms/)."))
    var day: String?

    @Flag(help: .localized(zh: "只输出待办列表和小结，不逐条输出办理步骤。", en: "Print only the worklist and the summary, not every step."))
    var quiet = false

    func run() async throws {
        try await withDesk(global) { session in
            try await session.desk.requireEmpty()
            let dayURL =
                day.map { URL(fileURLWithPath: $0) }
                ?? session.settings.formsRoot.deletingLastPathComponent().appendingPathComponent(
                    "seeds/demo/desk-day.xml")
            let script = try DeskDay.load(dayURL, forms: try session.desk.forms())
            // The day is played at its own instants: each step is recorded as it happens.
            let clock = ManualClock(script.actions.first?.at ?? HallTime.instant(script.date, hour: 8, minute: 30))
            let desk = Desk(settings: session.settings, store: session.desk.store, clock: clock)
            try await play(script, source: dayURL.path, session: session, desk: desk, clock: clock)
        }
    }

    func play(_ script: DeskDay, source: String, session: Session, desk: Desk, clock: ManualClock) async throws {
        try await addClerks(script.clerks, desk: desk)
        // The online and mobile applications come through the portal API, as they would.
        let supervisor = script.clerks.first { $0.isSupervisor }?.id ?? ""
        // The hall's exchange key first: the server opens its exchange route with it.
        let exchangeSetup = try await DemoExchange.prepare(settings: session.settings, at: clock.now())
        let portals = try await DemoPortals.start(desk: desk, settings: session.settings, supervisor: supervisor)
        var exchange: DemoExchange?
        do {
            // The partner simulator (Chongqing's Yuzhong regulator) on its own database and port.
            exchange = try await exchangeSetup.start(portals.running.port)
            try await play(
                script, source: source, session: session, desk: desk, clock: clock, portals: portals,
                exchange: exchange)
            try await exchange?.stop()
            try await portals.stop()
        } catch {
            try? await exchange?.stop()
            try? await portals.stop()
            throw error
        }
    }

    func play(
        _ script: DeskDay, source: String, session: Session, desk: Desk, clock: ManualClock, portals: DemoPortals,
        exchange: DemoExchange?
    ) async throws {
        let zh = session.zh
        Console.print(
            zh
                ? "== 演示：\(script.date) 昭化区政务服务中心企业开办窗口（\(script.caseCount)件申请）=="
                : "== Demo: \(script.date) at the Zhaohua hall's start-up desk (\(script.caseCount) applications) ==")
        var numbers: [Int: CaseNumber] = [:]
        var bookings: [String: Int64] = [:]
        let presenter = CasePresenter(definition: try await desk.latestDefinition(), language: session.language)
        for action in script.actions {
            let time = String(HallTime.localText(of: action.at).suffix(5))
            let actor = DeskActor.clerk(action.clerk)
            clock.set(action.at)
            do {
                switch action.kind {
                case .openExtendedHours(let from, let to, let capacity, let reason):
                    let opened = try await desk.openAppointmentExtension(
                        date: script.date, from: from, to: to, capacity: capacity, reason: reason, as: actor)
                    if !quiet {
                        Console.print(
                            zh
                                ? "\(time) \(action.clerk) 开放延时服务 \(from)–\(to)，每个时段\(opened.capacity)个名额"
                                : "\(time) \(action.clerk) opens extended hours \(from)–\(to), \(opened.capacity) places per slot"
                        )
                    }
                case .book(let ref, let slot, let name, let idNumber, let phone, let enterpriseName):
                    let booked = try await desk.book(
                        date: script.date, time: slot,
                        for: BookingApplicant(
                            name: name, idNumber: idNumber, phone: phone, enterpriseName: enterpriseName),
                        as: actor)
                    bookings[ref] = booked.id
                    if !quiet {
                        let kind = booked.extended ? (zh ? "（延时服务）" : " (extended hours)") : ""
                        Console.print(
                            zh
                                ? "\(time) \(action.clerk) 预约\(booked.id)：\(slot)\(kind) \(name)"
                                : "\(time) \(action.clerk) booking \(booked.id): \(slot)\(kind) \(name)")
                    }
                case .intake(let application, _, let receivedAll, let missing, let appointment):
                    var documents = DocumentSelection.none
                    if receivedAll {
                        let needed = try desk.checklist().requirements(for: application).map(\.code)
                        documents = .some(
                            needed.filter { !missing.contains($0) }.map { ReceivedDocument(code: $0, form: .paper) })
                    }
                    let number: CaseNumber
                    if let appointment {
                        guard let booking = bookings[appointment] else {
                            throw Problem(
                                .invalid, "demo.booking-unknown", zh: "没有编号为\(appointment)的预约",
                                en: "no booking is known as \(appointment)")
                        }
                        number = try await desk.checkIn(
                            appointment: booking, application, documents: documents, as: actor, at: action.at
                        ).case.number
                    } else if Portal.channels.contains(application.channel) {
                        // Submitted over HTTP by the portal; the papers reach the window with it.
                        number = try await portals.submit(application, key: "demo-\(action.line)")
                        if case .some(let received) = documents, !received.isEmpty {
                            _ = try await desk.receiveDocuments(number, received, as: actor, at: action.at)
                        }
                    } else {
                        number = try await desk.intake(
                            application, documents: documents, as: actor, at: action.at, hall: script.hall
                        ).case.number
                    }
                    numbers[action.caseIndex] = number
                    if !quiet {
                        Console.print(
                            "\(time) \(action.clerk) \(zh ? "收件" : "intake") \(number) [\(application.channel.name.text(session.language))] \(application.proposedName)"
                                + (appointment == nil ? "" : zh ? "（预约到场）" : " (checked in)")
                        )
                    }
                case .step(let transition, let reason):
                    let outcome = try await desk.step(
                        try number(action, numbers), transition, reason: reason, as: actor, at: action.at)
                    if !quiet { Console.print("\(time) \(action.clerk) \(presenter.stepSummary(outcome))") }
                case .task(let task):
                    let outcome = try await desk.completeTask(
                        try number(action, numbers), task, as: actor, at: action.at)
                    if !quiet { Console.print("\(time) \(action.clerk) \(presenter.stepSummary(outcome))") }
                case .receive(let codes, let form):
                    let number = try number(action, numbers)
                    // "all": every document still missing.
                    let received =
                        codes == ["all"]
                        ? try await desk.documents(number).documents.filter { $0.receipt == nil }.map(
                            \.requirement.code)
                        : codes
                    let outcome = try await desk.receiveDocuments(
                        number, received.map { ReceivedDocument(code: $0, form: form) }, as: actor, at: action.at)
                    if !quiet { Console.print("\(time) \(action.clerk) \(presenter.stepSummary(outcome))") }
                case .mailReceive(let carrier, let tracking):
                    let outcome = try await desk.receiveMail(
                        try number(action, numbers), post: try Desk.postalItem(carrier: carrier, tracking: tracking),
                        as: actor, at: action.at)
                    if !quiet { Console.print("\(time) \(action.clerk) \(presenter.stepSummary(outcome))") }
                case .mailSend(let carrier, let tracking, let items):
                    let outcome = try await desk.sendMail(
                        try number(action, numbers),
                        post: try Desk.postalItem(carrier: carrier, tracking: tracking, items: items), as: actor,
                        at: action.at)
                    if !quiet { Console.print("\(time) \(action.clerk) \(presenter.stepSummary(outcome))") }
                case .supplement(let codes, let form):
                    let outcome = try await desk.supplement(
                        try number(action, numbers), codes.map { ReceivedDocument(code: $0, form: form) }, as: actor,
                        at: action.at)
                    if !quiet { Console.print("\(time) \(action.clerk) \(presenter.stepSummary(outcome))") }
                case .visit(let place, let clerks, let note):
                    let outcome = try await desk.recordVisit(
                        try number(action, numbers), at: action.at, place: place, clerks: clerks, note: note, as: actor)
                    if !quiet { Console.print("\(time) \(action.clerk) \(presenter.stepSummary(outcome))") }
                case .deferral(let codes, let signer, let signerID, let days):
                    let outcome = try await desk.commitDeferral(
                        try number(action, numbers), codes: codes, signer: signer, signerID: signerID, days: days,
                        as: actor, at: action.at)
                    if !quiet { Console.print("\(time) \(action.clerk) \(presenter.stepSummary(outcome))") }
                }
            } catch let problem as Problem where problem.kind != .storage {
                throw Problem(
                    .brokenData, "demo.script-invalid", zh: "\(source):\(action.line): \(problem.message(.zh))",
                    en: "\(source):\(action.line): \(problem.message(.en))")
            }
        }
        if let exchange {
            Console.print("")
            Console.print(zh ? "== 川渝通办：各转办一件 ==" : "== 川渝通办: one case transferred each way ==")
            let supervisor = script.clerks.first { $0.isSupervisor }?.id ?? ""
            if let local = try await exchange.play(
                here: desk, clock: clock, date: script.date, supervisor: supervisor,
                say: { if !quiet { Console.print($0) } })
            {
                numbers[Int.max] = local
            }
        }
        let closing = HallTime.instant(script.date, hour: 17, minute: 30)
        clock.set(max(clock.now(), closing))
        Console.print("")
        Console.print(zh ? "== 下班时（17:30）的待办 ==" : "== Worklist at closing time (17:30) ==")
        Console.print(
            CasePresenter.worklist(
                try await desk.worklist(limit: 10_000, at: closing), definitions: try await desk.definitions(),
                language: session.language))
        Console.print("")
        Console.print(zh ? "== 当日预约（17:30）==" : "== The day's bookings at 17:30 ==")
        Console.print(
            ListAppointments.bookings(
                try await desk.appointmentDay(script.date, at: closing), language: session.language))
        Console.print("")
        Console.print(
            zh ? "== 容缺待补（17:30）：逾期的交负责人处理 ==" : "== Open deferrals at 17:30 (overdue ones go to a supervisor) ==")
        let deferrals = try await desk.deferrals(.open, at: closing)
        Console.print(
            deferrals.isEmpty
                ? (zh ? "无" : "none") : ListDeferrals.table(deferrals, language: session.language))
        Console.print("")
        Console.print(summary(try await desk.summary(), presenter: presenter, zh: zh))
        Console.print("")
        Console.print(zh ? "== 今日发照 ==" : "== Licences issued today ==")
        var licences = TextTable(zh ? ["办件编号", "名称", "统一社会信用代码"] : ["case", "name", "unified social credit code"])
        for number in numbers.values.sorted() {
            let state = try await desk.caseView(number).case
            if let code = state.creditCode { licences.add([number.description, state.application.proposedName, code]) }
        }
        Console.print(licences.rendered)
        Console.print("")
        Console.print(zh ? "== 川渝通办办件 ==" : "== Cross-province cases ==")
        Console.print(ExchangeCommand.Cases.table(try await desk.exchangeCases(), zh: zh))
        Console.print("")
        Console.print(presenter.report(try await desk.slaReport(from: script.date, to: script.date, by: .channel)))
        let me = CommandLine.arguments.first ?? "kaiban"
        let db = session.settings.database
        // The day's dashboard (its month, the at-risk list at closing time) beside the database.
        let dashboard = try session.settings.besideDatabase().path + "-dashboard.html"
        if let month = CivilDate.month(String(format: "%04d-%02d", script.date.year, script.date.month)) {
            let url = try await DashboardCommand.write(
                desk, from: month.first, to: month.last, at: clock.now(), language: session.language, to: dashboard)
            Console.print(
                zh
                    ? "\n当日监控看板（\(script.date)，按月统计）：\(url.path)"
                    : "\nThe day's dashboard (\(script.date), its month's figures): \(url.path)")
        }
        // A PostgreSQL address is shown without its password, as everywhere else.
        let shown = PostgresLocation.isPostgres(db) ? (try? PostgresLocation(db))?.description ?? db : db
        Console.print(
            zh
                ? "\n数据库：\(shown)。可继续查看，例如：\(me) queue --db \(shown) --at \(script.date)T17:30"
                : "\nDatabase: \(shown). Explore it, e.g.: \(me) queue --db \(shown) --at \(script.date)T17:30 --lang en"
        )
    }

    func number(_ action: DeskDay.Action, _ numbers: [Int: CaseNumber]) throws -> CaseNumber {
        guard let number = numbers[action.caseIndex] else {
            throw Problem(
                .brokenData, "demo.script-invalid", zh: "第\(action.line)行：该步骤早于办件收件",
                en: "line \(action.line): a step comes before the case's intake")
        }
        return number
    }

    /// The day's clerks, its supervisor first (the first clerk of a new database must be one).
    func addClerks(_ clerks: [Clerk], desk: Desk) async throws {
        let existing = Set(try await desk.clerks().map(\.id))
        let supervisor = clerks.first { $0.isSupervisor }
        let ordered = (supervisor.map { [$0] } ?? []) + clerks.filter { $0.id != supervisor?.id }
        for clerk in ordered where !existing.contains(clerk.id) {
            let actor: DeskActor = supervisor.map { .clerk($0.id) } ?? .anonymous
            _ = try await desk.addClerk(
                id: clerk.id, name: clerk.name, roles: clerk.roles, as: clerk.id == supervisor?.id ? .anonymous : actor)
        }
    }

    func summary(_ summary: DeskSummary, presenter: CasePresenter, zh: Bool) -> String {
        // Most cases first; stages with as many in their order of name, whichever store counted them.
        let stages = summary.byStage.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map {
            "\(presenter.stage($0.key)) \($0.value)"
        }
        let channels = summary.byChannel.sorted { $0.key < $1.key }.map {
            "\(Channel(rawValue: $0.key)?.name.text(presenter.language) ?? $0.key) \($0.value)"
        }
        let sep = zh ? "，" : ", "
        return zh
            ? """
            == 当日小结 ==
            办件\(summary.total)件，未结\(summary.open)件，历史记录\(summary.events)条
            按环节：\(stages.joined(separator: sep))
            按渠道：\(channels.joined(separator: sep))
            """
            : """
            == Summary of the day ==
            \(summary.total) cases, \(summary.open) still open, \(summary.events) history events
            by stage: \(stages.joined(separator: sep))
            by channel: \(channels.joined(separator: sep))
            """
    }
}
