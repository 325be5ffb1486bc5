import Foundation
import Testing

@testable import Config

/// A config with `storage` members `storage` and extra top-level members `rest`.
private func config(storage: String = "", _ rest: String = "") -> String {
    let storageMembers = ["\"rootDirectory\": \"/tmp/zot\"", storage].filter { !$0.isEmpty }
    let members = ["\"storage\": {\(storageMembers.joined(separator: ", "))}", rest].filter { !$0.isEmpty }
    return "{\(members.joined(separator: ", "))}"
}

private let testDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
private let zotConfigs = testDirectory.appendingPathComponent("../../../shared/reference/zot-configs").standardized
private let shippedExample = testDirectory.appendingPathComponent("../../config.example.json").standardized
private let zotConfigsPresent = FileManager.default.fileExists(atPath: zotConfigs.path)

// MARK: Durations

/// zot writes durations in Go's `time.ParseDuration` syntax.
@Test(arguments: [
    ("1h", Duration.seconds(3600)), ("30m", .seconds(1800)), ("90s", .seconds(90)), ("1h30m", .seconds(5400)),
    ("500ms", .milliseconds(500)), ("2h45m10s", .seconds(9910)), ("0s", .zero), ("0", .zero),
    ("1.5h", .seconds(5400)), (".5s", .milliseconds(500)), ("1.s", .seconds(1)), ("1us", .microseconds(1)),
    ("1µs", .microseconds(1)), ("3ns", .nanoseconds(3)), ("+5s", .seconds(5)), ("-1m", .seconds(-60)),
])
func durationsParseAsGoDoes(text: String, expected: Duration) {
    #expect(GoDuration.parse(text) == expected)
}

@Test(arguments: ["", "soon", "1", "1x", "h", "1h30", ".s", "-", "1..5s", "s1", "9999999999h", "1 h"])
func malformedDurationsAreRejected(text: String) {
    #expect(GoDuration.parse(text) == nil)
}

@Test(arguments: [
    (Duration.seconds(3600), "1h0m0s"), (.milliseconds(1500), "1.5s"), (.milliseconds(500), "500ms"),
    (.zero, "0s"), (.seconds(9910), "2h45m10s"), (.microseconds(1), "1µs"), (.seconds(-90), "-1m30s"),
])
func durationsFormatAsGoDoes(duration: Duration, expected: String) {
    #expect(GoDuration.format(duration) == expected)
}

@Test func badDurationNamesItsKeyPath() {
    let error = refusal(config(storage: "\"gcDelay\": \"soon\""))
    #expect(
        error == .invalid(keyPath: "storage.gcDelay", expected: "a duration like \"1h\" or \"30m\"", got: "\"soon\""))
    #expect(error?.description == "storage.gcDelay: expected a duration like \"1h\" or \"30m\", got \"soon\"")
}

@Test func negativeDurationIsRefused() {
    #expect(refusal(config(storage: "\"gcInterval\": \"-1h\""))?.keyPath == "storage.gcInterval")
}

/// Go's JSON decoder takes a bare number as nanoseconds.
@Test func durationAsNanosecondNumber() throws {
    #expect(try load(config(storage: "\"gcDelay\": 90000000000")).config.storage.gcDelay == .seconds(90))
}

// MARK: Values

@Test(arguments: ["\"8080\"", "8080"])
func portIsTakenAsStringOrNumber(port: String) throws {
    #expect(try load(config("\"http\": {\"port\": \(port)}")).config.http.port == 8080)
}

@Test(arguments: ["65536", "-1", "\"65536\"", "\"80a\"", "\"\"", "80.5", "true"])
func portOutOfRangeOrMalformedIsRefused(port: String) {
    let error = refusal(config("\"http\": {\"port\": \(port)}"))
    #expect(error?.keyPath == "http.port")
    #expect(error?.description.contains("0 to 65535") == true)
}

@Test func unknownKeyWarnsWithItsPath() throws {
    let (_, warnings) = try load(config(storage: "\"gcDleay\": \"1h\"", "\"logs\": {}, \"http\": {\"adress\": \"x\"}"))
    #expect(warnings.map(\.keyPath) == ["storage.gcDleay", "http.adress", "logs"])
}

