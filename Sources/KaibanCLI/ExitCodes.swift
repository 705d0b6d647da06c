import ArgumentParser
import Foundation
import KaibanCore

/// Kaiban's exit codes (sysexits-style), documented in the README.
public enum KaibanExit {
    /// Bad flags, arguments or settings (swift-argument-parser's own validation code).
    public static let usage: Int32 = 64
    /// The rules refused the step or the application, or the clerk may not do it.
    public static let refused: Int32 = 65
    /// The case, clerk or file does not exist.
    public static let notFound: Int32 = 66
    /// The database failed.
    public static let storage: Int32 = 74
    /// A definition, schema or data file is broken.
    public static let configuration: Int32 = 78

    /// The exit code of a problem's kind.
    static func code(_ kind: ProblemKind) -> Int32 {
        switch kind {
        case .invalid: usage
        case .refused, .forbidden, .conflict: refused
        case .notFound: notFound
        case .storage: storage
        case .brokenData: configuration
        }
    }

    /// What the clerk can do about a problem at this command line: the flag or command to use.
    /// Texts from the desk never name one; this is the edge's own addition.
    static func hint(_ problem: Problem, _ language: Language) -> String? {
        let zh = language == .zh
        switch problem.code {
        case "actor.required":
            return zh ? "用 --as 或环境变量 KAIBAN_CLERK" : "use --as or KAIBAN_CLERK"
        case "clerk.not-found":
            return zh
                ? "kaiban clerk list 列出已登记的工作人员；新人由负责人用 kaiban clerk add 登记"
                : "kaiban clerk list shows the clerks registered; a supervisor registers others with kaiban clerk add"
        case "instant.late-entry":
            return zh
                ? "负责人补录：--as 负责人 --late-reason 原因 --done-by 经办人"
                : "a supervisor enters it: --as SUPERVISOR --late-reason REASON --done-by CLERK"
        case "case.projection-out-of-step":
            return zh ? "负责人执行 kaiban admin rebuild" : "a supervisor runs kaiban admin rebuild"
        case "database.not-found":
            return zh ? "检查 --db 或 KAIBAN_DB" : "check --db or KAIBAN_DB"
        case "step.reason-required", "calendar.reason-required", "clerk.reason-required":
            return zh ? "用 --reason 说明理由" : "give it with --reason"
        case "calendar.year-exists":
            return zh ? "确需更正请加 --replace 并用 --reason 说明" : "to correct it, add --replace and a --reason"
        case "database.not-empty":
            return zh ? "请用新的 --db 路径" : "give a new --db path"
        case "server.port-taken":
            return zh ? "用 --port 另选端口，或先停止占用该端口的程序" : "choose another with --port, or stop the program that holds it"
        case "case.stale":
            return zh ? "用 kaiban show 重新查看" : "look again with kaiban show"
        case "calendar.no-office-hours":
            return zh
                ? "见 seeds/calendar/office-hours.xml 或 KAIBAN_CALENDAR"
                : "see seeds/calendar/office-hours.xml or KAIBAN_CALENDAR"
        default:
            return nil
        }
    }
}
