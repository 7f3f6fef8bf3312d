#include "core/analysis/experiments.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "core/analysis/patch_grid.h"

namespace vitscope::core {

const char* toString(ExperimentKind kind) {
    switch (kind) {
        case ExperimentKind::ShufflePatches:
            return "shuffle";
        case ExperimentKind::ShufflePatchesNoPositions:
            return "shuffle-no-pos";
        case ExperimentKind::DropPositions:
            return "drop-pos";
        case ExperimentKind::PermutePositions:
            return "permute-pos";
        case ExperimentKind::Shift:
            return "shift";
        case ExperimentKind::Resolution:
            return "resolution";
    }
    return "?";
}

std::vector<ExperimentKind> allExperimentKinds() {
    return {ExperimentKind::ShufflePatches, ExperimentKind::ShufflePatchesNoPositions,
            ExperimentKind::DropPositions,  ExperimentKind::PermutePositions,
            ExperimentKind::Shift,          ExperimentKind::Resolution};
}

std::pair<int, int> effectiveShift(const VitConfig& config, const ExperimentOptions& options) {
    if (options.shiftDy == 0 && options.shiftDx == 0) {
        return {config.patchSize / 2, config.patchSize / 2};
    }
    return {options.shiftDy, options.shiftDx};
}

std::pair<int, int> effectiveResolution(const VitConfig& config, const ExperimentOptions& options) {
    if (options.resolutionH > 0 && options.resolutionW > 0) {
        return {options.resolutionH, options.resolutionW};
    }
    // 1.5x the trained grid (at least one patch more), in whole patches.
    const int gh = std::max(config.gridH() + 1, (config.gridH() * 3 + 1) / 2);
    const int gw = std::max(config.gridW() + 1, (config.gridW() * 3 + 1) / 2);
    return {gh * config.patchSize, gw * config.patchSize};
}

namespace {

bool hasPositions(const VitModel& model) {
    return model.config().posLayout != PosLayout::None && model.weights().posEmbed != nullptr;
}

/// Counts forward passes for progress and checks the cancel flag.
class RunCounter {
public:
    RunCounter(const ExperimentOptions& options, int total) : mOptions(options), mTotal(total) {}
    bool cancelled() const { return mOptions.cancel != nullptr && mOptions.cancel->load(); }
    void done() {
        ++mDone;
        if (mOptions.progress) {
            mOptions.progress(mDone, mTotal);
        }
    }

private:
    const ExperimentOptions& mOptions;
    int mTotal = 0;
    int mDone = 0;
};

Result<ExperimentRun> runOnce(const VitModel& model, const ImageTensor& input,
                              const PreprocessRecipe& recipe, ForwardOptions forward,
                              std::string label, const ExperimentOptions& options,
                              RunCounter& counter) {
    if (counter.cancelled()) {
        return makeError(ErrorCode::Cancelled, "experiment cancelled");
    }
    forward.cancel = options.cancel;
    auto result = runForward(model, input, forward);
    if (!result) {
        return result.error();
    }
    counter.done();
    const InferenceResult& r = result.value();
    ExperimentRun run;
    run.label = std::move(label);
    run.shown = tensorToImage(input, recipe);
    run.inputH = r.inputH;
    run.inputW = r.inputW;
    run.logits = r.logits;
    run.probabilities = r.probabilities;
    if (r.tokens.clsIndex >= 0 && r.hidden.rows() > r.tokens.clsIndex) {
        run.output = r.hidden.row(r.tokens.clsIndex).transpose();
    } else {
        run.output = r.features;
    }
    if (r.logits.size() > 0) {
        run.top = topK(model, r, std::max(1, options.topK));
    }
    return run;
}

float maxAbsDiff(const Vector& a, const Vector& b) {
    if (a.size() == 0 || a.size() != b.size()) {
        return 0.0f;
    }
    return (a - b).cwiseAbs().maxCoeff();
}

int argMax(const Vector& v) {
    Eigen::Index i = 0;
    if (v.size() > 0) {
        v.maxCoeff(&i);
    }
    return static_cast<int>(i);
}

ExperimentOutcome compare(ExperimentKind kind, std::string title, std::string description,
                          ExperimentRun reference, ExperimentRun variant) {
    ExperimentOutcome out;
    out.kind = kind;
    out.title = std::move(title);
    out.description = std::move(description);
    out.maxAbsOutputDiff = maxAbsDiff(reference.output, variant.output);
    out.maxAbsLogitDiff = maxAbsDiff(reference.logits, variant.logits);
    out.maxAbsProbDiff = maxAbsDiff(reference.probabilities, variant.probabilities);
    if (reference.probabilities.size() > 0 &&
        reference.probabilities.size() == variant.probabilities.size()) {
        const int top1 = argMax(reference.probabilities);
        out.sameTop1 = top1 == argMax(variant.probabilities);
        out.referenceTop1ProbInVariant = variant.probabilities[top1];
    } else {
        out.sameTop1 = true;
    }
    out.reference = std::move(reference);
    out.variant = std::move(variant);
    return out;
}

/// The model input resampled to (h, w) when no source image is available: the recipe's resample
/// filter straight to (h, w), no crop, then the recipe's rescale/normalise.
Result<Preprocessed> preprocessAt(const VitModel& model, const ExperimentInput& input, int h,
                                  int w) {
    if (!input.source.empty()) {
        return preprocess(input.source, input.recipe.withOutputSize(h, w));
    }
    PreprocessRecipe recipe = input.recipe;
    recipe.resizeRule = ResizeRule::Exact;
    recipe.resizeH = h;
    recipe.resizeW = w;
    recipe.centerCrop = false;
    recipe.cropH = h;
    recipe.cropW = w;
    return preprocess(tensorToImage(input.input, input.recipe), recipe);
}

/// Shared reference runs, computed on first use.
struct References {
    std::optional<ExperimentRun> withPositions;
    std::optional<ExperimentRun> withoutPositions;
};

class ExperimentRunner {
public:
    ExperimentRunner(const VitModel& model, const ExperimentInput& input,
                     const ExperimentOptions& options, int totalRuns)
        : mModel(model), mInput(input), mOptions(options), mCounter(options, totalRuns) {}

