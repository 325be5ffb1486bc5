import Config
import Foundation
import Testing

/// `extensions.sync` as zot writes it, and the keys zotd refuses by name.
@Suite struct SyncConfigTests {
    private func read(_ json: String) throws(ConfigError) -> SyncConfig {
        let value = try! JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))
        return try SyncConfig(section: value)
    }

    @Test func readsAnOnDemandRegistryWithItsContentRules() throws {
        let config = try read(
            #"{"enable": true, "credentialsFile": "/etc/zot/creds.json", "registries": [{"urls": ["https://index.docker.io/"], "onDemand": true, "tlsVerify": false, "maxRetries": 5, "retryDelay": "1s", "maxRetryDelay": "30s", "syncTimeout": "10m", "content": [{"prefix": "/repo2/repo", "destination": "/repo", "stripPrefix": true, "tags": {"regex": "4.*", "semver": true}}]}]}"#)
        #expect(config.credentialsFile == "/etc/zot/creds.json")
        let registry = try #require(config.registries.first)
        #expect(registry.urls == ["https://index.docker.io"])
        #expect(registry.onDemand && !registry.tlsVerify && registry.maxRetries == 5)
        #expect(registry.syncTimeout == .seconds(600) && registry.maxRetryDelay == .seconds(30))
        #expect(registry.content == [
            SyncContentRule(prefix: "/repo2/repo", tags: SyncTagFilter(regex: "4.*", semver: true), destination: "/repo", stripPrefix: true)
        ])
    }

    @Test func readsAPeriodicRegistry() throws {
        let config = try read(#"{"registries": [{"urls": ["https://r"], "pollInterval": "6h", "content": [{"prefix": "**"}]}]}"#)
        #expect(config.registries.first?.pollInterval == .seconds(6 * 3600))
        #expect(config.registries.first?.onDemand == false)
    }

    /// What zotd does not do yet is refused, naming the key, never ignored.
    @Test(arguments: [
        (#"{"urls": ["https://r"], "onDemand": true, "reqPerSec": 10}"#, "extensions.sync.registries[0].reqPerSec"),
    ])
    func refusesWhatZotdDoesNotDoYetByName(_ registry: String, _ keyPath: String) {
        #expect {
            _ = try read(#"{"registries": [\#(registry)]}"#)
        } throws: { error in
            (error as? ConfigError)?.keyPath == keyPath && (error as? ConfigError)?.isUnsupported == true
        }
    }

    @Test(arguments: [
        (#"{"registries": [{"onDemand": true}]}"#, "extensions.sync.registries[0].urls"),
        (#"{"registries": [{"urls": ["ftp://r"], "onDemand": true}]}"#, "extensions.sync.registries[0].urls[0]"),
        (#"{"registries": [{"urls": ["https://r"], "onDemand": true, "content": [{"prefix": "a", "tags": {"regex": "("}}]}]}"#,
         "extensions.sync.registries[0].content[0].tags.regex"),
        (#"{"registries": [{"urls": ["https://r"], "onDemand": true, "retryDelay": "soon"}]}"#, "extensions.sync.registries[0].retryDelay"),
    ])
    func namesTheKeyThatIsWrong(_ json: String, _ keyPath: String) {
        #expect {
            _ = try read(json)
        } throws: { error in
            (error as? ConfigError)?.keyPath == keyPath
        }
    }
}
