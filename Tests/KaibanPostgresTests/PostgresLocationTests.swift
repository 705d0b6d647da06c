import Testing

@testable import KaibanPostgres

/// The addresses `--db` and `KAIBAN_DB` take for PostgreSQL (no server needed).
struct PostgresLocationTests {
    @Test func aFullAddressIsReadPartByPart() throws {
        let location = try PostgresLocation("postgres://kaiban:s%40cret@db.example.cn:6543/zhaohua")
        #expect(location.host == "db.example.cn")
        #expect(location.port == 6543)
        #expect(location.username == "kaiban")
        #expect(location.password == "s@cret")
        #expect(location.database == "zhaohua")
        // The password never appears in what is printed or logged.
        #expect(location.description == "postgres://kaiban@db.example.cn:6543/zhaohua")
        #expect(try PostgresLocation("postgresql://k@127.0.0.1/kaiban").port == 5432)
    }

    @Test(arguments: [
        ("kaiban.sqlite", "not a PostgreSQL address"),
        ("postgres://127.0.0.1/kaiban", "no user"),
        ("postgres://kaiban@/kaiban", "no host"),
        ("postgres://kaiban@127.0.0.1:5432", "no database"),
        ("postgres://kaiban@127.0.0.1:5432/", "no database"),
        ("postgres://kaiban@127.0.0.1:70000/kaiban", "from 1 to 65535"),
    ])
    func aFaultyAddressIsRefusedNamingThePart(text: String, says: String) {
        #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(text) }
        do {
            _ = try PostgresLocation(text)
        } catch {
            #expect(error.description.contains(says), "\(error.description)")
        }
    }

    /// `sslmode` is read as libpq reads it; any other parameter is refused (it had been dropped
    /// without a word: `sslmode=require` connected in plain text), the password never shown.
    @Test func sslmodeIsHonouredAndOtherParametersRefused() throws {
        #expect(try PostgresLocation("postgres://k@127.0.0.1/d").sslMode == nil)
        #expect(try PostgresLocation("postgres://k@127.0.0.1/d?sslmode=require").sslMode == .require)
        #expect(try PostgresLocation("postgres://k@db.example.cn/d?sslmode=verify-full").sslMode == .verifyFull)
        for (text, says) in [
            ("postgres://k:Secr3t@127.0.0.1/d?sslmode=maybe", "sslmode must be one of"),
            ("postgres://k:Secr3t@127.0.0.1/d?connect_timeout=3", "the parameter connect_timeout"),
            // A password with characters that break the address: nothing of it is shown.
            ("postgres://k:Secr3t#x@127.0.0.1/d", "not a PostgreSQL address"),
            ("postgres://k:Secr3t@/d", "no host"),
        ] {
            do {
                _ = try PostgresLocation(text)
                Issue.record("\(text) was taken")
            } catch {
                #expect(error.description.contains(says), "\(error.description)")
                #expect(!error.description.contains("Secr3t"))
            }
        }
    }

    @Test func onlyPostgresAddressesChooseThisStore() {
        #expect(PostgresLocation.isPostgres("postgres://k@h/d"))
        #expect(PostgresLocation.isPostgres("postgresql://k@h/d"))
        #expect(!PostgresLocation.isPostgres("/var/lib/kaiban/hall.sqlite"))
        // A scheme is read in any case (RFC 3986 §3.1), as the command line reads it.
        #expect(PostgresLocation.isPostgres("Postgres://k@h/d"))
        #expect(!PostgresLocation.isPostgres("postgres:/k@h/d"))
        #expect(!PostgresLocation.isPostgres("./postgres://k@h/d"))
    }
}
