import Foundation
import Logging
import PostgresNIO

/// Why a server cannot be used, as PostgreSQL or the network says it. The pool retries a failed
/// connection quietly until an operation's time is up ("no answer within 5 s"), which says nothing
/// of a database that does not exist, a wrong password or a closed port; one connection made
/// apart says which.
extension PostgresStore {
    /// What a connection to `location` made apart meets: nil when it can be made (the server
    /// answers; the operation was only slow), else why not: refused by the server (no such database
    /// or role, authentication; ``PostgresStoreError/connectionRefused(_:)``) or not reached
    /// (``PostgresStoreError/unreachable(_:)``, naming what the network said).
    public static func connectionFailure(
        _ location: PostgresLocation, within limit: Duration = defaultDeadline,
        logger: Logger = Logger(label: "kaiban.postgres")
    ) async -> PostgresStoreError? {
        let configuration: PostgresConnection.Configuration
        do {
            configuration = try location.connectionConfiguration()
        } catch {
            return .connectionRefused("TLS for the connection cannot be set up on this machine: \(error)")
        }
        do {
            try await PostgresDeadline<Void>.run(limit) {
                let connection = try await PostgresConnection.connect(
                    configuration: configuration, id: 0, logger: logger)
                try? await connection.close().get()
            }
            return nil
        } catch is PostgresDeadline<Void>.Exceeded {
            return .unreachable("no answer from \(location.host):\(location.port) within \(limit)")
        } catch {
            return connectionFailure(error, host: location.host, port: location.port)
        }
    }

    /// `error`, met while connecting to `host`:`port`, in words.
    static func connectionFailure(_ error: any Error, host: String, port: Int) -> PostgresStoreError {
        let server = "\(host):\(port)"
        guard let error = error as? PSQLError else {
            return .unreachable("\(server): \(String(describing: error))")
        }
        if let message = error.serverInfo?[.message] {
            // Class 28 (authorization: a wrong password, an unknown role, no pg_hba.conf entry) and
            // 3D000 (no such database) are the address's fault; anything else (too many
            // connections, starting up, shutting down) passes.
            let state = error.serverInfo?[.sqlState] ?? ""
            let detail = error.serverInfo?[.detail].map { " (\($0))" } ?? ""
            return state.hasPrefix("28") || state == "3D000"
                ? .connectionRefused(message + detail) : .unreachable("\(server): \(message)\(detail)")
        }
        switch error.code {
        case .sslUnsupported:
            return .connectionRefused(
                "the server at \(server) does not offer TLS, which the address's sslmode requires")
        case .authMechanismRequiresPassword:
            return .connectionRefused("the server asks for a password and the address gives none")
        case .unsupportedAuthMechanism, .saslError:
            return .connectionRefused("the server asks for an authentication Kaiban cannot give (\(error.code))")
        case .failedToAddSSLHandler:
            return .connectionRefused("TLS with \(server) failed: \(underlyingText(error.underlying))")
        case .connectionError:
            // A certificate the address's sslmode does not accept: trying again will not help.
            if error.underlying is NIOSSLError || error.underlying is BoringSSLError {
                return .connectionRefused("TLS with \(server) failed: \(underlyingText(error.underlying))")
            }
            return .unreachable("\(server): \(underlyingText(error.underlying))")
        default:
            return .unreachable("\(server): \(error.code)\(error.underlying.map { ", " + underlyingText($0) } ?? "")")
        }
    }

    /// What the network (or TLS) said, shortly: the system's words for an errno ("Connection
    /// refused"), a name that does not resolve, a connection that timed out.
    static func underlyingText(_ error: (any Error)?) -> String {
        switch error {
        case nil: return "no reason given"
        case let error as NIOConnectionError:
            if let failure = error.connectionErrors.first { return underlyingText(failure.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil {
                return "the host name \(error.host) cannot be resolved"
            }
            return "no address of \(error.host) could be connected to"
        case let error as IOError: return String(cString: strerror(error.errnoCode))
        case let error as ChannelError:
            if case .connectTimeout(let limit) = error {
                return "no answer to the connection within \(limit.nanoseconds / 1_000_000_000) s"
            }
            return String(describing: error)
        case let error?: return String(describing: error)
        }
    }
}
