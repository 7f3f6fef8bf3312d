#pragma once
/// Builds any exportable figure by name for a model, a result and options, and writes the numbers
/// behind a figure (.npy / .csv). The window's panels and `vitscope-cli export` both go through
/// here, so a figure exported from either is computed and painted the same way.
///
/// Names: attention, heads, layers-heads, rollout, posembed-similarity, attention-distance,
/// embedding-filters, experiments.

#include <QString>
#include <QStringList>
#include <memory>
#include <optional>

#include "core/analysis/attention_distance.h"
#include "core/analysis/colormap.h"
#include "core/analysis/experiments.h"
#include "core/analysis/head_fusion.h"
#include "core/image/preprocess.h"
#include "core/model/vit_model.h"
#include "core/pipeline/run.h"
#include "core/result.h"
#include "ui/figures/attention_distance_figure.h"
#include "ui/figures/embedding_filters_figure.h"
#include "ui/figures/figure.h"
#include "ui/figures/posembed_similarity_figure.h"

namespace vitscope::ui {

/// What a figure is computed from: the model, and for every figure that shows an image's
/// attention or runs experiments, the Run (core/pipeline/run.h) that holds the source image, the
/// recipe applied, the model input and the result.
struct FigureContext {
    core::ModelPtr model;
    core::RunPtr run;   ///< null for the model-only figures
    QString modelName;  ///< for captions; defaults to the model path's last component

    const core::InferenceResult* result() const { return run ? run->result.get() : nullptr; }
    const core::Preprocessed* input() const { return run ? run->input.get() : nullptr; }
};

struct FigureOptions {
    // Attention figures (0-based; the CLI converts from its 1-based flags).
    int layer = -1;  ///< -1: last layer
    int head = -1;   ///< -1: all heads fused with `fusion`
    core::HeadFusion fusion = core::HeadFusion::Mean;
    int sourceToken = -1;  ///< -1: the class token (the centre patch without prefix tokens)
    bool reverse = false;
    float discardRatio = 0.0f;  ///< rollout
    core::Colormap colormap = core::Colormap::Viridis;
    // Position-embedding similarity: grid to show (0: the result's grid, else the trained one).
    int gridH = 0;
    int gridW = 0;
    core::PosInterp interp = core::PosInterp::Bicubic;
    // Attention distance.
    core::PrefixHandling prefix = core::PrefixHandling::DropAndRenormalise;
    /// Precomputed (layers, heads) distances averaged over a folder; empty: use `result`.
    core::Matrix distances;
    int distanceImages = 1;
    // Embedding filters.
    bool rawFilters = false;
    int filterCount = 28;
    // Experiments.
    core::ExperimentOptions experiments;
    std::vector<core::ExperimentKind> experimentKinds = core::allExperimentKinds();
    /// Precomputed outcomes (the panel's last run); empty: run them.
    std::vector<core::ExperimentOutcome> outcomes;
};

/// All figure names, in menu order.
QStringList figureNames();
/// The names that also export numbers (.npy / .csv).
QStringList numberFigureNames();

/// Builds figure `name`. Errors: Usage for an unknown name or an option out of range, BadImage
/// when the figure needs a result/input that the context lacks, BadModel when the model cannot
/// provide it (e.g. PCA of a model without filters), Cancelled from experiments.
core::Result<std::unique_ptr<Figure>> makeFigure(const QString& name, const FigureContext& context,
                                                 const FigureOptions& options = {});

/// Writes the numbers behind figure `name` to `path` (.npy float32, or .csv with a header):
///   posembed-similarity  [patches, patches] cosine matrix, row-major patch order
///   attention-distance   [layers, heads] mean distances in input pixels
///   attention, rollout   [grid_h, grid_w] map
///   embedding-filters    [28, C, P, P] components (raw filters with rawFilters)
/// (CSV: 2-D as rows x cols; embedding-filters as 28 rows of C*P*P values.)
core::Status exportNumbers(const QString& name, const FigureContext& context,
                           const FigureOptions& options, const QString& path);

// The computations behind the inductive-bias figures, shared with the window's panel.

/// Similarity of the patch position embeddings on a (gridH, gridW) grid (the trained grid when
/// 0), interpolated with `interp` when it differs. `unavailable` is set (not an error) when the
/// model has no learned absolute position embeddings.
PosEmbedSimilarityData posEmbedSimilarityData(const core::VitModel& model, int gridH, int gridW,
                                              core::PosInterp interp, const QString& modelName);
/// Mean attention distance of one result.
AttentionDistanceData attentionDistanceData(const core::VitModel& model,
                                            const core::InferenceResult& result,
                                            core::PrefixHandling prefix, const QString& modelName);
/// PCA of the patch-embedding filters (or the first `count` raw filters).
core::Result<EmbeddingFiltersData> embeddingFiltersData(const core::VitModel& model, bool raw,
                                                        int count, const QString& modelName);
/// "prefix tokens dropped and rows renormalised" / "prefix tokens dropped without
/// renormalising (weight on them counts as distance 0)".
QString describePrefixHandling(core::PrefixHandling prefix);
/// Last path component of the model's path.
QString defaultModelName(const core::VitModel& model);

}  // namespace vitscope::ui
