import Crypto
import Foundation
import Logging
import Synchronization
import X509

/// The trust material, on disk where zot keeps it so that a zot storage root's keys and certificates carry
/// over: cosign public keys in `<rootDirectory>/_cosign/<digest of the PEM>`, notation certificates in
/// `<rootDirectory>/_notation/truststore/x509/<type>/default/<digest of the upload>`. Read from disk once and
/// again after each upload.
final class TrustStore: Sendable {
    struct Material: Sendable {
        var cosignKeys: [CosignPublicKey] = []
        var roots: [TruststoreType: [Certificate]] = [:]
    }

    private let cosignDirectory: URL
    private let notationDirectory: URL
    let logger: Logger
    private let loaded = Mutex<Material?>(nil)

    init(rootDirectory: String, logger: Logger) {
        let root = URL(fileURLWithPath: rootDirectory)
        cosignDirectory = root.appendingPathComponent("_cosign")
        notationDirectory = root.appendingPathComponent("_notation/truststore/x509")
        self.logger = logger
    }

    /// Validates and stores a cosign public key (PEM).
    func addCosignKey(_ bytes: [UInt8]) throws {
        _ = try CosignPublicKey(pem: bytes)
        try write(bytes, into: cosignDirectory)
    }

    /// Validates and stores certificates for the notation trust store of `type`.
    func addNotationCertificates(_ bytes: [UInt8], type: TruststoreType) throws {
        _ = try NotationCertificates(bytes: bytes)
        try write(bytes, into: notationDirectory.appendingPathComponent("\(type.rawValue)/default"))
    }

    /// What is trusted now.
    func material() -> Material {
        if let material = loaded.withLock({ $0 }) { return material }
        let material = load()
        loaded.withLock { $0 = material }
        return material
    }

    private func write(_ bytes: [UInt8], into directory: URL) throws {
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let name = "sha256:" + SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        // Written whole under another name, then renamed: a reader never sees half a key.
        let temporary = directory.appendingPathComponent(".\(name).\(UUID().uuidString)")
        try Data(bytes).write(to: temporary)
        guard rename(temporary.path, directory.appendingPathComponent(name).path) == 0 else {
            let error = errno
            try? FileManager.default.removeItem(at: temporary)
            throw TrustStoreError.cannotStore(name, String(cString: strerror(error)))
        }
        loaded.withLock { $0 = nil }
    }

    enum TrustStoreError: Error, CustomStringConvertible {
        case cannotStore(String, String)

        var description: String {
            switch self {
            case .cannotStore(let name, let reason): "cannot store \(name): \(reason)"
            }
        }
    }

    private func load() -> Material {
        var material = Material()
        for file in files(in: cosignDirectory) {
            do {
                material.cosignKeys.append(try CosignPublicKey(pem: file.bytes))
            } catch {
                logger.warning("trust: ignoring cosign key", metadata: ["file": "\(file.name)", "error": "\(error)"])
            }
        }
        for type in TruststoreType.allCases {
            for file in files(in: notationDirectory.appendingPathComponent("\(type.rawValue)/default")) {
                do {
                    material.roots[type, default: []] += try NotationCertificates(bytes: file.bytes).certificates
                } catch {
                    logger.warning("trust: ignoring certificate", metadata: ["file": "\(file.name)", "error": "\(error)"])
                }
            }
        }
        return material
    }

    private func files(in directory: URL) -> [(name: String, bytes: [UInt8])] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") }.compactMap { name in
            (try? Data(contentsOf: directory.appendingPathComponent(name))).map { (name, Array($0)) }
        }
    }
}
