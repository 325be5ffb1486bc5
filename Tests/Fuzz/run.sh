#!/usr/bin/env bash
# Builds the libFuzzer targets (swiftc -sanitize=fuzzer, straight from the parser sources: no SwiftPM
# build) and runs each for FUZZ_SECONDS (default 20) on its committed seed corpus.
#
#   Tests/Fuzz/run.sh                 # build and run every target
#   FUZZ_SECONDS=600 Tests/Fuzz/run.sh storage   # one target, longer (make soak)
#
# A crash leaves its input as Tests/Fuzz/out/<target>/crash-*; turn it into a regression test under
# Tests/StorageTests or Tests/RegistryTests and add it to Tests/Fuzz/corpus/<target>/.
# New inputs found while running go to out/ (not committed), so the corpus stays small.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC=$(cd "$HERE/../../Sources" && pwd)
OUT=${FUZZ_OUT:-$HERE/out}
SECONDS_PER_TARGET=${FUZZ_SECONDS:-20}
SWIFTC=${SWIFTC:-swiftc}
mkdir -p "$OUT/stubs"

# Empty modules that let parser sources `import` them; what the parsers use of them is compiled in below.
for stub in Crypto; do
    "$SWIFTC" -parse-as-library -emit-module -module-name "$stub" -emit-module-path "$OUT/stubs/$stub.swiftmodule" \
        "$HERE/Stubs/$stub.swift"
done

build() {  # name, sources...
    local name=$1; shift
    "$SWIFTC" -sanitize=fuzzer,address -parse-as-library -O -g -module-name "Fuzz_$name" -I "$OUT/stubs" \
        "$@" -o "$OUT/fuzz-$name" 2>&1 | grep -v "Cannot export local symbol" || true
    test -x "$OUT/fuzz-$name"
}

targets=("${@:-storage byterange config}")
for target in ${targets[@]}; do
    case $target in
    storage)
        build storage "$HERE/Harness/StorageParsers.swift" "$HERE/Stubs/ContentHasher.swift" \
            "$SRC/Storage/Model/Digest.swift" "$SRC/Storage/Model/RepositoryName.swift" \
            "$SRC/Storage/Model/Reference.swift" "$SRC/Storage/Model/StorageError.swift" \
            "$SRC/Storage/Manifests/ParsedManifest.swift" "$SRC/Storage/Manifests/ManifestMediaType.swift" \
            "$SRC/Storage/Manifests/StrictJSON.swift" ;;
    byterange)
        build byterange "$HERE/Harness/ByteRangeParser.swift" "$SRC/Registry/Routing/ByteRange.swift" ;;
    config)
        # The whole Config module: it depends on Foundation only, so every file of it compiles into the target
        # and a file added to it is fuzzed without touching this list.
        config_sources=()
        while IFS= read -r file; do config_sources+=("$file"); done < <(find "$SRC/Config" -name '*.swift' | sort)
        build config "$HERE/Harness/ConfigParser.swift" "${config_sources[@]}" ;;
    *) echo "unknown fuzz target $target" >&2; exit 2 ;;
    esac
    mkdir -p "$OUT/$target/new"
    echo "== fuzz $target for ${SECONDS_PER_TARGET}s"
    (cd "$OUT/$target" && "$OUT/fuzz-$target" -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 \
        -max_len=8192 -timeout=10 "$OUT/$target/new" "$HERE/corpus/$target" 2>&1 | tail -n 12)
done
