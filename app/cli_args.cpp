#include "app/cli_args.h"

#include <charconv>
#include <cstdio>

#include "app/cli_json.h"

namespace vitscope::app {

int exitCodeFor(const core::Error& error, Stage stage) {
    switch (error.code) {
        case core::ErrorCode::BadModel:
            return kExitModel;
        case core::ErrorCode::BadImage:
        case core::ErrorCode::BadData:
            return kExitInput;
        case core::ErrorCode::Io:
            return stage == Stage::Model   ? kExitModel
                   : stage == Stage::Input ? kExitInput
                                           : kExitUsage;
        case core::ErrorCode::Usage:
        case core::ErrorCode::Cancelled:
            return kExitUsage;
    }
    return kExitUsage;
}

int fail(const std::string& command, int code, const std::string& message) {
    // File names are bytes: ones that are not UTF-8 are shown as \xNN, not sent raw.
    std::fprintf(stderr, "vitscope-cli %s: %s\n", command.c_str(), printable(message).c_str());
    return code;
}

int fail(const std::string& command, const core::Error& error, Stage stage) {
    return fail(command, exitCodeFor(error, stage), error.message);
}

const std::vector<OptionSpec>& optionTable() {
    static const std::vector<OptionSpec> kOptions = {
        // The model and how it runs.
        {"model", "M",
         ".safetensors file, model.safetensors.index.json, Hugging Face or timm folder, "
         "or Google .npz (default: the bundled Fashion-MNIST ViT)"},
        {"heads", "N", "number of attention heads, for checkpoints without a config"},
        {"threads", "N", "compute threads"},
        {"mean", "R,G,B",
         "normalisation mean per channel (one value for all), overriding the "
         "checkpoint's or a guess"},
        {"std", "R,G,B", "normalisation std per channel (one value for all)"},
        {"recipe", "STYLE",
         "resize recipe: hf (straight to the model size, bilinear) or timm "
         "(shorter side to size/0.875, bicubic, centre crop)"},
        {"pos-interp", "MODE",
         "position-embedding resampling at other sizes: bicubic, bicubic-aa "
         "(antialiased) or bilinear (default: the model's own)"},
        {"size", "HxW", "run at another input size in pixels (multiples of the patch size)"},
        {"compare-model", "B",
         "export: a second model drawn next to --model (posembed-similarity and "
         "attention-distance), on the same --image"},
        {"memory-budget", "SIZE",
         "memory a run may hold, e.g. 8G or 512M (default: half the machine's memory); "
         "attention over it is rebuilt on demand"},
        // Inputs.
        {"image", "I", "the image file"},
        {"input-npy", "X", "a preprocessed float32 [channels, H, W] tensor, fed as it is"},
        {"idx-images", "F", "IDX image file (gzip or not)"},
        {"idx-labels", "F", "IDX label file (gzip or not)"},
        {"limit", "N", "use only the first N images"},
        {"images", "DIR", "attention-distance averaged over the images in DIR"},
        {"max-images", "N", "at most N images from --images (default 128, as in the paper)"},
        // What to compute.
        {"figure", "NAME",
         "attention, heads, layers-heads, rollout, posembed-similarity, "
         "attention-distance, embedding-filters, experiments, data-hunger or "
         "position-ablation (the last two draw the lab results and need no model or image)"},
        {"lab-results", "F",
         "data-hunger, position-ablation: the lab results file (default: the bundled "
         "resources/lab/data-hunger.json, written by tools/data_hunger.py --write)"},
        {"layer", "L", "layer 1..L or 'last' (default last)"},
        {"head", "H", "head 1..H, or mean, max or min over all heads (default mean)"},
        {"source", "TOKEN",
         "query token: cls, dist, regN, rRcC, ROW,COL or a patch number, all "
         "1-based (default cls)"},
        {"reverse", nullptr, "which tokens attend to the source instead of where it attends"},
        {"discard", "R", "rollout: share of the lowest attention discarded, in [0, 1] (default 0)"},
        {"on", "IMAGE",
         "attention, rollout: draw the map on the model input (input, default) or on the "
         "opened image at its own size and aspect, each patch mapped back through the resize "
         "and crop, the part the crop cut away dimmed (original)"},
        {"upsample", "MODE",
         "attention, rollout: nearest (default: one crisp block per patch) or bicubic (smooth)"},
        {"display", "MODE",
         "attention, rollout: overlay (default: the coloured map), mask (the patches holding "
         "--mask-mass of the attention, with their contour) or alpha (the image times the map "
         "over its maximum, black elsewhere, as the ViT paper's Figure 6)"},
        {"mask-mass", "P",
         "--display mask: the share of the attention mass kept, in percent, in (0, 100] "
         "(default 60)"},
        {"prefix", "MODE",
         "attention distance: renormalise (default) or keep the weight on "
         "prefix tokens"},
        {"grid", "HxW", "posembed-similarity on this patch grid (default: the input's grid)"},
        {"raw-filters", nullptr, "embedding-filters: the raw filters, not principal components"},
        {"seed", "N",
         "experiments and eval --shuffle-patches: shuffle and permutation seed (default 0)"},
        {"no-positions", nullptr,
         "eval: run without position embeddings (the ViT paper's Table 8 'none')"},
        {"shuffle-patches", nullptr, "eval: shuffle each image's patches (image i with seed + i)"},
        {"shift", "DY,DX", "experiments: sub-patch shift in pixels (default half a patch)"},
        {"resolution", "HxW", "experiments: the other input size (default 1.5x the trained one)"},
        // Benchmarks.
        {"random", "SHAPE",
         "bench: a random-weight model of a standard shape instead of --model: vit-ti, vit-s "
         "or vit-b (patch 16, 224x224)"},
        {"runs", "N", "bench: timed forward passes (default 20)"},
        {"warmup", "N", "bench: untimed forward passes first (default 3)"},
        // Output.
        {"top", "K", "how many classes to list (default 5)"},
        {"out", "PATH", "output file or folder"},
        {"scale", "S", "PNG pixels per figure unit (default 2)"},
        {"animate", "WHAT",
         "export: every layer (layers) or every head of --layer (heads) of the attention "
         "figure (rollout: layers), as an animated GIF (--out F.gif) or as numbered PNG "
         "frames (--out DIR/ or --out NAME.png for NAME-01.png, NAME-02.png, ...)"},
        {"frame-ms", "MS", "--animate: milliseconds per GIF frame (default 500)"},
        {"colormap", "NAME", "viridis, inferno, magma, jet, grey or diverging"},
        {"json", nullptr, "machine-readable output"},
        {"help", nullptr, "this help"},
    };
    return kOptions;
}

const std::vector<CommandSpec>& commandTable() {
    static const std::vector<std::string> kModel = {
        "model", "heads", "mean", "std", "recipe", "threads", "pos-interp", "memory-budget"};
    auto with = [](std::vector<std::string> base, std::initializer_list<const char*> more) {
        for (const char* m : more) {
            base.emplace_back(m);
        }
        base.emplace_back("help");
        return base;
    };
    static const std::vector<CommandSpec> kCommands = {
        {"info", "[--model M] [--json]",
         "format, architecture, dimensions, tokens, parameters, what was inferred",
         with({"model", "heads", "mean", "std", "recipe", "threads"}, {"json"})},
        {"predict", "[--model M] --image I [--top K] [--size HxW] [--json]",
         "the top-K classes with probabilities", with(kModel, {"size", "image", "top", "json"})},
        {"dump", "[--model M] (--image I | --input-npy X) [--size HxW] --out DIR",
         "logits.npy, features.npy, attention.npy [layers, heads, tokens, tokens], input.npy "
         "[channels, H, W] and meta.json",
         with(kModel, {"size", "image", "input-npy", "out"})},
        {"eval",
         "[--model M] --idx-images F --idx-labels F [--limit N] [--no-positions] "
         "[--shuffle-patches [--seed N]] [--json]",
         "top-1 accuracy, confusion matrix and images/s on an IDX data set",
         with(kModel, {"size", "idx-images", "idx-labels", "limit", "no-positions",
                       "shuffle-patches", "seed", "json"})},
        {"bench",
         "(--model M | --random vit-ti|vit-s|vit-b) [--size HxW] [--threads N] [--runs N] "
         "[--warmup N] [--json]",
         "forward-pass time as the window runs it (every attention matrix kept): median, min "
         "and max, load time, time to the first result and peak memory",
         with(kModel, {"size", "random", "runs", "warmup", "json"})},
        {"export",
         "[--model M] [--compare-model B] [--image I] --figure NAME "
         "--out FILE.{png,svg,pdf,npy,csv} (or --animate layers|heads --out F.gif|DIR/)",
         "any figure of the window, headless, or the numbers behind it",
         with(kModel,
              {"size",       "image",       "figure",        "out",     "layer",      "head",
               "source",     "reverse",     "discard",       "prefix",  "grid",       "images",
               "max-images", "raw-filters", "seed",          "shift",   "resolution", "scale",
               "colormap",   "lab-results", "compare-model", "animate", "frame-ms",   "on",
               "upsample",   "display",     "mask-mass"})},
    };
    return kCommands;
}

const CommandSpec* findCommand(const std::string& name) {
    for (const CommandSpec& c : commandTable()) {
        if (name == c.name) {
            return &c;
        }
    }
    return nullptr;
}

namespace {

const OptionSpec* findOption(const std::string& name) {
    for (const OptionSpec& o : optionTable()) {
        if (name == o.name) {
            return &o;
        }
    }
    return nullptr;
}

bool accepts(const CommandSpec& command, const std::string& name) {
    for (const std::string& o : command.options) {
        if (o == name) {
            return true;
        }
    }
    return false;
}

std::string optionLine(const OptionSpec& o) {
    std::string left = std::string("  --") + o.name + (o.value ? std::string(" ") + o.value : "");
    if (left.size() < 20) {
        left.resize(20, ' ');
    } else {
        left += "\n" + std::string(20, ' ');
    }
    // Wrap the help at 100 columns, continuing under itself.
    std::string out = left;
    size_t column = 20;
    const std::string help = o.help;
    size_t at = 0;
    while (at < help.size()) {
        size_t end = help.find(' ', at);
        if (end == std::string::npos) {
            end = help.size();
        }
        const std::string word = help.substr(at, end - at);
        if (column + word.size() > 100 && column > 20) {
            out += "\n" + std::string(20, ' ');
            column = 20;
        }
        out += word + " ";
        column += word.size() + 1;
        at = end + 1;
    }
    out.pop_back();
    return out + "\n";
}

}  // namespace

std::string helpText(const CommandSpec* command) {
    std::string out;
    if (command != nullptr) {
        out = std::string("usage: vitscope-cli ") + command->name + " " + command->synopsis +
              "\n\n" + command->summary + "\n\noptions:\n";
        for (const OptionSpec& o : optionTable()) {
            if (accepts(*command, o.name)) {
                out += optionLine(o);
            }
        }
    } else {
        out =
            "usage: vitscope-cli COMMAND [options]   (vitscope-cli COMMAND --help for one "
            "command)\n\ncommands:\n";
        for (const CommandSpec& c : commandTable()) {
            out += std::string("  ") + c.name + std::string(9 - std::string(c.name).size(), ' ') +
                   c.synopsis + "\n           " + c.summary + "\n";
        }
        out += "\noptions:\n";
        for (const OptionSpec& o : optionTable()) {
            out += optionLine(o);
        }
        out +=
            "\nLayers, heads, patch rows and columns, patch numbers and registers are 1-based.\n"
            "PyTorch pickle files (.pth/.pt/.bin) are refused: convert them with\n"
            "tools/convert_pth_to_safetensors.py.\n";
    }
    return out +
           "\nexit codes: 0 ok, 1 usage or output error, 2 bad image or data file, 3 bad model\n";
}

std::optional<std::string> CliArgs::parse(const CommandSpec& command, int argc, char** argv,
                                          int first) {
    for (int i = first; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.rfind("--", 0) != 0) {
            return "unexpected argument '" + a + "'";
        }
        std::string name = a.substr(2);
        std::string value;
        const size_t eq = name.find('=');
        const bool inlineValue = eq != std::string::npos;
        if (inlineValue) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        const OptionSpec* spec = findOption(name);
        if (spec == nullptr) {
            return "unknown option --" + name;
        }
        if (!accepts(command, name)) {
            return std::string("option --") + name + " does not apply to " + command.name;
        }
        if (spec->value == nullptr) {
            if (inlineValue) {
                return "option --" + name + " takes no value";
            }
            mFlags.insert(name);
            continue;
        }
        if (!inlineValue) {
            if (i + 1 >= argc) {
                return "option --" + name + " needs a value (" + spec->value + ")";
            }
            value = argv[++i];
        }
        mValues[name] = value;
    }
    return std::nullopt;
}

