import Testing

@testable import Storage

/// Manifests that Go clients (docker, containerd, skopeo, zot) would read differently from zotd are refused
/// before zotd judges them: duplicate keys, fields in another case, anything but UTF-8.
@Suite struct ManifestJSONStrictnessTests {
    let digestA = "sha256:" + String(repeating: "a", count: 64)
    let digestB = "sha256:" + String(repeating: "b", count: 64)
    let configType = "application/vnd.oci.image.config.v1+json"
    let layerType = "application/vnd.oci.image.layer.v1.tar+gzip"

    func parse(_ text: String, contentType: String? = ManifestMediaType.ociManifest.rawValue) throws -> ParsedManifest {
        try ParsedManifest(bytes: Array(text.utf8), contentType: contentType)
    }

    func refusal(_ text: String) -> String? {
        refusal(bytes: Array(text.utf8))
    }

    func refusal(bytes: [UInt8]) -> String? {
        do {
            _ = try ParsedManifest(bytes: bytes, contentType: ManifestMediaType.ociManifest.rawValue)
            return nil
        } catch .manifestInvalid(let detail) {
            return detail
        } catch {
            return "\(error)"
        }
    }

    var config: String { #"{"mediaType":"\#(configType)","digest":"\#(digestA)","size":2}"# }

    @Test func anOrdinaryManifestIsAccepted() throws {
        let text = #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\#(config),"layers":[{"mediaType":"\#(layerType)","digest":"\#(digestB)","size":5,"annotations":{"Org":"x","org":"y"}}],"annotations":{"a":"\u00e9\ud83d\ude00"}}"#
        #expect(try parse(text).blobs.map(\.description) == [digestA, digestB])
    }

    /// The probe's case: Go keeps the second `layers`, naming a blob the first check never saw.
    @Test func aSecondLayersKeyIsRefusedNamingTheKey() {
        let text = #"{"schemaVersion":2,"config":\#(config),"layers":[],"layers":[{"mediaType":"\#(layerType)","digest":"\#(digestB)","size":5}]}"#
        #expect(refusal(text) == #"duplicate key "layers""#)
    }

    /// An image manifest that clients would read as an index.
    @Test func aSecondMediaTypeKeyIsRefused() {
        let text = #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\#(config),"layers":[],"mediaType":"application/vnd.oci.image.index.v1+json"}"#
        #expect(refusal(text) == #"duplicate key "mediaType""#)
    }

    @Test func aDuplicateKeyInsideADescriptorIsRefused() {
        let text = #"{"schemaVersion":2,"config":{"mediaType":"\#(configType)","digest":"\#(digestA)","digest":"\#(digestB)","size":2},"layers":[]}"#
        #expect(refusal(text) == #"duplicate key "digest""#)
    }

    /// `\u0061` is `a`: the keys are equal once decoded, which is how every parser compares them.
    @Test func aDuplicateKeySpelledWithEscapesIsRefused() {
        let text = #"{"schemaVersion":2,"config":\#(config),"layers":[],"l\u0061yers":[]}"#
        #expect(refusal(text) == #"duplicate key "layers""#)
    }

    /// Go fills `layers` from `"Layers"` and `schemaVersion` from `"ſchemaVersion"` (long s); zotd would not.
    @Test func aFieldInAnotherCaseIsRefused() {
        let upper = #"{"schemaVersion":2,"config":\#(config),"layers":[],"Layers":[]}"#
        #expect(refusal(upper) == #"key "Layers" must be spelled "layers""#)
        let longS = #"{"ſchemaVersion":2,"config":\#(config),"layers":[]}"#
        #expect(refusal(longS) == #"key "ſchemaVersion" must be spelled "schemaVersion""#)
    }

    /// Annotations are a map in every client: their keys are data, and two may differ only in case.
    @Test func annotationKeysAreComparedExactly() throws {
        let text = #"{"schemaVersion":2,"config":\#(config),"layers":[],"annotations":{"Layers":"1","layers":"2"}}"#
        #expect(try parse(text).blobs.count == 1)
        let duplicate = #"{"schemaVersion":2,"config":\#(config),"layers":[],"annotations":{"k":"1","k":"2"}}"#
        #expect(refusal(duplicate) == #"duplicate key "k""#)
    }

    @Test func utf16WithAByteOrderMarkIsRefused() {
        let text = #"{"schemaVersion":2,"config":\#(config),"layers":[]}"#
        let utf16: [UInt8] = [0xFF, 0xFE] + text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(refusal(bytes: utf16)?.contains("byte-order mark") == true)
    }

    /// Go's encoding/json refuses a UTF-8 byte-order mark too, so zot does.
    @Test func utf8WithAByteOrderMarkIsRefused() {
        let text = #"{"schemaVersion":2,"config":\#(config),"layers":[]}"#
        #expect(refusal(bytes: [0xEF, 0xBB, 0xBF] + Array(text.utf8))?.contains("byte-order mark") == true)
    }

    @Test func invalidUTF8IsRefused() {
        let text = Array(#"{"schemaVersion":2,"config":\#(config),"layers":[],"annotations":{"a":"x"#.utf8) + [0xC3, 0x28]
            + Array(#""}}"#.utf8)
        #expect(refusal(bytes: text) == "the body is not valid UTF-8")
    }

    @Test func dataAfterTheDocumentIsRefused() {
        let text = #"{"schemaVersion":2,"config":\#(config),"layers":[]}{"schemaVersion":2}"#
        #expect(refusal(text)?.contains("after the JSON value") == true)
    }

    /// A body of nested brackets is refused by depth, not by overflowing the stack.
    @Test func deepNestingIsRefused() {
        let text = #"{"schemaVersion":2,"config":\#(config),"layers":[],"x":"# + String(repeating: "[", count: 100_000)
        #expect(refusal(text)?.contains("nested deeper") == true)
    }

    @Test func malformedJSONIsRefused() {
        for text in [#"{"schemaVersion":2,}"#, #"{"schemaVersion":02}"#, #"{"a":"\x"}"#, "{\"a\":\"\u{1}\"}", #"{"a":tru}"#, "{"] {
            #expect(refusal(text)?.hasPrefix("not valid JSON") == true, "\(text)")
        }
    }
}

/// A manifest `PUT` names its type in `Content-Type`, as zot requires.
@Suite struct ManifestContentTypeTests {
    @Test func everyStoredManifestTypeIsAccepted() throws {
        for type in ManifestMediaType.allCases {
            #expect(try ManifestMediaType(contentType: type.rawValue) == type)
        }
        #expect(try ManifestMediaType(contentType: "Application/VND.oci.image.manifest.v1+json; charset=utf-8") == .ociManifest)
    }

    @Test func aMissingOrForeignTypeIsUnsupported() {
        for header in [nil, "", "text/plain", "application/json", String(repeating: "x", count: 10_000)] {
            #expect(throws: StorageError.manifestMediaTypeUnsupported(header)) { try ManifestMediaType(contentType: header) }
        }
    }

    /// A header in another case is the same type to the 415 check, so it must agree with the body's `mediaType`.
    @Test func aContentTypeInAnotherCaseMustAgreeWithTheBody() {
        let config = #"{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:\#(String(repeating: "a", count: 64))","size":2}"#
        let body = #"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":\#(config),"layers":[]}"#
        #expect(throws: StorageError.self) {
            try ParsedManifest(bytes: Array(body.utf8), contentType: "application/vnd.oci.image.INDEX.v1+json")
        }
    }
}
