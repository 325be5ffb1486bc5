extension RegistryStore {
    /// Blobs and metadata in memory, gone with the store: for tests, and to hold a new backend's behaviour
    /// against. Nothing is flushed, so the store is not `durable`.
    public static func inMemory() -> RegistryStore {
        RegistryStore(blobs: InMemoryBlobStore(), metadata: InMemoryMetadataStore(), durable: false)
    }
}