std::string CliArgs::get(const std::string& name, const std::string& fallback) const {
    auto it = mValues.find(name);
    return it == mValues.end() ? fallback : it->second;
}

namespace {

core::Error usage(std::string message) {
    return core::makeError(core::ErrorCode::Usage, std::move(message));
}

bool parseWhole(const std::string& text, long long& v) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    return !text.empty() && ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

core::Result<int> CliArgs::getInt(const std::string& name, int fallback, int lo, int hi) const {
    auto it = mValues.find(name);
    if (it == mValues.end()) {
        return fallback;
    }
    long long v = 0;
    if (!parseWhole(it->second, v) || v < lo || v > hi) {
        return usage("--" + name + " must be an integer in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "], got '" + it->second + "'");
    }
    return static_cast<int>(v);
}

core::Result<double> CliArgs::getReal(const std::string& name, double fallback, double lo,
                                      double hi) const {
    auto it = mValues.find(name);
    if (it == mValues.end()) {
        return fallback;
    }
    double v = 0;
    const std::string& t = it->second;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !(v >= lo && v <= hi)) {
        return usage("--" + name + " must be a number in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "], got '" + t + "'");
    }
    return v;
}

core::Result<std::pair<int, int>> CliArgs::getPair(const std::string& name, char sep, int lo,
                                                   int hi) const {
    auto it = mValues.find(name);
    if (it == mValues.end()) {
        return std::pair<int, int>{0, 0};
    }
    const std::string& t = it->second;
    size_t at = t.find(sep);
    if (sep == 'x' && at == std::string::npos) {
        at = t.find('X');
    }
    long long a = 0;
    long long b = 0;
    const std::string form = sep == 'x' ? "HxW" : "A,B";
    if (at == std::string::npos || !parseWhole(t.substr(0, at), a) ||
        !parseWhole(t.substr(at + 1), b) || a < lo || a > hi || b < lo || b > hi) {
        return usage("--" + name + " must be " + form + " with each in [" + std::to_string(lo) +
                     ", " + std::to_string(hi) + "], got '" + t + "'");
    }
    return std::pair<int, int>{static_cast<int>(a), static_cast<int>(b)};
}

core::Result<std::pair<int, int>> CliArgs::getSize(const std::string& name, int maxSide,
                                                   long long maxPixels) const {
    auto size = getPair(name, 'x', 1, maxSide);
    if (size && static_cast<long long>(size->first) * size->second > maxPixels) {
        return usage("--" + name + " " + get(name) + " has " +
                     std::to_string(static_cast<long long>(size->first) * size->second) +
                     " pixels, more than the " + std::to_string(maxPixels) + " allowed");
    }
    return size;
}

}  // namespace vitscope::app
