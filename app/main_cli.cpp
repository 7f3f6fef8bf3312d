// vitscope-cli: the headless tool over vitscope_core (and, for `export`, the ui figures on Qt's
// offscreen platform). Exit codes: 0 success, 1 usage, 2 bad image/data, 3 bad model.
#include <cstdio>
#include <cstring>
#include <string>

#include "app/cli_commands.h"
#include "app/cli_export.h"

namespace {

constexpr const char* kUsage = R"(usage: vitscope-cli COMMAND [options]

commands:
  info     --model M [--heads N] [--json]
           format, architecture, dimensions, tokens, parameters, labels source
  predict  [--model M] --image I [--top K] [--size HxW] [--json]
           top-K labels with probabilities
  dump     [--model M] (--image I | --input-npy X) [--size HxW] --out DIR
           logits.npy (features.npy), attention.npy [layers, heads, tokens, tokens],
           input.npy [channels, H, W] and meta.json
  eval     [--model M] --idx-images F --idx-labels F [--limit N] [--json]
           top-1 accuracy, confusion matrix and images/s on an IDX data set (gzip or not)
  export   [--model M] --image I --figure NAME [--layer L] [--head H|mean|max|min]
           [--source cls|PATCH] [--size HxW] --out FILE.{png,svg,pdf,npy,csv}
           any figure of the window, headless (run 'vitscope-cli export --help')

common options:
  --model M          .safetensors file, model.safetensors.index.json, Hugging Face or timm
                     folder, or Google .npz (default: the bundled Fashion-MNIST ViT)
  --threads N        threads for the GEMMs and attention heads
  --heads N          number of heads, for timm files without a config
  --pos-interp MODE  bicubic (default), bicubic-aa or bilinear position resampling
  --size HxW         run at another input size (a multiple of the patch size)

PyTorch pickle files (.pth/.pt/.bin) are refused: convert them with
tools/convert_pth_to_safetensors.py.
)";

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0 ||
        std::strcmp(argv[1], "help") == 0) {
        std::fputs(kUsage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 1 : 0;
    }
    const std::string command = argv[1];
    if (command == "info") return vitscope::app::runInfo(argc, argv);
    if (command == "predict") return vitscope::app::runPredict(argc, argv);
    if (command == "dump") return vitscope::app::runDump(argc, argv);
    if (command == "eval") return vitscope::app::runEval(argc, argv);
    if (command == "export") return vitscope::app::runExportCommand(argc, argv);
    std::fprintf(stderr, "vitscope-cli: unknown command '%s'\n\n%s", command.c_str(), kUsage);
    return 1;
}
