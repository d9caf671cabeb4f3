#!/usr/bin/env bash
# ctest wrapper for bench/ab: builds a tiny MobileNetV1 with `facet make-model`, compares the
# reference kernels (A) with the dispatched ones (B) over 2 rounds, and checks the report's
# shape (one line per node, the whole-run median and the node sum, B faster than the scalar
# reference overall) and that bad arguments exit 2 with a message. Times nothing precisely.
#   usage: ab_smoke.sh FACET_BINARY
set -euo pipefail
facet="$1"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$facet" make-model mobilenet_v1 --width 0.25 --size 32 --classes 10 -o "$tmp/tiny.onnx" > /dev/null
out="$("$here/ab" --a "$facet" --a-env FACET_ISA=ref --rounds 2 --runs 3 "$tmp/tiny.onnx" 2> "$tmp/err")" ||
  { cat "$tmp/err"; echo "FAIL: bench/ab exited with an error"; exit 1; }
echo "$out"
nodes=$(echo "$out" | grep -cE '^[0-9]+ +Conv_[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$' || true)
[[ "$nodes" -eq 27 ]] || { echo "FAIL: expected 27 Conv node lines, got $nodes"; exit 1; }
echo "$out" | grep -qE '^median +\(whole-run\) ' || { echo "FAIL: no whole-run median line"; exit 1; }
ratio=$(echo "$out" | awk '$1 == "sum" {print $NF}')
[[ -n "$ratio" ]] || { echo "FAIL: no sum line"; exit 1; }
if [[ "$(uname -m)" == "x86_64" || "$(uname -m)" == "aarch64" ]]; then
  awk -v r="$ratio" 'BEGIN {exit !(r > 0 && r < 1)}' ||
    { echo "FAIL: SIMD kernels not faster than the reference (B/A = $ratio)"; exit 1; }
fi
# B running a different plan (a wrapper that drops one node line from facet's report): only
# the whole-run figures are compared, and the script says so.
cat > "$tmp/other_plan" <<WRAP
#!/usr/bin/env bash
"$facet" "\$@" > "$tmp/other_out"; rc=\$?
sed '/^  5 /d' "$tmp/other_out"; exit \$rc
WRAP
chmod +x "$tmp/other_plan"
out="$("$here/ab" --a "$facet" --b "$tmp/other_plan" --rounds 2 --runs 3 "$tmp/tiny.onnx" 2> "$tmp/err")" ||
  { cat "$tmp/err"; echo "FAIL: bench/ab failed on different plans"; exit 1; }
echo "$out"
echo "$out" | grep -q 'different plans: 30 vs 29 nodes' || { echo "FAIL: different plans not reported"; exit 1; }
[[ "$(echo "$out" | grep -cE '^(median|sum) ')" -eq 2 ]] || { echo "FAIL: expected only median and sum"; exit 1; }
for bad in "$tmp/missing.onnx" "--rounds 0 $tmp/tiny.onnx" "--frobnicate $tmp/tiny.onnx"; do
  # shellcheck disable=SC2086  # word splitting intended
  if "$here/ab" --a "$facet" --a-env FACET_ISA=ref $bad > "$tmp/out" 2> "$tmp/err"; then
    echo "FAIL: bench/ab accepted '$bad'"; exit 1
  fi
  grep -q '^ab: ' "$tmp/err" || { echo "FAIL: no 'ab:' message for '$bad'"; cat "$tmp/err"; exit 1; }
done
echo "PASS"
