import Auth
import Config
import Foundation
import Logging
import NIOSSL
import Storage

/// Everything that guards the server, built once at startup from the config: who may do what (`Auth`), TLS,
/// and the audit log.
public struct RegistrySecurity: Sendable {
    /// `nil` when the config asks for no authentication, no access control and no client certificates: the
    /// registry is open and pays nothing per request.
    public let authenticator: Authenticator?
    /// `log.audit`, when set.
    public let audit: AuditLog?
    /// `http.tls`, when set.
    public let tls: TLSConfiguration?
    /// Whether session cookies are marked `Secure`.
    public let secureCookies: Bool

    /// The cookies of sessions, with this server's `Secure` setting.
    var sessionCookies: SessionCookies { SessionCookies(secure: secureCookies) }

    /// An open registry over plain HTTP, with no audit log.
    public static let none = RegistrySecurity(
        authenticator: nil, audit: nil, tls: nil, secureCookies: false)

    init(authenticator: Authenticator?, audit: AuditLog?, tls: TLSConfiguration?, secureCookies: Bool) {
        self.authenticator = authenticator
        self.audit = audit
        self.tls = tls
        self.secureCookies = secureCookies
    }

    /// Why the security settings could not be put in force; names the config key.
    public struct SetupError: Error, CustomStringConvertible {
        public let keyPath: String
        public let message: String
        public var description: String { "\(keyPath): \(message)" }
    }

    /// Reads the files the config names (htpasswd, certificates, keys) and opens Auth's tables beside the
    /// metadata: in `<rootDirectory>/_zotd/zotd.db`, or in the PostgreSQL database `shared` metadata lives in.
    public init(
        config: RegistryConfig, rootDirectory: String, shared: (any SharedMetadata)?, logger: Logger
    ) async throws(SetupError) {
        let http = config.http
        let tls = try Self.tlsConfiguration(http.tlsConfig, auth: http.authConfig)
        let clientCertificates: Authenticator.ClientCertificates =
            switch tls?.certificateVerification {
            case .noHostnameVerification?, .fullVerification?: .required
            case .none(let options)? where options.validatePresentedCertificates: .optional
            default: .ignored
            }
        var authenticator: Authenticator?
        let asksForAuth =
            http.authConfig.map { $0.hasBasicAuthentication || $0.bearer != nil } ?? false
        if asksForAuth || http.accessControlConfig != nil || clientCertificates != .ignored {
            var bearerPEM: String?
            if let bearer = http.authConfig?.bearer {
                bearerPEM = try Self.read(bearer.certificatePath, keyPath: "http.auth.bearer.cert")
            }
            do {
                authenticator = try await Authenticator(
                    auth: http.authConfig, accessControl: http.accessControlConfig, realm: http.realm,
                    clientCertificates: clientCertificates,
                    records: .beside(shared, sqlitePath: BlobLayout(root: rootDirectory).databasePath), bearerKeyPEM: bearerPEM,
                    logger: logger)
            } catch let error as BearerTokenVerifier.BearerRefusal {
                throw SetupError(keyPath: "http.auth.bearer.cert", message: error.reason)
            } catch {
                throw SetupError(keyPath: Self.keyPath(of: error, config: http), message: "\(error)")
            }
        }
        var audit: AuditLog?
        if let path = config.log.audit {
            do {
                audit = try AuditLog(path: path)
            } catch {
                throw SetupError(keyPath: "log.audit", message: "cannot open \(path) for appending")
            }
        }
        self.init(
            authenticator: authenticator, audit: audit, tls: tls,
            secureCookies: tls != nil || (http.authConfig?.secureSession ?? false))
    }

    /// TLS 1.2 or later with the configured certificate and key. With `cacert`, client certificates are
    /// verified against it: required when no password or token can sign a caller in, optional otherwise.
    private static func tlsConfiguration(_ config: TLSConfig?, auth: AuthConfig?) throws(SetupError) -> TLSConfiguration? {
        guard let config else { return nil }
        var configuration: TLSConfiguration
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(config.certificatePath)
            guard !chain.isEmpty else {
                throw SetupError(keyPath: "http.tls.cert", message: "no certificate in \(config.certificatePath)")
            }
            configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) },
                privateKey: .privateKey(try Self.privateKey(config.keyPath)))
        } catch let error as SetupError {
            throw error
        } catch {
            throw SetupError(keyPath: "http.tls.cert", message: "cannot read \(config.certificatePath): \(error)")
        }
        configuration.minimumTLSVersion = .tlsv12
        if let ca = config.clientCAPath {
            do {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(ca))
            } catch {
                throw SetupError(keyPath: "http.tls.cacert", message: "cannot read \(ca): \(error)")
            }
            let passwords = auth.map { $0.hasBasicAuthentication || $0.bearer != nil } ?? false
            configuration.certificateVerification = passwords ? .optionalVerification : .noHostnameVerification
        }
        do {
            // Refuses a key that does not belong to the certificate now, not at the first handshake.
            _ = try NIOSSLContext(configuration: configuration)
        } catch {
            throw SetupError(keyPath: "http.tls.key", message: "does not fit http.tls.cert: \(error)")
        }
        return configuration
    }

    private static func privateKey(_ path: String) throws(SetupError) -> NIOSSLPrivateKey {
        do {
            return try NIOSSLPrivateKey(file: path, format: .pem)
        } catch {
            throw SetupError(keyPath: "http.tls.key", message: "cannot read \(path): \(error)")
        }
    }

    private static func read(_ path: String, keyPath: String) throws(SetupError) -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw SetupError(keyPath: keyPath, message: "cannot read \(path)")
        }
    }

    private static func keyPath(of error: any Error, config: HTTPConfig) -> String {
        if error is RepositoryGlob.SyntaxError { return "http.accessControl.repositories" }
        if let path = config.authConfig?.htpasswdPath, !FileManager.default.isReadableFile(atPath: path) {
            return "http.auth.htpasswd.path"
        }
        return "storage.rootDirectory"
    }
}
