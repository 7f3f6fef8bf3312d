#include "app/cli_commands.h"

#include <omp.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "app/cli_args.h"
#include "core/image/image_io.h"
#include "core/io/data_export.h"
#include "core/io/file_util.h"
#include "core/io/idx.h"
#include "core/io/npy.h"
#include "core/model/vit_model.h"

namespace vitscope::app {
namespace {

using nlohmann::json;
constexpr int kUsage = 1, kBadImage = 2, kBadModel = 3;

int fail(int code, const std::string& message) {
    std::cerr << "vitscope-cli: " << message << "\n";
    return code;
}

int exitCodeFor(const core::Error& e) {
    switch (e.code) {
        case core::ErrorCode::BadModel: return kBadModel;
        case core::ErrorCode::BadImage:
        case core::ErrorCode::BadData: return kBadImage;
        case core::ErrorCode::Io: return kBadImage;
        default: return kUsage;
    }
}

/// Options every model-using command shares.
struct ModelOptions {
    std::set<std::string> valued{"model", "threads", "heads", "pos-interp", "size"};
};

std::set<std::string> with(std::set<std::string> base, std::initializer_list<const char*> more) {
    for (const char* m : more) base.insert(m);
    return base;
}

/// Parses --threads, --heads, --model; loads the model. Returns the exit code on failure.
struct Session {
    core::ModelPtr model;
    core::ForwardOptions forward;
    int sizeH = 0, sizeW = 0;
};

std::optional<int> openSession(const CliArgs& args, const char* argv0, Session& s) {
    std::string err;
    const int threads = args.getInt("threads", 0, 1, 256, err);
    const int heads = args.getInt("heads", 0, 1, 4096, err);
    if (!err.empty()) return fail(kUsage, err);
    if (threads > 0) core::setNumThreads(threads);
    if (args.has("pos-interp")) {
        const std::string p = args.get("pos-interp");
        if (p == "bicubic") s.forward.posInterp = core::PosInterp::Bicubic;
        else if (p == "bicubic-aa") s.forward.posInterp = core::PosInterp::BicubicAntialias;
        else if (p == "bilinear") s.forward.posInterp = core::PosInterp::Bilinear;
        else return fail(kUsage, "--pos-interp must be bicubic, bicubic-aa or bilinear, got '" + p + "'");
    }
    if (args.has("size") && !parseSize(args.get("size"), s.sizeH, s.sizeW)) {
        return fail(kUsage, "--size must be HxW, e.g. 224x224, got '" + args.get("size") + "'");
    }
    core::LoadOptions lo;
    lo.numHeads = heads;
    const std::string path = args.has("model") ? args.get("model") : defaultModelPath(argv0);
    auto m = core::loadModel(path, lo);
    if (!m) return fail(m.error().code == core::ErrorCode::Io ? kBadModel : exitCodeFor(m.error()), m.error().message);
    s.model = *m;
    return std::nullopt;
}

/// Loads and preprocesses --image with the model's recipe (and --size).
std::optional<int> prepareImage(const std::string& path, const Session& s, core::Preprocessed& out) {
    auto img = core::loadImage(path);
    if (!img) return fail(kBadImage, img.error().message);
    core::PreprocessRecipe recipe = s.model->recipe();
    if (s.sizeH > 0) recipe = recipe.withOutputSize(s.sizeH, s.sizeW);
    auto pre = core::preprocess(*img, recipe);
    if (!pre) return fail(kBadImage, pre.error().message);
    out = std::move(*pre);
    return std::nullopt;
}

std::optional<int> forward(const Session& s, const core::ImageTensor& input, core::InferenceResult& out) {
    auto r = core::runForward(*s.model, input, s.forward);
    if (!r) return fail(kUsage, r.error().message);
    out = std::move(*r);
    return std::nullopt;
}

}  // namespace

int runInfo(int argc, char** argv) {
    CliArgs args(ModelOptions{}.valued, {"json"});
    if (auto e = args.parse(argc, argv, 2)) return fail(kUsage, *e);
    Session s;
    if (auto code = openSession(args, argv[0], s)) return *code;
    const core::VitConfig& c = s.model->config();
    const core::ModelInfo& i = s.model->info();
    const std::string tokens = std::to_string(c.numPatches()) + " patches + " +
                               std::to_string(c.numPrefixTokens()) + " prefix (" + (c.classToken ? "class" : "") +
                               (c.distToken ? ", distillation" : "") +
                               (c.numRegisters ? ", " + std::to_string(c.numRegisters) + " registers" : "") +
                               ") = " + std::to_string(c.numTokens()) + " x " + std::to_string(c.embedDim);
    if (args.has("json")) {
        json j = {{"path", i.path},
                  {"format", i.format},
                  {"architecture", i.architecture},
                  {"naming", i.naming},
                  {"weights_dtype", i.weightsDType},
                  {"parameters", i.numParameters},
                  {"image_size", {c.imageH, c.imageW}},
                  {"channels", c.channels},
                  {"patch_size", c.patchSize},
                  {"grid", {c.gridH(), c.gridW()}},
                  {"embed_dim", c.embedDim},
                  {"depth", c.depth},
                  {"heads", c.numHeads},
                  {"heads_assumed", c.headsGuessed},
                  {"mlp_dim", c.mlpDim},
                  {"tokens", c.numTokens()},
                  {"prefix_tokens", c.numPrefixTokens()},
                  {"registers", c.numRegisters},
                  {"pooling", core::toString(c.pooling)},
                  {"position_layout", core::toString(c.posLayout)},
                  {"activation", core::toString(c.activation)},
                  {"layer_norm_eps", c.layerNormEps},
                  {"classes", c.numClasses},
                  {"labels", i.labelsSource},
                  {"preprocessing", s.model->recipe().describe()},
                  {"notes", i.notes}};
        std::cout << j.dump(2) << "\n";
        return 0;
    }
    std::printf("model:          %s\n", i.path.c_str());
    std::printf("format:         %s (naming %s, weights %s)\n", i.format.c_str(), i.naming.c_str(), i.weightsDType.c_str());
    std::printf("architecture:   %s\n", i.architecture.c_str());
    std::printf("input:          %dx%d, %d channel(s), patch %d -> grid %dx%d\n", c.imageH, c.imageW, c.channels,
                c.patchSize, c.gridH(), c.gridW());
    std::printf("tokens:         %s\n", tokens.c_str());
    std::printf("encoder:        %d blocks, %d heads%s of width %d, MLP %d, %s, LayerNorm eps %g%s%s\n", c.depth,
                c.numHeads, c.headsGuessed ? " (assumed)" : "", c.headDim(), c.mlpDim, core::toString(c.activation),
                c.layerNormEps, c.layerScale ? ", LayerScale" : "", c.normPre ? ", pre-norm on embeddings" : "");
    std::printf("positions:      %s\n", core::toString(c.posLayout));
    std::printf("head:           %s\n", c.hasHead() ? (std::to_string(c.numClasses) + " classes on the " +
                                                       core::toString(c.pooling) + (c.distHead ? " + distillation head (mean)" : ""))
                                                          .c_str()
                                                    : "none (features: the pooled vector after the final norm)");
    std::printf("parameters:     %lld\n", static_cast<long long>(i.numParameters));
    std::printf("labels:         %s\n", i.labelsSource.c_str());
    std::printf("preprocessing:  %s\n", s.model->recipe().describe().c_str());
    std::printf("memory:         %.1f MB used in place from the file, %.1f MB converted\n", i.mappedBytes / 1e6,
                i.ownedBytes / 1e6);
    for (const auto& n : i.notes) std::printf("note:           %s\n", n.c_str());
    return 0;
}

int runPredict(int argc, char** argv) {
    CliArgs args(with(ModelOptions{}.valued, {"image", "top"}), {"json"});
    if (auto e = args.parse(argc, argv, 2)) return fail(kUsage, *e);
    if (!args.has("image")) return fail(kUsage, "predict needs --image FILE");
    std::string err;
    const int top = args.getInt("top", 5, 1, 100000, err);
    if (!err.empty()) return fail(kUsage, err);
    Session s;
    if (auto code = openSession(args, argv[0], s)) return *code;
    core::Preprocessed pre;
    if (auto code = prepareImage(args.get("image"), s, pre)) return *code;
    core::InferenceResult r;
    if (auto code = forward(s, pre.input, r)) return *code;
    if (!s.model->config().hasHead()) {
        return fail(kUsage, s.model->info().path + ": the model has no classification head (use dump for features)");
    }
    const auto preds = core::topK(*s.model, r, top);
    if (args.has("json")) {
        json j = json::array();
        for (const auto& p : preds) j.push_back({{"class", p.classIndex}, {"label", p.label}, {"probability", p.probability}, {"logit", p.logit}});
        std::cout << json{{"image", args.get("image")}, {"input_size", {r.inputH, r.inputW}}, {"top", j}}.dump(2) << "\n";
    } else {
        for (const auto& p : preds) std::printf("%7.3f%%  %4d  %s\n", 100.0 * p.probability, p.classIndex, p.label.c_str());
    }
    return 0;
}

int runDump(int argc, char** argv) {
    CliArgs args(with(ModelOptions{}.valued, {"image", "input-npy", "out"}), {});
    if (auto e = args.parse(argc, argv, 2)) return fail(kUsage, *e);
    if (args.has("image") == args.has("input-npy")) return fail(kUsage, "dump needs exactly one of --image or --input-npy");
    if (!args.has("out")) return fail(kUsage, "dump needs --out DIR");
    Session s;
    if (auto code = openSession(args, argv[0], s)) return *code;
    core::ImageTensor input;
    if (args.has("image")) {
        core::Preprocessed pre;
        if (auto code = prepareImage(args.get("image"), s, pre)) return *code;
        input = std::move(pre.input);
    } else {
        const std::string path = args.get("input-npy");
        auto bytes = core::readFile(path, size_t(1) << 31);
        if (!bytes) return fail(kBadImage, bytes.error().message);
        auto arr = core::parseNpy(*bytes, core::fileLabel(path));
        if (!arr) return fail(kBadImage, arr.error().message);
        std::vector<int64_t> shape = arr->shape;
        if (shape.size() == 4 && shape[0] == 1) shape.erase(shape.begin());
        if (shape.size() != 3) return fail(kBadImage, path + ": expected a float array [channels, height, width]");
        input = {static_cast<int>(shape[0]), static_cast<int>(shape[1]), static_cast<int>(shape[2]), core::toFloat32(*arr)};
    }
    core::InferenceResult r;
    if (auto code = forward(s, input, r)) return *code;

    namespace fs = std::filesystem;
    const fs::path out(args.get("out"));
    std::error_code ec;
    fs::create_directories(out, ec);
    if (ec) return fail(kUsage, out.string() + ": cannot create folder (" + ec.message() + ")");
    const auto& a = r.attention;
    std::vector<core::Status> writes;
    if (s.model->config().hasHead()) {
        writes.push_back(core::writeNpy((out / "logits.npy").string(), {r.logits.size()}, r.logits.data()));
    }
    writes.push_back(core::writeNpy((out / "features.npy").string(), {r.features.size()}, r.features.data()));
    writes.push_back(core::writeNpy((out / "attention.npy").string(), {a.layers(), a.heads(), a.tokens(), a.tokens()},
                                    a.raw().data()));
    writes.push_back(core::writeNpy((out / "input.npy").string(), {input.channels, input.height, input.width}, input.data.data()));
    const core::VitConfig& c = s.model->config();
    const core::TokenLayout& t = r.tokens;
    json meta = {{"model", s.model->info().path},
                 {"input_size", {r.inputH, r.inputW}},
                 {"grid", {t.gridH, t.gridW}},
                 {"tokens", t.numTokens()},
                 {"prefix_tokens", t.numPrefix},
                 {"cls_index", t.clsIndex},
                 {"dist_index", t.distIndex},
                 {"first_register", t.firstRegister},
                 {"registers", t.numRegisters},
                 {"layers", a.layers()},
                 {"heads", a.heads()},
                 {"has_head", c.hasHead()},
                 {"pos_interp", core::toString(s.forward.posInterp.value_or(c.defaultPosInterp))},
                 {"preprocessing", args.has("image") ? s.model->recipe().describe() : "none (--input-npy)"}};
    if (c.hasHead()) {
        json top = json::array();
        for (const auto& p : core::topK(*s.model, r, 5)) top.push_back({{"class", p.classIndex}, {"label", p.label}, {"probability", p.probability}});
        meta["top5"] = top;
    }
    writes.push_back(core::writeJson((out / "meta.json").string(), meta.dump(2) + "\n"));
    for (const auto& w : writes) {
        if (!w) return fail(kUsage, w.error().message);
    }
    return 0;
}

int runEval(int argc, char** argv) {
    CliArgs args(with(ModelOptions{}.valued, {"idx-images", "idx-labels", "limit"}), {"json"});
    if (auto e = args.parse(argc, argv, 2)) return fail(kUsage, *e);
    if (!args.has("idx-images") || !args.has("idx-labels")) return fail(kUsage, "eval needs --idx-images F --idx-labels F");
    std::string err;
    const int limit = args.getInt("limit", 0, 1, 1 << 30, err);
    if (!err.empty()) return fail(kUsage, err);
    Session s;
    if (auto code = openSession(args, argv[0], s)) return *code;
    auto images = core::loadIdxImages(args.get("idx-images"));
    if (!images) return fail(kBadImage, images.error().message);
    auto labels = core::loadIdxLabels(args.get("idx-labels"));
    if (!labels) return fail(kBadImage, labels.error().message);
    if (static_cast<size_t>(images->count) != labels->labels.size()) {
        return fail(kBadImage, "the IDX files hold " + std::to_string(images->count) + " images but " +
                                   std::to_string(labels->labels.size()) + " labels");
    }
    const core::VitConfig& c = s.model->config();
    if (!c.hasHead()) return fail(kUsage, s.model->info().path + ": the model has no classification head");
    const int n = limit > 0 ? std::min(limit, images->count) : images->count;
    const int classes = c.numClasses;
    const size_t pixels = static_cast<size_t>(images->rows) * images->cols;
    std::vector<int> predicted(n, -1);
    std::string firstError;

    const auto start = std::chrono::steady_clock::now();
    // Images are independent: one per thread, each with its own workspace (Eigen stays
    // single-threaded inside the parallel region).
#pragma omp parallel
    {
        auto ws = core::makeWorkspace();
#pragma omp for schedule(dynamic, 16)
        for (int i = 0; i < n; ++i) {
            core::Image8 img{images->cols, images->rows, 1,
                             std::vector<uint8_t>(images->pixels.begin() + i * pixels, images->pixels.begin() + (i + 1) * pixels)};
            auto pre = core::preprocess(img, s.model->recipe());
            auto r = pre ? core::runForward(*s.model, pre->input, s.forward, ws.get()) : core::Result<core::InferenceResult>(pre.error());
            if (!r) {
#pragma omp critical
                if (firstError.empty()) firstError = r.error().message;
                continue;
            }
            Eigen::Index best = 0;
            r->logits.maxCoeff(&best);
            predicted[i] = static_cast<int>(best);
        }
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!firstError.empty()) return fail(kBadImage, firstError);

    std::vector<std::vector<int>> confusion(classes, std::vector<int>(classes, 0));
    int correct = 0;
    for (int i = 0; i < n; ++i) {
        const int truth = labels->labels[i];
        if (truth >= classes) return fail(kBadImage, "label " + std::to_string(truth) + " of image " + std::to_string(i) + " is not a class of the model");
        correct += predicted[i] == truth;
        confusion[truth][predicted[i]]++;
    }
    const double accuracy = 100.0 * correct / std::max(n, 1);
    if (args.has("json")) {
        std::cout << json{{"images", n}, {"correct", correct}, {"top1_percent", accuracy}, {"images_per_second", n / seconds},
                          {"threads", omp_get_max_threads()}, {"confusion", confusion}}.dump(2)
                  << "\n";
        return 0;
    }
    std::printf("images:     %d\ntop-1:      %.2f%% (%d correct)\nspeed:      %.0f images/s (%.2f s, %d threads)\n", n,
                accuracy, correct, n / seconds, seconds, omp_get_max_threads());
    std::printf("confusion (rows: true class, columns: predicted):\n");
    for (int t = 0; t < classes; ++t) {
        std::printf("%16.16s", s.model->label(t).c_str());
        for (int p = 0; p < classes; ++p) std::printf(" %5d", confusion[t][p]);
        std::printf("\n");
    }
    return 0;
}

}  // namespace vitscope::app
