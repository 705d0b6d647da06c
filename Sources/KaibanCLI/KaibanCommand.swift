import ArgumentParser
import Foundation
import KaibanCore

/// `kaiban`: the clerk's command line for company-formation cases at the hall.
public struct KaibanCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "kaiban",
        abstract: localized(
            zh: "开办 Kaiban：政务服务中心企业开办窗口的办件系统。", en: "开办 Kaiban: company-formation cases at the service hall (企业开办窗口)."),
        discussion: localized(
            zh: """
                所有命令都以一名工作人员的身份（--as 或环境变量 KAIBAN_CLERK）操作 --db 或环境变量 KAIBAN_DB \
                指定的数据库（默认 ./kaiban.sqlite）。默认输出简体中文；用 --lang en 输出英文。
                退出码：0 完成，64 用法错误，65 不符合办理规则或无权办理，66 未找到，74 存储故障，78 流程定义或数据文件有误。
                """,
            en: """
                Every command acts as a named clerk (--as or KAIBAN_CLERK) on the database given by --db or \
                KAIBAN_DB (default ./kaiban.sqlite). Output is in Simplified Chinese; --lang en for English.
                Exit codes: 0 done, 64 usage error, 65 refused by the rules, 66 not found, 74 storage failure, \
                78 broken definition or data file.
                """
        ),
        version: "0.1.0",
        subcommands: [
            IntakeCommand.self, QueueCommand.self, FindCommand.self, ShowCommand.self, HistoryCommand.self,
            StepCommand.self,
            TaskCommand.self, WithdrawCommand.self, TransferCommand.self, DocumentsCommand.self, ReceiveCommand.self,
            DeferCommand.self,
            SupplementCommand.self, DeferralsCommand.self, MailCommand.self, ApplicantCommand.self, SpecialCommand.self,
            NoticeCommand.self, SLACommand.self, StatsCommand.self, DashboardCommand.self,
            CalendarCommand.self, CheckCommand.self,
            ClerkCommand.self, PortalCommand.self, AppointmentsCommand.self, PartnerCommand.self, ExchangeCommand.self,
            WorkflowCommand.self, AdminCommand.self, ServeCommand.self, DemoCommand.self,
        ]
    )

    public init() {}
}

extension KaibanCommand {
    /// Parses the command line and runs the command asynchronously, exiting with its code.
    public static func runAsync() async {
        do {
            var command = try parseAsRoot(RunLanguage.parserArguments(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            // Under --json even a usage error is a problem in JSON on standard error.
            let code = exitCode(for: error)
            let language = RunLanguage.current
            if CommandLine.arguments.contains("--json"), code != .success, !(error is ExitCode) {
                let message = Console.safe(fullMessage(for: error))
                let problem = Problem(.invalid, "usage.invalid", zh: UsageText.chinese(message), en: message)
                Foundation.exit(Console.report(problem, ProblemOutput(language: language, json: true)))
            }
            // Help in the clerk's language: rendered unwrapped, translated, wrapped for Chinese.
            if language == .zh, code == .success, !(error is ExitCode) {
                let text = fullMessage(for: error, columns: 10_000)
                if HelpText.isHelpScreen(text) {
                    print(HelpText.chinese(text, width: HelpText.terminalWidth))
                    Foundation.exit(ExitCode.success.rawValue)
                }
            }
            // A usage error in the clerk's language (a version or completion script goes out as it is).
            if language == .zh, code == .validationFailure {
                Console.error(UsageText.chinese(Console.safe(fullMessage(for: error))))
                Foundation.exit(code.rawValue)
            }
            if code == .validationFailure {
                Console.error(Console.safe(fullMessage(for: error)))
                Foundation.exit(code.rawValue)
            }
            exit(withError: error)
        }
    }
}
