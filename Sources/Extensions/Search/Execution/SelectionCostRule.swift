import GraphQL

/// Validation rule enforcing `QueryLimits.maxDepth` and `.maxSelectedFields` on each
/// operation, with fragments expanded where they are spread.
func selectionCostRule(_ limits: QueryLimits) -> @Sendable (ValidationContext) -> Visitor {
    { context in
        Visitor(enter: { node, _, _, _, _ in
            guard let operation = node as? OperationDefinition else { return .continue }
            var measure = SelectionCost(limits: limits, fragment: context.getFragment(name:))
            let cost = measure.of(operation.selectionSet)
            if cost.depth > limits.maxDepth {
                context.report(error: GraphQLError(
                    message: "operation exceeds the maximum query depth of \(limits.maxDepth)",
                    nodes: [operation]
                ))
            }
            if cost.fields > limits.maxSelectedFields {
                context.report(error: GraphQLError(
                    message: "operation selects more than the maximum of \(limits.maxSelectedFields) fields",
                    nodes: [operation]
                ))
            }
            return .skip
        })
    }
}

/// Depth and field count of a selection set. Results per fragment are memoized so a
/// fragment spread many times is measured once, and counts are capped just above the
/// limit so fragments that multiply each other cannot overflow.
private struct SelectionCost {
    struct Cost {
        var depth = 0
        var fields = 0
    }

    let limits: QueryLimits
    let fragment: (String) -> FragmentDefinition?
    private var measured: [String: Cost] = [:]
    private var inProgress: Set<String> = []

    init(limits: QueryLimits, fragment: @escaping (String) -> FragmentDefinition?) {
        self.limits = limits
        self.fragment = fragment
    }

    mutating func of(_ selectionSet: SelectionSet) -> Cost {
        var total = Cost()
        for selection in selectionSet.selections {
            let cost: Cost
            switch selection {
            case let field as Field:
                var inner = field.selectionSet.map { of($0) } ?? Cost()
                inner.depth += 1
                inner.fields += 1
                cost = inner
            case let spread as FragmentSpread:
                cost = ofFragment(named: spread.name.value)
            case let inline as InlineFragment:
                cost = of(inline.selectionSet)
            default:
                cost = Cost()
            }
            total.depth = max(total.depth, cost.depth)
            total.fields = min(total.fields + cost.fields, limits.maxSelectedFields + 1)
        }
        return total
    }

    private mutating func ofFragment(named name: String) -> Cost {
        if let known = measured[name] { return known }
        // Cycles and unknown fragments are reported by the specified rules.
        guard !inProgress.contains(name), let definition = fragment(name) else { return Cost() }
        inProgress.insert(name)
        let cost = of(definition.selectionSet)
        inProgress.remove(name)
        measured[name] = cost
        return cost
    }
}
