#!/usr/bin/env bash
# Builds the seed corpora for the fuzz harnesses in <out> (default build-fuzz/seeds/<harness>).
# Sources: the shared models and conformance tests (small files only: large seeds slow the
# fuzzers down), the sample photo (cropped to small images by make_seed_images), and files
# generated here (PNG variants, .npy of every supported dtype, PGM/PPM variants), and the
# committed regression inputs (tests/fuzz/regressions/<harness>/).
# The seeds hold copies of shared files, so they are NOT committed.
#
# usage: tests/fuzz/make-corpus.sh [out-dir] [build-dir]
# env:   FACET_SHARED_DIR (default: ../shared beside the checkout)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="${1:-$root/build-fuzz/seeds}"
build="${2:-$root/build-fuzz}"
shared="${FACET_SHARED_DIR:-$root/../shared}"
max_seed=65536  # bytes

for h in pb_reader onnx_load tensor png jpeg ppm; do mkdir -p "$out/$h"; done

# Copies file $2 into corpus $1 under a name derived from its path. Callers list only files of
# at most max_seed bytes (find -size), and the name is made with shell expansions: with a
# stat, echo and tr per file, this script took 40 s of CI's fuzz stage for ~1500 files.
add() {
  local dir="$1" f="$2" rel
  rel="${f#"$shared"/}"
  cp -f "$f" "$out/$dir/${rel//\//_}"
}
small=(-type f -size "-$((max_seed + 1))c")

if [ -d "$shared" ]; then
  while IFS= read -r -d '' f; do
    add onnx_load "$f"
    add pb_reader "$f"
  done < <(find "$shared/conformance" "$shared/models" -name '*.onnx' "${small[@]}" -print0 2>/dev/null)
  while IFS= read -r -d '' f; do
    add tensor "$f"
  done < <(find "$shared/conformance" -name '*.pb' "${small[@]}" -print0 2>/dev/null)
  # A sample of tensor .pb files for the wire reader too.
  find "$shared/conformance" -name 'input_0.pb' "${small[@]}" 2>/dev/null | sed -n 1,40p | while read -r f; do
    add pb_reader "$f"
  done
  while IFS= read -r -d '' f; do
    add tensor "$f"
  done < <(find "$shared/models" -name '*.npy' "${small[@]}" -print0 2>/dev/null)
  photo="$shared/models/samples/astronaut_512x512.png"
  if [ -x "$build/make_seed_images" ] && [ -f "$photo" ]; then
    tmp="$(mktemp -d)"
    "$build/make_seed_images" "$photo" "$tmp" >/dev/null
    cp -f "$tmp"/*.png "$out/png/"
    cp -f "$tmp"/*.jpg "$out/jpeg/"
    cp -f "$tmp"/*.ppm "$tmp"/*.pgm "$out/ppm/"
    rm -rf "$tmp"
  fi
else
  echo "make-corpus: no shared data at $shared; generated seeds only" >&2
fi

# The committed regression inputs (tests/fuzz/regressions/<harness>/) seed their harness too, so
# the fuzz build, whose clang UBSan catches more than the GCC sanitizer build that replays them
# in ctest (pointer arithmetic on null, e.g.), runs every one of them first.
for d in "$root"/tests/fuzz/regressions/*/; do
  h="$(basename "$d")"
  [ -d "$out/$h" ] || continue
  for f in "$d"*; do
    [ -f "$f" ] && cp -f "$f" "$out/$h/regression_$(basename "$f")"
  done
done

# Generated seeds: PNG colour types / bit depths / interlace / ancillary chunks, .npy of every
# dtype and header version, PNM variants.
python3 - "$out" <<'PY'
import struct, sys, zlib, os
out = sys.argv[1]

def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)

