/// Stand-in for Storage's `ContentHasher` in the fuzz build: parsing never hashes, so this only has
/// to compile. (Hashing is Crypto's, fuzzed upstream.)
struct ContentHasher {
    let algorithm: DigestAlgorithm
    init(_ algorithm: DigestAlgorithm) { self.algorithm = algorithm }
    mutating func update(_ bytes: [UInt8]) {}
    func finalize() -> Digest { Digest(algorithm: algorithm, encoded: String(repeating: "0", count: 64)) }
}
