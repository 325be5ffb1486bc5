extension RegistryStore {
    /// Takes the repositories of a zot storage root (`ZotLayoutScan`) into zotd's store, without copying bytes
    /// and without changing a file of zot's, so that the user can go back to zot with what was there before.
    ///
    /// A repository whose `index.json` is as it was when last adopted is passed by without reading anything
    /// else, so a restart costs one small read per repository. One whose file changed (or that is new) is
    /// walked again: its tags are set as zot's file says, what it already holds is not verified twice.
    /// - Parameter progress: hears the report so far after each batch of repositories, for the log.
    public func adoptZotRepositories(
        in root: String,
        progress: (AdoptionReport) -> Void = { _ in }
    ) async throws -> AdoptionReport {
        let started = ContinuousClock.now
        let scan = try ZotLayoutScan(root: root)
        var report = AdoptionReport()
        report.repositoriesFound = scan.repositories.count
        report.problems = scan.invalidNames.map {
            .init(repository: $0, detail: "holds an OCI layout, but is not a valid repository name: not adopted")
        }
        let adopted = try await metadata.adoptedLayouts()
        // Each blob file is a job on the I/O thread pool and each repository a metadata transaction: with two
        // repositories at a time, 10,000 images took 10.4 s with both cores half idle; with eight, 5.1 s
        // (bench/adoption.py). Hashing large layers keeps both cores busy either way.
        try await withThrowingTaskGroup(of: RepositoryLayoutAdoption?.self) { group in
            var pending = scan.repositories.makeIterator()
            func addNext() -> Bool {
                guard let repository = pending.next() else { return false }
                group.addTask { try await adoptZotRepository(repository, adoptedAs: adopted[repository.name]) }
                return true
            }
            for _ in 0..<Self.adoptionWidth where !addNext() { break }
            while let outcome = try await group.next() {
                if let outcome { report.add(outcome) }
                report.repositoriesChecked += 1
                if report.repositoriesChecked % 1000 == 0 { progress(report) }
                _ = addNext()
            }
        }
        report.seconds = Self.seconds(since: started)
        return report
    }

    private static let adoptionWidth = 8

    /// - Returns: nil when the repository's `index.json` is the one adopted last.
    private func adoptZotRepository(_ layout: ZotLayoutScan.Repository, adoptedAs previous: Digest?) async throws
        -> RepositoryLayoutAdoption?
    {
        var adoption = RepositoryLayoutAdoption(store: self, layout: layout)
        let indexPath = "\(layout.path)/index.json"
        let indexBytes: [UInt8]
        do {
            guard let bytes = try POSIXFile.readWhole(indexPath, limit: OCILayoutIndex.sizeLimit) else { return nil }
            indexBytes = bytes
        } catch {
            adoption.record("cannot read index.json: \(error)")
            return adoption
        }
        let indexDigest = Digest.sha256(of: indexBytes)
        guard indexDigest != previous else { return nil }
        do {
            await adoption.adopt(try OCILayoutIndex(parsing: indexBytes))
        } catch {
            adoption.record("\(error)")
            return adoption
        }
        try await metadata.adopt(
            RepositoryAdoption(
                repository: layout.name,
                blobs: adoption.blobs,
                manifests: adoption.manifests,
                layoutDigest: adoption.problems.isEmpty ? indexDigest : nil
            )
        )
        return adoption
    }

    /// Verifies the file at `path` against `digest` and makes it the stored blob, linked rather than copied,
    /// under the digest's lock (the one a push's commit and the orphan sweep take).
    /// - Throws: `StorageError.digestMismatch` when its bytes are not the digest's; nothing is then stored.
    func adoptBlobFile(at path: String, as digest: Digest) async throws -> AdoptedFile {
        try await withDigestLock(digest) { try await blobs.adoptLocalFile(at: path, as: digest, durable: durable) }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
