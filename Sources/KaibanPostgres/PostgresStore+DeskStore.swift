import KaibanDesk

/// The desk's store on PostgreSQL: every operation of ``DeskStore`` with the same meaning as on
/// SQLite, written part by part in the files beside this one (reference data, clerks, cases, find,
/// deferrals, mail, portal submissions, attachments, appointments, the exchange, reports, rebuild).
extension PostgresStore: DeskStore {}
