import Foundation
import Testing

@testable import ObjectStorage

/// AWS's worked examples for S3 (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html and
/// sigv4-query-string-auth.html): their example keys, `examplebucket`, 24 May 2013 at midnight UTC.
@Suite struct SignatureV4Tests {
    let signer = SignatureV4(
        credentials: S3Credentials(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    let date = Date(timeIntervalSince1970: 1_369_353_600)
    let host = "examplebucket.s3.amazonaws.com"

    func signature(_ request: SignatureV4.Request) -> String? {
        let authorization = signer.sign(request, at: date).first { $0.name == "authorization" }?.value
        return authorization?.components(separatedBy: "Signature=").last
    }

    @Test func aRangedGetObject() {
        let request = SignatureV4.Request(
            method: "GET", host: host, path: "/test.txt", headers: [("Range", "bytes=0-9")],
            payloadHash: SignatureV4.emptyPayloadHash)
        #expect(signature(request) == "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func aPutObjectWhoseKeyNeedsEncoding() {
        let request = SignatureV4.Request(
            method: "PUT", host: host, path: "/test$file.text",
            headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
            payloadHash: "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        #expect(signature(request) == "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")
    }

    @Test func aQueryParameterWithoutValue() {
        let request = SignatureV4.Request(
            method: "GET", host: host, path: "/", query: [("lifecycle", "")], payloadHash: SignatureV4.emptyPayloadHash)
        #expect(signature(request) == "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")
    }

    @Test func queryParametersAreSortedByName() {
        let request = SignatureV4.Request(
            method: "GET", host: host, path: "/", query: [("prefix", "J"), ("max-keys", "2")],
            payloadHash: SignatureV4.emptyPayloadHash)
        #expect(signature(request) == "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")
    }

    @Test func aPresignedGetValidForADay() {
        let query = signer.presignedQuery(
            SignatureV4.Request(method: "GET", host: host, path: "/test.txt", payloadHash: SignatureV4.unsignedPayload),
            at: date, expires: 86400)
        #expect(query.last?.value == "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test func theTimestampIsUTC() {
        let stamp = SignatureV4.Timestamp(Date(timeIntervalSince1970: 1_440_938_160))
        #expect(stamp.full == "20150830T123600Z")
        #expect(stamp.day == "20150830")
    }

    @Test func encodingKeepsOnlyUnreservedBytes() {
        #expect(S3URIEncoding.encode("a b/c~d$é") == "a%20b%2Fc~d%24%C3%A9")
        #expect(S3URIEncoding.encode("/bucket/sha256/ab", keepingSlashes: true) == "/bucket/sha256/ab")
    }
}
