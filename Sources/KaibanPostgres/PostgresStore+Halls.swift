import KaibanCore
import Logging
import PostgresNIO

/// Many halls on one database: each hall's tables live in a schema of its own (`kaiban_HALL`,
/// ``PostgresLocation/schema``), first in the search path of every session of its processes. A
/// hall's numbers, worklists, figures, `find`, `/metrics`, appointment places, calendar, clerks,
/// portals and partners are therefore its own, with no hall filter to forget in any statement,
/// and each hall is migrated, copied (`migrate-to`) and backed up (`pg_dump -n`) apart.
extension PostgresStore {
    /// The hall whose schema the store works in, or nil for the database's own search path.
    public var hall: String? { schema.map { String($0.dropFirst(Self.hallSchemaPrefix.count)) } }

    /// What a hall's schema name begins with (``PostgresLocation/schema``).
    static let hallSchemaPrefix = "kaiban_"

    /// Makes `schema` ready for the migrations (run holding the migration lock): refuses a
    /// database that still keeps a hall in `public` (made before halls had schemas), and creates
    /// the schema when it is missing.
    static func prepareHallSchema(
        _ schema: String, location: String, _ connection: PostgresConnection, _ logger: Logger
    ) async throws {
        let state = try await connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = \(schema)),
                to_regclass('public.kaiban_migration') IS NOT NULL
            """, logger: logger
        ).decode((Bool, Bool).self).first(where: { _ in true })
        let (exists, legacy) = state ?? (false, false)
        if exists { return }
        let hall = String(schema.dropFirst(hallSchemaPrefix.count))
        if legacy {
            // Which hall `public` belongs to is the deployment's knowledge, not the program's:
            // taking it for this one could put one hall's records under another's name.
            throw Problem(
                .brokenData, "database.hall-in-public",
                zh:
                    "数据库\(location)的 public 模式中存有旧版本（一库一厅）开办系统的数据，而本厅（\(hall)）尚无自己的模式 \(schema)。请数据库管理员确认 public 中的数据属于哪个大厅（HALL），再执行：ALTER SCHEMA public RENAME TO kaiban_HALL; CREATE SCHEMA public;",
                en:
                    "\(location) keeps the data of an earlier Kaiban (one hall per database) in schema public, and this hall (\(hall)) has no schema \(schema) yet. A database administrator should check which hall (HALL) public holds, then run: ALTER SCHEMA public RENAME TO kaiban_HALL; CREATE SCHEMA public;"
            )
        }
        do {
            _ = try await connection.query(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"), logger: logger)
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42501" {
            throw Problem(
                .brokenData, "database.schema-not-allowed",
                zh: "数据库\(location)的用户无权建立本厅的模式 \(schema)：请数据库管理员执行 CREATE SCHEMA \(schema) AUTHORIZATION 该用户;",
                en:
                    "the user of \(location) may not create this hall's schema \(schema): a database administrator should run CREATE SCHEMA \(schema) AUTHORIZATION that user;"
            )
        }
    }
}
