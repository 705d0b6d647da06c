import Foundation

/// The kinds of file the hall takes as an electronic document: PDF, JPEG, PNG and OFD (GB/T 33190,
/// the national fixed-layout format, a zip container with `OFD.xml` at its root). A file is
/// known by its first bytes (its magic), never by the name or the type a sender states.
public enum DocumentFileType: String, Sendable, Codable, CaseIterable {
    case pdf = "application/pdf"
    case jpeg = "image/jpeg"
    case png = "image/png"
    case ofd = "application/ofd"

    /// The media type, as `Content-Type` names it.
    public var mediaType: String { rawValue }

    /// The usual file extension.
    public var fileExtension: String {
        switch self {
        case .pdf: "pdf"
        case .jpeg: "jpg"
        case .png: "png"
        case .ofd: "ofd"
        }
    }

    /// The type a `Content-Type` value names (parameters and case ignored), if it is one of these.
    public init?(contentType: String) {
        let mediaType = contentType.split(separator: ";", omittingEmptySubsequences: false).first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard let mediaType, let known = Self(rawValue: mediaType == "image/jpg" ? "image/jpeg" : mediaType) else {
            return nil
        }
        self = known
    }

    /// What `content` is by its magic bytes, or nil when it is none of these.
    public static func sniff(_ content: Data) -> DocumentFileType? {
        let bytes = [UInt8](content.prefix(8))
        if bytes.starts(with: Array("%PDF-".utf8)) { return .pdf }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]), ZipDirectory.names(in: content)?.contains("OFD.xml") == true {
            return .ofd
        }
        return nil
    }
}

/// Reads the names of a zip archive's entries from its central directory (enough to tell an
/// OFD file from any other zip); nil when the archive's end records do not hold together.
enum ZipDirectory {
    static let endSignature: UInt32 = 0x0605_4B50
    static let entrySignature: UInt32 = 0x0201_4B50
    /// The end record is 22 bytes, followed by a comment of at most 65,535 bytes.
    static let endRecordSize = 22

    static func names(in data: Data) -> [String]? {
        let bytes = [UInt8](data)
        guard bytes.count >= endRecordSize else { return nil }
        let lowest = max(0, bytes.count - endRecordSize - 0xFFFF)
        var end = bytes.count - endRecordSize
        while end >= lowest, uint32(bytes, end) != endSignature { end -= 1 }
        guard end >= lowest, let count = uint16(bytes, end + 10), let offset = uint32(bytes, end + 16) else {
            return nil
        }
        var names: [String] = []
        var position = Int(offset)
        for _ in 0..<count {
            guard uint32(bytes, position) == entrySignature, let nameLength = uint16(bytes, position + 28),
                let extraLength = uint16(bytes, position + 30), let commentLength = uint16(bytes, position + 32)
            else { return nil }
            let start = position + 46
            guard start + Int(nameLength) <= bytes.count else { return nil }
            names.append(String(decoding: bytes[start..<start + Int(nameLength)], as: UTF8.self))
            position = start + Int(nameLength) + Int(extraLength) + Int(commentLength)
        }
        return names
    }

    static func uint16(_ bytes: [UInt8], _ at: Int) -> UInt16? {
        guard at >= 0, at + 2 <= bytes.count else { return nil }
        return UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8
    }

    static func uint32(_ bytes: [UInt8], _ at: Int) -> UInt32? {
        guard at >= 0, at + 4 <= bytes.count else { return nil }
        return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16
            | UInt32(bytes[at + 3]) << 24
    }
}
