import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Registry
import SearchExtension
import Storage

/// zot's trust extension (build label `imagetrust`, config section `trust`): cosign public keys and notation
/// certificates uploaded by an administrator, signatures verified in the background as they are pushed and
/// again whenever trust material changes, verdicts shown by search (`SignatureInfo`); and zotd's signature
/// policies, enforced at pull.
struct ImageTrustExtension: RegistryExtension {
    static let cosignPath = "/v2/_zot/ext/cosign"
    static let notationPath = "/v2/_zot/ext/notation"
    /// zot's `MaxImageTrustBodySize`.
    static let uploadLimit = 8 << 20

    let settings: TrustSettings
    let trust: TrustStore
    let checker: SignatureChecker
    let gate: PullGate
    let work: AsyncStream<TrustWork>
    let queue: AsyncStream<TrustWork>.Continuation

    var endpoints: [String] {
        (settings.cosign ? [Self.cosignPath] : []) + (settings.notation ? [Self.notationPath] : [])
    }

    func addRoutes(to routes: GuardedRoutes) {
        if settings.cosign {
            routes.post(Self.cosignPath, access: .admin) { request, _ in
                try await upload(request) { try trust.addCosignKey($0) }
            }
        }
        if settings.notation {
            routes.post(Self.notationPath, access: .admin) { request, _ in
                // zot's default when the parameter is absent.
                let name = request.uri.queryParameters["truststoreType"].map(String.init) ?? "ca"
                guard let type = TruststoreType(rawValue: name) else {
                    throw Self.badRequest(TrustMaterialError.invalidTruststoreType(name).description)
                }
                return try await upload(request) { try trust.addNotationCertificates($0, type: type) }
            }
        }
    }

    /// 200 with no body once stored (zot's answer); 400 naming what is wrong with the material.
    private func upload(_ request: Request, _ store: ([UInt8]) throws -> Void) async throws -> Response {
        let body = try await request.body.collect(upTo: Self.uploadLimit)
        do {
            try store(Array(buffer: body))
        } catch let error as TrustMaterialError {
            throw Self.badRequest(error.description)
        } catch {
            trust.logger.error("trust: cannot store trust material", metadata: ["error": "\(error)"])
            throw OCIError(.unknown, detail: "cannot store trust material")
        }
        queue.yield(.checkAgain)
        return Response(status: .ok, headers: [.contentLength: "0"])
    }

    func checkPull(_ pull: ManifestPull) async throws {
        try await gate.check(pull)
    }

    func handle(_ event: RegistryEvent) async {
        switch event {
        case .manifestPushed(let push):
            if let signature = SignatureManifest(
                repository: push.repository, digest: push.digest.description, tags: push.tags, content: push.content)
            {
                queue.yield(.check(signature))
            }
        case .manifestDeleted(let repository, let reference) where reference.contains(":"):
            queue.yield(.forget(signature: reference, in: repository))
        case .garbageCollected(let report, _, _) where report.manifestsDeleted > 0:
            queue.yield(.checkAgain)
        default:
            break
        }
    }

    func rebuild() async throws -> String? {
        let started = ContinuousClock.now
        let checked = try await checker.checkEverything()
        return "reindex: trust checked \(checked) signatures in \(ContinuousClock.now - started)"
    }

    /// Verifies in the order things happened, one at a time, until the server stops.
    func run() async throws {
        await withTaskCancellationHandler {
            for await item in work {
                switch item {
                case .check(let signature): await checker.check(signature)
                case .checkAgain: await checker.checkAgain()
                case .forget(let signature, let repository): try? await checker.verdicts.forget(signature: signature, in: repository)
                }
            }
        } onCancel: {
            queue.finish()
        }
    }

    private static func badRequest(_ detail: String) -> OCIError {
        OCIError(.unsupported, detail: detail, status: .badRequest)
    }
}

/// What the verifier is asked to do, in order.
enum TrustWork: Sendable {
    case check(SignatureManifest)
    case checkAgain
    case forget(signature: String, in: String)
}
