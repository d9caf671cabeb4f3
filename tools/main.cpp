// facet: the command line.
#include <cstdio>
#include <cstring>
#include <map>
#include <new>
#include <string>
#include <vector>

#include "engine/status.h"
#include "tools/cli.h"

namespace {

struct Command {
  int (*fn)(facet::tools::Args&);
  const char* summary;
  const char* usage;
};

const std::map<std::string, Command>& commands() {
  using namespace facet::tools;
  static const std::map<std::string, Command> table = {
      {"bench",
       {cmd_bench, "time a model: median/min/p90 latency, GFLOP/s vs the FMA peak, per-op profile",
        "usage: facet bench MODEL [--threads N] [--runs N] [--warmup N] [--shape N,C,H,W]...\n"
        "                   [--shape NAME=D,D,...]... [--profile] [--profile-nodes]\n"
        "                   [--json] [--no-peak]\n"
        "                   [-i NAME=FILE]... [--seed S] [--models DIR]\n"
        "       facet bench --peak [--threads N] [--json]\n"
        "\n"
        "Runs MODEL on random inputs (uniform [0,1), seed --seed; -i NAME=FILE reads .npy, .pb\n"
        "or raw .f32 data instead) --warmup times (default 10), then --runs times (default\n"
        "100) with run_into (no allocation in the loop), and prints\n"
        "'median X.XXX ms', min, p90 and mean latency, GFLOP/s (2 * MACs / median) and its\n"
        "share of the FMA peak measured on this machine with the same thread count. --profile\n"
        "adds the time per op kind, --profile-nodes also every node (output shape, ms, GFLOP/s);\n"
        "--json prints one JSON object instead. Ends with the\n"
        "process's peak RSS (VmHWM). --peak measures the f32 FMA throughput of one core and\n"
        "of --threads (default all) cores. --shape without NAME= applies to the first input.\n"}},
      {"make-model",
       {cmd_make_model, "generate a model with seeded random weights (mobilenet_v1)",
        "usage: facet make-model mobilenet_v1 -o FILE [--width W] [--size S] [--classes C]\n"
        "                        [--seed N] [--fold-bn]\n"
        "\n"
        "Writes MobileNetV1 (ONNX opset 13, as a PyTorch export: Conv+BatchNormalization+Relu,\n"
        "13 depthwise-separable blocks, GlobalAveragePool, Flatten, Gemm) with He-initialised\n"
        "random weights from --seed (default 1). --width (default 1.0) scales the channels,\n"
        "--size (default 224) is the input height and width, --classes defaults to 1000.\n"
        "--fold-bn folds BatchNormalization into the convolutions instead.\n"}},
      {"face",
       {cmd_face, "detect faces, 68/98 landmarks and head pose; annotated PNG + JSON",
        "usage: facet face IMAGE|FOLDER... [-o OUT_DIR] [--json FILE] [--detector yunet|ultraface]\n"
        "                  [--landmarks 68|98|both] [--jobs N] [--threads N] [--detect-size N]\n"
        "                  [--score T] [--no-draw] [--quiet] [--models DIR]\n"
        "\n"
        "For each image (PNG, JPEG or binary PPM; a folder adds its image files) writes\n"
        "OUT_DIR/STEM.png (boxes, 5 points, landmarks, pose axes) and OUT_DIR/STEM.json (schema\n"
        "in the README); --json FILE also writes one document with every image and every error.\n"
        "OUT_DIR defaults to ./out. Detection runs YuNet with the long side resized to\n"
        "--detect-size (default 320) or UltraFace at 320x240; --score sets the threshold\n"
        "(default 0.6 YuNet, 0.7 UltraFace). --jobs N processes N images at a time, each with\n"
        "its own pipeline; --threads N threads per model. A file that cannot be read is reported\n"
        "and skipped; the exit status is 1 when any image failed. No face is a valid result.\n"
        "Outputs are written atomically and never over an input file.\n"}},
      {"inspect",
       {cmd_inspect, "show a model's inputs, outputs, ops, parameters, MACs and planned memory",
        "usage: facet inspect MODEL [--shape NAME=D,D,...]... [--models DIR]\n"
        "\n"
        "Prints inputs and outputs with shapes, the opsets, an op histogram, the parameter\n"
        "count, multiply-accumulates and the planned arena bytes for one run. Unknown input\n"
        "dims are taken from --shape (default: 1 for the first dim, 320 for the others).\n"
        "MODEL is a path, or a file name looked up in --models, $FACET_MODELS and\n"
        "../shared/models.\n"}},
      {"run",
       {cmd_run, "run a model on given or random inputs and write its outputs",
        "usage: facet run MODEL [-i NAME=FILE]... [--shape NAME=D,D,...]... [-o DIR] [--pb]\n"
        "                 [--threads N] [--seed S] [--models DIR]\n"
        "\n"
        "Inputs come from .pb (TensorProto), .npy or raw .f32 files (a .f32 file takes its\n"
        "shape from the model or from --shape); inputs not given are random uniform [0,1)\n"
        "(seed --seed, default 1). Prints a summary of each output; with -o DIR writes each\n"
        "output as DIR/NAME.npy (and DIR/NAME.pb with --pb). Existing files in DIR with\n"
        "these names are replaced atomically; nothing else is touched.\n"}},
      {"verify",
       {cmd_verify, "compare a model's outputs with reference outputs",
        "usage: facet verify MODEL DIR [--atol A] [--rtol R] [--threads N]\n"
        "\n"
        "DIR is an ONNX test folder (test_data_set_*/input_K.pb, output_K.pb) or a facet\n"
        "reference folder (meta.json with raw .f32 files). Uses ONNX's rule\n"
        "|actual - expected| <= atol + rtol*|expected| (defaults 1e-7 and 1e-3), same shape\n"
        "and dtype, NaN matches NaN. Prints the max abs and rel error per output; exits 1 on a\n"
        "mismatch.\n"}},
      {"conformance",
       {cmd_conformance, "run ONNX backend test folders and report pass/fail",
        "usage: facet conformance DIR... [--json FILE] [--expected-failures FILE] [--quiet]\n"
        "\n"
        "Runs every folder below DIR that holds a model.onnx (with test_data_set_*), prints\n"
        "one line per failure with its reason and a closing line 'N passed, M failed'.\n"
        "--expected-failures FILE lists tests (one name per line, '#' comments, text after\n"
        "the name is the reason) that are known to fail: they are reported as XFAIL and do\n"
        "not fail the run; a listed test that passes is reported as XPASS. Exit code 1 when\n"
        "an unlisted test fails. --json writes a report with every test's result.\n"}},
      {"segment",
       {cmd_segment, "semantic segmentation (ESPNet, Cityscapes): overlay, label map, class shares",
        "usage: facet segment IMAGE... [-o DIR] [--size WxH] [--alpha A] [--no-legend]\n"
        "                     [--threads N] [--models DIR]\n"
        "\n"
        "Runs ESPNet at --size (default 1024x512; any size >= 8x8, padded to multiples of 8\n"
        "and cropped back) and writes DIR/<stem>_overlay.png (Cityscapes colours blended with\n"
        "the photo, weight --alpha, default 0.5, with a legend of the classes present) and\n"
        "DIR/<stem>_labels.png (gray, class index per pixel, the photo's size). DIR defaults\n"
        "to the current folder and is created if missing. Prints the share of pixels per\n"
        "class. Input files are never overwritten.\n"}},
      {"stylize",
       {cmd_stylize, "fast style transfer at any size, optionally only inside a class mask",
        "usage: facet stylize IMAGE --style matta|mathura|FILE.onnx [-o OUT.png] [--max-side N]\n"
        "                     [--mask CLASS[,CLASS...]] [--feather PX] [--size WxH]\n"
        "                     [--threads N] [--models DIR]\n"
        "\n"
        "Stylizes the whole image (padded to multiples of 4 by reflection, cropped back) and\n"
        "writes a PNG (default <stem>_<style>.png in the current folder). --max-side N first\n"
        "shrinks the image so its longer side is at most N. --mask blends the stylized image\n"
        "into the original only on the given Cityscapes classes (names such as person, car,\n"
        "sky, road, or ids 0..19; segmentation at --size, default 1024x512) and/or 'face'\n"
        "(ellipses from the face detector), with a smooth edge --feather PX wide (default 8)\n"
        "outside the mask; pixels farther away stay byte-identical to the input.\n"}},
  };
  return table;
}

void print_help() {
  std::printf(
      "facet: a self-contained CPU inference engine for face models\n\n"
      "usage: facet COMMAND [options]   (facet COMMAND --help for details)\n\ncommands:\n");
  for (const auto& kv : commands()) std::printf("  %-12s %s\n", kv.first.c_str(), kv.second.summary);
  std::printf(
      "\nenvironment: FACET_MODELS (model folder), FACET_ISA=ref|avx2|neon (cap the kernels)\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    print_help();
    return argc < 2 ? 2 : 0;
  }
  auto it = commands().find(argv[1]);
  if (it == commands().end()) {
    std::fprintf(stderr, "facet: unknown command '%s' (see facet --help)\n", argv[1]);
    return 2;
  }
  std::vector<std::string> rest(argv + 2, argv + argc);
  for (const std::string& a : rest) {
    if (a == "--help" || a == "-h") {
      std::printf("%s", it->second.usage);
      return 0;
    }
  }
  facet::tools::Args args(rest);
  try {
    return it->second.fn(args);
  } catch (const facet::tools::UsageError& e) {
    std::fprintf(stderr, "facet %s: %s\n%s", argv[1], e.message.c_str(), it->second.usage);
    return 2;
  } catch (const facet::Error& e) {
    std::fprintf(stderr, "facet %s: error: %s\n", argv[1], e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "facet %s: error: out of memory\n", argv[1]);
    return 1;
  }
}
