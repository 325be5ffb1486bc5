import Registry
#if metrics
import MetricsExtension
#endif
#if mgmt
import MgmtExtension
#endif
#if lint
import LintExtension
#endif
#if debug
import DebugExtension
#endif
#if scrub
import ScrubExtension
#endif
#if search
import SearchExtension
#endif
#if userprefs
import UserprefsExtension
#endif
#if imagetrust
import ImageTrustExtension
#endif
#if sync
import SyncExtension
#endif

/// The extensions compiled into this binary, by build label (SwiftPM trait).
///
/// The only place that names concrete extensions: core code sees `RegistryExtension` alone.
enum CompiledExtensions {
    static var factories: [any RegistryExtensionFactory] {
        var factories: [any RegistryExtensionFactory] = []
        #if metrics
        factories.append(MetricsExtensionFactory(build: MetricsBuildInfo(version: Zotd.version, labels: CompiledLabels.current)))
        #endif
        #if mgmt
        factories.append(MgmtExtensionFactory())
        #endif
        #if lint
        factories.append(LintExtensionFactory())
        #endif
        #if debug
        factories.append(DebugExtensionFactory())
        #endif
        #if scrub
        factories.append(ScrubExtensionFactory())
        #endif
        #if search
        factories.append(SearchExtensionFactory())
        #endif
        #if userprefs
        factories.append(UserprefsExtensionFactory())
        #endif
        #if imagetrust
        factories.append(ImageTrustExtensionFactory())
        #endif
        #if sync
        factories.append(SyncExtensionFactory())
        #endif
        return factories
    }

    static var labels: [String] { factories.map(\.label) }
}
