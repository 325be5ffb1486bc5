/// The build labels (SwiftPM traits) this package was compiled with, for `zot_info`'s and mgmt's `binaryType`.
///
/// Traits are compile conditions of every target in the package, so this target sees the same ones `zotd` does.
/// Listed in zot's order of labels.
public enum CompiledLabels {
    public static var current: [String] {
        var labels: [String] = []
        #if debug
        labels.append("debug")
        #endif
        #if imagetrust
        labels.append("imagetrust")
        #endif
        #if lint
        labels.append("lint")
        #endif
        #if metrics
        labels.append("metrics")
        #endif
        #if mgmt
        labels.append("mgmt")
        #endif
        #if profile
        labels.append("profile")
        #endif
        #if scrub
        labels.append("scrub")
        #endif
        #if search
        labels.append("search")
        #endif
        #if sync
        labels.append("sync")
        #endif
        #if ui
        labels.append("ui")
        #endif
        #if userprefs
        labels.append("userprefs")
        #endif
        #if events
        labels.append("events")
        #endif
        return labels
    }
}
