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

    /// What marks a private key in a text file (PEM and OpenSSH, PGP, PuTTY, age).
    static let keyMarkers = ["PRIVATE KEY-----", "PRIVATE KEY BLOCK-----", "PuTTY-User-Key-File", "AGE-SECRET-KEY-"]

    /// The most an existing file may hold to be replaced: a notice or a dashboard is far smaller.
    static let replaceableBytes = 16 << 20

    /// Refuses to replace what a notice or a dashboard must never replace: anything in
    /// `protected` folders (the hall's data directory: its claim files, documents, exchange keys),
    /// and an existing file that is not text a command could have written: a SQLite database or
    /// its journal (the hall's own database, given as `--output` by mistake, had been replaced by
    /// a notice and every case lost), a file with NUL bytes or not UTF-8, one over
    /// ``replaceableBytes``, or one holding a private key anywhere. A file not there is fine.
    static func requireReplaceable(_ url: URL, protected: [URL] = []) throws {
        // The path as it will be written: its folder's links resolved (the folder may be one), and
        // the name; the data directory itself too, made or not yet (a file there had kept the hall
        // from opening).
        let folder = url.deletingLastPathComponent().resolvingSymlinksInPath().standardizedFileURL.path
        let target = (folder.hasSuffix("/") ? folder : folder + "/") + url.lastPathComponent
        for guarded in protected {
            let root = guarded.resolvingSymlinksInPath().standardizedFileURL.path
            if target == root || target.hasPrefix(root.hasSuffix("/") ? root : root + "/") {
                throw Problem(
                    .refused, "file.not-replaced",
                    zh: "\(url.path)在本厅的数据目录或定义目录\(root)之中，不能写入通知书或看板：请另选位置",
                    en:
                        "\(url.path) is in the hall's data or definitions folder \(root): no notice or dashboard is written there; choose another place"
                )
            }
        }
        guard let handle = FileHandle(forReadingAtPath: url.path) else { return }
        defer { try? handle.close() }
        let contents = (try? handle.read(upToCount: replaceableBytes + 1)) ?? Data()
        guard contents.count <= replaceableBytes, !contents.contains(0),
            let text = String(bytes: contents, encoding: .utf8),
            !Self.keyMarkers.contains(where: { text.contains($0) })
        else {
            throw Problem(
                .refused, "file.not-replaced",
                zh: "\(url.path)已存在，且不是可替换的UTF-8文本文件（可能是数据库、密钥或其他数据，或过大），不予覆盖：请另选文件名",
                en:
                    "\(url.path) exists and is not a UTF-8 text file to replace (maybe a database, a key or other data, or too large): it is not replaced; choose another name"
            )
        }
    }

    /// Writes `text` to `path` through a temporary file and a rename; the file's URL.
    @discardableResult
    static func write(_ text: String, to path: String, protecting protected: [URL] = []) throws -> URL {
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
        try requireReplaceable(url, protected: protected)
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

    /// The folders no notice or dashboard is written into: the hall's data directory as configured
    /// and as the database's real path gives it (a link to the database had named another), and
    /// the definitions and reference data the commands read (a notice written over the workflow had
    /// stopped every command).
    static func protectedFolders(_ settings: KaibanSettings) -> [URL] {
        var folders = [
            settings.dataDirectory, settings.formsRoot, settings.calendarFolder,
            settings.divisionsFile.deletingLastPathComponent(),
        ]
        if !settings.database.contains("://") {
            let real = URL(fileURLWithPath: settings.database).resolvingSymlinksInPath().path
            folders.append(KaibanSettings.defaultDataDirectory(forDatabase: real))
        }
        return folders
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
