extension Array {
    /// Graphiti derives GraphQL nullability from the Swift type, so `[T]` would be
    /// declared `[T!]`. The SDL says `[T]`; key paths through this property declare
    /// that while the models keep plain `[T]` (the index never produces null items).
    var withNullableElements: [Element?] { map { $0 } }
}