@Test func wrongTypeNamesPathAndExpectedType() {
    #expect(
        refusal(config(storage: "\"dedupe\": \"yes\""))
            == .invalid(keyPath: "storage.dedupe", expected: "true or false", got: "\"yes\""))
    #expect(
        refusal(config("\"http\": {\"compat\": [1]}"))
            == .invalid(keyPath: "http.compat[0]", expected: "a string", got: "1"))
    #expect(refusal(config("\"log\": \"debug\"")) == .invalid(keyPath: "log", expected: "an object", got: "\"debug\""))
}

@Test(arguments: ["{\"http\": {}}", "{\"storage\": {}}", "{\"storage\": {\"rootDirectory\": \"\"}}"])
func missingRootDirectoryIsRefused(json: String) {
    #expect(refusal(json)?.keyPath == "storage.rootDirectory")
}

@Test func defaultsAreZotsExceptLogLevel() throws {
    let (config, warnings) = try load(config())
    #expect(warnings.isEmpty)
    #expect(config == RegistryConfig(storage: StorageConfig(rootDirectory: "/tmp/zot")))
    #expect(config.storage.gcDelay == .seconds(3600) && config.storage.periodicGCInterval == .seconds(3600))
    #expect(config.http.address == "127.0.0.1" && config.http.port == 8080 && config.log.level == .info)
}

/// zot reads its config through viper, which folds keys to lower case.
@Test func keysMatchInAnyLetterCase() throws {
    let (config, warnings) = try load("{\"Storage\": {\"rootdirectory\": \"/x\", \"GCDelay\": \"2h\"}}")
    #expect(warnings.isEmpty && config.storage.rootDirectory == "/x" && config.storage.gcDelay == .seconds(7200))
}

@Test(arguments: [
    ("1.0.1", true), ("1.1.0", true), ("1.1.1", true), ("1.2", true), ("1.1.0-dev", true),
    ("2.0.0", false), ("garbage", false), ("1", false), ("", false), ("v1.1.1", false), ("1..1", false),
])
func distSpecVersions(version: String, accepted: Bool) {
    let error = refusal(config("\"distSpecVersion\": \"\(version)\""))
    #expect((error == nil) == accepted)
    if !accepted { #expect(error?.keyPath == "distSpecVersion") }
}

@Test(arguments: [
    ("debug", LogLevel.debug), ("info", .info), ("warn", .warning), ("error", .error),
    ("trace", .trace), ("fatal", .critical), ("panic", .critical), ("DEBUG", .debug),
])
func logLevelsMapZotNames(name: String, level: LogLevel) throws {
    #expect(try load(config("\"log\": {\"level\": \"\(name)\"}")).config.log.level == level)
}

@Test func gcTimeWindowParsesAndWraps() throws {
    let window = try #require(
        try load(config(storage: "\"gcTimeWindow\": \"22:00-06:00\"")).config.storage.gcTimeWindow)
    #expect(window.description == "22:00-06:00")
    #expect(
        window.contains(Date(timeIntervalSince1970: 23 * 3600))
            && !window.contains(Date(timeIntervalSince1970: 12 * 3600)))
    #expect(refusal(config(storage: "\"gcTimeWindow\": \"25:00-01:00\""))?.keyPath == "storage.gcTimeWindow")
}

@Test func gcSettingsWithoutGCWarn() throws {
    let (_, warnings) = try load(config(storage: "\"gc\": false, \"gcDelay\": \"1h\""))
    #expect(warnings.map(\.keyPath) == ["storage.gcDelay"])
}

/// `JSONSerialization` on Linux would turn `true` into 1; the config must not.
@Test func jsonValueKeepsBooleansAndIntegersApart() throws {
    let value = try JSONDecoder().decode(JSONValue.self, from: Data("[true, 1, 1.5, \"x\", null, {}]".utf8))
    #expect(value == .array([.bool(true), .int(1), .double(1.5), .string("x"), .null, .object([:])]))
}

