#pragma once
/// Experiments on the spatial inductive bias of a ViT (Dosovitskiy et al. 2021, §3.1, §4.5 and
/// Appendix D.4 / Table 8). Each experiment runs the model on the original input and on a variant
/// (shuffled patches, position embeddings removed or permuted, a sub-patch shift, another input
/// resolution) and returns both runs' predictions and the difference metrics. Pure functions over
/// the core: no Qt, no state; the window and the CLI show the same numbers.

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/image/image_io.h"
#include "core/model/vit_model.h"
#include "core/result.h"
#include "core/tensor.h"

namespace vitscope::core {

enum class ExperimentKind {
    ShufflePatches,             ///< seeded patch shuffle, position embeddings kept
    ShufflePatchesNoPositions,  ///< seeded patch shuffle, both runs without position embeddings
    DropPositions,              ///< position embeddings removed (Table 8 "no positional embedding")
    PermutePositions,           ///< patch i gets the position embedding of patch perm[i]
    Shift,                      ///< image shifted by (dy, dx) pixels, less than a patch
    Resolution,                 ///< another input size, position embeddings interpolated
};
/// "shuffle", "shuffle-no-pos", "drop-pos", "permute-pos", "shift", "resolution".
const char* toString(ExperimentKind kind);
/// Every kind, in the order the window and the CLI show them.
std::vector<ExperimentKind> allExperimentKinds();

struct ExperimentOptions {
    uint64_t seed = 0;  ///< shuffles and permutations
    int shiftDy = 0;    ///< pixels; 0 and 0 together mean half a patch in both directions
    int shiftDx = 0;
    bool shiftEdgeFill = true;  ///< uncovered pixels repeat the edge (false: 0, the dataset mean)
    int resolutionH = 0;        ///< pixels; 0 means 1.5x the trained size, rounded to patches
    int resolutionW = 0;
    PosInterp interp = PosInterp::Bicubic;  ///< for the resolution experiment
    int topK = 5;
    /// Called with (runsDone, runsTotal) after each forward pass; may be empty.
    std::function<void(int, int)> progress;
    const std::atomic<bool>* cancel = nullptr;
};

/// One forward pass of an experiment.
struct ExperimentRun {
    std::string label;  ///< "original", "shuffled (seed 0)", "no position embeddings", ...
    Image8 shown;       ///< the input as the model saw it, for display (8-bit)
    int inputH = 0;
    int inputW = 0;
    std::vector<Prediction> top;  ///< topK, most probable first (empty for headless models)
    Vector logits;                ///< (classes) or empty
    Vector probabilities;         ///< (classes) or empty
    Vector output;  ///< (D) class-token output after the final norm; the pooled vector when the
                    ///< model has no class token
};

/// A reference run and a variant run, with the differences between them.
struct ExperimentOutcome {
    ExperimentKind kind = ExperimentKind::ShufflePatches;
    std::string title;        ///< "Shuffled patches, position embeddings kept"
    std::string description;  ///< what was done and what the paper predicts
    ExperimentRun reference;
    ExperimentRun variant;
    float maxAbsOutputDiff = 0;  ///< max |reference.output - variant.output|
    float maxAbsLogitDiff = 0;   ///< max |reference.logits - variant.logits| (0 without a head)
    float maxAbsProbDiff = 0;
    bool sameTop1 = false;
    /// Probability the variant gives to the reference's top-1 class.
    float referenceTop1ProbInVariant = 0;
};

/// Input shared by all experiments: the preprocessed model input and, when available, the decoded
/// source image (used by the resolution experiment to preprocess again at another size; without
/// it the model input itself is resampled).
struct ExperimentInput {
    ImageTensor input;  ///< (C, H, W) as the reference run saw it
    Image8 source;      ///< may be empty
    /// The recipe that produced `input` (a Run's recipe); other sizes derive from it.
    PreprocessRecipe recipe;
};

/// Runs one experiment. Errors: BadImage (a shift not smaller than a patch, a resolution that is
/// not a positive multiple of the patch size), BadModel (no learned position embeddings for the
/// position experiments), Cancelled.
Result<ExperimentOutcome> runExperiment(const VitModel& model, const ExperimentInput& input,
                                        ExperimentKind kind, const ExperimentOptions& options = {});

/// Runs several experiments, sharing the reference runs (with and without position embeddings).
/// Experiments that do not apply to the model (position experiments on a model without learned
/// position embeddings) are skipped, not failed.
Result<std::vector<ExperimentOutcome>> runExperiments(const VitModel& model,
                                                      const ExperimentInput& input,
                                                      const std::vector<ExperimentKind>& kinds,
                                                      const ExperimentOptions& options = {});

/// The (dy, dx) actually used for `options` (half a patch when both are 0).
std::pair<int, int> effectiveShift(const VitConfig& config, const ExperimentOptions& options);
/// The (h, w) actually used for `options` (1.5x the trained grid when unset).
std::pair<int, int> effectiveResolution(const VitConfig& config, const ExperimentOptions& options);

}  // namespace vitscope::core
