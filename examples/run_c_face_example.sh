#!/bin/sh
# ctest wrapper: runs facet_c_face_example on the sample photo and checks that it finds one face.
# Exits 77 (reported as SKIP by ctest) when the shared models are absent.
#   usage: run_c_face_example.sh EXAMPLE_BINARY SHARED_DIR
exe="$1"
shared="${FACET_SHARED_DIR:-$2}"
photo="$shared/models/samples/astronaut_512x512.ppm"
if [ ! -f "$photo" ] || [ ! -f "$shared/models/detection/yunet_s_dynamic.onnx" ]; then
  echo "SKIP: sample photo or models not found under '$shared/models' (set FACET_SHARED_DIR)"
  exit 77
fi
out=$("$exe" "$photo" "$shared/models") || { echo "$out"; echo "FAIL: example exited with an error"; exit 1; }
echo "$out"
echo "$out" | grep -q "faces: 1$" || { echo "FAIL: expected exactly one face"; exit 1; }
echo "$out" | grep -q "^expected error: " || { echo "FAIL: bad stride was not reported"; exit 1; }
exit 0