@Test func malformedJSONIsReported() {
    guard case .malformedJSON(let reason) = refusal("{\n\"storage\": {\n  \"gc\": tru }}") else {
        Issue.record("expected malformedJSON")
        return
    }
    #expect(reason.contains("line 3"))
}

@Test func credentialsFileIsNotARegistryConfig() {
    #expect(
        refusal("{\"username\": \"u\", \"password\": \"p\"}")
            == .notARegistryConfig(foundKeys: ["password", "username"]))
}

// MARK: Extensions

/// zot-behaviour.md: "Present-but-empty extension key enables it: `"search": {}` is on; `"enable": false` is off."
@Test func extensionEnableRule() throws {
    let extensions = try load(
        config("\"extensions\": {\"search\": {}, \"sync\": {\"enable\": false}, \"Metrics\": {\"enable\": true}}")
    ).config.extensions
    #expect(extensions.isEnabled("search") && extensions.isEnabled("metrics"))
    #expect(!extensions.isEnabled("sync") && !extensions.isEnabled("scrub"))
    #expect(extensions.enabledNames == ["metrics", "search"])
}

@Test func extensionEnableMustBeBoolean() {
    #expect(
        refusal(config("\"extensions\": {\"search\": {\"enable\": \"yes\"}}"))?.keyPath == "extensions.search.enable")
}

@Test func unknownExtensionIsKeptWithAWarning() throws {
    let (config, warnings) = try load(config("\"extensions\": {\"teleport\": {}}"))
    #expect(config.extensions.section("teleport") == .object([:]))
    #expect(warnings.map(\.keyPath) == ["extensions.teleport"])
}

// MARK: Unsupported features

/// The refusal comes before type checks: a GCS config may well have no rootDirectory.
@Test func storageDriverRefusalNamesTheDriver() {
    let error = refusal("{\"storage\": {\"storageDriver\": {\"name\": \"gcs\"}}}")
    #expect(
        error?.description
            == "storage.storageDriver: the \"gcs\" storage driver is not supported (zotd stores blobs on local disk or in S3)"
    )
}

@Test func anS3DriverIsReadAsZotSpellsIt() throws {
    let (config, warnings) = try load(config(storage:
        "\"storageDriver\": {\"name\": \"s3\", \"region\": \"us-east-2\", "
            + "\"bucket\": \"zot-storage\", \"regionendpoint\": \"http://127.0.0.1:7480\", \"rootdirectory\": \"/zot\", "
            + "\"accesskey\": \"AK\", \"secretkey\": \"SK\", \"secure\": false, \"skipverify\": false, \"forcepathstyle\": true}"))
    #expect(
        config.storage.driver
            == .s3(S3DriverConfig(
                region: "us-east-2", bucket: "zot-storage", regionEndpoint: "http://127.0.0.1:7480", rootDirectory: "/zot",
                accessKey: "AK", secretKey: "SK", secure: false)))
    #expect(warnings.isEmpty)
}

@Test func redirectBlobURLIsOffUnlessSaid() throws {
    #expect(try load(config()).0.storage.redirectBlobURL == false)
    #expect(try load(config(storage: "\"redirectBlobURL\": true")).0.storage.redirectBlobURL == true)
}

/// zotd's remote metadata store: zot's `cacheDriver` key, zotd's driver name.
@Test func aPostgreSQLCacheDriverWithRemoteCacheIsTheMetadataDriver() throws {
    let (config, warnings) = try load(config(storage:
        "\"remoteCache\": true, \"cacheDriver\": {\"name\": \"postgresql\", \"url\": \"postgres://zotd@db:5432/zotd\"}"))
    #expect(config.storage.metadataDriver == .postgresql(url: "postgres://zotd@db:5432/zotd"))
    #expect(warnings.isEmpty)
}

@Test func noCacheDriverOrBoltDBKeepsMetadataEmbedded() throws {
    #expect(try load(config()).0.storage.metadataDriver == .embedded)
    #expect(try load(config(storage: "\"cacheDriver\": {\"name\": \"boltdb\"}")).0.storage.metadataDriver == .embedded)
}

