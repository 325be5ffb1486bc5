/// The subset of CBOR (RFC 8949) a COSE envelope is made of: integers, byte and text strings, arrays, maps,
/// tags and simple values, definite lengths only (COSE requires deterministic encoding, RFC 9052 §9).
/// Parsing is bounded by the input: every length is checked against what is left, and nesting is capped.
indirect enum CBOR: Equatable, Hashable {
    case unsigned(UInt64)
    /// -1 - n.
    case negative(UInt64)
    case bytes([UInt8])
    case text(String)
    case array([CBOR])
    case map([CBOR: CBOR])
    case tagged(UInt64, CBOR)
    case simple(UInt8)

    static let maximumDepth = 16

    /// The one item `bytes` holds, nothing after it.
    static func decode(_ bytes: [UInt8]) throws(SignatureProblem) -> CBOR {
        var reader = Reader(bytes: bytes)
        let item = try reader.item(depth: 0)
        guard reader.offset == bytes.count else { throw .malformed("bytes after the CBOR item") }
        return item
    }

    var integer: Int64? {
        switch self {
        case .unsigned(let value): value <= UInt64(Int64.max) ? Int64(value) : nil
        case .negative(let value): value < UInt64(Int64.max) ? -1 - Int64(value) : nil
        default: nil
        }
    }

    subscript(key: CBOR) -> CBOR? {
        guard case .map(let map) = self else { return nil }
        return map[key]
    }

    /// The canonical encoding of the few shapes a COSE `Sig_structure` needs.
    var encoded: [UInt8] {
        switch self {
        case .unsigned(let value): Self.head(0, value)
        case .negative(let value): Self.head(1, value)
        case .bytes(let bytes): Self.head(2, UInt64(bytes.count)) + bytes
        case .text(let text): Self.head(3, UInt64(text.utf8.count)) + Array(text.utf8)
        case .array(let items): Self.head(4, UInt64(items.count)) + items.flatMap(\.encoded)
        case .map(let map): Self.head(5, UInt64(map.count)) + map.flatMap { $0.key.encoded + $0.value.encoded }
        case .tagged(let tag, let item): Self.head(6, tag) + item.encoded
        case .simple(let value): Self.head(7, UInt64(value))
        }
    }

    private static func head(_ major: UInt8, _ value: UInt64) -> [UInt8] {
        let type = major << 5
        switch value {
        case 0..<24: return [type | UInt8(value)]
        case 24...0xFF: return [type | 24, UInt8(value)]
        case 0x100...0xFFFF: return [type | 25] + (0..<2).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
        case 0x1_0000...0xFFFF_FFFF: return [type | 26] + (0..<4).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
        default: return [type | 27] + (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func item(depth: Int) throws(SignatureProblem) -> CBOR {
            guard depth < CBOR.maximumDepth else { throw .malformed("CBOR nested too deep") }
            let initial = try byte()
            let major = initial >> 5
            let value = try argument(initial & 0x1F)
            switch major {
            case 0: return .unsigned(value)
            case 1: return .negative(value)
            case 2: return .bytes(try take(value))
            case 3:
                guard let text = String(validating: try take(value), as: UTF8.self) else { throw .malformed("CBOR text is not UTF-8") }
                return .text(text)
            case 4:
                try ensureRoom(value)
                var items: [CBOR] = []
                for _ in 0..<value { items.append(try item(depth: depth + 1)) }
                return .array(items)
            case 5:
                try ensureRoom(value * 2)
                var map: [CBOR: CBOR] = [:]
                for _ in 0..<value {
                    let key = try item(depth: depth + 1)
                    map[key] = try item(depth: depth + 1)
                }
                return .map(map)
            case 6: return .tagged(value, try item(depth: depth + 1))
            default:
                guard value <= 0xFF else { throw .malformed("CBOR floats are not expected here") }
                return .simple(UInt8(value))
            }
        }

        private mutating func byte() throws(SignatureProblem) -> UInt8 {
            guard offset < bytes.count else { throw .malformed("CBOR ends early") }
            defer { offset += 1 }
            return bytes[offset]
        }

        private mutating func argument(_ info: UInt8) throws(SignatureProblem) -> UInt64 {
            switch info {
            case 0..<24: return UInt64(info)
            case 24, 25, 26, 27:
                var value: UInt64 = 0
                for _ in 0..<(1 << Int(info - 24)) { value = value << 8 | UInt64(try byte()) }
                return value
            default: throw .malformed("indefinite or reserved CBOR lengths are not accepted")
            }
        }

        /// Every element takes at least a byte: a count larger than what is left is malformed, not a reason
        /// to allocate.
        private func ensureRoom(_ count: UInt64) throws(SignatureProblem) {
            guard count <= UInt64(bytes.count - offset) else { throw .malformed("CBOR count beyond the input") }
        }

        private mutating func take(_ count: UInt64) throws(SignatureProblem) -> [UInt8] {
            try ensureRoom(count)
            defer { offset += Int(count) }
            return Array(bytes[offset..<offset + Int(count)])
        }
    }
}
