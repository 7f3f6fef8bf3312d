#include "app/cli_commands.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>

#include "app/cli_json.h"
#include "app/cli_session.h"
#include "core/io/data_export.h"
#include "core/io/file_util.h"
#include "core/io/idx.h"
#include "core/io/npy.h"
#include "core/pipeline/dataset.h"

namespace vitscope::app {
namespace {

using nlohmann::json;

/// File names are bytes, JSON text is UTF-8: bytes that are not are surrogate-escaped
/// (cli_json.h), so the exact name can be recovered.
std::string dumpJson(const json& j) { return toJsonText(j, 2); }

json inferredJson(const core::ModelInfo& info) {
    json j = json::array();
    for (const auto& g : info.inferred)
        j.push_back({{"setting", core::toString(g.kind)}, {"value", g.value}, {"why", g.why}});
    return j;
}

json predictionsJson(const std::vector<core::Prediction>& predictions) {
    json j = json::array();
    for (const auto& p : predictions) {
        j.push_back({{"class", p.classIndex},
                     {"label", p.label},
                     {"probability", p.probability},
                     {"logit", p.logit}});
    }
    return j;
}

}  // namespace

namespace {

json infoJson(const core::VitModel& model) {
    const core::VitConfig& c = model.config();
    const core::ModelInfo& i = model.info();
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
              {"preprocessing", model.recipe().describe()},
              {"inferred", inferredJson(i)},
              {"ignored_tensors", i.ignoredTensors},
              {"notes", i.notes}};
    return j;
}

void printInfo(const core::VitModel& model) {
    const core::VitConfig& c = model.config();
    const core::ModelInfo& i = model.info();
    const std::string tokens =
        std::to_string(c.numPatches()) + " patches + " + std::to_string(c.numPrefixTokens()) +
        " prefix (" + (c.classToken ? "class" : "") + (c.distToken ? ", distillation" : "") +
        (c.numRegisters ? ", " + std::to_string(c.numRegisters) + " registers" : "") +
        ") = " + std::to_string(c.numTokens()) + " x " + std::to_string(c.embedDim);
    std::printf("model:          %s\n", i.path.c_str());
    std::printf("format:         %s (naming %s, weights %s)\n", i.format.c_str(), i.naming.c_str(),
                i.weightsDType.c_str());
    std::printf("architecture:   %s\n", i.architecture.c_str());
    std::printf("input:          %dx%d, %d %s, patch %d -> grid %dx%d\n", c.imageH, c.imageW,
                c.channels, c.channels == 1 ? "channel" : "channels", c.patchSize, c.gridH(),
                c.gridW());
    std::printf("tokens:         %s\n", tokens.c_str());
    std::printf(
        "encoder:        %d blocks, %d heads%s of width %d, MLP %d, %s, LayerNorm eps %g%s%s\n",
        c.depth, c.numHeads, c.headsGuessed ? " (assumed)" : "", c.headDim(), c.mlpDim,
        core::toString(c.activation), c.layerNormEps, c.layerScale ? ", LayerScale" : "",
        c.normPre ? ", pre-norm on embeddings" : "");
    std::printf("positions:      %s\n", core::toString(c.posLayout));
    std::printf("head:           %s\n",
                c.hasHead() ? (std::to_string(c.numClasses) + " classes on the " +
                               core::toString(c.pooling) +
                               (c.distHead ? " + distillation head (mean)" : ""))
                                  .c_str()
                            : "none (features: the pooled vector after the final norm)");
    std::printf("parameters:     %lld\n", static_cast<long long>(i.numParameters));
    std::printf("labels:         %s\n", i.labelsSource.c_str());
    std::printf("preprocessing:  %s\n", model.recipe().describe().c_str());
    std::printf("memory:         %.1f MB used in place from the file, %.1f MB converted\n",
                i.mappedBytes / 1e6, i.ownedBytes / 1e6);
    for (const auto& n : i.notes) std::printf("note:           %s\n", n.c_str());
    if (!i.ignoredTensors.empty()) {
        std::string names;
        for (const auto& t : i.ignoredTensors) names += (names.empty() ? "" : ", ") + t;
        std::printf("ignored:        %s (known extras the model does not use)\n", names.c_str());
    }
    if (!i.inferred.empty()) {
        std::printf(
            "\nWARNING: the files do not state these settings; vitscope guessed them, and the\n"
            "predictions and attention maps are only right if the guesses are:\n");
        for (const auto& g : i.inferred) {
            std::printf("  %-14s %s (%s)\n", core::toString(g.kind), g.value.c_str(),
                        g.why.c_str());
        }
        std::printf("Set them with --heads N, --mean R,G,B, --std R,G,B and --recipe hf|timm.\n");
    }
}

}  // namespace

