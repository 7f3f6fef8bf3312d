#pragma once
/// The bundled lab's results (resources/lab/data-hunger.json, written by tools/data_hunger.py):
/// Fashion-MNIST test top-1 of the bundled ViT's architecture and a CNN of about the same size,
/// trained on nested subsets of the training set under one budget rule (the ViT paper's claim
/// that a ViT trails a CNN on small data), a ViT without position embeddings (the paper's
/// Table 8), the paper's Table 8 numbers and, optionally, a test-time position ablation.
///
/// The file may come from anyone: loadLabResults() bounds its size, every type and every number,
/// and names the file and the field (`data-hunger.json: series.vit[2].mean_top1_percent must be
/// a number in [0, 100], not 140`) with ErrorCode::BadData. A partial sweep (sizes or whole
/// series missing) is valid: the figures show what is there.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace vitscope::core {

/// One training-set size of one model: the runs' mean and spread.
struct LabPoint {
    int64_t trainImages = 0;
    int runs = 0;
    double meanTop1 = 0.0;     ///< percent
    double stdTop1 = 0.0;      ///< sample standard deviation in points (0 for a single run)
    std::vector<double> top1;  ///< every run's percent (empty when the file omits them)
};

/// One model ("vit", "cnn", "vit-nopos"), points sorted by trainImages.
struct LabSeries {
    std::string arch;
    std::vector<LabPoint> points;
    const LabPoint* at(int64_t trainImages) const;
};

/// One training run as the sweep recorded it (only the fields the figures use).
struct LabRun {
    std::string arch;
    int64_t trainImages = 0;
    int64_t seed = 0;
    int64_t parameters = 0;  ///< 0 when the file does not say
    double top1 = 0.0;       ///< percent
};

/// The trained model evaluated with its position embeddings removed and/or its patches
/// shuffled at test time (percent; a missing entry is nullopt).
struct TestTimeAblation {
    std::string model;
    std::optional<double> positions;
    std::optional<double> noPositions;
    std::optional<double> shuffled;
    std::optional<double> noPositionsShuffled;
};

struct LabResults {
    std::string path;  ///< the file it was read from
    std::string description;
    std::string budgetRule;
    std::string subsets;
    /// The paper's Table 8 (ViT-B/16, ImageNet 5-shot linear), as fractions, in the paper's order:
    /// ("none", 0.614), ("1-D", 0.642), ...
    std::vector<std::pair<std::string, double>> paperTable8;
    std::vector<LabSeries> series;
    std::vector<LabRun> runs;
    std::optional<TestTimeAblation> testTime;

    const LabSeries* find(const std::string& arch) const;
    /// The parameter count the runs of `arch` report (the first non-zero one), or 0.
    int64_t parameters(const std::string& arch) const;
};

/// Bounds on what a results file may hold.
namespace lab_limits {
constexpr size_t kMaxFileBytes = 4u << 20;
constexpr size_t kMaxSeries = 16;
constexpr size_t kMaxPoints = 64;        ///< per series
constexpr size_t kMaxRunsPerPoint = 64;  ///< entries of one point's top1_percent
constexpr size_t kMaxRuns = 4096;        ///< entries of "runs"
constexpr size_t kMaxText = 4000;        ///< characters of a description or rule
constexpr size_t kMaxName = 64;          ///< characters of an arch or model name
constexpr int64_t kMaxTrainImages = 1000000000;
}  // namespace lab_limits

/// Reads and checks a results file (read through InputFile: a FIFO or folder is refused).
/// Errors: Io when it cannot be read (missing, not a regular file, over kMaxFileBytes), BadData
/// for anything malformed; every message starts with the file's name.
Result<LabResults> loadLabResults(const std::string& path);

/// `<resources>/lab/data-hunger.json` (core/io/resource_locator.h: installed or source tree),
/// or an empty string when no resources folder is found.
std::string defaultLabResultsPath(const char* argv0 = nullptr);

}  // namespace vitscope::core