def png(w, h, ctype, depth, interlace=0, extra=b"", plte=None, trns=None):
    ch = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[ctype]
    bits = ch * depth
    row_bytes = (w * bits + 7) // 8
    raw = b""
    def rows(ww, hh, seed):
        r = b""
        rb = (ww * bits + 7) // 8
        for y in range(hh):
            r += bytes([y % 5]) + bytes(((x * 37 + y * 11 + seed) & 0xff) for x in range(rb))
        return r
    if interlace == 0:
        raw = rows(w, h, 0)
    else:
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
        for i, (x0, y0, dx, dy) in enumerate(passes):
            pw = max(0, (w - x0 + dx - 1) // dx)
            ph = max(0, (h - y0 + dy - 1) // dy)
            if pw and ph:
                raw += rows(pw, ph, i)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, interlace))
    if plte is not None:
        data += chunk(b"PLTE", plte)
    if trns is not None:
        data += chunk(b"tRNS", trns)
    data += extra
    data += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    return data

pal = bytes((i * 7) & 0xff for i in range(3 * 16))
cases = {
    "g1": png(13, 7, 0, 1), "g2": png(9, 5, 0, 2), "g4": png(7, 7, 0, 4), "g8": png(8, 8, 0, 8),
    "g16": png(5, 4, 0, 16), "rgb8": png(6, 6, 2, 8), "rgb16": png(4, 3, 2, 16),
    "pal4": png(10, 6, 3, 4, plte=pal), "pal8_trns": png(5, 5, 3, 8, plte=pal, trns=b"\x00\x80"),
    "ga8": png(6, 4, 4, 8), "ga16": png(3, 3, 4, 16), "rgba8": png(7, 5, 6, 8),
    "rgba16": png(2, 2, 6, 16), "rgb8_interlace": png(11, 9, 2, 8, interlace=1),
    "g8_gamma": png(4, 4, 0, 8, extra=chunk(b"gAMA", struct.pack(">I", 45455)) + chunk(b"tEXt", b"k\x00v")),
    "rgb8_trns": png(4, 4, 2, 8, trns=b"\x00\x01\x00\x02\x00\x03"),
}
for k, v in cases.items():
    open(os.path.join(out, "png", "gen_" + k + ".png"), "wb").write(v)

def npy(descr, shape, payload, version=1):
    hdr = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, "(" + "".join("%d," % d for d in shape) + ")")
    pre = 10 if version == 1 else 12
    pad = (64 - (pre + len(hdr) + 1) % 64) % 64
    hdr = hdr + " " * pad + "\n"
    if version == 1:
        head = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(hdr))
    else:
        head = b"\x93NUMPY" + bytes([version, 0]) + struct.pack("<I", len(hdr))
    return head + hdr.encode() + payload

npys = {
    "f4": npy("<f4", (2, 3), struct.pack("<6f", *range(6))),
    "f8": npy("<f8", (3,), struct.pack("<3d", 1.5, -2, 3)),
    "i8": npy("<i8", (2, 2), struct.pack("<4q", 1, -1, 2**40, 0)),
    "i4": npy("<i4", (4,), struct.pack("<4i", 1, -1, 7, 0)),
    "u1": npy("|u1", (2, 2), bytes([0, 1, 254, 255])),
    "i1": npy("|i1", (3,), bytes([0, 128, 127])),
    "b1": npy("|b1", (2,), bytes([0, 1])),
    "f2": npy("<f2", (2,), b"\x00\x3c\x00\xc0"),
    "scalar": npy("<f4", (), struct.pack("<f", 3.0)),
    "empty": npy("<f4", (0, 4), b""),
    "v2": npy("<f4", (1,), struct.pack("<f", 1.0), version=2),
    "v3": npy("<i8", (1,), struct.pack("<q", 5), version=3),
}
for k, v in npys.items():
    open(os.path.join(out, "tensor", "gen_" + k + ".npy"), "wb").write(v)

pnm = {
    "p6": b"P6\n3 2\n255\n" + bytes(range(18)),
    "p5": b"P5 4 2 255 " + bytes(range(8)),
    "p5_16": b"P5\n2 2\n65535\n" + bytes(range(8)),
    "p6_comment": b"P6\n# comment\n2 1\n# another\n100\n" + bytes(range(6)),
}
for k, v in pnm.items():
    open(os.path.join(out, "ppm", "gen_" + k + ".ppm"), "wb").write(v)
PY

for h in pb_reader onnx_load tensor png jpeg ppm; do
  printf '%-10s %4d seeds\n' "$h" "$(find "$out/$h" -type f | wc -l)"
done