int runInfo(const CliArgs& args, const char* argv0) {
    Session s;
    if (auto code = openSession(args, "info", argv0, s))
        return *code;
    if (args.has("json")) {
        std::cout << dumpJson(infoJson(*s.model)) << "\n";
    } else {
        printInfo(*s.model);
    }
    return kExitOk;
}

int runPredict(const CliArgs& args, const char* argv0) {
    auto top = args.getInt("top", 5, 1, 100000);
    if (!top)
        return fail("predict", kExitUsage, top.error().message);
    Session s;
    if (auto code = openSession(args, "predict", argv0, s))
        return *code;
    if (!s.model->config().hasHead()) {
        return fail("predict", kExitUsage,
                    s.model->info().path +
                        ": the model has no classification head (use dump for features)");
    }
    s.run.topK = *top;
    core::RunPtr run;
    if (auto code = runInput(args, s, true, run))
        return *code;
    const core::InferenceResult& r = *run->result;
    if (args.has("json")) {
        std::cout << dumpJson(json{{"image", args.get("image", args.get("input-npy"))},
                                   {"input_size", {r.inputH, r.inputW}},
                                   {"preprocessing", run->describeRecipe()},
                                   {"top", predictionsJson(run->predictions)}})
                  << "\n";
    } else {
        for (const auto& p : run->predictions)
            std::printf("%7.3f%%  %4d  %s\n", 100.0 * p.probability, p.classIndex, p.label.c_str());
    }
    return kExitOk;
}

namespace {

json dumpMeta(const Session& s, const core::Run& run) {
    const core::InferenceResult& r = *run.result;
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
                 {"layers", r.attention.layers()},
                 {"heads", r.attention.heads()},
                 {"has_head", s.model->config().hasHead()},
                 {"pos_interp", core::toString(run.posInterp)},
                 {"preprocessing", run.describeRecipe()}};
    if (s.model->config().hasHead())
        meta["top5"] = predictionsJson(run.predictions);
    return meta;
}

}  // namespace

int runDump(const CliArgs& args, const char* argv0) {
    if (!args.has("out"))
        return fail("dump", kExitUsage, "needs --out DIR");
    Session s;
    if (auto code = openSession(args, "dump", argv0, s))
        return *code;
    core::RunPtr run;
    if (auto code = runInput(args, s, true, run))
        return *code;
    const core::InferenceResult& r = *run->result;
    const core::ImageTensor& input = run->input->input;
    if (!r.attention.isFull()) {
        return fail("dump", kExitUsage,
                    "attention.npy would hold " + core::formatBytes(r.memory.fullAttentionBytes) +
                        ", over the memory budget of " + core::formatBytes(r.memory.budget) +
                        "; dump at a smaller --size or raise --memory-budget");
    }

    const std::string out = args.get("out");
    namespace fs = std::filesystem;
    std::error_code ec;
    const bool created = fs::create_directories(fs::path(out), ec);
    if (ec)
        return fail("dump", kExitUsage, out + ": cannot create folder (" + ec.message() + ")");
    const auto& a = r.attention;
    // Every file is staged under a hidden temporary name in the folder and renamed into place
    // only when all were written: a failed dump leaves nothing behind.
    struct Staged {
        std::string temp, final;
    };
    std::vector<Staged> files;
    auto stage = [&](const char* name) {
        const std::string final = out + "/" + name;
        files.push_back({core::stagingPath(final), final});
        return files.back().temp;
    };
    std::vector<core::Status> writes;
    if (s.model->config().hasHead())
        writes.push_back(core::writeNpy(stage("logits.npy"), {r.logits.size()}, r.logits.data()));
    writes.push_back(core::writeNpy(stage("features.npy"), {r.features.size()}, r.features.data()));
    writes.push_back(core::writeNpy(
        stage("attention.npy"), {a.layers(), a.heads(), a.tokens(), a.tokens()}, a.raw().data()));
    writes.push_back(core::writeNpy(stage("input.npy"), {input.channels, input.height, input.width},
                                    input.data.data()));
    writes.push_back(core::writeJson(stage("meta.json"), dumpJson(dumpMeta(s, *run)) + "\n"));
    // `renamed` files already replaced their targets: they go too, with every staged one.
    auto cleanUp = [&](const core::Error& e, size_t renamed) {
        for (size_t i = 0; i < files.size(); ++i)
            fs::remove(fs::path(i < renamed ? files[i].final : files[i].temp), ec);
        if (created)
            fs::remove(fs::path(out), ec);  // only if empty
        return fail("dump", e, Stage::Output);
    };
    for (const auto& w : writes) {
        if (!w)
            return cleanUp(w.error(), 0);
    }
    for (size_t i = 0; i < files.size(); ++i) {
        if (auto st = core::renameIntoPlace(files[i].temp, files[i].final); !st)
            return cleanUp(st.error(), i);
    }
    return kExitOk;
}

