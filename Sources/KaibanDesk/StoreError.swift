import Foundation
import KaibanCore

/// Why a store could not do what was asked (the workflow's own refusals are ``WorkflowError``).
/// Part of the ``DeskStore`` contract: every store implementation throws these.
public enum StoreError: ClerkReadable, ProblemConvertible, Sendable, Equatable {
    case caseNotFound(String)
    case clerkNotFound(String)
    case clerkExists(String)
    /// An act reserved to supervisors, attempted by someone who is not one.
    case supervisorRequired(clerk: String, act: LocalizedText)
    /// The database has clerks; the one adding another must say who they are.
    case actorRequired
    /// The first clerk of a database must be a supervisor, or no one could ever add another.
    case firstClerkNotSupervisor(String)
    case noDefinition(String)
    case definitionNotFound(WorkflowDefinition.Key)
    /// The same id and version was registered before with other content.
    case definitionChanged(WorkflowDefinition.Key)
    /// The database holds cases and the operation needs an empty one.
    case notEmpty(location: String, cases: Int)
    /// A year of the calendar is already known with other dates (a replacement needs a reason).
    case calendarYearExists(Int)
    /// The hall has no office hours on record.
    case noOfficeHours(String)
    /// A version of the hall's office hours from that date is already kept.
    case officeHoursExist(hall: String, from: String)
    /// Another enterprise registered the same trade name in the same industry first.
    case nameTaken(name: String, holder: String)
    /// The clerk is deactivated already (a clerk is deactivated once; their roles no longer matter).
    case clerkAlreadyInactive(String)
    /// The change would leave the hall without an active supervisor, and no one could administer it.
    case lastSupervisor(String)
    /// The clerk already holds exactly these roles.
    case rolesUnchanged(String)
    /// A case's derived row disagrees with its history (edited by hand, or a failed repair):
    /// `admin rebuild` brings it back in step.
    case projectionOutOfStep(case: String, history: Int, row: Int)
    /// The database failed (disk full, corrupt file…).
    case storage(String)
    /// Another process held the SQLite database's write lock past the busy timeout: nothing was
    /// changed; the same request may be tried again.
    case databaseBusy
    /// The database file this process has open is no longer the one at its path: it was moved,
    /// replaced (a restore) or deleted under the running process, which would otherwise write
    /// where no one reads.
    case databaseFileReplaced(String)
    /// Flagging an applicant already flagged, or clearing one who is not.
    case applicantFlagUnchanged(flagged: Bool)
    case portalExists(String)
    case portalNotFound(String)
    case portalAlreadyRevoked(String)
    /// A partner authority of the exchange registered already (by credit code).
    case partnerExists(String)
    case partnerNotFound(String)
    /// That public key is registered already (by fingerprint), for `partner`.
    case partnerKeyExists(fingerprint: String, partner: String)
    /// A refused transfer's case cannot be returned to the window: its stage or its workflow
    /// version has no such step (cases transferred under version 3).
    case transferNotReturnable(String)
    /// A transferred case (by its collaboration number) is not waiting to be taken in: another
    /// pass of the exchange took it in first (or it is unknown). Nothing was written.
    case crossProvinceCaseTaken(String)
    /// The database was migrated by a newer Kaiban (the migrations named, unknown here): not used.
    case databaseNewer(location: String, migrations: [String])
    /// `partner` holds no key of that fingerprint.
    case partnerKeyNotFound(fingerprint: String, partner: String)
    /// Another request under the same portal and idempotency key was taken in first.
    case submissionExists
    /// The clerk holds no valid token to revoke.
    case clerkTokenNotFound(String)

