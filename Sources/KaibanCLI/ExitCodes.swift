import ArgumentParser
import Foundation
import KaibanCore
import KaibanStore
import KaibanXML

/// Kaiban's exit codes (sysexits-style), documented in the README.
public enum KaibanExit {
    /// Bad flags or arguments (swift-argument-parser's own validation code).
    public static let usage: Int32 = 64
    /// The rules refused the step or the application.
    public static let refused: Int32 = 65
    /// The case or clerk does not exist.
    public static let notFound: Int32 = 66
    /// The database failed.
    public static let storage: Int32 = 74
    /// A definition, schema or data file is broken.
    public static let configuration: Int32 = 78

    /// The exit code and the message for `error` in `language`.
    static func describe(_ error: any Error, _ language: Language) -> (code: Int32, message: String) {
        switch error {
        case let error as WorkflowError:
            return (refused, error.message(language))
        case let error as ApplicationRejected:
            return (refused, error.message(language))
        case let error as StoreError:
            switch error {
            case .caseNotFound, .clerkNotFound, .noDefinition, .definitionNotFound:
                return (notFound, error.message(language))
            case .storage: return (storage, error.message(language))
            case .definitionChanged: return (configuration, error.message(language))
            case .clerkExists, .notAdministrator, .administratorRequired, .notEmpty, .calendarYearExists, .nameTaken:
                return (refused, error.message(language))
            case .noOfficeHours: return (configuration, error.message(language))
            }
        case let error as HistoryError:
            return (storage, error.message(language))
        case let error as XMLProblem:
            let head = language == .zh ? "文件有误：" : "invalid file:"
            return (configuration, head + "\n" + error.description)
        case let error as ClerkReadable:
            return (refused, error.message(language))
        default:
            return (storage, "\(error)")
        }
    }
}
