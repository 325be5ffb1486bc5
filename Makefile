# zotd: `make run` starts the registry, `make test` runs every test. See README.md.
SWIFT ?= swift
CONFIG ?= config.example.json

# Build labels, named like zot's. `make binary EXTENSIONS=metrics,mgmt` builds only those.
KNOWN_EXTENSIONS := metrics mgmt lint debug scrub search userprefs imagetrust
comma := ,
EXTENSIONS ?= $(subst $() $(),$(comma),$(KNOWN_EXTENSIONS))
EXTENSION_LIST := $(subst $(comma), ,$(EXTENSIONS))
UNKNOWN_EXTENSIONS := $(filter-out $(KNOWN_EXTENSIONS),$(EXTENSION_LIST))
TRAIT_FLAGS := --disable-default-traits $(if $(strip $(EXTENSION_LIST)),--traits $(EXTENSIONS))

.PHONY: all binary binary-minimal run test test-scale unit-test e2e-test check-minimal bench build-deps test-deps clean fuzz soak

all: binary

build-deps:
	@scripts/install-build-deps.sh

test-deps:
	@scripts/install-test-deps.sh
	@scripts/install-prometheus.sh

## The release binary at bin/zotd, with the extensions named in EXTENSIONS (all by default).
binary: build-deps
ifneq ($(strip $(UNKNOWN_EXTENSIONS)),)
	$(error unknown extension label(s): $(UNKNOWN_EXTENSIONS); known labels: $(KNOWN_EXTENSIONS))
endif
	$(SWIFT) build -c release $(TRAIT_FLAGS)
	@mkdir -p bin && cp .build/release/zotd bin/zotd
	@bin/zotd --version

## The release binary with no extension compiled in.
binary-minimal: build-deps
	$(SWIFT) build -c release --disable-default-traits --scratch-path .build-minimal
	@mkdir -p bin && cp .build-minimal/release/zotd bin/zotd
	@bin/zotd --version

## Builds, then serves config.example.json: 127.0.0.1:8080, data under ./data.
run: binary
	bin/zotd serve $(CONFIG)

# The distribution spec's end-to-end modules, run a second time with every server three replicas over one
# PostgreSQL database behind a front that sends each request to the next replica (Tests/e2e/conftest.py).
SPEC_E2E := $(addprefix Tests/e2e/,test_base.py test_blobs.py test_blob_downloads.py test_manifests.py \
	test_uploads.py test_referrers.py test_listing.py test_mount.py test_names.py)

## Unit tests (swift test), bounded fuzzing of the parsers, then end-to-end tests of the real binary with real clients.
## Then the distribution spec's modules again, each server three replicas behind a round-robin front.
## scripts/pg-test-store.sh starts a throwaway PostgreSQL on loopback first (about 3 s; the package is installed
## when missing) for the PostgreSQL metadata store's suites and the replica tests, and stops and deletes it
## afterwards whatever the outcome.
test: test-deps build-deps
	$(SWIFT) build --build-tests
	scripts/pg-test-store.sh start > .build/pg-test-store.env
	set -a && . ./.build/pg-test-store.env && set +a && \
		$(SWIFT) test --skip-build && \
		Tests/Fuzz/run.sh && \
		ZOTD_BIN=$(CURDIR)/.build/debug/zotd python3 -m pytest Tests/e2e && \
		ZOTD_E2E_ROUND_ROBIN=1 ZOTD_BIN=$(CURDIR)/.build/debug/zotd python3 -m pytest $(SPEC_E2E); \
		status=$$?; scripts/pg-test-store.sh stop; exit $$status

## libFuzzer on the parsers a client reaches, FUZZ_SECONDS (default 20) per target; see Tests/Fuzz/run.sh.
fuzz:
	Tests/Fuzz/run.sh

## The robustness tests for longer, outside CI: SOAK_CYCLES kill -9 cycles, SOAK_SECONDS of 64 clients,
## and FUZZ_SECONDS of fuzzing per target.
SOAK_CYCLES ?= 500
SOAK_SECONDS ?= 300
soak: build-deps
	$(SWIFT) build
	ZOTD_BIN=$(CURDIR)/.build/debug/zotd ZOTD_CRASH_CYCLES=$(SOAK_CYCLES) ZOTD_STRESS_SECONDS=$(SOAK_SECONDS) \
		ZOTD_STRESS_CLIENTS=64 python3 -m pytest -s -o timeout=0 Tests/e2e/test_crash_safety.py Tests/e2e/test_stress.py
	FUZZ_SECONDS=$${FUZZ_SECONDS:-600} Tests/Fuzz/run.sh

## Scale-out against a real S3 store: scripts/s3-test-store.sh installs and starts Ceph's RADOS Gateway on
## loopback (about 45 s the first time, 10 s after), the blob-store conformance suite, the e2e S3 tests and the
## replica tests (three replicas over the bucket and PostgreSQL) run against it, and both stores are stopped and
## deleted whatever the outcome. Not part of `make test`.
test-scale: test-deps build-deps
	$(SWIFT) build --build-tests
	scripts/s3-test-store.sh start | tail -1 > .build/s3-test-store.env
	scripts/pg-test-store.sh start > .build/pg-test-store.env
	set -a && . ./.build/s3-test-store.env && . ./.build/pg-test-store.env && set +a && \
		$(SWIFT) test --skip-build --filter 'BlobStoreConformanceTests|MetadataStoreConformanceTests|RegistryStoreConformanceTests|ObjectStorageTests|PostgresMetadataStoreTests|ReplicaStoreTests|BackgroundPassTests|ReviewQueueTests|MetadataChangeFeedTests' && \
		ZOTD_BIN=$(CURDIR)/.build/debug/zotd python3 -m pytest Tests/e2e/test_s3_storage.py Tests/e2e/test_postgres_replicas.py; \
		status=$$?; scripts/s3-test-store.sh stop; scripts/pg-test-store.sh stop; exit $$status

unit-test: build-deps
	$(SWIFT) test

e2e-test: test-deps
	$(SWIFT) build
	ZOTD_BIN=$(CURDIR)/.build/debug/zotd python3 -m pytest Tests/e2e

## A binary with no extension: discover is empty and extension endpoints answer 404.
check-minimal: build-deps
	scripts/check-minimal-build.sh

## zotd and distribution side by side on loopback; prints ratios. BENCH_ARGS=--quick or --full.
## Then search at SEARCH_REPOS repositories x 5 tags (default 10000): query latencies and indexing's cost to pushes;
## then the first and later starts on a zot storage root of 10,000 images; then pulls through sync from a
## loopback distribution, cold and cached; then big blobs by every push path, as % of the machine's SHA-256 and of a C push ceiling;
## then pulls from one replica against three over PostgreSQL, and one collection's deletions a minute there.
SEARCH_REPOS ?= 10000
bench: build-deps
	scripts/install-bench-deps.sh
	$(SWIFT) build -c release
	python3 bench/run.py --zotd .build/release/zotd $(BENCH_ARGS)
	python3 bench/search.py --zotd .build/release/zotd --repos $(SEARCH_REPOS)
	python3 bench/adoption.py --zotd .build/release/zotd --images 10000
	python3 bench/sync.py --zotd .build/release/zotd --layer-mib 256
	python3 bench/bigblob.py --zotd .build/release/zotd --mib 512
	python3 bench/replicas.py --zotd .build/release/zotd
	python3 bench/gc.py --zotd .build/release/zotd

clean:
	rm -rf .build .build-minimal bin