    public var problem: Problem {
        let text = LocalizedText(zh: message(.zh), en: message(.en))
        switch self {
        case .caseNotFound: return Problem(.notFound, "case.not-found", text)
        case .clerkNotFound: return Problem(.notFound, "clerk.not-found", text)
        case .clerkExists: return Problem(.conflict, "clerk.exists", text)
        case .supervisorRequired: return Problem(.forbidden, "role.supervisor-required", text)
        case .actorRequired: return Problem(.invalid, "actor.required", text)
        case .firstClerkNotSupervisor: return Problem(.refused, "clerk.first-not-supervisor", text)
        case .noDefinition, .definitionNotFound: return Problem(.notFound, "workflow.not-found", text)
        case .definitionChanged: return Problem(.brokenData, "workflow.version-not-raised", text)
        case .notEmpty: return Problem(.refused, "database.not-empty", text)
        case .calendarYearExists: return Problem(.conflict, "calendar.year-exists", text)
        case .noOfficeHours: return Problem(.brokenData, "calendar.no-office-hours", text)
        case .officeHoursExist: return Problem(.conflict, "office-hours.version-exists", text)
        case .nameTaken: return Problem(.conflict, "name.taken", text)
        case .clerkAlreadyInactive: return Problem(.conflict, "clerk.already-inactive", text)
        case .lastSupervisor: return Problem(.refused, "clerk.last-supervisor", text)
        case .rolesUnchanged: return Problem(.refused, "clerk.roles-unchanged", text)
        case .projectionOutOfStep: return Problem(.brokenData, "case.projection-out-of-step", text)
        case .storage: return Problem(.storage, "storage.failed", text)
        case .databaseBusy: return Problem(.storage, "database.busy", text)
        case .databaseFileReplaced: return Problem(.storage, "database.file-replaced", text)
        case .applicantFlagUnchanged: return Problem(.conflict, "applicant.flag-unchanged", text)
        case .portalExists: return Problem(.conflict, "portal.exists", text)
        case .portalNotFound: return Problem(.notFound, "portal.not-found", text)
        case .portalAlreadyRevoked: return Problem(.conflict, "portal.already-revoked", text)
        case .partnerExists: return Problem(.conflict, "partner.exists", text)
        case .partnerNotFound: return Problem(.notFound, "partner.not-found", text)
        case .partnerKeyExists: return Problem(.conflict, "partner.key-exists", text)
        case .partnerKeyNotFound: return Problem(.notFound, "partner.key-not-found", text)
        case .transferNotReturnable: return Problem(.refused, "exchange.return-refused", text)
        case .crossProvinceCaseTaken: return Problem(.conflict, "exchange.case-taken", text)
        case .databaseNewer: return Problem(.brokenData, "database.newer-version", text)
        case .clerkTokenNotFound: return Problem(.notFound, "clerk-token.not-found", text)
        case .submissionExists: return Problem(.conflict, "submission.in-progress", text)
        }
    }

