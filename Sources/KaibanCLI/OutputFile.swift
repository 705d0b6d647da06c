import Foundation
import KaibanCore
import KaibanDesk

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file a command writes (`--output`): replaced whole, never half-written. The text goes to a
/// temporary file beside it, which is then renamed over it; only a regular file of text is
/// replaced (``requireReplaceable(_:)``).
package enum OutputFile {
    /// Refuses `path` as an output file before any work (a usage error): empty, or a folder.
    static func validate(_ path: String, what: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw usageError(
                zh: "--output：\(path)是文件夹，不能写成\(what)", en: "--output: \(path) is a folder, not a file to write")
        }
        if path.isEmpty { throw usageError(zh: "--output：文件名为空", en: "--output: the file name is empty") }
    }

    /// Refuses to replace an existing file that is not text a command could have written: a
    /// SQLite database or its journal (the hall's own database, given as `--output` by mistake, had
    /// been replaced by a notice and every case lost), any other file with NUL bytes or that is
    /// not UTF-8 in its first 4 KiB, or a private key. A file that is not there is fine.
    static func requireReplaceable(_ url: URL) throws {
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 4096)) ?? Data()
        // A multi-byte character cut at the end of the 4 KiB is no fault of the file's.
        var text = String(bytes: head, encoding: .utf8)
        for cut in 1...3 where text == nil && head.count > cut {
            text = String(bytes: head.dropLast(cut), encoding: .utf8)
        }
        guard let text, !head.contains(0), !text.contains("PRIVATE KEY-----") else {
            throw Problem(
                .refused, "file.not-replaced",
                zh: "\(url.path)已存在，且不是文本文件（可能是数据库、密钥或其他数据），不予覆盖：请另选文件名",
                en:
                    "\(url.path) exists and is not a text file (maybe a database, a key or other data): it is not replaced; choose another name"
            )
        }
    }

    /// Writes `text` to `path` through a temporary file and a rename; the file's URL.
    @discardableResult
    static func write(_ text: String, to path: String) throws -> URL {
        let url = URL(fileURLWithPath: path)
        // Only a regular file is replaced: never a device, a pipe or what a link points to.
        if let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType,
            type != .typeRegular
        {
            throw Problem(
                .invalid, "file.unwritable", zh: "\(url.path)不是普通文件，不予覆盖",
                en: "\(url.path) is not a regular file; it is not replaced")
        }
        let folder = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw Problem(
                .invalid, "file.unwritable", zh: "无法写入文件\(url.path)：文件夹\(folder.path)不存在",
                en: "cannot write the file \(url.path): there is no folder \(folder.path)")
        }
        try requireReplaceable(url)
        removeAbandoned(beside: url)
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try Data(text.utf8).write(to: temporary, options: .withoutOverwriting)
            guard rename(temporary.path, url.path) == 0 else {
                throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw problem(writing: url, error)
        }
        return url
    }

    /// Why `url` could not be written: a full, read-only or failing disk is the storage's fault
    /// (`file.storage`, exit 74); anything else (no permission, …) the path's (`file.unwritable`).
    package static func problem(writing url: URL, _ error: any Error) -> Problem {
        let underlying = (error as? CocoaError)?.userInfo[NSUnderlyingErrorKey] as? POSIXError
        let code = (error as? POSIXError)?.code ?? underlying?.code
        let storage =
            [.fileWriteOutOfSpace, .fileWriteVolumeReadOnly].contains((error as? CocoaError)?.code)
            || code.map { [.ENOSPC, .EDQUOT, .EROFS, .EIO].contains($0) } == true
        if storage {
            return Problem(
                .storage, "file.storage", zh: "无法写入文件\(url.path)：磁盘已满、只读或出错",
                en: "cannot write the file \(url.path): the disk is full, read-only or failing")
        }
        return Problem(
            .invalid, "file.unwritable", zh: "无法写入文件\(url.path)（无写入权限）",
            en: "cannot write the file \(url.path) (no permission)")
    }

    /// Removes temporary files of `url` that a write stopped mid-way left (a killed command):
    /// `.NAME.UUID.tmp` beside it, untouched for ``DurableFiles/abandonedAfter``, so a write going
    /// on now is never one of them.
    static func removeAbandoned(beside url: URL, now: Date = Date()) {
        let prefix = ".\(url.lastPathComponent)."
        DurableFiles.removeAbandoned(in: url.deletingLastPathComponent(), now: now) { name in
            name.hasPrefix(prefix) && name.hasSuffix(".tmp")
                && UUID(uuidString: String(name.dropFirst(prefix.count).dropLast(4))) != nil
        }
    }
}
