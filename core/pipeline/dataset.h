#pragma once
/// Dataset-level loops beside the one-image run API: mean attention distance over a folder of
/// images (the ViT paper averages Figure 7 right over 128 images) and accuracy over an IDX data
/// set. Both run every image through runImage, so each image is treated exactly as a single
/// `predict` or a window run would treat it.

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "core/analysis/attention_distance.h"
#include "core/io/idx.h"
#include "core/pipeline/run.h"

namespace vitscope::core {

/// The file types vitscope offers when it picks images itself (folders, sample menus, dialogs),
/// lower case with the dot: ".png", ".jpg", ... Opening a file of another type still works
/// when OpenCV decodes it.
const std::vector<std::string>& imageExtensions();
/// "*.png *.jpg ..." for file dialogs.
std::string imageNamePatterns();
/// Image files directly in `folder` (extension in imageExtensions(), case-insensitive), sorted
/// by name, at most `maxImages`. BadImage when the folder cannot be listed or holds none.
Result<std::vector<std::string>> listImages(const std::string& folder, int maxImages);

struct FolderDistance {
    Matrix mean;               ///< (layers, heads) mean attention distance in input pixels
    int used = 0;              ///< images averaged
    int skipped = 0;           ///< images that could not be decoded or run
    std::string firstProblem;  ///< the first skipped image's error
    bool cancelled = false;    ///< stopped early by the cancel flag (mean covers `used` images)
};

/// Mean attention distance over `files`. Images that fail to decode or run are skipped and
/// counted; BadImage when none could be used. `progress` gets (imagesDone, total).
Result<FolderDistance> folderAttentionDistance(const ModelPtr& model,
                                               const std::vector<std::string>& files,
                                               const RunOptions& options, PrefixHandling prefix,
                                               const std::function<void(int, int)>& progress = {});

/// evaluateIdx keeps a confusion matrix only up to this many classes (it has classes^2 cells).
inline constexpr int kMaxConfusionClasses = 1000;

struct Evaluation {
    int images = 0;
    int correct = 0;
    int classes = 0;
    std::vector<int> predicted;  ///< (images) top-1 class of each image
    /// (classes, classes) row-major: true class, predicted class. Empty when classes exceed
    /// kMaxConfusionClasses.
    std::vector<int> confusion;
    double seconds = 0;
    int threads = 1;
    double top1Percent() const { return images > 0 ? 100.0 * correct / images : 0.0; }
};

/// Top-1 accuracy of a classifier over the first `limit` IDX images (all when limit <= 0),
/// one image per thread. Errors name `imagesLabel`/`labelsLabel` (the files).
///
/// With `shuffleSeed`, image i's patches are shuffled by shufflePermutation(patches, seed + i)
/// (the ViT paper's permutation test, over a data set). It is run as the equivalent position
/// permutation: token j keeping its own patch but receiving the position embedding of slot
/// inverse[j] gives the class token exactly the same set of inputs as moving the patches, and
/// attention does not depend on token order, so the prediction is the same (tests check this
/// against real shuffling). options.dropPositionEmbeddings removes positions (Table 8's "none");
/// with both, the shuffle cannot change anything.
Result<Evaluation> evaluateIdx(const ModelPtr& model, const IdxImages& images,
                               const IdxLabels& labels, int limit, const RunOptions& options,
                               const std::string& imagesLabel, const std::string& labelsLabel,
                               std::optional<uint64_t> shuffleSeed = std::nullopt);

}  // namespace vitscope::core
