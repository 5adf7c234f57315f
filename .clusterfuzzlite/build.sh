#!/bin/bash -eu
# ClusterFuzzLite build: the cargo-fuzz targets of fuzz/, their seed corpora and the compiled suite.
#
# The runner image has no Node.js, so the suite cannot be compiled where the fuzzers run: after building,
# one run of the `sequence` target compiles it here and writes every artifact to
# $OUT/poolguard-artifacts.json, which the targets load (from beside their binary) instead of compiling.
cd "$SRC/poolguard"

# `cargo fuzz build -O` with the sanitizer of this build ($SANITIZER; ClusterFuzzLite supports address).
cargo fuzz build -O

TARGETS="sequence oracle corpus_decode"
for target in $TARGETS; do
    cp "fuzz/target/x86_64-unknown-linux-gnu/release/$target" "$OUT/"
    # Seed corpus: corpus/fuzz/<target>/ (libFuzzer inputs; `poolguard corpus import` reads them).
    if [ -d "corpus/fuzz/$target" ]; then
        (cd "corpus/fuzz/$target" && zip -q -r "$OUT/${target}_seed_corpus.zip" .)
    fi
done

# Compile the suite (npm ci runs on first use) and bundle the artifacts beside the binaries.
empty="$(mktemp)"
POOLGUARD_CONTRACTS="$SRC/poolguard/contracts" POOLGUARD_SAVE_ARTIFACTS="$OUT/poolguard-artifacts.json" \
    "$OUT/sequence" "$empty"
rm -f "$empty"
test -s "$OUT/poolguard-artifacts.json"
