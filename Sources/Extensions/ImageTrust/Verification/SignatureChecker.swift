import Foundation
import Logging
import Registry
import SearchExtension
import Storage

/// Verifies signature manifests against the trust material and records a verdict per signature layer, which
/// search shows and signature policies consult. A signature that does not verify is recorded as untrusted,
/// with the reason in the log; nothing a client pushed makes this throw.
struct SignatureChecker: Sendable {
    let store: RegistryStore
    let trust: TrustStore
    let verdicts: any SignatureVerdicts
    let settings: TrustSettings
    let logger: Logger

    /// A signature layer is a payload or an envelope of a few KiB; nothing larger is read.
    static let layerReadLimit: Int64 = 4 << 20

    func check(_ signature: SignatureManifest) async {
        let material = trust.material()
        var results: [SignatureVerdict] = []
        for layer in signature.layers {
            let author: Result<String, SignatureProblem> = await verify(layer, of: signature, material)
            switch author {
            case .success(let author):
                results.append(SignatureVerdict(layer: layer.index, tool: signature.tool.rawValue, trusted: true, author: author))
            case .failure(let problem):
                logger.warning(
                    "trust: signature not trusted",
                    metadata: [
                        "repository": "\(signature.reference.repository)", "signature": "\(signature.reference.signature)",
                        "subject": "\(signature.reference.subject)", "layer": "\(layer.index)", "reason": "\(problem)",
                    ])
                results.append(SignatureVerdict(layer: layer.index, tool: signature.tool.rawValue, trusted: false, author: ""))
            }
        }
        do {
            try await verdicts.record(results, for: signature.reference)
        } catch {
            logger.error("trust: cannot record verdicts", metadata: ["error": "\(error)"])
        }
    }

    /// Checks every signature seen so far again, read back from storage (after trust material changed).
    func checkAgain() async {
        let known: [SignatureReference]
        do {
            known = try await verdicts.signatures()
        } catch {
            logger.error("trust: cannot list signatures", metadata: ["error": "\(error)"])
            return
        }
        for reference in known {
            guard let name = try? RepositoryName(parsing: reference.repository), let digest = try? Digest(parsing: reference.signature),
                let stored = try? await store.manifest(.digest(digest), in: name),
                let signature = SignatureManifest(
                    repository: reference.repository, digest: reference.signature,
                    tags: SignatureTag.cosignTag(of: reference.subject).map { [$0] } ?? [], content: stored.content)
            else {
                try? await verdicts.forget(signature: reference.signature, in: reference.repository)
                continue
            }
            await check(signature)
        }
    }

    private func verify(_ layer: SignatureManifest.Layer, of signature: SignatureManifest, _ material: TrustStore.Material) async
        -> Result<String, SignatureProblem>
    {
        let bytes: [UInt8]
        do {
            bytes = try await read(layer, in: signature.reference.repository)
        } catch {
            return .failure(.unreadable("layer \(layer.digest): \(error)"))
        }
        switch signature.tool {
        case .cosign:
            guard settings.cosign else { return .failure(.untrusted("cosign verification is off (extensions.trust.cosign)")) }
            return CosignVerification.verify(
                payload: bytes, annotations: layer.annotations, subject: signature.reference.subject, keys: material.cosignKeys
            ).map(\.pem)
        case .notation:
            guard settings.notation else { return .failure(.untrusted("notation verification is off (extensions.trust.notation)")) }
            return await NotationVerification.verify(
                envelope: bytes, mediaType: layer.mediaType, subject: signature.reference.subject, roots: material.roots,
                now: Date()
            ).map(NotationVerification.author)
        }
    }

    private func read(_ layer: SignatureManifest.Layer, in repository: String) async throws -> [UInt8] {
        let name = try RepositoryName(parsing: repository)
        let digest = try Digest(parsing: layer.digest)
        switch try await store.blob(digest, in: name) {
        case .inline(let bytes)?:
            return bytes
        case .stored(let size)?:
            guard size <= Self.layerReadLimit else { throw SignatureProblem.unreadable("\(size) bytes is too large for a signature") }
            var bytes: [UInt8] = []
            if size > 0 {
                try await store.readBlob(digest, range: 0...(size - 1)) { bytes.append(contentsOf: $0.readableBytesView) }
            }
            return bytes
        case nil:
            throw SignatureProblem.unreadable("the layer is not in the repository")
        }
    }
}
