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
            throw Invalid(description: "not a PostgreSQL address (postgres://USER@HOST:PORT/DATABASE): \(text)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw Invalid(description: "the PostgreSQL address names no host: \(text)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw Invalid(description: "the PostgreSQL address names no user (postgres://USER@…): \(text)")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else {
            throw Invalid(description: "the PostgreSQL address names no database (…/DATABASE): \(text)")
        }
        let port = components.port ?? 5432
        guard (1...65535).contains(port) else {
            throw Invalid(description: "the PostgreSQL port must be from 1 to 65535: \(text)")
        }
        self.host = host
        self.port = port
        self.username = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
    }

    /// The address without its password, for messages and logs.
    public var description: String { "postgres://\(username)@\(host):\(port)/\(database)" }

    /// The client's configuration: no TLS on loopback, TLS preferred elsewhere.
    var configuration: PostgresClient.Configuration {
        let loopback = host == "127.0.0.1" || host == "::1" || host == "localhost"
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database,
            tls: loopback ? .disable : .prefer(.makeClientConfiguration()))
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
