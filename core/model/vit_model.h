#pragma once
/// VitModel: a loaded checkpoint (config, weights, labels, preprocessing recipe), immutable after
/// load, and the forward pass that keeps every layer's attention.

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/image/preprocess.h"
#include "core/model/gemm.h"
#include "core/model/inference_result.h"
#include "core/model/vit_config.h"
#include "core/model/vit_weights.h"
#include "core/result.h"

namespace vitscope::core {

/// A setting the files did not state, so vitscope guessed it. Predictions and attention maps are
/// only right if the guess is; `vitscope-cli info` and the model panel list these prominently.
/// A value the user supplied through LoadOptions is not a guess and is not listed.
struct InferredSetting {
    enum class Kind {
        NumHeads,       ///< number of attention heads
        Normalization,  ///< mean / std
        Resize,         ///< resize / crop recipe
        Labels,         ///< class names
    };
    Kind kind = Kind::NumHeads;
    std::string value;  ///< what was assumed: "1", "mean/std 0.5", "class N", ...
    std::string why;    ///< "no config.json; head width 64 assumed"
};
/// "head count", "normalisation", "resize", "labels".
const char* toString(InferredSetting::Kind kind);

/// Human-facing facts about a loaded model, for `vitscope-cli info` and the model panel.
struct ModelInfo {
    std::string path;          ///< what the user opened
    std::string format;        ///< "Hugging Face folder", "timm safetensors", "Google .npz"
    std::string architecture;  ///< e.g. "ViTForImageClassification", "vit_base_patch16_224"
    std::string naming;        ///< "hf-vit", "hf-deit", "hf-dinov2", "timm", "google"
    std::string labelsSource;  ///< "config.json id2label", "ImageNet-1k list (bundled)", "class N"
    std::string weightsDType;  ///< "F32", "F16 (converted to F32 at load)", ...
    int64_t numParameters = 0;
    size_t mappedBytes = 0;                 ///< float data used in place from the memory map
    size_t ownedBytes = 0;                  ///< float data converted or copied at load
    std::vector<std::string> notes;         ///< e.g. "number of heads assumed: head width 64"
    std::vector<InferredSetting> inferred;  ///< guessed settings, in Kind order; empty: none
    /// Tensors in the file that vitscope knowingly does not use (the allow-list in
    /// tensor_names.h), by their name in the file, sorted. Any other unused tensor fails the load.
    std::vector<std::string> ignoredTensors;

    /// The guess of `kind`, or null when the setting was read from the files or given.
    const InferredSetting* findInferred(InferredSetting::Kind kind) const;
};

/// The encoder's weights packed for oneDNN's matmul (core/model/gemm.h): the patch embedding,
/// and per block q | k | v as one, proj, fc1 and fc2. Null entries run through gemmABt.
struct PackedEncoder {
    struct Block {
        PackedLinearPtr qkv, proj, fc1, fc2;
    };
    PackedLinearPtr patchEmbed;
    std::vector<Block> blocks;
};

class VitModel {
public:
    /// When oneDNN is the backend and the encoder's products are large enough for it, starts
    /// packing the weights on a background thread at idle priority (SCHED_IDLE, one thread):
    /// it begins after the first forward (see startPacking), which runs oneDNN's sgemm on the
    /// loaded weights; later forwards use each layer's packed weights from the moment they are
    /// ready. Loading and the first result never wait for packing; it costs a copy of the
    /// encoder's weights, and the loaded weights' pages are dropped from the process layer by
    /// layer (see packLinear).
    VitModel(VitConfig config, VitWeights weights, std::vector<std::string> labels,
             PreprocessRecipe recipe, ModelInfo info);
    /// Stops packing (within one layer) and waits for it.
    ~VitModel();
    VitModel(const VitModel&) = delete;
    VitModel& operator=(const VitModel&) = delete;

    /// The packed weights once complete; null before, or when nothing is packed.
    std::shared_ptr<const PackedEncoder> packedEncoder() const;
    /// The parts a forward uses, each published as soon as it is packed (null before): a layer
    /// packed is never read from the loaded weights again, whose pages are handed back.
    PackedLinearPtr packedPatchEmbed() const;
    std::shared_ptr<const PackedEncoder::Block> packedBlock(int layer) const;
    /// True when the encoder's products of a model of this shape run on oneDNN (its weights are
    /// then packed).
    static bool reachesOneDnn(const VitConfig& config);
    /// Lets packing begin (the end of every forward calls it; before the first, or 2 s after
    /// the load, packing waits so that it does not slow the first result).
    void startPacking() const;
    /// Starts packing, packs what is left on the calling thread at its priority (the packer's
    /// idle priority may never run on a busy machine) and returns when all is packed (at once
    /// when nothing is packed): for batches, benchmarks that time the steady state, and tests.
    void waitForPacking() const;

    const VitConfig& config() const { return mConfig; }
    const VitWeights& weights() const { return mWeights; }
    const std::vector<std::string>& labels() const { return mLabels; }
    const PreprocessRecipe& recipe() const { return mRecipe; }
    const ModelInfo& info() const { return mInfo; }
    /// The class name, or "class N" when out of range.
    std::string label(int classIndex) const;
    /// Token layout for an input grid.
    TokenLayout tokenLayout(int gridH, int gridW) const;
    /// Unique per loaded model in this process (caches key on it, never on the address).
    uint64_t id() const { return mId; }

private:
    struct Packer;
    /// Packs, unless asked to stop, the parts nobody has claimed (the packer thread's body) or,
    /// for a `waiter`, every part not yet published: what a waiter does instead of waiting.
    /// The one that publishes the last part publishes the whole (finishPacking).
    void packParts(bool waiter) const;
    void finishPacking() const;

