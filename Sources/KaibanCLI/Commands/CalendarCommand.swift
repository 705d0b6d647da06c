import ArgumentParser
import Foundation
import KaibanCore
import KaibanStore
import KaibanXML

/// `kaiban calendar`: the working calendar (holidays, make-up days, office hours).
struct CalendarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calendar", abstract: "The working calendar (工作日历).",
        subcommands: [Status.self, Show.self, Elapsed.self, Add.self, Import.self], defaultSubcommand: Status.self)

    /// `kaiban calendar status`
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Which years the calendar knows, and its changes.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        struct View: Encodable {
            var years: [CalendarYearInfo]
            var officeHours: OfficeHours
            var changes: [CalendarChange]
        }

        func run() throws {
            try withDesk(global) { desk in
                let calendar = try desk.calendar()
                let years = try desk.store.calendarYears()
                let changes = try desk.store.calendarChanges()
                if output.json {
                    try Console.json(View(years: years, officeHours: calendar.officeHours, changes: changes))
                    return
                }
                let zh = desk.language == .zh
                let covered = years.map(\.year)
                Console.print(
                    zh
                        ? "已载入节假日安排：\(covered.map(String.init).joined(separator: "、"))年；其他年份只按周末计算，结果标注“暂估”。"
                        : "holiday notices loaded for \(covered.map(String.init).joined(separator: ", ")); other years count weekends only and their figures are marked provisional."
                )
                var table = TextTable(zh ? ["年份", "依据", "来源", "载入时间"] : ["year", "notice", "source", "loaded"])
                for year in years {
                    table.add(["\(year.year)", year.notice, year.source, HallTime.localText(of: year.loadedAt)])
                }
                Console.print(table.rendered)
                Console.print("")
                Console.print((zh ? "办公时间（" : "office hours (") + calendar.officeHours.name + (zh ? "）：" : "):"))
                for season in calendar.officeHours.seasons {
                    let sessions = season.sessions.map { clock($0.start) + "–" + clock($0.end) }.joined(separator: ", ")
                    Console.print(
                        "  \(season.name.text(desk.language)) \(monthDay(season.from))–\(monthDay(season.to)): \(sessions)"
                    )
                }
                if let last = changes.last {
                    Console.print(
                        (zh ? "\n最近一次变更：" : "\nlast change: ")
                            + "\(HallTime.localText(of: last.at)) \(last.subject) \(last.change)（\(last.reason)）")
                }
            }
        }
    }

    /// `kaiban calendar show 2026-02`
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a month: working days, holidays and make-up days.")

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: "The month, yyyy-MM.")
        var month: String

        var first: CivilDate? { CivilDate(month + "-01") }

        func validate() throws {
            guard let first, (WorkingCalendar.firstYear...WorkingCalendar.lastYear).contains(first.year) else {
                throw ValidationError("month: \"\(month)\" is not a month yyyy-MM between 2000 and 2060")
            }
        }

        struct Day: Encodable {
            var date: String
            var kind: String
            var name: String?
            var workingMinutes: Int
        }

        func run() throws {
            try withDesk(global) { desk in
                let calendar = try desk.calendar()
                guard let first else { return }
                let start = HallTime.daysSinceEpoch(first)
                let days = (0..<31).map { HallTime.civilDate(fromDaysSinceEpoch: start + $0) }.filter {
                    $0.month == first.month
                }
                let zh = desk.language == .zh
                let provisional = !calendar.coveredYears.contains(first.year)
                if output.json {
                    try Console.json(
                        days.map { date in
                            let kind = calendar.kind(of: date)
                            return Day(
                                date: date.description, kind: kindCode(kind), name: kindName(kind)?.text(desk.language),
                                workingMinutes: calendar.sessions(on: date).reduce(0) { $0 + $1.end - $1.start })
                        })
                    return
                }
                Console.print(
                    zh ? "\(first.year)年\(first.month)月" : "\(first.year)-\(String(format: "%02d", first.month))")
                Console.print(zh ? " 一   二   三   四   五   六   日" : " Mo   Tu   We   Th   Fr   Sa   Su")
                // 1970-01-01 was a Thursday: Monday-based column of the first day.
                var line = String(repeating: "     ", count: ((start % 7) + 7 + 3) % 7)
                for date in days {
                    let mark: String
                    switch calendar.kind(of: date) {
                    case .holiday: mark = zh ? "休" : "H"
                    case .makeUpWorkday: mark = zh ? "班" : "W"
                    default: mark = zh ? "  " : " "
                    }
                    line += String(format: "%3d", date.day) + mark + (zh ? "" : " ")
                    if ((HallTime.daysSinceEpoch(date) % 7) + 7) % 7 == 3 {
                        Console.print(line)
                        line = ""
                    }
                }
                if !line.isEmpty { Console.print(line) }
                Console.print(zh ? "休 = 法定节假日，班 = 调休上班（周末）" : "H = statutory holiday, W = make-up working weekend day")
                for date in days {
                    let kind = calendar.kind(of: date)
                    if let name = kindName(kind) {
                        Console.print(
                            "  \(date) \(name.text(desk.language))\(kind.isWorking ? (zh ? "（调休上班）" : " (make-up working day)") : "")"
                        )
                    }
                }
                if provisional {
                    Console.print(
                        zh
                            ? "注意：尚未载入\(first.year)年的节假日安排，本月只按周末计算（暂估）。"
                            : "note: no holiday notice for \(first.year) is loaded; weekends only (provisional).")
                }
            }
        }

        func kindCode(_ kind: WorkingCalendar.DayKind) -> String {
            switch kind {
            case .workday: "workday"
            case .weekend: "weekend"
            case .holiday: "holiday"
            case .makeUpWorkday: "make-up-workday"
            }
        }

        func kindName(_ kind: WorkingCalendar.DayKind) -> LocalizedText? {
            switch kind {
            case .holiday(let name), .makeUpWorkday(let name): name
            case .workday, .weekend: nil
            }
        }
    }

    /// `kaiban calendar import FILE`
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Load a year's holiday notice from a file (format: seeds/calendar/holidays-2026.xml); supervisors only."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The file (Forms/schemas/calendar-1.xsd).")
        var file: String

        @Flag(help: "Replace a year already loaded with other dates (a correction; give --reason).")
        var replace = false

        @Option(help: "Why (kept with the change).")
        var reason: String?

        func validate() throws {
            if replace && (reason ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--replace needs a --reason")
            }
        }

        func run() throws {
            try withDesk(global) { desk in
                let clerkID = try desk.requireClerk()
                let clerk = try desk.store.clerk(clerkID)
                guard clerk.roles.contains(CaseStore.administratorRole) else {
                    throw StoreError.notAdministrator(clerkID)
                }
                _ = try desk.calendar()
                let data = try XMLDocumentParser.read(URL(fileURLWithPath: file))
                let years = try desk.forms().calendarLoader.holidayYears(data, source: file)
                let name = URL(fileURLWithPath: file).lastPathComponent
                let changes = try desk.store.importCalendar(
                    years, source: name, replace: replace, reason: reason ?? "imported \(name)", by: clerkID, at: Date()
                )
                let zh = desk.language == .zh
                if changes.isEmpty {
                    Console.print(zh ? "内容与已载入的相同，未作变更" : "nothing changed: the same dates are already loaded")
                }
                for change in changes {
                    Console.print(
                        zh
                            ? "\(change.subject)年节假日安排：\(change.change == "added" ? "已载入" : "已更正")"
                            : "\(change.subject): \(change.change)")
                }
            }
        }
    }
}

func clock(_ minutes: Int) -> String {
    String(format: "%02d:%02d", minutes / 60, minutes % 60)
}

func monthDay(_ value: Int) -> String {
    String(format: "%02d-%02d", value / 100, value % 100)
}
