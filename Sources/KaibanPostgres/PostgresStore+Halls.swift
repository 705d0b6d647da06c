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

    /// The halls' schemas on the database (`kaiban_` and six digits), in order.
    package func hallSchemas() async throws -> [String] {
        try await guarded { [self] in
            var names: [String] = []
            for try await name in try await client.query(
                "SELECT nspname::text FROM pg_namespace WHERE nspname ~ '^kaiban_[0-9]{6}$' ORDER BY nspname",
                logger: logger
            ).decode(String.self) {
                names.append(name)
            }
            return names
        }
    }

    /// What a hall's schema name begins with (``PostgresLocation/schema``).
    static let hallSchemaPrefix = "kaiban_"

    /// Makes `schema` ready for the migrations (run holding the hall's migration lock):
    /// - refuses a database that still keeps a hall in `public` (made before halls had schemas)
    ///   while the hall's own schema holds no Kaiban tables yet, also when an administrator made
    ///   the schema beforehand;
    /// - creates the schema when it is missing;
    /// - refuses a schema the user may not use or create tables in, naming the user and what to run;
    /// - refuses a session that is not in the schema: the search path is a startup parameter,
    ///   which a connection pooler may drop (PgBouncer's `ignore_startup_parameters`), and every
    ///   hall would then share `public`'s tables.
    static func prepareHallSchema(
        _ schema: String, location: String, isHall: (@Sendable (String) -> Bool)?, _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws {
        // From the catalogs, which anyone may read (to_regclass on a schema the user may not use
        // is refused, and a hardened database grants nothing on public).
        let state = try await connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = \(schema)),
                EXISTS (
                    SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = \(schema) AND c.relname = 'kaiban_migration' AND c.relkind = 'r'),
                EXISTS (
                    SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = 'public' AND c.relname = 'kaiban_migration' AND c.relkind = 'r'),
                current_user::text
            """, logger: logger
        ).decode((Bool, Bool, Bool, String).self).first(where: { _ in true })
        let (exists, migrated, legacy, user) = state ?? (false, false, false, "?")
        let hall = String(schema.dropFirst(hallSchemaPrefix.count))
        if legacy && !migrated {
            // Which hall `public` belongs to is the deployment's knowledge, not the program's:
            // taking it for this one could put one hall's records under another's name.
            throw Problem(
                .brokenData, "database.hall-in-public",
                zh:
                    "数据库\(location)的 public 模式中存有旧版本（一库一厅）开办系统的数据，而本厅（\(hall)）的模式 \(schema) 中尚无开办系统的表。请数据库管理员确认 public 中的数据属于哪个大厅（HALL），再执行：ALTER SCHEMA public RENAME TO kaiban_HALL; CREATE SCHEMA public;（若已预先建立了模式 kaiban_HALL，须先删除这个空模式）",
                en:
                    "\(location) keeps the data of an earlier Kaiban (one hall per database) in schema public, and this hall's schema \(schema) holds no Kaiban tables yet. A database administrator should check which hall (HALL) public holds, then run: ALTER SCHEMA public RENAME TO kaiban_HALL; CREATE SCHEMA public; (dropping an empty kaiban_HALL made beforehand first)"
            )
        }
        let notAllowed = schemaNotAllowed(schema, location: location, user: user)
        if !exists {
            if let isHall, !isHall(hall) {
                throw Problem(
                    .invalid, "hall.unknown",
                    zh: "KAIBAN_HALL=\(hall) 不是行政区划代码表中的区划，未在数据库\(location)中为它建立模式",
                    en:
                        "KAIBAN_HALL=\(hall) is no division of the divisions table: no schema was made for it in \(location)"
                )
            }
            do {
                try await connection.runToEnd(PostgresQuery(unsafeSQL: "CREATE SCHEMA \(schema)"), logger: logger)
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "42501" {
                throw notAllowed
            }
        } else {
            let allowed = try await connection.query(
                """
                SELECT has_schema_privilege(\(schema), 'USAGE')
                    AND (\(migrated) OR has_schema_privilege(\(schema), 'CREATE'))
                """, logger: logger
            ).decode(Bool.self).first(where: { _ in true })
            if allowed != true { throw notAllowed }
        }
        let current = try await connection.query("SELECT current_schema()::text", logger: logger).decode(
            String?.self
        ).first(where: { _ in true })
        if current != schema {
            throw Problem(
                .brokenData, "database.schema-not-kept",
                zh:
                    "连接数据库\(location)的会话未使用本厅的模式 \(schema)（当前为 \(current.flatMap { $0 } ?? "无")）：连接池（如 PgBouncer）可能丢弃了启动参数 search_path。请直连 PostgreSQL，或使用会话模式并保留 search_path 参数",
                en:
                    "the sessions on \(location) are not in this hall's schema \(schema) (but in \(current.flatMap { $0 } ?? "none")): a connection pooler (PgBouncer) may have dropped the startup parameter search_path. Connect to PostgreSQL directly, or through a pooler in session mode that passes search_path"
            )
        }
    }
}

extension PostgresStore {
    /// The refusal of `schema` to `user`, with what an administrator should run.
    static func schemaNotAllowed(_ schema: String, location: String, user: String) -> Problem {
        Problem(
            .brokenData, "database.schema-not-allowed",
            zh:
                "数据库\(location)的用户 \(user) 无权使用或在本厅的模式 \(schema) 中建表：请数据库管理员执行 CREATE SCHEMA \(schema) AUTHORIZATION \(user);（或对已有模式执行 GRANT USAGE, CREATE ON SCHEMA \(schema) TO \(user);）",
            en:
                "the user \(user) of \(location) may not use this hall's schema \(schema) or create tables in it: a database administrator should run CREATE SCHEMA \(schema) AUTHORIZATION \(user); (or, for an existing schema, GRANT USAGE, CREATE ON SCHEMA \(schema) TO \(user);)"
        )
    }

    /// Refuses, before a migration is applied, a user who may not create tables in `schema` (a
    /// new version brings tables to a hall migrated before).
    static func requireCreate(in schema: String, location: String, _ connection: PostgresConnection, _ logger: Logger)
        async throws
    {
        let (allowed, user) =
            try await connection.query(
                "SELECT has_schema_privilege(\(schema), 'CREATE'), current_user::text", logger: logger
            ).decode((Bool, String).self).first(where: { _ in true }) ?? (false, "?")
        if !allowed { throw schemaNotAllowed(schema, location: location, user: user) }
    }
}

extension PostgresConnection {
    /// Runs `query` to its end, its rows read and dropped. An error raised while it runs (a lock
    /// not had within `lock_timeout`) comes after the rows' description, so it is thrown here and
    /// not by the transaction's next statement, which PostgreSQL would refuse as "current
    /// transaction is aborted" (what 5 of 25 halls starting at once had been told).
    func runToEnd(_ query: PostgresQuery, logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }
}
