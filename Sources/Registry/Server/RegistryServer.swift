import Config
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import ServiceLifecycle
import Storage

/// Builds the HTTP server over a store: the OCI endpoints, health checks and background work.
public struct RegistryServer {
    /// What the server needs to know, already validated (see `RegistryConfig`).
    public struct Options: Sendable {
        public var address: String
        public var port: Int
        public var garbageCollection: Bool
        public var gcDelay: Duration
        public var gcInterval: Duration
        /// `http.ratelimit`; nil for no limit.
        public var rateLimit: RateLimitConfig?
        /// `http.readTimeout`: a connection that sends nothing for this long while a request is being
        /// read, or between requests, is closed (a slowloris client holds nothing for long).
        public var readTimeout: Duration
        /// `http.writeTimeout`: a connection whose response has not drained for this long, because the
        /// client stopped reading, is closed (a stalled download holds neither memory nor a task).
        public var writeTimeout: Duration
        /// `http.maxUploadSessionsPerClient`: resumable upload sessions one client may hold open.
        public var maxUploadSessionsPerClient: Int
        /// `storage.redirectBlobURL`: blob GETs redirected to the blob store's own URLs, where it has them.
        public var redirectBlobs: Bool

        public init(
            address: String,
            port: Int,
            garbageCollection: Bool,
            gcDelay: Duration,
            gcInterval: Duration,
            rateLimit: RateLimitConfig? = nil,
            readTimeout: Duration = .seconds(60),
            writeTimeout: Duration = HTTPConfig.defaultWriteTimeout,
            maxUploadSessionsPerClient: Int = HTTPConfig.defaultMaxUploadSessionsPerClient,
            redirectBlobs: Bool = false
        ) {
            self.address = address
            self.port = port
            self.garbageCollection = garbageCollection
            self.gcDelay = gcDelay
            self.gcInterval = gcInterval
            self.rateLimit = rateLimit
            self.readTimeout = readTimeout
            self.writeTimeout = writeTimeout
            self.maxUploadSessionsPerClient = maxUploadSessionsPerClient
            self.redirectBlobs = redirectBlobs
        }
    }

    public let options: Options
    public let store: RegistryStore
    public let extensions: ExtensionSet
    /// Authentication, access control, TLS and the audit log (`RegistrySecurity.none`: none of them).
    public let security: RegistrySecurity
    public let logger: Logger

    public init(
        options: Options, store: RegistryStore, extensions: ExtensionSet = .init(),
        security: RegistrySecurity = .none, logger: Logger
    ) {
        self.options = options
        self.store = store
        self.extensions = extensions
        self.security = security
        self.logger = logger
    }

    /// The application, ready to `runService()`.
    /// - Parameter onServerRunning: called with the bound port once the server listens.
    public func makeApplication(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> some ApplicationProtocol
    {
        let router = Router(context: RegistryRequestContext.self)
        let routes = GuardedRoutes(router: router)
        HealthRoutes().addRoutes(to: routes)
        DiscoverRoutes(endpoints: extensions.endpoints).addRoutes(to: routes)
        extensions.addRoutes(to: routes)
        if let authenticator = security.authenticator {
            AuthRoutes(authenticator: authenticator, cookies: security.sessionCookies).addRoutes(to: routes)
        }
        let responder = RequestLogResponder(
            next: RateLimitResponder(
                limiter: options.rateLimit.map(RateLimiter.init),
                next: AuthResponder(
                    security: security,
                    routeAccess: routes.table,
                    logger: logger,
                    next: RegistryResponder(
                        environment: OperationEnvironment(
                            store: store, extensions: extensions,
                            uploadSessionLimit: options.maxUploadSessionsPerClient, redirectBlobs: options.redirectBlobs),
                        fallback: UnservedPathResponder(router: router.buildResponder())
                    )
                )
            ),
            extensions: extensions,
            logger: logger
        )
        var services: [any Service] = extensions.extensions.map { ExtensionService(registryExtension: $0) }
        if options.garbageCollection {
            services.append(
                GarbageCollectionService(
                    store: store,
                    delay: options.gcDelay,
                    interval: options.gcInterval,
                    extensions: extensions,
                    logger: logger
                )
            )
        }
        return Application(
            responder: responder,
            server: Self.server(
                tls: security.tls, readTimeout: options.readTimeout, writeTimeout: options.writeTimeout),
            configuration: .init(address: .hostname(options.address, port: options.port), serverName: nil),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger
        )
    }
}

extension RegistryServer {
    /// HTTP/1.1, over TLS when `tls` is set. The TLS configuration was checked when `RegistrySecurity` was
    /// built, so nothing here can fail before the first connection.
    static func server(tls: TLSConfiguration?, readTimeout: Duration, writeTimeout: Duration) -> HTTPServerBuilder {
        let writeStall = TimeAmount.nanoseconds(Int64(writeTimeout.inSeconds * 1e9))
        let idle = TimeAmount.nanoseconds(Int64(readTimeout.inSeconds * 1e9))
        // The handler lists are autoclosures: each connection gets handlers of its own.
        guard let tls else {
            // Plain HTTP: blob bodies go out with sendfile.
            let http1 = HTTP1Channel.Configuration(
                additionalChannelHandlers: [
                    UnsolicitedResponseFilter(), ExpectContinueHandler(), WriteStallTimeoutHandler(timeout: writeStall),
                    SendfileHandler(),
                ],
                idleTimeout: idle
            )
            return HTTPServerBuilder { responder in
                StrictHTTP1Channel(base: HTTP1Channel(responder: responder, configuration: http1))
            }
        }
        let http1 = HTTP1Channel.Configuration(
            additionalChannelHandlers: [
                UnsolicitedResponseFilter(), ExpectContinueHandler(), WriteStallTimeoutHandler(timeout: writeStall),
            ],
            idleTimeout: idle
        )
        return HTTPServerBuilder { responder in
            try TLSChannel(
                StrictHTTP1Channel(base: HTTP1Channel(responder: responder, configuration: http1)),
                tlsConfiguration: tls
            )
        }
    }
}

/// `/livez`, `/readyz`, `/startupz`: the process is up and serving.
struct HealthRoutes {
    func addRoutes(to routes: GuardedRoutes) {
        for path in ["/livez", "/readyz", "/startupz"] {
            for method in [HTTPRequest.Method.get, .head] {
                routes.on(path, method: method, access: .open) { _, _ in Response(status: .ok, headers: [.contentLength: "0"]) }
            }
        }
    }
}

/// Runs an extension's background work alongside the server.
///
/// A service that returns ends the whole service group, so one whose extension has no (more)
/// background work waits for shutdown instead.
struct ExtensionService: Service {
    let registryExtension: any RegistryExtension

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await registryExtension.run() }
        } catch is CancellationError {
            return
        }
        try? await gracefulShutdown()
    }
}
