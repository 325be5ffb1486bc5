import Crypto
import Foundation
import HummingbirdBcrypt
import Logging
import NIOPosix
import Storage
import Synchronization

/// Checks user names and passwords against an htpasswd file.
///
/// - The file is re-read when it changes (its size, modification time or inode), checked at most once a
///   second, so users can be added, changed or removed without a restart. A file that cannot be read keeps
///   the last good contents in force.
/// - bcrypt is slow by design (tens of milliseconds), so each check runs on NIO's blocking thread pool, and
///   a verified name and password is remembered for `cacheLifetime`: a push of many blobs pays bcrypt
///   once. Concurrent checks of the same credentials share one bcrypt run. The cache holds a keyed hash of
///   the credentials, never the password, and forgets everything when the file changes.
/// - An unknown user costs a bcrypt check too, so response times do not reveal which users exist.
public final class PasswordVerifier: Sendable {
    /// How long a verified name and password is trusted without bcrypt.
    public static let cacheLifetime: Duration = .seconds(60)
    /// How often the file's metadata is checked for changes.
    static let reloadInterval: Duration = .seconds(1)
    static let maximumCacheEntries = 10_000

    private struct FileStamp: Equatable {
        var size: UInt64
        var modified: Date
        var inode: UInt64
    }

    private struct State {
        var file: HtpasswdFile
        var stamp: FileStamp?
        var lastCheck: ContinuousClock.Instant
        var generation: UInt64 = 0
        var decoy: String
        var verified: [SHA256Digest: (expires: ContinuousClock.Instant, generation: UInt64)] = [:]
        var inFlight: [SHA256Digest: Task<Bool, Never>] = [:]
    }

    public let path: String
    private let logger: Logger
    private let state: Mutex<State>
    private let cacheKey = SymmetricKey(size: .bits256)

    /// Reads the file at `path`; throws when it cannot be read at all at startup.
    public init(path: String, logger: Logger) throws {
        self.path = path
        self.logger = logger
        let (file, stamp) = try Self.read(path)
        let decoy = Bcrypt.hash(String(decoding: SecureRandom.bytes(12).hexString.utf8, as: UTF8.self), cost: file.typicalCost)
        state = Mutex(State(file: file, stamp: stamp, lastCheck: .now, decoy: decoy))
        Self.report(file, path: path, logger: logger)
    }

    /// The users the file currently names.
    public var users: [String] {
        reloadIfChanged()
        return state.withLock { $0.file.hashes.keys.sorted() }
    }

    /// Whether `password` is `user`'s password.
    public func verify(user: String, password: String) async -> Bool {
        reloadIfChanged()
        let key = cacheKey(user: user, password: password)
        enum Next {
            case known(Bool)
            case wait(Task<Bool, Never>, generation: UInt64)
        }
        let now = ContinuousClock.now
        let next: Next = state.withLock { state in
            if let entry = state.verified[key], entry.generation == state.generation, entry.expires > now {
                return .known(true)
            }
            if let task = state.inFlight[key] { return .wait(task, generation: state.generation) }
            let hash = state.file.hashes[user]
            let decoy = state.decoy
            let task = Task<Bool, Never> {
                let matches = await Self.bcrypt(password, hash ?? decoy)
                return matches && hash != nil
            }
            state.inFlight[key] = task
            return .wait(task, generation: state.generation)
        }
        switch next {
        case .known(let answer):
            return answer
        case .wait(let task, let generation):
            let matches = await task.value
            state.withLock { state in
                state.inFlight[key] = nil
                guard matches, state.generation == generation else { return }
                if state.verified.count >= Self.maximumCacheEntries {
                    let now = ContinuousClock.now
                    state.verified = state.verified.filter { $0.value.expires > now }
                    if state.verified.count >= Self.maximumCacheEntries { state.verified.removeAll() }
                }
                state.verified[key] = (ContinuousClock.now + Self.cacheLifetime, generation)
            }
            return matches
        }
    }

    private func cacheKey(user: String, password: String) -> SHA256Digest {
        var hmac = HMAC<SHA256>(key: cacheKey)
        hmac.update(data: Array(user.utf8))
        hmac.update(data: [0])
        hmac.update(data: Array(password.utf8))
        return SHA256.hash(data: Array(hmac.finalize()))
    }

    private static func bcrypt(_ password: String, _ hash: String) async -> Bool {
        do {
            return try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
        } catch {
            return false
        }
    }

    // MARK: Reloading

    private func reloadIfChanged() {
        let now = ContinuousClock.now
        let due = state.withLock { state in
            guard now - state.lastCheck >= Self.reloadInterval else { return false }
            state.lastCheck = now
            return true
        }
        guard due else { return }
        let current = state.withLock { $0.stamp }
        guard let stamp = try? Self.stamp(path), stamp != current else { return }
        do {
            let (file, stamp) = try Self.read(path)
            let changed = state.withLock { state -> Bool in
                state.stamp = stamp
                guard state.file != file else { return false }
                state.file = file
                state.generation += 1
                state.verified.removeAll()
                return true
            }
            if changed {
                logger.info("htpasswd file reloaded", metadata: ["path": .string(path), "users": "\(file.hashes.count)"])
                Self.report(file, path: path, logger: logger)
            }
        } catch {
            logger.error(
                "cannot re-read the htpasswd file; keeping the users read before",
                metadata: ["path": .string(path), "error": "\(error)"])
        }
    }

    private static func stamp(_ path: String) throws -> FileStamp {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return FileStamp(
            size: (attributes[.size] as? NSNumber)?.uint64Value ?? 0,
            modified: attributes[.modificationDate] as? Date ?? .distantPast,
            inode: (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        )
    }

    private static func read(_ path: String) throws -> (HtpasswdFile, FileStamp) {
        let stamp = try stamp(path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return (HtpasswdFile(contents: String(decoding: data, as: UTF8.self)), stamp)
    }

    private static func report(_ file: HtpasswdFile, path: String, logger: Logger) {
        for (line, reason) in file.rejectedLines {
            logger.warning("htpasswd entry ignored", metadata: ["path": .string(path), "line": "\(line)", "reason": .string(reason)])
        }
    }
}
