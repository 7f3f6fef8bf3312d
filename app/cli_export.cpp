#include "app/cli_export.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#ifdef VITSCOPE_NO_FIGURE_EXPORT

namespace vitscope::app {
int runExportCommand(int, char**) {
    std::fprintf(stderr, "vitscope-cli export: this build has no figure export "
                         "(configured with VITSCOPE_BUILD_GUI=OFF)\n");
    return 1;
}
}  // namespace vitscope::app

#else

#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <memory>

#include "core/image/image_io.h"
#include "core/image/preprocess.h"
#include "core/io/resource_locator.h"
#include "core/model/vit_model.h"
#include "ui/export/figure_export.h"
#include "ui/export/figure_factory.h"

namespace vitscope::app {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 1;
constexpr int kExitImage = 2;
constexpr int kExitModel = 3;

const char* kUsage =
    "usage: vitscope-cli export [--model M] [--image I] --figure NAME --out FILE\n"
    "                           [--layer L] [--head H|mean|max|min] [--source cls|PATCH]\n"
    "                           [--size HxW] [--threads N] [--scale S] [options]\n"
    "\n"
    "FILE ends in .png, .svg or .pdf (the figure) or .npy, .csv (its numbers).\n"
    "M defaults to the bundled Fashion-MNIST model.\n"
    "NAME: attention, heads, layers-heads, rollout, posembed-similarity, attention-distance,\n"
    "      embedding-filters, experiments (all but posembed-similarity and\n"
    "      embedding-filters need --image; attention-distance takes --images DIR instead).\n"
    "  --layer L        1-based layer (default: the last); 'last' is accepted\n"
    "  --head H         1-based head, or mean|max|min to fuse all heads (default mean)\n"
    "  --source S       cls, dist, reg<N> (0-based register), a patch as ROW,COL (1-based)\n"
    "                   or a 1-based row-major patch number (default cls)\n"
    "  --reverse        which patches attend to the source instead of where it attends\n"
    "  --discard R      rollout: discard ratio in [0, 1] (default 0)\n"
    "  --size HxW       run the model at another input size (position embeddings interpolated)\n"
    "  --threads N      compute threads\n"
    "  --scale S        PNG pixels per figure unit (default 2)\n"
    "  --colormap NAME  viridis, inferno, magma, jet, grey, diverging\n"
    "  --interp NAME    bicubic, bicubic-antialias, bilinear (position-embedding resampling)\n"
    "  --grid HxW       posembed-similarity on this patch grid (default: the input grid)\n"
    "  --prefix P       attention-distance: renormalise (default) or keep\n"
    "  --images DIR     attention-distance averaged over the images in DIR (up to --max-images,\n"
    "                   default 128)\n"
    "  --raw-filters    embedding-filters: the raw filters instead of principal components\n"
    "  --seed N         experiments: shuffle/permutation seed (default 0)\n"
    "  --shift DY,DX    experiments: sub-patch shift in pixels (default half a patch)\n"
    "  --resolution HxW experiments: the other input size (default 1.5x the trained one)\n"
    "exit codes: 0 ok, 1 usage or output error, 2 bad image, 3 bad model\n";

int usageError(const std::string& message) {
    std::fprintf(stderr, "vitscope-cli export: %s\n%s", message.c_str(), kUsage);
    return kExitUsage;
}

int exitCodeFor(const core::Error& error) {
    switch (error.code) {
        case core::ErrorCode::BadImage: return kExitImage;
        case core::ErrorCode::BadModel: return kExitModel;
        default: return kExitUsage;
    }
}

int fail(const core::Error& error, const std::string& context = {}) {
    std::fprintf(stderr, "vitscope-cli export: %s%s\n", context.c_str(), error.message.c_str());
    return exitCodeFor(error);
}

bool parseInt(const std::string& text, int& value) {
    char* end = nullptr;
    const long v = std::strtol(text.c_str(), &end, 10);
    if (text.empty() || end == nullptr || *end != '\0' || v < -1000000000L || v > 1000000000L) {
        return false;
    }
    value = static_cast<int>(v);
    return true;
}

/// "224x224" or "224,224" style pairs.
bool parsePair(const std::string& text, char sep, int& a, int& b) {
    const size_t at = text.find(sep);
    return at != std::string::npos && parseInt(text.substr(0, at), a) &&
           parseInt(text.substr(at + 1), b);
}

struct Args {
    std::map<std::string, std::string> values;
    std::vector<std::string> flags;
    bool has(const std::string& key) const { return values.count(key) != 0; }
    std::string get(const std::string& key, const std::string& fallback = {}) const {
        auto it = values.find(key);
        return it == values.end() ? fallback : it->second;
    }
    bool flag(const std::string& key) const {
        return std::find(flags.begin(), flags.end(), key) != flags.end();
    }
};

/// Parses `--key value` pairs and `--flag`s; returns an error message or empty.
std::string parseArgs(int argc, char** argv, Args& args) {
    static const std::vector<std::string> kValued = {
        "--model", "--image",  "--figure",   "--layer",  "--head",     "--source",
        "--size",  "--threads", "--out",     "--scale",  "--colormap", "--interp",
        "--grid",  "--prefix", "--images",   "--max-images", "--seed", "--shift",
        "--resolution", "--discard"};
    static const std::vector<std::string> kFlags = {"--reverse", "--raw-filters", "--help"};
    int i = 1;
    if (argc > 1 && std::strcmp(argv[1], "export") == 0) {
        i = 2;
    }
    for (; i < argc; ++i) {
        const std::string key = argv[i];
        if (std::find(kFlags.begin(), kFlags.end(), key) != kFlags.end()) {
            args.flags.push_back(key);
        } else if (std::find(kValued.begin(), kValued.end(), key) != kValued.end()) {
            if (i + 1 >= argc) {
                return key + ": missing value";
            }
            args.values[key] = argv[++i];
        } else {
            return "unknown argument '" + key + "'";
        }
    }
    return {};
}

/// Fills the attention part of `options` from --layer/--head/--source/--reverse/--discard.
std::string attentionOptions(const Args& args, const core::InferenceResult* result,
                             ui::FigureOptions& options) {
    const std::string layer = args.get("--layer", "last");
    if (layer != "last") {
        int l = 0;
        if (!parseInt(layer, l) || (l < 1 && l != -1)) {
            return "--layer '" + layer + "': expected a 1-based layer number or 'last'";
        }
        options.layer = l == -1 ? -1 : l - 1;
    }
    const std::string head = args.get("--head", "mean");
    if (auto fusion = core::parseHeadFusion(head)) {
        options.head = -1;
        options.fusion = *fusion;
    } else {
        int h = 0;
        if (!parseInt(head, h) || h < 1) {
            return "--head '" + head + "': expected a 1-based head number, mean, max or min";
        }
        options.head = h - 1;
    }
    options.reverse = args.flag("--reverse");
    if (args.has("--discard")) {
        try {
            options.discardRatio = std::stof(args.get("--discard"));
        } catch (...) {
            return "--discard '" + args.get("--discard") + "': expected a number in [0, 1]";
        }
    }
    const std::string source = args.get("--source", "cls");
    if (result == nullptr) {
        return {};
    }
    const core::TokenLayout& t = result->tokens;
    int row = 0;
    int col = 0;
    int number = 0;
    if (source == "cls") {
        options.sourceToken = t.clsIndex;  // -1 without a class token: the factory's default
    } else if (source == "dist") {
        if (t.distIndex < 0) {
            return "--source dist: the model has no distillation token";
        }
        options.sourceToken = t.distIndex;
    } else if (source.rfind("reg", 0) == 0 && parseInt(source.substr(3), number)) {
        if (number < 0 || number >= t.numRegisters) {
            return "--source " + source + ": the model has " + std::to_string(t.numRegisters) +
                   " register tokens";
        }
        options.sourceToken = t.firstRegister + number;
    } else if (parsePair(source, ',', row, col)) {
        if (row < 1 || row > t.gridH || col < 1 || col > t.gridW) {
            return "--source " + source + ": expected ROW in 1.." + std::to_string(t.gridH) +
                   " and COL in 1.." + std::to_string(t.gridW);
        }
        options.sourceToken = t.patchToken(row - 1, col - 1);
    } else if (parseInt(source, number)) {
        if (number < 1 || number > t.numPatches()) {
            return "--source " + source + ": expected a patch number in 1.." +
                   std::to_string(t.numPatches());
        }
        options.sourceToken = t.numPrefix + number - 1;
    } else {
        return "--source '" + source + "': expected cls, dist, reg<N>, ROW,COL or a patch number";
    }
    return {};
}

std::string otherOptions(const Args& args, ui::FigureOptions& options) {
    if (args.has("--colormap")) {
        auto map = core::parseColormap(args.get("--colormap"));
        if (!map) {
            return "--colormap '" + args.get("--colormap") + "': unknown colormap";
        }
        options.colormap = *map;
    }
    const std::string interp = args.get("--interp", "bicubic");
    if (interp == "bicubic") {
        options.interp = core::PosInterp::Bicubic;
    } else if (interp == "bicubic-antialias") {
        options.interp = core::PosInterp::BicubicAntialias;
    } else if (interp == "bilinear") {
        options.interp = core::PosInterp::Bilinear;
    } else {
        return "--interp '" + interp + "': expected bicubic, bicubic-antialias or bilinear";
    }
    options.experiments.interp = options.interp;
    if (args.has("--grid") &&
        !parsePair(args.get("--grid"), 'x', options.gridH, options.gridW)) {
        return "--grid '" + args.get("--grid") + "': expected ROWSxCOLS";
    }
    const std::string prefix = args.get("--prefix", "renormalise");
    if (prefix == "renormalise" || prefix == "renormalize") {
        options.prefix = core::PrefixHandling::DropAndRenormalise;
    } else if (prefix == "keep") {
        options.prefix = core::PrefixHandling::DropWithoutRenormalising;
    } else {
        return "--prefix '" + prefix + "': expected renormalise or keep";
    }
    options.rawFilters = args.flag("--raw-filters");
    int seed = 0;
    if (args.has("--seed") && (!parseInt(args.get("--seed"), seed) || seed < 0)) {
        return "--seed '" + args.get("--seed") + "': expected a non-negative integer";
    }
    options.experiments.seed = static_cast<uint64_t>(seed);
    if (args.has("--shift") && !parsePair(args.get("--shift"), ',', options.experiments.shiftDy,
                                          options.experiments.shiftDx)) {
        return "--shift '" + args.get("--shift") + "': expected DY,DX in pixels";
    }
    if (args.has("--resolution") &&
        !parsePair(args.get("--resolution"), 'x', options.experiments.resolutionH,
                   options.experiments.resolutionW)) {
        return "--resolution '" + args.get("--resolution") + "': expected HxW in pixels";
    }
    return {};
}

/// Attention distance averaged over a folder (the paper: 128 images).
core::Status folderDistances(const core::VitModel& model, const core::PreprocessRecipe& recipe,
                             const QString& folder, int maxImages, ui::FigureOptions& options) {
    QDir dir(folder);
    if (!dir.exists()) {
        return core::makeError(core::ErrorCode::BadImage,
                               (folder + QStringLiteral(": no such folder")).toStdString());
    }
    const QStringList files = dir.entryList(
        {"*.png", "*.jpg", "*.jpeg", "*.bmp", "*.tif", "*.tiff", "*.webp", "*.pgm", "*.ppm"},
        QDir::Files, QDir::Name);
    core::AttentionDistanceAccumulator accumulator;
    auto workspace = core::makeWorkspace();
    for (int i = 0; i < std::min<int>(maxImages, files.size()); ++i) {
        const std::string path = dir.filePath(files[i]).toStdString();
        auto image = core::loadImage(path);
        if (!image) {
            std::fprintf(stderr, "vitscope-cli export: skipped %s\n", image.error().message.c_str());
            continue;
        }
        auto pre = core::preprocess(image.value(), recipe);
        if (!pre) {
            std::fprintf(stderr, "vitscope-cli export: skipped %s: %s\n", path.c_str(),
                         pre.error().message.c_str());
            continue;
        }
        auto result = core::runForward(model, pre->input, {}, workspace.get());
        if (!result) {
            return result.error();
        }
        if (auto st = accumulator.add(result.value(), model.config().patchSize, options.prefix);
            !st) {
            return st;
        }
    }
    if (accumulator.count() == 0) {
        return core::makeError(core::ErrorCode::BadImage,
                               (folder + QStringLiteral(": no usable images")).toStdString());
    }
    options.distances = accumulator.mean();
    options.distanceImages = accumulator.count();
    return core::Ok{};
}

/// Keeps a QGuiApplication alive for the command when the caller has none.
std::unique_ptr<QGuiApplication> ensureApplication() {
    if (QCoreApplication::instance() != nullptr) {
        return nullptr;
    }
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        qputenv("QT_QPA_PLATFORM", "offscreen");
    }
    static int argc = 1;
    static char name[] = "vitscope-cli";
    static char* argv[] = {name, nullptr};
    return std::make_unique<QGuiApplication>(argc, argv);
}

}  // namespace