    public func message(_ language: Language) -> String {
        let zh = language == .zh
        switch self {
        case .caseNotFound(let number):
            return zh ? "找不到办件\(number)" : "no case \(number)"
        case .clerkNotFound(let id):
            return zh ? "找不到工作人员\(id)" : "no clerk \(id)"
        case .clerkExists(let id):
            return zh ? "工作人员\(id)已登记" : "clerk \(id) already exists"
        case .supervisorRequired(let id, let act):
            return zh ? "只有负责人（supervisor）可以\(act.zh)，\(id)不是负责人" : "only a supervisor can \(act.en); \(id) is not one"
        case .actorRequired:
            return zh ? "须指明办理人" : "say who is acting"
        case .firstClerkNotSupervisor(let id):
            return zh
                ? "新库的第一位工作人员须为负责人（supervisor），否则无人能登记其他工作人员；\(id)不是"
                : "the first clerk of a new database must be a supervisor, or no one could add another; \(id) is not"
        case .noDefinition(let id):
            return zh ? "数据库中没有流程定义\(id)" : "no workflow definition \(id) in the database"
        case .definitionNotFound(let key):
            return zh ? "数据库中没有流程定义\(key)" : "no workflow definition \(key) in the database"
        case .definitionChanged(let key):
            return zh
                ? "流程定义\(key)的内容与已登记的不同：修改流程须提高 version"
                : "workflow \(key) differs from the one registered under that version: raise the version to change it"
        case .notEmpty(let location, let cases):
            return zh
                ? "数据库\(location)已有\(cases)件办件；演示和生成的办件只写入新库"
                : "the database \(location) holds \(cases) cases; the demo and generated cases go only into a new database"
        case .calendarYearExists(let year):
            return zh
                ? "\(year)年的节假日安排已存在且内容不同；更正须说明理由"
                : "the calendar already holds \(year) with other dates; a correction needs a reason"
        case .noOfficeHours(let hall):
            return zh ? "没有\(hall)的办公时间" : "no office hours for hall \(hall)"
        case .officeHoursExist(let hall, let from):
            return zh
                ? "\(hall)自\(from)起的办公时间已有记录；更正请另定生效日期"
                : "office hours of \(hall) from \(from) are already kept; a correction takes another effective date"
        case .nameTaken(let name, let holder):
            return zh
                ? "“\(name)”与已登记的“\(holder)”字号、行业相同，不能发照"
                : "\"\(name)\" has the trade name and industry of the registered \"\(holder)\"; no licence can be issued"
        case .clerkAlreadyInactive(let id):
            return zh
                ? "工作人员\(id)已停用，不能再次停用或变更角色"
                : "clerk \(id) is deactivated already: not again, and their roles no longer change"
        case .lastSupervisor(let id):
            return zh
                ? "\(id)是唯一在岗的负责人（supervisor），停用或取消其负责人角色后将无人能管理工作人员；请先指定另一位负责人"
                : "\(id) is the only active supervisor; without one no one could administer the clerks: make another supervisor first"
        case .rolesUnchanged(let id):
            return zh ? "工作人员\(id)已是这些角色" : "clerk \(id) holds exactly these roles already"
        case .projectionOutOfStep(let number, let history, let row):
            return zh
                ? "办件\(number)的汇总记录（第\(row)版）与其历史记录（第\(history)版）不一致，未作办理；须由负责人从历史记录重建"
                : "the derived record of case \(number) (version \(row)) disagrees with its history (version \(history)); nothing was done: a supervisor rebuilds it from the history"
        case .storage(let detail):
            return zh ? "数据库出错：\(detail)" : "storage failure: \(detail)"
        case .databaseBusy:
            return zh
                ? "数据库正被另一进程占用，等候多时仍未轮到；未作任何更改，请稍后重试"
                : "the database was held by another process for too long; nothing was changed, try again shortly"
        case .databaseFileReplaced(let path):
            return zh
                ? "数据库文件\(path)在本进程打开后已被移动、替换或删除，不再写入：请停止本进程（如 kaiban serve）后重新启动，并核实该路径下的文件是否为应使用的数据库"
                : "the database file \(path) was moved, replaced or deleted after this process opened it; nothing more is written: stop and restart the process (kaiban serve), and make sure the file at that path is the database to use"
        case .portalExists(let id):
            return zh ? "门户\(id)已登记" : "portal \(id) exists already"
        case .portalNotFound(let id):
            return zh ? "找不到门户\(id)" : "no portal \(id)"
        case .portalAlreadyRevoked(let id):
            return zh ? "门户\(id)已停用" : "portal \(id) is revoked already"
        case .partnerExists(let code):
            return zh
                ? "协同机构\(code)已登记（换用新公钥请加 --add-key）" : "partner \(code) exists already (add a new key with --add-key)"
        case .partnerNotFound(let code):
            return zh ? "找不到协同机构\(code)" : "no partner \(code)"
        case .partnerKeyExists(let fingerprint, let partner):
            return zh
                ? "公钥\(fingerprint.prefix(16))…已登记给协同机构\(partner)"
                : "key \(fingerprint.prefix(16))… is registered already, for partner \(partner)"
        case .transferNotReturnable(let number):
            return zh
                ? "办件\(number)的转办被对方拒收，但其所用流程版本或当前阶段不能退回窗口：请核实后撤回并重新收件"
                : "the transfer of case \(number) was refused, but its workflow version or stage cannot return it to the window: check it, withdraw it and take it in again"
        case .databaseNewer(let location, let migrations):
            let list = migrations.joined(separator: ", ")
            return zh
                ? "数据库\(location)已由更新版本的 Kaiban 升级（迁移 \(list)），本程序不认识其规则，不能使用：请使用新版本"
                : "the database \(location) was upgraded by a newer Kaiban (migrations \(list)); this program does not know its rules and does not use it: use the newer version"
        case .crossProvinceCaseTaken(let collaboration):
            return zh
                ? "跨省转入办件\(collaboration)不在待收件之列（已由另一进程收件）；未作任何更改"
                : "the transferred case \(collaboration) is not waiting to be taken in (another process took it in); nothing was changed"
        case .partnerKeyNotFound(let fingerprint, let partner):
            return zh
                ? "协同机构\(partner)没有指纹为\(fingerprint.prefix(16))…的公钥"
                : "partner \(partner) holds no key \(fingerprint.prefix(16))…"
        case .clerkTokenNotFound(let id):
            return zh ? "工作人员\(id)没有有效的令牌" : "clerk \(id) holds no valid token"
        case .submissionExists:
            return zh
                ? "同一幂等键的申请正在受理或已受理，请稍后用同一幂等键重试以取得结果"
                : "a submission under this idempotency key was taken in first; retry with the same key for its answer"
        case .applicantFlagUnchanged(let flagged):
            return flagged
                ? (zh ? "该申请人已被标记为失信" : "the applicant is flagged already")
                : (zh ? "该申请人没有失信标记" : "the applicant is not flagged")
        }
    }
}
