import Foundation
import KaibanCore
import KaibanXML

/// Reading a file someone named: a missing file, a folder or an unreadable file is a problem
/// that says which, never a platform error code.
public enum DataFile {
    public static func read(_ url: URL) throws(Problem) -> Data {
        let path = url.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Problem(.notFound, "file.not-found", zh: "找不到文件\(path)", en: "no file \(path)")
        }
        guard !isDirectory.boolValue else {
            throw Problem(.invalid, "file.unreadable", zh: "\(path)是文件夹，不是文件", en: "\(path) is a folder, not a file")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw Problem(.invalid, "file.unreadable", zh: "没有读取\(path)的权限", en: "no permission to read \(path)")
        }
        do {
            return try Data(contentsOf: url)
        } catch {
            throw Problem(.invalid, "file.unreadable", zh: "无法读取文件\(path)", en: "cannot read the file \(path)")
        }
    }
}

extension XMLProblem: ProblemConvertible {
    /// A broken definition, schema or reference file, with every issue and its line.
    public var problem: Problem {
        Problem(
            .brokenData, "data.invalid", zh: "文件有误：\(source)", en: "invalid file: \(source)",
            fields: issues.map {
                FieldProblem(field: "\(source):\($0.line)", reason: LocalizedText(zh: $0.message, en: $0.message))
            })
    }
}
