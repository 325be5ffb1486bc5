import GraphQL

/// Runs one GraphQL request against the search schema. Every failure, including
/// oversized or malformed documents, comes back as a `GraphQLResult` with errors.
struct GraphQLExecutor: Sendable {
    let queries: any SearchQueries
    var limits = QueryLimits()
    /// Documents parsed and validated once, by their text; a refused one is refused again each time.
    let documents = TextKeyedCache<Result<Document, Refusal>>(capacity: 1024)

    /// Why a document is not run, as the answer says it.
    struct Refusal: Error, @unchecked Sendable {
        let result: GraphQLResult
    }

    func execute(
        query: String,
        variables: [String: Map],
        operationName: String?,
        context: SearchRequestContext
    ) async -> GraphQLResult {
        // gqlgen's words for a request without a document.
        if query.allSatisfy(\.isWhitespace) {
            return Self.rejected("no operation provided", code: Self.validationFailed)
        }
        if query.utf8.count > limits.maxDocumentBytes {
            return Self.rejected("query document is larger than \(limits.maxDocumentBytes) bytes", code: Self.parseFailed)
        }
        if BracketNesting.deepest(in: query) > limits.maxBracketNesting {
            return Self.rejected("query document nests deeper than \(limits.maxBracketNesting) levels", code: Self.parseFailed)
        }

        let schema = SearchSchema.shared.schema
        let document: Document
        switch documents.value(for: query, compute: checkedDocument) {
        case .success(let checked): document = checked
        case .failure(let refusal): return refusal.result
        }

        do {
            return try await GraphQL.execute(
                schema: schema,
                documentAST: document,
                rootValue: SearchResolver(queries: queries),
                context: context,
                variableValues: variables,
                operationName: operationName
            )
        } catch {
            // Thrown for requests that cannot start, e.g. bad variables or operation name.
            return GraphQLResult(errors: [Self.coded(Self.graphQLError(error), Self.validationFailed)])
        }
    }

    /// Parses and validates a document, checking zotd's limits on the way.
    private func checkedDocument(_ query: String) -> Result<Document, Refusal> {
        let document: Document
        do {
            document = try parse(source: Source(body: query, name: "GraphQL request"))
        } catch {
            return .failure(Refusal(result: GraphQLResult(errors: [Self.coded(Self.graphQLError(error), Self.parseFailed)])))
        }
        if document.definitions.count > limits.maxDefinitions {
            return .failure(Refusal(result: Self.rejected(
                "query document has more than \(limits.maxDefinitions) definitions", code: Self.validationFailed)))
        }
        // The schema has queries only; gqlgen refuses the others while validating, as a 422.
        for case let operation as OperationDefinition in document.definitions where operation.operation != .query {
            return .failure(Refusal(result: Self.rejected(
                "Schema does not support operation type \"\(operation.operation.rawValue)\"", code: Self.validationFailed)))
        }
        let errors = validate(schema: SearchSchema.shared.schema, ast: document, rules: specifiedRules + [selectionCostRule(limits)])
        guard errors.isEmpty else {
            return .failure(Refusal(result: GraphQLResult(errors: errors.map { Self.coded($0, Self.validationFailed) })))
        }
        return .success(document)
    }

    // gqlgen tags request-level failures with these codes; zui only reads the message,
    // but scripts written against zot may branch on them.
    static let parseFailed = "GRAPHQL_PARSE_FAILED"
    static let validationFailed = "GRAPHQL_VALIDATION_FAILED"

    private static func rejected(_ message: String, code: String) -> GraphQLResult {
        GraphQLResult(errors: [GraphQLError(message: message, locations: [], extensions: ["code": .string(code)])])
    }

    /// `GraphQLError.init(_:)` would replace a GraphQLError's message and location
    /// with Foundation's generic description, so pass those through untouched.
    private static func graphQLError(_ error: any Error) -> GraphQLError {
        error as? GraphQLError ?? GraphQLError(message: String(describing: error))
    }

    private static func coded(_ error: GraphQLError, _ code: String) -> GraphQLError {
        guard error.extensions["code"] == nil else { return error }
        var extensions = error.extensions
        extensions["code"] = .string(code)
        return GraphQLError(message: error.message, locations: error.locations, path: error.path, extensions: extensions)
    }
}
