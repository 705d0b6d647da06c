import Foundation
import PostgresNIO

/// Where a PostgreSQL store is: `postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE`, the form
/// `--db` and `KAIBAN_DB` take (`postgresql://` too). Read in one place, refused with a message
/// that names the part at fault.
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// The address's `sslmode` (as libpq reads it), or nil: no TLS on loopback, TLS preferred
    /// elsewhere.
    public var sslMode: SSLMode?
    /// The hall whose schema (``schema``) every session works in, or nil for the database's own
    /// search path (`public`): one database holds many halls, each in a schema of its own, so
    /// that its numbers, worklists, figures, calendar, clerks and partners are its alone. Not part
    /// of the address: a command takes it from `KAIBAN_HALL`.
    public private(set) var hall: String?

    /// The schema of ``hall``: `kaiban_` and its six digits (nil: the database's search path).
    public var schema: String? { hall.map { PostgresStore.hallSchemaPrefix + $0 } }

    /// Whether `code` can name a hall's schema: six ASCII digits (a GB/T 2260 code), nothing
    /// that would need quoting in a search path.
    public static func isHallCode(_ code: String) -> Bool {
        code.utf8.count == 6 && code.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// This location in `hall`'s schema; a code that is not six digits is refused.
    public func inHall(_ hall: String) throws(Invalid) -> PostgresLocation {
        guard Self.isHallCode(hall) else {
            throw Invalid(description: "a hall's schema is named by its six-digit division code, not \"\(hall)\"")
        }
        var location = self
        location.hall = hall
        return location
    }

    /// libpq's `sslmode` values Kaiban honours.
    public enum SSLMode: String, Sendable, Equatable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        let scheme = text.prefix(13).lowercased()
        return scheme.hasPrefix("postgres://") || scheme.hasPrefix("postgresql://")
    }

    /// Why a location could not be read.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    public init(_ text: String) throws(Invalid) {
        guard Self.isPostgres(text), let components = URLComponents(string: text) else {
            throw Invalid(
                description:
                    "not a PostgreSQL address (postgres://USER@HOST:PORT/DATABASE): \(Self.withoutPassword(text))")
        }
        // An IPv6 address is written in brackets (`[::1]`); the connection takes it without them.
        guard var host = components.host, !host.isEmpty else {
            throw Invalid(description: "the PostgreSQL address names no host: \(Self.withoutPassword(text))")
        }
        guard let user = components.user, !user.isEmpty else {
            throw Invalid(
                description: "the PostgreSQL address names no user (postgres://USER@…): \(Self.withoutPassword(text))")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw Invalid(
                description: "the PostgreSQL address names no database (…/DATABASE): \(Self.withoutPassword(text))")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else {
            throw Invalid(description: "the PostgreSQL port must be from 1 to 65535: \(Self.withoutPassword(text))")
        }
        for item in components.queryItems ?? [] {
            guard item.name == "sslmode" else {
                throw Invalid(
                    description:
                        "the PostgreSQL address has the parameter \(item.name), which Kaiban does not take (only sslmode): \(Self.withoutPassword(text))"
                )
            }
            guard let mode = item.value.flatMap(SSLMode.init(rawValue:)) else {
                throw Invalid(
                    description:
                        "sslmode must be one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", ")): \(Self.withoutPassword(text))"
                )
            }
            self.sslMode = mode
        }
        if host.hasPrefix("[") && host.hasSuffix("]") && host.count > 2 { host = String(host.dropFirst().dropLast()) }
        self.host = host
        self.port = port
        self.username = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
    }

    /// The address without its password, for messages and logs.
    public var description: String {
        "postgres://\(username)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
    }

    /// `text` with the password of its user part replaced by stars, for messages.
    /// An address that cannot be read (often a password with `#`, `/` or `@` not percent-encoded)
    /// loses everything between `://` and its last `@`.
    static func withoutPassword(_ text: String) -> String {
        if var components = URLComponents(string: text) {
            guard components.password != nil else { return text }
            components.password = "***"
            if let string = components.string { return string }
        }
        guard let scheme = text.range(of: "://"), let at = text.range(of: "@", options: .backwards),
            at.lowerBound > scheme.upperBound
        else { return text.contains("://") ? String(text.prefix { $0 != ":" }) + "://…" : text }
        return String(text[..<scheme.upperBound]) + "***" + String(text[at.lowerBound...])
    }

    /// How a connection uses TLS: not at all, when the server offers it, or only with it.
    enum TLSChoice {
        case disable
        case prefer(TLSConfiguration)
        case require(TLSConfiguration)
    }

    /// `sslmode` as libpq reads it (`require` encrypts without checking the server's certificate,
    /// `verify-ca` and `verify-full` check it); without one, no TLS on loopback and TLS preferred
    /// elsewhere.
    var tlsChoice: TLSChoice {
        let loopback = host == "127.0.0.1" || host == "::1" || host == "localhost"
        let verified = TLSConfiguration.makeClientConfiguration()
        var unverified = verified
        unverified.certificateVerification = .none
        var caOnly = verified
        caOnly.certificateVerification = .noHostnameVerification
        return switch sslMode {
        case nil: loopback ? .disable : .prefer(verified)
        case .disable: .disable
        case .allow, .prefer: .prefer(unverified)
        case .require: .require(unverified)
        case .verifyCA: .require(caOnly)
        case .verifyFull: .require(verified)
        }
    }

    /// How long a connection may take to be made.
    static let connectTimeout: Duration = .seconds(5)

    /// What every session of the store sets when it starts, whatever the database's defaults:
    /// - read committed, the isolation the store's statements are written for (a database whose
    ///   default is serializable had refused most concurrent work as `database.busy`);
    /// - a lock waited for at most a second less than the operations' limit (`deadline`: 4 s of
    ///   the default 5 s), so that a wait is reported as one (`database.busy`: try again) rather
    ///   than as no answer;
    /// - a session that sits in an open transaction for 10 s (a stopped process, a clerk's Ctrl-Z,
    ///   a connection gone half-open) ended, its locks released: it had held the hall's case
    ///   numbers from every server until TCP noticed, hours later.
    /// - the hall's schema first in the search path (``schema``), when the location names a hall.
    static func sessionSettings(deadline: Duration = .seconds(5), schema: String? = nil) -> [(String, String)] {
        let lockWait = max(deadline - .seconds(1), .seconds(1))
        let milliseconds = lockWait.components.seconds * 1000 + lockWait.components.attoseconds / 1_000_000_000_000_000
        return [
            ("default_transaction_isolation", "read committed"), ("lock_timeout", "\(milliseconds)ms"),
            ("idle_in_transaction_session_timeout", "10s"),
        ] + (schema.map { [("search_path", $0)] } ?? [])
    }

    /// The pool's configuration (``tlsChoice``, ``sessionSettings(deadline:)``).
    func configuration(deadline: Duration = .seconds(5)) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch tlsChoice {
            case .disable: .disable
            case .prefer(let configuration): .prefer(configuration)
            case .require(let configuration): .require(configuration)
            }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = Self.connectTimeout
        configuration.options.additionalStartupParameters = Self.sessionSettings(deadline: deadline, schema: schema)
        return configuration
    }

    /// One connection's configuration, as the pool's (``tlsChoice``).
    func connectionConfiguration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS =
            switch tlsChoice {
            case .disable: .disable
            case .prefer(let configuration): .prefer(try NIOSSLContext(configuration: configuration))
            case .require(let configuration): .require(try NIOSSLContext(configuration: configuration))
            }
        var configuration = PostgresConnection.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = TimeAmount(Self.connectTimeout)
        configuration.options.additionalStartupParameters = Self.sessionSettings(schema: schema)
        return configuration
    }
}
