/// Bounds on what one request may ask for, so a hostile query cannot make the
/// registry recurse, allocate or fan out to the index without limit.
struct QueryLimits: Sendable {
    /// Checked before parsing: the parser holds the whole document in memory.
    var maxDocumentBytes = 64 * 1024
    /// Checked before parsing: the parser is recursive descent, so unbounded
    /// `{`/`[`/`(` nesting would overflow the stack instead of failing cleanly.
    var maxBracketNesting = 64
    /// Checked after parsing: bounds fragment chains, which validation walks recursively.
    var maxDefinitions = 100
    /// Fields nested inside one another (a root field is depth 1). The standard
    /// introspection query that zui and GraphiQL send reaches 13, zot's deepest real
    /// query (GlobalSearch → Repos → NewestImage → Manifests → History → Layer) 7.
    var maxDepth = 15
    /// Fields selected in total with fragments expanded at every use: each is work
    /// for the resolvers, and aliases let one field be asked for many times.
    var maxSelectedFields = 1000
}
