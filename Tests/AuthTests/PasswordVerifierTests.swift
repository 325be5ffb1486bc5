import Foundation
import Testing

@testable import Auth

@Test func htpasswdEntriesFromHtpasswdDashBVerify() async throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("htpasswd")
    try (htpasswdLine("alice", "wonderland") + "\n" + htpasswdLine("bob", "builder") + "\n# comment\n\n")
        .write(toFile: path, atomically: true, encoding: .utf8)
    let verifier = try PasswordVerifier(path: path, logger: quietLogger)
    #expect(await verifier.verify(user: "alice", password: "wonderland"))
    #expect(await verifier.verify(user: "bob", password: "builder"))
    #expect(await !verifier.verify(user: "alice", password: "builder"))
    #expect(await !verifier.verify(user: "carol", password: "wonderland"))
    // The cached answer is the same answer.
    #expect(await verifier.verify(user: "alice", password: "wonderland"))
    #expect(await !verifier.verify(user: "alice", password: "Wonderland"))
}

@Test func nonBcryptEntriesAreIgnored() {
    let file = HtpasswdFile(contents: "md5:$apr1$abc$def\nsha:{SHA}abc=\nplain:secret\nnocolon\n" + htpasswdLine("ok", "pw"))
    #expect(file.hashes.keys.sorted() == ["ok"])
    #expect(file.rejectedLines.map(\.line) == [1, 2, 3, 4])
}

/// zot re-reads the htpasswd file when it changes: a password change and a removed user take effect without a
/// restart, and the credential cache forgets what the old file allowed.
@Test func htpasswdFileIsReloadedWhenItChanges() async throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("htpasswd")
    try htpasswdLine("alice", "old").write(toFile: path, atomically: true, encoding: .utf8)
    let verifier = try PasswordVerifier(path: path, logger: quietLogger)
    #expect(await verifier.verify(user: "alice", password: "old"))
    try (htpasswdLine("alice", "new") + "\n" + htpasswdLine("dave", "pw")).write(toFile: path, atomically: true, encoding: .utf8)
    try await Task.sleep(for: .milliseconds(1100))
    #expect(await !verifier.verify(user: "alice", password: "old"))
    #expect(await verifier.verify(user: "alice", password: "new"))
    #expect(await verifier.verify(user: "dave", password: "pw"))
    #expect(verifier.users == ["alice", "dave"])
}

/// Concurrent checks of the same credentials (the parallel requests of one push) share one bcrypt run and
/// all get the right answer.
@Test func concurrentChecksOfTheSameCredentialsAgree() async throws {
    let directory = try TemporaryDirectory()
    let path = directory.file("htpasswd")
    try htpasswdLine("alice", "pw").write(toFile: path, atomically: true, encoding: .utf8)
    let verifier = try PasswordVerifier(path: path, logger: quietLogger)
    let results = await withTaskGroup(of: Bool.self) { group in
        for index in 0..<32 {
            group.addTask { await verifier.verify(user: "alice", password: index % 2 == 0 ? "pw" : "wrong") }
        }
        return await group.reduce(into: [Bool]()) { $0.append($1) }
    }
    #expect(results.count { $0 } == 16)
}
