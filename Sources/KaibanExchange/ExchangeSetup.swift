import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk

extension ExchangeIdentity {
    /// This hall's identity from its settings: the authority, and the key `kaiban exchange keygen`
    /// wrote. Each thing missing is a problem that says how to supply it.
    public static func load(_ settings: KaibanSettings) throws(Problem) -> ExchangeIdentity {
        guard let code = settings.authorityCode, let name = settings.authorityName else {
            throw Problem(
                .invalid, "exchange.no-authority",
                zh: "未设置本机构：请设置 KAIBAN_AUTHORITY_CODE（统一社会信用代码）与 KAIBAN_AUTHORITY_NAME",
                en:
                    "this hall's authority is not set: set KAIBAN_AUTHORITY_CODE (credit code) and KAIBAN_AUTHORITY_NAME"
            )
        }
        let path = settings.exchangeKeyFile.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw Problem(
                .notFound, "exchange.no-key",
                zh: "本机构的交换私钥 \(path) 不存在：请先运行 kaiban exchange keygen",
                en: "this hall's exchange key \(path) does not exist: run kaiban exchange keygen first")
        }
        do {
            let key = try KeyFiles.readPrivateKey(from: path)
            return ExchangeIdentity(authority: Authority(code: code, name: name), key: key, test: settings.exchangeTest)
        } catch {
            throw Problem(
                .brokenData, "exchange.key-unusable", zh: "交换私钥 \(path) 不可用：\(error)",
                en: "the exchange key \(path) cannot be used: \(error)")
        }
    }
}

extension ExchangeInbox {
    /// The inbox of `desk`, with the schema of its Forms and the hall's identity from its settings.
    public static func open(_ desk: Desk) throws -> ExchangeInbox {
        let identity = try ExchangeIdentity.load(desk.settings)
        return ExchangeInbox(
            desk: desk, codec: ExchangeCodec(schema: try desk.forms().exchangeSchema), identity: identity)
    }
}

/// `kaiban exchange keygen`: a new SM2 key pair for this hall.
public enum ExchangeKeys {
    public struct Generated: Sendable, Codable, Equatable {
        public var privateKey: String
        public var publicKey: String
        public var fingerprint: String
    }

    /// Writes a new key pair: the private key at `settings.exchangeKeyFile` (mode 0600), its public
    /// key beside it as `….pub.pem` (what partners register). An existing key is kept unless
    /// `replacing`.
    public static func generate(_ settings: KaibanSettings, replacing: Bool) throws -> Generated {
        let file = settings.exchangeKeyFile
        let publicFile = file.deletingPathExtension().appendingPathExtension("pub.pem")
        if !replacing, FileManager.default.fileExists(atPath: file.path) {
            throw Problem(
                .conflict, "exchange.key-exists",
                zh: "交换私钥 \(file.path) 已存在；更换密钥须加 --replace，并把新公钥交给各协同机构",
                en:
                    "the exchange key \(file.path) exists; to change keys use --replace and give partners the new public key"
            )
        }
        try settings.claimDataDirectory()
        do {
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true,
                attributes: [.posixPermissions: 0o700])
            let key = try SM2.PrivateKey.generate()
            try KeyFiles.writePrivateKey(key, to: file.path, replacingExisting: replacing)
            try KeyFiles.writePublicKey(key.publicKey, to: publicFile.path, replacingExisting: true)
            return Generated(privateKey: file.path, publicKey: publicFile.path, fingerprint: key.publicKey.fingerprint)
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem(
                .storage, "exchange.keygen-failed", zh: "无法写入交换密钥 \(file.path)：\(error)",
                en: "cannot write the exchange key \(file.path): \(error)")
        }
    }
}