    uint64_t mId = 0;
    VitConfig mConfig;
    VitWeights mWeights;
    std::vector<std::string> mLabels;
    PreprocessRecipe mRecipe;
    ModelInfo mInfo;
    std::unique_ptr<Packer> mPacker;  // last: stopped and joined before the weights go
};

using ModelPtr = std::shared_ptr<const VitModel>;

/// What the user states about a checkpoint, with the same meaning in the CLI (--heads, --mean,
/// --std, --recipe) and the window's model panel. Each given value wins over the files and is
/// then not listed in ModelInfo::inferred.
struct LoadOptions {
    int numHeads = 0;  ///< override / supply the head count (0: from the files, else guessed)
    /// Normalisation per channel (grey models use the first value); std > 0, all finite.
    std::optional<std::array<float, 3>> mean;
    std::optional<std::array<float, 3>> std;
    /// Resize recipe at the model's trained size, replacing the files' or the guessed one.
    std::optional<RecipeStyle> recipe;
    /// Called with a fraction in [0, 1] while large files are read/converted; may be empty.
    std::function<void(float)> progress;
    const std::atomic<bool>* cancel = nullptr;
};

/// Loads a .safetensors file, a sharded index (model.safetensors.index.json), a Hugging Face or
/// timm folder, or a Google .npz. Pickle files (.pth/.pt/.bin/.ckpt/.pkl, or pickle/torch-zip
/// content) are refused without reading them further. Every tensor is checked for presence, rank,
/// shape and byte count against the config. Errors are ErrorCode::BadModel (or Io) and name the
/// file and the tensor.
/// Overrides in `options` are checked first (validateLoadOptions; ErrorCode::Usage), and a head
/// count that does not divide the embedding width is ErrorCode::Usage too. A tensor the model does
/// not use is ErrorCode::BadModel naming it, unless allow-listed (then in info().ignoredTensors).
Result<ModelPtr> loadModel(const std::string& path, const LoadOptions& options = {});

/// ErrorCode::Usage unless numHeads >= 0, mean is finite and std is finite and > 0.
Status validateLoadOptions(const LoadOptions& options);

/// Scratch buffers of one forward pass, reused across runs of the same shape (llama2.c RunState).
struct ForwardWorkspace;
struct ForwardWorkspaceDeleter {
    void operator()(ForwardWorkspace* w) const;
};
using WorkspacePtr = std::unique_ptr<ForwardWorkspace, ForwardWorkspaceDeleter>;
WorkspacePtr makeWorkspace();

struct ForwardOptions {
    /// Position-grid resampling for other input sizes; unset = the model's defaultPosInterp.
    std::optional<PosInterp> posInterp;
    /// Experiments: run without any position embeddings (prefix and patches).
    bool dropPositionEmbeddings = false;
    /// Experiments: patch token i receives the position embedding of patch positionPermutation[i]
    /// (a permutation of 0..numPatches-1; empty = identity).
    std::vector<int> positionPermutation;
    /// Called after each block with (blocksDone, depth).
    std::function<void(int, int)> progress;
    /// Checked between blocks; when raised the run returns ErrorCode::Cancelled.
    const std::atomic<bool>* cancel = nullptr;
    /// Bytes the run may hold (core/model/memory_plan.h); 0: defaultMemoryBudget(). Attention
    /// over it is kept Rebuilt; a run over it even then is refused (ErrorCode::Usage).
    uint64_t memoryBudget = 0;
    /// Keep attention in this storage whatever the budget would choose (it must still fit).
    std::optional<AttentionStorage> attentionStorage;
};

/// Runs the model on a preprocessed (C, H, W) input whose sides are multiples of the patch size.
/// Plans the run first (planForward) and allocates only what the plan allows; std::bad_alloc
/// is caught and returned as an error. Thread-safe for concurrent calls with distinct workspaces.
/// `workspace` may be null.
Result<InferenceResult> runForward(const VitModel& model, const ImageTensor& input,
                                   const ForwardOptions& options = {},
                                   ForwardWorkspace* workspace = nullptr);

/// The patch part of the position table resampled to (gridH, gridW): (gridH*gridW, D), row-major
/// grid order. Equal to the stored table when the grid is the trained one. Empty (0 rows) when
/// the model has no learned position embeddings.
Matrix patchPositionEmbeddings(const VitModel& model, int gridH, int gridW, PosInterp interp);

struct Prediction {
    int classIndex = 0;
    float probability = 0;
    float logit = 0;
    std::string label;
};
/// The k most probable classes, most probable first (ties: lower index first).
std::vector<Prediction> topK(const VitModel& model, const InferenceResult& result, int k);

/// Most threads a forward pass uses for its GEMMs and per-head attention loop (default: one per
/// core). Also this thread's OpenMP thread count, which the eval image loop uses.
void setNumThreads(int threads);
int numThreads();
/// Multiply-adds x 2 of one forward pass over `tokens` tokens (blocks only).
int64_t forwardFlops(const VitConfig& config, int tokens);
/// Threads a forward pass over `tokens` tokens uses: one when the work per parallel region is
/// too small to pay for waking a second thread (small models), else numThreads().
int forwardThreads(const VitConfig& config, int tokens);

}  // namespace vitscope::core
