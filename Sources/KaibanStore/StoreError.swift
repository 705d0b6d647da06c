import Foundation
import KaibanCore

/// Why the store could not do what was asked (the workflow's own refusals are ``WorkflowError``).
public enum StoreError: ClerkReadable, Sendable, Equatable {
    case caseNotFound(String)
    case clerkNotFound(String)
    case clerkExists(String)
    /// Clerk administration needs the supervisor role.
    case notAdministrator(String)
    /// The database has clerks; the one adding another must say who they are.
    case administratorRequired
    case noDefinition(String)
    case definitionNotFound(WorkflowDefinition.Key)
    /// The same id and version was registered before with other content.
    case definitionChanged(WorkflowDefinition.Key)
    /// The database holds cases and the operation needs an empty one.
    case notEmpty(path: String, cases: Int)
    /// A year of the calendar is already known with other dates (import with --replace).
    case calendarYearExists(Int)
    /// The hall has no office hours on record.
    case noOfficeHours(String)
    /// Another enterprise registered the same trade name in the same industry first.
    case nameTaken(name: String, holder: String)
    /// The database failed (locked beyond the timeout, disk full, corrupt file…).
    case storage(String)

    public func message(_ language: Language) -> String {
        let zh = language == .zh
        switch self {
        case .caseNotFound(let number):
            return zh ? "找不到办件\(number)" : "no case \(number)"
        case .clerkNotFound(let id):
            return zh
                ? "找不到工作人员\(id)（用 kaiban clerk add 登记，或检查 --as / KAIBAN_CLERK）"
                : "no clerk \(id) (register with kaiban clerk add, or check --as / KAIBAN_CLERK)"
        case .clerkExists(let id):
            return zh ? "工作人员\(id)已登记" : "clerk \(id) already exists"
        case .notAdministrator(let id):
            return zh ? "只有负责人（supervisor）可以管理工作人员，\(id)不是" : "only a supervisor can manage clerks; \(id) is not one"
        case .administratorRequired:
            return zh
                ? "本库已有工作人员：请由负责人用 --as（或 KAIBAN_CLERK）登记新的工作人员"
                : "this database has clerks already: a supervisor must add new ones (--as or KAIBAN_CLERK)"
        case .noDefinition(let id):
            return zh ? "数据库中没有流程定义\(id)" : "no workflow definition \(id) in the database"
        case .definitionNotFound(let key):
            return zh ? "数据库中没有流程定义\(key)" : "no workflow definition \(key) in the database"
        case .definitionChanged(let key):
            return zh
                ? "流程定义\(key)的内容与已登记的不同：修改流程须提高 version"
                : "workflow \(key) differs from the one registered under that version: raise the version to change it"
        case .notEmpty(let path, let cases):
            return zh
                ? "数据库\(path)已有\(cases)件办件，演示不会改动它；请用新的 --db 路径"
                : "the database \(path) holds \(cases) cases; the demo will not touch it: give a new --db path"
        case .calendarYearExists(let year):
            return zh
                ? "\(year)年的节假日安排已存在且内容不同；确需更正请加 --replace 并用 --reason 说明"
                : "the calendar already holds \(year) with other dates; to correct it, add --replace and a --reason"
        case .noOfficeHours(let hall):
            return zh
                ? "没有\(hall)的办公时间（seeds/calendar/office-hours.xml）"
                : "no office hours for hall \(hall) (seeds/calendar/office-hours.xml)"
        case .nameTaken(let name, let holder):
            return zh
                ? "“\(name)”与已登记的“\(holder)”字号、行业相同，不能发照"
                : "\"\(name)\" has the trade name and industry of the registered \"\(holder)\"; no licence can be issued"
        case .storage(let detail):
            return zh ? "数据库出错：\(detail)" : "storage failure: \(detail)"
        }
    }
}
