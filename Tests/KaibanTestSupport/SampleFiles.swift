import Foundation
import KaibanDesk

/// Small files of the kinds a portal attaches, made in memory: what their first bytes say is
/// real, the rest is filler.
public enum SampleFiles {
    /// A PDF of `size` bytes.
    public static func pdf(size: Int = 2_000) -> Data {
        filled(Array("%PDF-1.7\n%\u{E2}\u{E3}\n".utf8), size: size, ending: Array("\n%%EOF\n".utf8))
    }

    /// A PNG of `size` bytes (its signature, then filler).
    public static func png(size: Int = 2_000) -> Data {
        filled([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], size: size)
    }

    /// A JPEG of `size` bytes (start of image and a JFIF marker, then filler).
    public static func jpeg(size: Int = 2_000) -> Data {
        filled([0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10] + Array("JFIF".utf8), size: size, ending: [0xFF, 0xD9])
    }

    /// An OFD file (GB/T 33190): a zip archive with `OFD.xml` at its root and a document body.
    public static func ofd() -> Data {
        zip([
            (
                "OFD.xml",
                Array(
                    #"<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0" DocType="OFD"/>"#
                        .utf8)
            ),
            ("Doc_0/Document.xml", Array("<ofd:Document/>".utf8)),
        ])
    }

    /// Every file below `folder` (not the folders, nor the folder's claim and database record), by its
    /// path relative to it, sorted.
    public static func kept(under folder: URL) -> [String] {
        let paths = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String } ?? []
        let marks = [KaibanSettings.dataDirectoryHallFile, KaibanSettings.dataDirectoryDatabaseFile]
        return paths.filter { !marks.contains($0) }.filter {
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path, isDirectory: &isFolder)
            return !isFolder.boolValue
        }.sorted()
    }

    /// `prefix`, then filler bytes, then `ending`, `size` bytes in all (at least the prefix and ending).
    static func filled(_ prefix: [UInt8], size: Int, ending: [UInt8] = []) -> Data {
        let filler = max(0, size - prefix.count - ending.count)
        return Data(prefix + (0..<filler).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) } + ending)
    }

    /// A zip archive holding `entries` stored uncompressed.
    public static func zip(_ entries: [(name: String, content: [UInt8])]) -> Data {
        var archive: [UInt8] = []
        var directory: [UInt8] = []
        for (name, content) in entries {
            let offset = UInt32(archive.count)
            let nameBytes = Array(name.utf8)
            let crc = crc32(content)
            archive += le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
            archive += le32(crc) + le32(UInt32(content.count)) + le32(UInt32(content.count))
            archive += le16(UInt16(nameBytes.count)) + le16(0) + nameBytes + content
            directory += le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
            directory += le32(crc) + le32(UInt32(content.count)) + le32(UInt32(content.count))
            directory += le16(UInt16(nameBytes.count)) + le16(0) + le16(0) + le16(0) + le16(0) + le32(0)
            directory += le32(offset) + nameBytes
        }
        let directoryOffset = UInt32(archive.count)
        archive += directory
        archive += le32(0x0605_4B50) + le16(0) + le16(0) + le16(UInt16(entries.count)) + le16(UInt16(entries.count))
        archive += le32(UInt32(directory.count)) + le32(directoryOffset) + le16(0)
        return Data(archive)
    }

    static func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }

    static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }

    /// CRC-32 (IEEE), as zip records it.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }
}