namespace {

/// How eval ran the images: the ViT paper's position experiments over a data set.
struct EvalVariant {
    bool noPositions = false;
    bool shuffled = false;
    int seed = 0;
};

/// Accuracy, speed and confusion matrix of `e`, as text or JSON.
int printEvaluation(const core::Evaluation& e, const core::VitModel& model, const EvalVariant& v,
                    bool asJson) {
    const bool confusion = !e.confusion.empty();
    const std::string noConfusion =
        "no confusion matrix: the model has " + std::to_string(e.classes) +
        " classes, a confusion matrix is kept up to " + std::to_string(core::kMaxConfusionClasses);
    if (asJson) {
        json matrix = confusion ? json::array() : json(nullptr);
        for (int t = 0; confusion && t < e.classes; ++t) {
            matrix.push_back(std::vector<int>(e.confusion.begin() + t * e.classes,
                                              e.confusion.begin() + (t + 1) * e.classes));
        }
        json out = {{"images", e.images},
                    {"correct", e.correct},
                    {"top1_percent", e.top1Percent()},
                    {"images_per_second", e.images / e.seconds},
                    {"threads", e.threads},
                    {"classes", e.classes},
                    {"position_embeddings", !v.noPositions},
                    {"shuffled_patches", v.shuffled},
                    {"confusion", matrix}};
        if (v.shuffled)
            out["shuffle_seed"] = v.seed;
        if (!confusion)
            out["confusion_note"] = noConfusion;
        std::cout << dumpJson(out) << "\n";
        return kExitOk;
    }
    if (v.noPositions || v.shuffled)
        std::printf(
            "variant:    %s%s%s\n", v.noPositions ? "no position embeddings" : "",
            v.noPositions && v.shuffled ? ", " : "",
            v.shuffled
                ? ("patches shuffled (seed " + std::to_string(v.seed) + " + image index)").c_str()
                : "");
    std::printf(
        "images:     %d\ntop-1:      %.2f%% (%d correct)\nspeed:      %.0f images/s (%.2f s, %d "
        "threads)\n",
        e.images, e.top1Percent(), e.correct, e.images / e.seconds, e.seconds, e.threads);
    if (!confusion) {
        std::printf("%s\n", noConfusion.c_str());
        return kExitOk;
    }
    std::printf("confusion (rows: true class, columns: predicted):\n");
    for (int t = 0; t < e.classes; ++t) {
        std::printf("%16.16s", model.label(t).c_str());
        for (int p = 0; p < e.classes; ++p)
            std::printf(" %5d", e.confusion[static_cast<size_t>(t) * e.classes + p]);
        std::printf("\n");
    }
    return kExitOk;
}

}  // namespace

int runEval(const CliArgs& args, const char* argv0) {
    if (!args.has("idx-images") || !args.has("idx-labels"))
        return fail("eval", kExitUsage, "needs --idx-images F --idx-labels F");
    auto limit = args.getInt("limit", 0, 1, 1 << 30);
    if (!limit)
        return fail("eval", kExitUsage, limit.error().message);
    auto seed = args.getInt("seed", 0, 0, std::numeric_limits<int>::max());
    if (!seed)
        return fail("eval", kExitUsage, seed.error().message);
    if (args.has("seed") && !args.has("shuffle-patches"))
        return fail("eval", kExitUsage, "--seed needs --shuffle-patches");
    Session s;
    if (auto code = openSession(args, "eval", argv0, s))
        return *code;
    const std::string imagesPath = args.get("idx-images"), labelsPath = args.get("idx-labels");
    auto images = core::loadIdxImages(imagesPath);
    if (!images)
        return fail("eval", images.error(), Stage::Input);
    auto labels = core::loadIdxLabels(labelsPath);
    if (!labels)
        return fail("eval", labels.error(), Stage::Input);
    const EvalVariant variant{args.has("no-positions"), args.has("shuffle-patches"), *seed};
    const bool noPositions = variant.noPositions;
    if (noPositions && s.model->config().posLayout == core::PosLayout::None)
        return fail("eval", kExitModel,
                    s.model->info().path + ": the model has no position embeddings to remove");
    core::RunOptions run = s.run;
    run.dropPositionEmbeddings = noPositions;
    std::optional<uint64_t> shuffleSeed;
    if (variant.shuffled)
        shuffleSeed = static_cast<uint64_t>(*seed);
    auto e = core::evaluateIdx(s.model, *images, *labels, *limit, run, core::fileLabel(imagesPath),
                               core::fileLabel(labelsPath), shuffleSeed);
    if (!e)
        return fail("eval", e.error(), Stage::Input);
    return printEvaluation(*e, *s.model, variant, args.has("json"));
}

}  // namespace vitscope::app
