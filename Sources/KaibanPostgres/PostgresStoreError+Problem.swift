import KaibanCore

/// The PostgreSQL store's failures as the desk's problems: all are storage problems (exit 74 at
/// the command line, 503 over HTTP), each with its own code and text in both languages.
extension PostgresStoreError: ProblemConvertible, ClerkReadable {
    public var problem: Problem {
        let text = LocalizedText(zh: message(.zh), en: message(.en))
        switch self {
        case .unreachable: return Problem(.storage, "database.unreachable", text)
        case .connectionRefused: return Problem(.brokenData, "database.connection-refused", text)
        case .refused: return Problem(.storage, "database.refused", text)
        case .busy: return Problem(.storage, "database.busy", text)
        case .commitUnconfirmed: return Problem(.storage, "database.commit-unconfirmed", text)
        case .unknownCase: return Problem(.notFound, "case.not-found", text)
        case .storage: return Problem(.storage, "storage.failed", text)
        }
    }

    public func message(_ language: Language) -> String {
        guard language == .zh else { return description }
        switch self {
        case .unreachable(let why): return "无法连接 PostgreSQL 数据库（\(why)），请稍后重试"
        case .connectionRefused(let why): return "PostgreSQL 数据库拒绝连接：\(why)；请核对数据库地址"
        case .refused(let message): return "PostgreSQL 数据库拒绝了这项更改：\(message)"
        case .busy(let message): return "PostgreSQL 数据库为让其他办理先行而放弃了这项更改（\(message)），未作任何更改，请重试"
        case .commitUnconfirmed(let why):
            return "PostgreSQL 数据库未确认这项更改（\(why)），更改可能已保存，也可能未保存：请先查询再决定是否重做（门户以同一 Idempotency-Key 重试是安全的）"
        case .unknownCase(let number): return "找不到办件\(number)"
        case .storage(let message): return "PostgreSQL 数据库出错：\(message)"
        }
    }
}
