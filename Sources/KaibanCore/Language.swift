import Foundation

/// The language a message is shown in: Simplified Chinese for clerks by default, English on request.
public enum Language: String, Sendable, CaseIterable, Codable {
    case zh
    case en
}

/// A text in both languages the desk speaks.
public struct LocalizedText: Sendable, Equatable, Hashable, Codable {
    public var zh: String
    public var en: String

    public init(zh: String, en: String) {
        self.zh = zh
        self.en = en
    }

    /// The text in `language`.
    public func text(_ language: Language) -> String {
        switch language {
        case .zh: zh
        case .en: en
        }
    }
}

/// Something that can say what happened in words a clerk can act on.
public protocol ClerkReadable: Error {
    /// The message in `language`.
    func message(_ language: Language) -> String
}

extension Array where Element == LocalizedText {
    /// The texts joined with the list separator of `language`.
    public func joined(_ language: Language) -> String {
        map { $0.text(language) }.joined(separator: language == .zh ? "、" : ", ")
    }
}