int runExportCommand(int argc, char** argv) {
    Args args;
    if (const std::string error = parseArgs(argc, argv, args); !error.empty()) {
        return usageError(error);
    }
    if (args.flag("--help")) {
        std::fputs(kUsage, stdout);
        return kExitOk;
    }
    if (!args.has("--model")) {  // the bundled default model
        const auto bundled = core::defaultModelPath(argv[0]);
        if (!bundled) {
            std::fprintf(stderr, "vitscope-cli export: %s\n", bundled.error().message.c_str());
            return kExitModel;
        }
        args.values["--model"] = *bundled;
    }
    for (const char* required : {"--model", "--figure", "--out"}) {
        if (!args.has(required)) {
            return usageError(std::string(required) + " is required");
        }
    }
    const QString figure = QString::fromStdString(args.get("--figure"));
    const QString out = QString::fromStdString(args.get("--out"));
    const QString suffix = QFileInfo(out).suffix().toLower();
    const bool numbers = suffix == "npy" || suffix == "csv";
    if (!numbers && ui::figureFormat(out).isEmpty()) {
        return usageError(args.get("--out") + ": expected .png, .svg, .pdf, .npy or .csv");
    }
    if (!ui::figureNames().contains(figure)) {
        return usageError("unknown figure '" + figure.toStdString() + "': expected one of " +
                          ui::figureNames().join(", ").toStdString());
    }
    double scale = 2.0;
    if (args.has("--scale")) {
        try {
            scale = std::stod(args.get("--scale"));
        } catch (...) {
            return usageError("--scale '" + args.get("--scale") + "': expected a number");
        }
    }
    int threads = 0;
    if (args.has("--threads") && (!parseInt(args.get("--threads"), threads) || threads < 1)) {
        return usageError("--threads '" + args.get("--threads") + "': expected a positive integer");
    }
    int sizeH = 0;
    int sizeW = 0;
    if (args.has("--size") && !parsePair(args.get("--size"), 'x', sizeH, sizeW)) {
        return usageError("--size '" + args.get("--size") + "': expected HxW in pixels");
    }
    ui::FigureOptions options;
    if (const std::string error = otherOptions(args, options); !error.empty()) {
        return usageError(error);
    }
    const bool needsImage = figure != "posembed-similarity" && figure != "embedding-filters" &&
                            !(figure == "attention-distance" && args.has("--images"));
    if (needsImage && !args.has("--image")) {
        return usageError("--figure " + figure.toStdString() + " needs --image");
    }

    auto app = ensureApplication();
    if (threads > 0) {
        core::setNumThreads(threads);
    }
    const std::string modelPath = args.get("--model");
    auto model = core::loadModel(modelPath);
    if (!model) {
        // Core messages name the file already.
        std::fprintf(stderr, "vitscope-cli export: %s\n", model.error().message.c_str());
        return kExitModel;
    }
    ui::FigureContext context;
    context.model = model.value();
    core::PreprocessRecipe recipe = context.model->recipe();
    if (sizeH > 0) {
        recipe = recipe.withOutputSize(sizeH, sizeW);
    }
    if (args.has("--image")) {
        const std::string imagePath = args.get("--image");
        auto image = core::loadImage(imagePath);
        if (!image) {
            std::fprintf(stderr, "vitscope-cli export: %s\n", image.error().message.c_str());
            return kExitImage;
        }
        auto pre = core::preprocess(image.value(), recipe);
        if (!pre) {
            return fail(pre.error(), imagePath + ": ");
        }
        core::ForwardOptions forward;
        forward.posInterp = options.interp;
        auto result = core::runForward(*context.model, pre->input, forward);
        if (!result) {
            return fail(result.error(), imagePath + ": ");
        }
        context.source = std::make_shared<core::Image8>(std::move(image.value()));
        context.input = std::make_shared<core::Preprocessed>(std::move(pre.value()));
        context.result = std::make_shared<core::InferenceResult>(std::move(result.value()));
    }
    if (const std::string error = attentionOptions(args, context.result.get(), options);
        !error.empty()) {
        return usageError(error);
    }
    if (figure == "attention-distance" && args.has("--images")) {
        int maxImages = 128;
        if (args.has("--max-images") &&
            (!parseInt(args.get("--max-images"), maxImages) || maxImages < 1)) {
            return usageError("--max-images: expected a positive integer");
        }
        if (auto st = folderDistances(*context.model, recipe,
                                      QString::fromStdString(args.get("--images")), maxImages,
                                      options);
            !st) {
            return fail(st.error());
        }
    }
    if (numbers) {
        if (auto st = ui::exportNumbers(figure, context, options, out); !st) {
            return fail(st.error());
        }
        return kExitOk;
    }
    auto made = ui::makeFigure(figure, context, options);
    if (!made) {
        return fail(made.error());
    }
    if (auto st = ui::exportFigure(*made.value(), out, scale); !st) {
        return fail(st.error());
    }
    return kExitOk;
}

}  // namespace vitscope::app

#endif  // VITSCOPE_NO_FIGURE_EXPORT