    Result<ExperimentOutcome> run(ExperimentKind kind);

private:
    Result<ExperimentRun> reference(bool positions);
    Result<ExperimentRun> variant(const ImageTensor& input, ForwardOptions forward,
                                  std::string label) {
        return runOnce(mModel, input, mInput.recipe, std::move(forward), std::move(label), mOptions,
                       mCounter);
    }
    Result<ExperimentOutcome> shuffle(bool positions);
    Result<ExperimentOutcome> positionAblation(bool permute);
    Result<ExperimentOutcome> shift();
    Result<ExperimentOutcome> resolution();

    const VitModel& mModel;
    const ExperimentInput& mInput;
    const ExperimentOptions& mOptions;
    RunCounter mCounter;
    References mRefs;
};

Result<ExperimentRun> ExperimentRunner::reference(bool positions) {
    std::optional<ExperimentRun>& slot = positions ? mRefs.withPositions : mRefs.withoutPositions;
    if (!slot) {
        ForwardOptions forward;
        forward.dropPositionEmbeddings = !positions;
        auto run = variant(mInput.input, forward,
                           positions ? "original" : "original, no position embeddings");
        if (!run) {
            return run.error();
        }
        slot = std::move(run.value());
    }
    return *slot;
}

Result<ExperimentOutcome> ExperimentRunner::shuffle(bool positions) {
    auto ref = reference(positions);
    if (!ref) {
        return ref.error();
    }
    const VitConfig& config = mModel.config();
    auto grid = config.gridFor(mInput.input.height, mInput.input.width);
    if (!grid) {
        return grid.error();
    }
    const std::vector<int> perm = shufflePermutation(grid->h * grid->w, mOptions.seed);
    auto shuffled = shufflePatches(mInput.input, config.patchSize, perm);
    if (!shuffled) {
        return shuffled.error();
    }
    ForwardOptions forward;
    forward.dropPositionEmbeddings = !positions;
    const std::string seed = "seed " + std::to_string(mOptions.seed);
    auto var = variant(
        shuffled.value(), forward,
        positions ? "shuffled (" + seed + ")" : "shuffled (" + seed + "), no position embeddings");
    if (!var) {
        return var.error();
    }
    if (positions) {
        return compare(ExperimentKind::ShufflePatches, "Shuffled patches, position embeddings kept",
                       "The patches are permuted (" + seed +
                           ") while each position keeps its embedding: the spatial layout the "
                           "model learned no longer matches the content, so the prediction "
                           "degrades.",
                       std::move(ref.value()), std::move(var.value()));
    }
    return compare(ExperimentKind::ShufflePatchesNoPositions,
                   "Shuffled patches, no position embeddings",
                   "Without position embeddings self-attention is permutation-equivariant and the "
                   "class token permutation-invariant: shuffled and unshuffled inputs give the "
                   "same output up to float rounding (expected max difference ~1e-6).",
                   std::move(ref.value()), std::move(var.value()));
}

Result<ExperimentOutcome> ExperimentRunner::positionAblation(bool permute) {
    if (!hasPositions(mModel)) {
        return makeError(ErrorCode::BadModel,
                         "the model has no learned absolute position embeddings to remove or "
                         "permute");
    }
    auto ref = reference(true);
    if (!ref) {
        return ref.error();
    }
    ForwardOptions forward;
    std::string label;
    if (permute) {
        auto grid = mModel.config().gridFor(mInput.input.height, mInput.input.width);
        if (!grid) {
            return grid.error();
        }
        forward.positionPermutation = shufflePermutation(grid->h * grid->w, mOptions.seed);
        label = "position embeddings permuted (seed " + std::to_string(mOptions.seed) + ")";
    } else {
        forward.dropPositionEmbeddings = true;
        label = "no position embeddings";
    }
    auto var = variant(mInput.input, forward, label);
    if (!var) {
        return var.error();
    }
    if (permute) {
        return compare(ExperimentKind::PermutePositions, "Position embeddings permuted",
                       "Each patch receives another patch's learned position embedding: the "
                       "image is intact but the model is told a wrong layout.",
                       std::move(ref.value()), std::move(var.value()));
    }
    return compare(ExperimentKind::DropPositions, "Position embeddings removed",
                   "The model runs without its learned position embeddings. In the paper's "
                   "Table 8 ablation a ViT-B/16 trained without them loses only a few points; "
                   "this run removes them from a model that was trained with them.",
                   std::move(ref.value()), std::move(var.value()));
}

Result<ExperimentOutcome> ExperimentRunner::shift() {
    const VitConfig& config = mModel.config();
    const auto [dy, dx] = effectiveShift(config, mOptions);
    if (std::abs(dy) >= config.patchSize || std::abs(dx) >= config.patchSize) {
        return makeError(ErrorCode::BadImage,
                         "shift (" + std::to_string(dy) + ", " + std::to_string(dx) +
                             ") px: expected less than the patch size " +
                             std::to_string(config.patchSize) + " in both directions");
    }
    auto ref = reference(true);
    if (!ref) {
        return ref.error();
    }
    const ImageTensor shifted = shiftImage(
        mInput.input, dy, dx, mOptions.shiftEdgeFill ? ShiftFill::Edge : ShiftFill::Zero);
    const std::string amount = "(" + std::to_string(dy) + ", " + std::to_string(dx) + ") px";
    auto var = variant(shifted, ForwardOptions{}, "shifted by " + amount);
    if (!var) {
        return var.error();
    }
    return compare(ExperimentKind::Shift, "Shifted by less than a patch",
                   "The image moves by " + amount + " (patch size " +
                       std::to_string(config.patchSize) + "), uncovered pixels " +
                       (mOptions.shiftEdgeFill ? "repeat the edge" : "are 0 (the dataset mean)") +
                       "; every patch now straddles two of the original patches. A CNN is "
                       "translation-equivariant by construction; a ViT only as far as it learned.",
                   std::move(ref.value()), std::move(var.value()));
}

Result<ExperimentOutcome> ExperimentRunner::resolution() {
    const VitConfig& config = mModel.config();
    const auto [h, w] = effectiveResolution(config, mOptions);
    if (h <= 0 || w <= 0 || h % config.patchSize != 0 || w % config.patchSize != 0) {
        return makeError(ErrorCode::BadImage,
                         "resolution " + std::to_string(h) + "x" + std::to_string(w) +
                             ": expected positive multiples of the patch size " +
                             std::to_string(config.patchSize));
    }
    auto ref = reference(true);
    if (!ref) {
        return ref.error();
    }
    auto pre = preprocessAt(mModel, mInput, h, w);
    if (!pre) {
        return pre.error();
    }
    ForwardOptions forward;
    forward.posInterp = mOptions.interp;
    const std::string size = std::to_string(h) + "x" + std::to_string(w);
    auto var = runOnce(mModel, pre->input, mInput.recipe, forward,
                       size + ", " + toString(mOptions.interp) + " position embeddings", mOptions,
                       mCounter);
    if (!var) {
        return var.error();
    }
    var->shown = pre->shown;
    // The sizes the two forward passes actually ran at, not the requested or trained ones.
    auto ranAt = [](const ExperimentRun& r) {
        return std::to_string(r.inputH) + "x" + std::to_string(r.inputW);
    };
    return compare(ExperimentKind::Resolution, "Another resolution",
                   "The model runs at " + ranAt(var.value()) + " instead of " + ranAt(ref.value()) +
                       "; its patch position embeddings are resampled to the new grid (" +
                       toString(mOptions.interp) +
                       "), the only place besides patch extraction where the ViT uses the 2-D "
                       "structure of the image.",
                   std::move(ref.value()), std::move(var.value()));
}

Result<ExperimentOutcome> ExperimentRunner::run(ExperimentKind kind) {
    switch (kind) {
        case ExperimentKind::ShufflePatches:
            return shuffle(true);
        case ExperimentKind::ShufflePatchesNoPositions:
            return shuffle(false);
        case ExperimentKind::DropPositions:
            return positionAblation(false);
        case ExperimentKind::PermutePositions:
            return positionAblation(true);
        case ExperimentKind::Shift:
            return shift();
        case ExperimentKind::Resolution:
            return resolution();
    }
    return makeError(ErrorCode::Usage, "unknown experiment");
}

/// Forward passes needed for `kinds` (for the progress total).
int countRuns(const std::vector<ExperimentKind>& kinds) {
    bool refPos = false;
    bool refNoPos = false;
    int runs = 0;
    for (ExperimentKind kind : kinds) {
        ++runs;
        if (kind == ExperimentKind::ShufflePatchesNoPositions) {
            refNoPos = true;
        } else {
            refPos = true;
        }
    }
    return runs + (refPos ? 1 : 0) + (refNoPos ? 1 : 0);
}

bool validInput(const ExperimentInput& input) {
    return !input.input.empty() && input.input.height > 0 && input.input.width > 0;
}

}  // namespace

Result<ExperimentOutcome> runExperiment(const VitModel& model, const ExperimentInput& input,
                                        ExperimentKind kind, const ExperimentOptions& options) {
    if (!validInput(input)) {
        return makeError(ErrorCode::BadImage, "experiment: empty model input");
    }
    ExperimentRunner runner(model, input, options, countRuns({kind}));
    return runner.run(kind);
}

Result<std::vector<ExperimentOutcome>> runExperiments(const VitModel& model,
                                                      const ExperimentInput& input,
                                                      const std::vector<ExperimentKind>& kinds,
                                                      const ExperimentOptions& options) {
    if (!validInput(input)) {
        return makeError(ErrorCode::BadImage, "experiment: empty model input");
    }
    std::vector<ExperimentKind> applicable;
    for (ExperimentKind kind : kinds) {
        const bool positional =
            kind == ExperimentKind::DropPositions || kind == ExperimentKind::PermutePositions;
        if (!positional || hasPositions(model)) {
            applicable.push_back(kind);
        }
    }
    ExperimentRunner runner(model, input, options, countRuns(applicable));
    std::vector<ExperimentOutcome> outcomes;
    for (ExperimentKind kind : applicable) {
        auto outcome = runner.run(kind);
        if (!outcome) {
            return outcome.error();
        }
        outcomes.push_back(std::move(outcome.value()));
    }
    return outcomes;
}

}  // namespace vitscope::core
