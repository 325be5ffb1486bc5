import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Registry
import Storage

/// `zotd serve CONFIG`: runs the registry until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the registry.")

    @Argument(help: "Path to a zot JSON configuration file.")
    var config: String

    func run() async throws {
        let config = try ConfigFile.load(self.config)
        let logger = try LogSetup.bootstrap(config.log)
        let root = Self.absolute(config.storage.rootDirectory)
        let store: RegistryStore
        let adoption: AdoptionReport
        do {
            (store, adoption) = try await StorageStartup.open(
                root: root, durable: config.storage.commit, storage: config.storage, logger: logger)
        } catch {
            logger.critical("cannot open storage at \(root): \(error)")
            throw ExitCode(1)
        }
        let gcInterval = config.storage.periodicGCInterval
        let extensions: ExtensionSet
        do {
            extensions = try ExtensionSet(
                factories: CompiledExtensions.factories,
                context: ExtensionContext(config: config, store: store, logger: logger)
            )
        } catch {
            logger.critical("cannot start extensions: \(error)")
            throw ExitCode(1)
        }
        if adoption.changedStorage {
            // What the extensions derive from storage (search's index) has not seen the adopted images.
            do {
                for item in extensions.extensions {
                    if let line = try await item.rebuild() { logger.info("after adopting zot's repositories: \(line)") }
                }
            } catch {
                logger.critical("cannot index the adopted repositories: \(error)")
                throw ExitCode(1)
            }
        }
        let security: RegistrySecurity
        do {
            security = try await RegistrySecurity(
                config: config, rootDirectory: root, shared: store.sharedMetadata, logger: logger)
        } catch {
            logger.critical("cannot set up authentication or TLS: \(error)")
            throw ExitCode(1)
        }
        let server = RegistryServer(
            options: .init(
                address: config.http.address,
                port: config.http.port,
                garbageCollection: gcInterval != nil,
                gcDelay: config.storage.gcDelay,
                gcInterval: gcInterval ?? .seconds(3600),
                rateLimit: config.http.rateLimitConfig,
                readTimeout: config.http.effectiveReadTimeout,
                writeTimeout: config.http.effectiveWriteTimeout,
                maxUploadSessionsPerClient: config.http.maxUploadSessionsPerClient,
                redirectBlobs: config.storage.redirectBlobURL
            ),
            store: store,
            extensions: extensions,
            security: security,
            logger: logger
        )
        let app = server.makeApplication { port in
            logger.info("zotd \(Zotd.version) serving on \(config.http.address):\(port), storage at \(root)")
        }
        try await GracefulShutdown.run(app, logger: logger)
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
