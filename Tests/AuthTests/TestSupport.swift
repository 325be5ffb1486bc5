import Foundation
import HummingbirdBcrypt
import Logging

/// A fresh temporary directory, removed when the test's scope ends.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "zotd-auth-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// An htpasswd line as `htpasswd -B` writes it (`$2y$`, cost 4 to keep tests fast).
func htpasswdLine(_ user: String, _ password: String) -> String {
    let hash = Bcrypt.hash(password, cost: 4)
    return "\(user):$2y$" + hash.dropFirst(4)
}

let quietLogger: Logger = {
    var logger = Logger(label: "auth-tests")
    logger.logLevel = .critical
    return logger
}()
