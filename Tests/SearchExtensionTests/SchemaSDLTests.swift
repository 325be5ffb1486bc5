import Foundation
import GraphQL
import Testing
@testable import SearchExtension

/// Our schema must read exactly like zot's: same types, fields, arguments, order and nullability.
@Suite struct SchemaSDLTests {
    /// zot's schema without its descriptions, kept beside the tests.
    static let referencePath = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/zot-search-schema.shape.graphql").path

    @Test func printedSchemaMatchesZot() throws {
        let reference = try buildSchema(source: String(contentsOfFile: Self.referencePath, encoding: .utf8))
        // Round-trip through printed SDL: that is what introspection clients see.
        let ours = try buildSchema(source: printSchema(schema: SearchSchema.shared.schema))

        #expect(Self.namedTypes(ours) == Self.namedTypes(reference))
        for name in Self.namedTypes(reference) {
            let expected = try #require(reference.getType(name: name))
            let actual = try #require(ours.getType(name: name), "missing type \(name)")
            try Self.compare(expected, actual)
        }
    }

    @Test func timeScalarIsNamedTime() throws {
        let sdl = printSchema(schema: SearchSchema.shared.schema)
        #expect(sdl.contains("scalar Time"))
    }

    static func namedTypes(_ schema: GraphQLSchema) -> [String] {
        let builtIn: Set = ["String", "Int", "Float", "Boolean", "ID"]
        return schema.typeMap.keys.filter { !$0.hasPrefix("__") && !builtIn.contains($0) }.sorted()
    }

    static func compare(_ expected: GraphQLNamedType, _ actual: GraphQLNamedType) throws {
        let name = expected.name
        switch expected {
        case let object as GraphQLObjectType:
            let other = try #require(actual as? GraphQLObjectType, "\(name) should be an object type")
            let want = try object.fields(), got = try other.fields()
            #expect(Array(got.keys) == Array(want.keys), "fields of \(name)")
            for (fieldName, field) in want {
                guard let mine = got[fieldName] else { continue }
                #expect(typeString(mine.type) == typeString(field.type), "\(name).\(fieldName)")
                #expect(Array(mine.args.keys) == Array(field.args.keys), "arguments of \(name).\(fieldName)")
                for ((argName, a), (_, b)) in zip(mine.args, field.args) {
                    #expect(typeString(a.type) == typeString(b.type), "\(name).\(fieldName)(\(argName))")
                }
            }
        case let input as GraphQLInputObjectType:
            let other = try #require(actual as? GraphQLInputObjectType, "\(name) should be an input type")
            let want = try input.fields(), got = try other.fields()
            #expect(Array(got.keys) == Array(want.keys), "fields of input \(name)")
            for (fieldName, field) in want {
                guard let mine = got[fieldName] else { continue }
                #expect(typeString(mine.type) == typeString(field.type), "\(name).\(fieldName)")
            }
        case let enumType as GraphQLEnumType:
            let other = try #require(actual as? GraphQLEnumType, "\(name) should be an enum")
            #expect(other.values.map(\.name) == enumType.values.map(\.name))
        case is GraphQLScalarType:
            #expect(actual is GraphQLScalarType, "\(name) should be a scalar")
        default:
            Issue.record("unexpected kind of type \(name)")
        }
    }

    static func typeString(_ type: GraphQLType) -> String {
        switch type {
        case let nonNull as GraphQLNonNull: return typeString(nonNull.ofType) + "!"
        case let list as GraphQLList: return "[" + typeString(list.ofType) + "]"
        case let named as GraphQLNamedType: return named.name
        default: return "?"
        }
    }
}

