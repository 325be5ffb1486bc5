import Synchronization

/// Lets an extension announce a `RegistryEvent` to every enabled extension, the way the server announces
/// storage changes: the scrub extension's finished pass reaches the metrics extension this way, and neither
/// knows the other (each is compiled in or out on its own).
///
/// Created with the `ExtensionContext`, before the extensions exist; `ExtensionSet` connects itself once it
/// has built them all. An event posted while nothing is connected (before that, or after the server is gone)
/// is dropped: extensions post from `run()`, which starts after the set is built.
public final class ExtensionEvents: Sendable {
    private struct Target {
        weak var listeners: ExtensionSet.Listeners?
    }

    private let target = Mutex(Target())

    public init() {}

    /// Delivers `event` to every extension's `handle`, the poster's own included, in the set's order.
    public func post(_ event: RegistryEvent) async {
        guard let listeners = target.withLock({ $0.listeners }) else { return }
        await listeners.publish(event)
    }

    func connect(_ listeners: ExtensionSet.Listeners) {
        target.withLock { $0.listeners = listeners }
    }
}