/// zot would ignore the driver without `remoteCache`; replicas would then each keep metadata of their own.
@Test func aPostgreSQLCacheDriverWithoutRemoteCacheIsRefused() {
    let error = refusal(config(storage: "\"cacheDriver\": {\"name\": \"postgresql\", \"url\": \"postgres://db/zotd\"}"))
    #expect(error?.keyPath == "storage.remoteCache")
}

@Test func aPostgreSQLCacheDriverNeedsItsURL() {
    let error = refusal(config(storage: "\"remoteCache\": true, \"cacheDriver\": {\"name\": \"postgresql\"}"))
    #expect(error?.keyPath == "storage.cacheDriver.url")
}

@Test func anS3DriverNeedsItsBucket() {
    let error = refusal(config(storage: "\"storageDriver\": {\"name\": \"s3\", \"region\": \"eu-west-1\"}"))
    #expect(error?.keyPath == "storage.storageDriver.bucket")
}

@Test func authenticationIsRefusedRatherThanServedOpen() {
    let error = refusal(config("\"http\": {\"auth\": {\"ldap\": {\"address\": \"ldap.example.org\"}}}"))
    #expect(
        error?.description
            == "http.auth.ldap: ldap authentication is not supported yet (zotd signs users in with htpasswd, API keys, bearer tokens or client certificates); refusing to start an open registry for a config that asks for it"
    )
}

@Test(arguments: [
    ("\"storage\": {\"rootDirectory\": \"/z\", \"cacheDriver\": {\"name\": \"dynamodb\"}}", "storage.cacheDriver"),
    ("\"storage\": {\"rootDirectory\": \"/z\", \"cacheDriver\": {\"name\": \"redis\"}}", "storage.cacheDriver"),
    ("\"storage\": {\"rootDirectory\": \"/z\", \"remoteCache\": true}", "storage.remoteCache"),
    (
        "\"storage\": {\"rootDirectory\": \"/z\", \"subPaths\": {\"/a\": {\"rootDirectory\": \"/y\"}}}",
        "storage.subPaths"
    ),
    ("\"storage\": {\"rootDirectory\": \"/z\", \"retention\": {\"policies\": [{}]}}", "storage.retention"),
    ("\"storage\": {\"rootDirectory\": \"/z\"}, \"http\": {\"auth\": {\"ldap\": {}}}", "http.auth.ldap"),
    ("\"storage\": {\"rootDirectory\": \"/z\"}, \"http\": {\"auth\": {\"Kerberos\": {}}}", "http.auth.Kerberos"),
    ("\"storage\": {\"rootDirectory\": \"/z\"}, \"cluster\": {\"members\": []}", "cluster"),
])
func unsupportedSettingIsRefusedWithItsKeyPath(members: String, keyPath: String) {
    let error = refusal("{\(members)}")
    #expect(error?.isUnsupported == true)
    #expect(error?.keyPath == keyPath)
}

@Test(arguments: [
    "\"storage\": {\"rootDirectory\": \"/z\", \"storageDriver\": {\"name\": \"local\"}, \"cacheDriver\": {\"name\": \"boltdb\"}}",
    "\"storage\": {\"rootDirectory\": \"/z\", \"remoteCache\": false, \"subPaths\": {}, \"retention\": {\"dryRun\": true}}",
    "\"storage\": {\"rootDirectory\": \"/z\"}, \"http\": {\"auth\": {\"apikey\": false, \"failDelay\": 5}}",
])
func settingsThatAskForNothingMissingAreAccepted(members: String) {
    #expect(refusal("{\(members)}") == nil)
}

/// zot's `http.ratelimit`: an overall rate and per-method rates.
@Test func rateLimitParsesOverallAndPerMethodRates() throws {
    let json = "{\"storage\": {\"rootDirectory\": \"/z\"}, \"http\": {\"ratelimit\": {\"rate\": 10, \"methods\": [{\"method\": \"get\", \"rate\": 5}]}}}"
    let limit = try #require(try ConfigLoader.load(data: Data(json.utf8)).config.http.rateLimitConfig)
    #expect(limit == RateLimitConfig(rate: 10, methodRates: ["GET": 5]))
}

