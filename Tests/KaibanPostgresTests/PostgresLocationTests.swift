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
        // An IPv6 address is connected to without its brackets (they had been taken for a name),
        // and written with them; loopback needs no TLS.
        let six = try PostgresLocation("postgres://kaiban@[::1]:31099/conc")
        #expect(six.host == "::1" && six.port == 31099)
        #expect(six.description == "postgres://kaiban@[::1]:31099/conc")
        if case .disable = six.tlsChoice {} else { Issue.record("TLS asked of a loopback address") }
    }

    /// Every session sets the isolation it is written for and bounded waits, whatever the
    /// database's defaults (a serializable default had refused most concurrent work).
    @Test func everySessionSetsItsIsolationAndBoundedWaits() throws {
        let location = try PostgresLocation("postgres://kaiban@127.0.0.1/kaiban")
        for parameters in [
            location.configuration().options.additionalStartupParameters,
            try location.connectionConfiguration().options.additionalStartupParameters,
        ] {
            let settings = Dictionary(parameters, uniquingKeysWith: { first, _ in first })
            #expect(settings["default_transaction_isolation"] == "read committed")
            #expect(settings["lock_timeout"] == "4000ms" && settings["idle_in_transaction_session_timeout"] == "10s")
        }
        // A store with a longer limit waits longer for a lock.
        let patient = location.configuration(deadline: .seconds(120)).options.additionalStartupParameters
        #expect(patient.first { $0.0 == "lock_timeout" }?.1 == "119000ms")
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
