#pragma once
/// The one path from an image (or a model-input tensor) to a result. The window's controller,
/// every CLI command, the figure export and the experiments call this; nothing else
/// preprocesses or runs the model on a user's image.
///
///   Image8 (decoded, kept at full resolution)
///     -> effectiveRecipe(model, options)      the model's recipe, at --size when asked
///     -> preprocess                           Pillow-exact resize/crop, rescale, normalise
///     -> runForward                           logits, features, every layer's attention
///     = Run                                   all of the above, immutable, shared by views

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/image/image_io.h"
#include "core/image/preprocess.h"
#include "core/model/vit_model.h"
#include "core/result.h"

namespace vitscope::core {

struct RunOptions {
    /// Model input size in pixels; 0 and 0: the recipe's own. Must be a positive multiple of
    /// the patch size (checked by effectiveRecipe).
    int sizeH = 0;
    int sizeW = 0;
    /// Position-grid resampling at other input sizes; unset: the model's default.
    std::optional<PosInterp> posInterp;
    /// Experiment variants (ForwardOptions has the meaning).
    bool dropPositionEmbeddings = false;
    std::vector<int> positionPermutation;
    /// How many predictions Run::predictions keeps (most probable first).
    int topK = 5;
    /// Called after each block with (blocksDone, depth), on the calling thread.
    std::function<void(int, int)> progress;
    /// Checked between blocks; a raised flag ends the run with ErrorCode::Cancelled.
    const std::atomic<bool>* cancel = nullptr;
    /// Bytes the run may hold; 0: defaultMemoryBudget() (core/model/memory_plan.h). Attention
    /// that does not fit is kept Rebuilt; a run that does not fit even then is refused before
    /// preprocessing when its size is known: ErrorCode::Usage for sizeH/sizeW, BadModel when
    /// the checkpoint's recipe sets the size, BadImage when the image's own size does.
    uint64_t memoryBudget = 0;
};

/// One image through one model. Immutable once returned; views share it.
struct Run {
    ModelPtr model;
    /// The decoded image the user opened (null when the run started from a tensor).
    std::shared_ptr<const Image8> source;
    /// The recipe actually applied (the model's, at the requested size). Unset for a tensor run.
    std::optional<PreprocessRecipe> recipe;
    /// The model input exactly as the model saw it, and its 8-bit pixels before rescale and
    /// normalise (for a tensor run, `shown` is the tensor mapped back through the model's
    /// recipe for display).
    std::shared_ptr<const Preprocessed> input;
    PosInterp posInterp = PosInterp::Bicubic;  ///< the resampling in force for this run
    std::shared_ptr<const InferenceResult> result;
    std::vector<Prediction> predictions;  ///< top-k; empty without a classification head
    double forwardMs = 0;                 ///< wall time of the forward pass

    /// "resize to 28x28 (bilinear), x1/255, normalise ..." or "none (model-input tensor)".
    std::string describeRecipe() const;
};
using RunPtr = std::shared_ptr<const Run>;

/// The model's recipe at the options' size. Usage error when the size is not a positive
/// multiple of the patch size.
Result<PreprocessRecipe> effectiveRecipe(const VitModel& model, const RunOptions& options);

/// Preprocesses `image` with the effective recipe and runs the model. `workspace` may be null.
Result<Run> runImage(const ModelPtr& model, std::shared_ptr<const Image8> image,
                     const RunOptions& options = {}, ForwardWorkspace* workspace = nullptr);
/// Decodes the file and runs it (errors name the file).
Result<Run> runImageFile(const ModelPtr& model, const std::string& path,
                         const RunOptions& options = {}, ForwardWorkspace* workspace = nullptr);
/// Runs a preprocessed (C, H, W) input as it is (`--input-npy`). BadData when the channel
/// count differs from the model's or a side is not a multiple of the patch size.
Result<Run> runTensor(const ModelPtr& model, ImageTensor input, const RunOptions& options = {},
                      ForwardWorkspace* workspace = nullptr);

}  // namespace vitscope::core