@Test func rateLimitMethodWithoutRateNamesItsKeyPath() {
    let json = "{\"storage\": {\"rootDirectory\": \"/z\"}, \"http\": {\"ratelimit\": {\"methods\": [{\"method\": \"GET\"}]}}}"
    #expect(throws: ConfigError.self) { try ConfigLoader.load(data: Data(json.utf8)) }
    do {
        _ = try ConfigLoader.load(data: Data(json.utf8))
    } catch {
        #expect(error.keyPath == "http.ratelimit.methods[0].rate")
    }
}

/// zot decodes each sub-path into a fresh struct, so its GC and dedupe are off unless it says otherwise.
@Test func subPathsParseWithGoZeroDefaults() throws {
    let json = config(storage: "\"subPaths\": {\"/a\": {\"rootDirectory\": \"/tmp/zot1\"}}")
    let subPath = try #require(try ConfigLoader.load(data: Data(json.utf8), refusing: []).config.storage.subPaths["/a"])
    #expect(
        subPath
            == StorageConfig(rootDirectory: "/tmp/zot1", dedupe: false, gc: false, gcDelay: .zero, gcInterval: .zero))
    let sameRoot = config(storage: "\"subPaths\": {\"/a\": {\"rootDirectory\": \"/tmp/zot\"}}")
    #expect(throws: ConfigError.self) { try ConfigLoader.load(data: Data(sameRoot.utf8), refusing: []) }
}

// MARK: Example configs

/// README: "`zotd verify` accepts each of them, or names precisely the key it does not support and why".
@Test(.enabled(if: zotConfigsPresent))
func everyZotExampleConfigLoadsOrIsRefusedAsUnsupported() throws {
    let names = try FileManager.default.contentsOfDirectory(atPath: zotConfigs.path).filter { $0.hasSuffix(".json") }
    #expect(names.count > 40)
    for name in names {
        do {
            _ = try ConfigLoader.load(path: zotConfigs.appendingPathComponent(name).path)
        } catch .unsupported {
            // Refused, naming the key and the feature.
        } catch .notARegistryConfig {
            // Not a config at all: a credentials or key file that the configs point at.
            #expect(name.hasSuffix("-credentials.json") || !name.hasPrefix("config-"), "\(name)")
        } catch {
            Issue.record("\(name): \(error)")
        }
    }
}

@Test(
    .enabled(if: zotConfigsPresent),
    arguments: [
        "config-minimal.json", "config-gc.json", "config-commit.json", "config-conformance.json", "config-test.json",
        "config-bench.json", "config-allextensions.json", "config-sync.json", "config-docker-compat.json",
    ])
func plainZotExampleConfigLoads(name: String) throws {
    _ = try ConfigLoader.load(path: zotConfigs.appendingPathComponent(name).path)
}

/// zot's config-example.json asks for htpasswd and LDAP logins over TLS: without LDAP, serving it would lock
/// out or let in the wrong users.
@Test(.enabled(if: zotConfigsPresent))
func zotConfigExampleIsRefusedForItsAuthentication() {
    #expect(
        throws: ConfigError.unsupported(
            keyPath: "http.auth.ldap", feature: "ldap authentication",
            why: "ldap authentication is not supported yet (zotd signs users in with htpasswd, API keys, bearer "
                + "tokens or client certificates); refusing to start an open registry for a config that asks for it"
        )
    ) {
        try ConfigLoader.load(path: zotConfigs.appendingPathComponent("config-example.json").path)
    }
}

@Test(.enabled(if: FileManager.default.fileExists(atPath: shippedExample.path)))
func shippedExampleConfigLoadsWithoutWarnings() throws {
    let (config, warnings) = try ConfigLoader.load(path: shippedExample.path)
    #expect(warnings.isEmpty)
    #expect(config.storage.rootDirectory == "./data" && config.storage.gcInterval == .seconds(86_400))
    #expect(config.http.address == "127.0.0.1" && config.http.port == 8080 && config.http.realm == "zotd")
}
