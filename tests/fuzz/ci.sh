#!/usr/bin/env bash
# CI step: builds the fuzz harnesses and runs each for FUZZ_SECONDS (default 60); fails on any
# finding. Extra arguments go to tools/fuzz (tools/test-all passes --tree build-asan, its
# sanitizer build, which contains the harnesses). See tools/fuzz and tests/fuzz/README.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# Two harnesses at a time: CI has the machine to itself (2 cores).
exec "$root/tools/fuzz" --ci --seconds "${FUZZ_SECONDS:-60}" --parallel "${FUZZ_PARALLEL:-2}" "$@"
