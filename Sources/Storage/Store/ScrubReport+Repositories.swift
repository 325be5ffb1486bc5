extension ScrubReport {
    /// One repository's share of a scrub, in the terms an operator alerts on (the scrub extension posts
    /// these to the metrics extension after each pass).
    public struct RepositoryFigures: Sendable, Equatable {
        /// Blobs the repository links that were re-hashed.
        public var blobsChecked = 0
        /// Linked blobs whose file holds other bytes than its digest says, or another size than recorded.
        public var blobsCorrupt = 0
        /// Linked blobs whose file is gone or unreadable.
        public var blobsMissing = 0
        /// Manifests whose stored bytes no longer hash to their digest or no longer parse.
        public var manifestsCorrupt = 0
        /// Manifests that reference at least one blob or manifest the repository does not have; a manifest
        /// missing three layers counts once.
        public var manifestsWithMissingReferences = 0

        public init(
            blobsChecked: Int = 0, blobsCorrupt: Int = 0, blobsMissing: Int = 0, manifestsCorrupt: Int = 0,
            manifestsWithMissingReferences: Int = 0
        ) {
            self.blobsChecked = blobsChecked
            self.blobsCorrupt = blobsCorrupt
            self.blobsMissing = blobsMissing
            self.manifestsCorrupt = manifestsCorrupt
            self.manifestsWithMissingReferences = manifestsWithMissingReferences
        }

        /// Whether anything in the repository was found damaged or missing.
        public var hasProblems: Bool {
            blobsCorrupt + blobsMissing + manifestsCorrupt + manifestsWithMissingReferences > 0
        }
    }

    /// The figures of every repository that links a checked blob or has a problem.
    public var byRepository: [String: RepositoryFigures] {
        var figures = blobsCheckedByRepository.mapValues { RepositoryFigures(blobsChecked: $0) }
        var manifestsMissingReferences = Set<[String]>()
        for problem in problems {
            switch problem.kind {
            case .blobCorrupt, .blobSizeMismatch: figures[problem.repository, default: .init()].blobsCorrupt += 1
            case .blobMissing: figures[problem.repository, default: .init()].blobsMissing += 1
            case .manifestCorrupt: figures[problem.repository, default: .init()].manifestsCorrupt += 1
            case .referenceMissing:
                // One problem per missing reference; the figure counts manifests.
                if manifestsMissingReferences.insert([problem.repository, problem.digest]).inserted {
                    figures[problem.repository, default: .init()].manifestsWithMissingReferences += 1
                }
            }
        }
        return figures
    }
}
