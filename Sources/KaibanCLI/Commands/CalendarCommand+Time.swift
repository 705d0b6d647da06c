import ArgumentParser
import Foundation
import KaibanCore

extension CalendarCommand {
    /// `kaiban calendar elapsed FROM TO`
    struct Elapsed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "elapsed",
            abstract: localized(
                zh: "两个时间之间的工作分钟数（ISO 8601 格式；未写时区偏移的按北京时间）。",
                en: "Working minutes between two instants (ISO 8601; Asia/Shanghai unless an offset is given)."))

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: .localized(zh: "起始时间，如 2026-11-26T09:00。", en: "From, e.g. 2026-11-26T09:00."))
        var from: String

        @Argument(help: .localized(zh: "截止时间，如 2026-11-27T10:30。", en: "To, e.g. 2026-11-27T10:30."))
        var to: String

        func validate() throws {
            try requireInstant("FROM", from)
            try requireInstant("TO", to)
        }

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                guard let start = HallTime.parse(from), let end = HallTime.parse(to) else { return }
                let time = try await session.desk.elapsed(from: start, to: end)
                if output.json {
                    try Console.json(time)
                    return
                }
                let zh = session.zh
                let note =
                    time.provisional
                    ? (zh ? "（暂估：含未载入节假日安排的年份）" : " (provisional: a year without a holiday notice)") : ""
                Console.print(
                    zh ? "工作时间\(time.workingMinutes)分钟\(note)" : "\(time.workingMinutes) working minutes\(note)")
            }
        }
    }

    /// `kaiban calendar add FROM DURATION`
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: localized(
                zh: "自 FROM 起算一段工作时间的届满时间：192m、3.2h、0.4d（d 为 8 个工作小时）或 5wd（整工作日）。",
                en:
                    "When a working duration that starts at FROM ends: 192m, 3.2h, 0.4d (d = 8 working hours) or 5wd (whole working days)."
            )
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Argument(help: .localized(zh: "起始时间，如 2026-11-26T09:00。", en: "From, e.g. 2026-11-26T09:00."))
        var from: String

        @Argument(help: .localized(zh: "工作时长：192m、3.2h、0.4d 或 5wd。", en: "The duration: 192m, 3.2h, 0.4d or 5wd."))
        var duration: String

        func validate() throws {
            try requireInstant("FROM", from)
            if WorkingDuration(duration) == nil {
                throw usageError(
                    zh: "时长：“\(duration)”不是如 192m、3.2h、0.4d 或 5wd 的时长（只计整分钟）",
                    en:
                        "DURATION: \"\(duration)\" is not a duration such as 192m, 3.2h, 0.4d or 5wd (whole minutes only)"
                )
            }
        }

        func run() async throws {
            try await withDesk(global, json: output.json) { session in
                guard let start = HallTime.parse(from), let parsed = WorkingDuration(duration) else { return }
                let result = try await session.desk.adding(parsed, to: start)
                if output.json {
                    try Console.json(result)
                    return
                }
                let local = HallTime.localTextToTheSecond(of: result.until)
                let note = provisionalMark(result.provisional, zh: session.zh)
                Console.print(session.zh ? "届满时间：\(local)\(note)" : "ends at \(local)\(note)")
            }
        }
    }
}
