#pragma once
/// Builds any exportable figure by name for a model, a result and options, and writes the numbers
/// behind a figure (.npy / .csv). The window's panels and `vitscope-cli export` both go through
/// here, so a figure exported from either is computed and painted the same way.
///
/// Names: attention, heads, layers-heads, rollout, posembed-similarity, attention-distance,
/// embedding-filters, experiments, data-hunger, position-ablation (the last two need no model:
/// they draw the lab results file, FigureOptions::lab / labResults).

#include <QString>
#include <QStringList>
#include <memory>

#include "core/result.h"
#include "ui/export/figure_builders.h"
#include "ui/export/figure_context.h"
#include "ui/figures/figure.h"

namespace vitscope::ui {

// FigureContext and FigureOptions: figure_context.h. The table these functions look names up in:
// figure_table.h. The panel's helpers (posEmbedSimilarityData, embeddingFiltersData,
// describePrefixHandling, defaultModelName): figure_builders.h.

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
///   data-hunger          [points, 5]: per model and training-set size, the model's index in
///                        the legend order (0 ViT, 1 CNN, 2 ViT without position embeddings,
///                        then any other), training images, mean and standard deviation of
///                        the test top-1 in percent, number of runs
/// (CSV: 2-D as rows x cols; embedding-filters as 28 rows of C*P*P values. Header, 1-based:
/// r1c1.. patches (core::tokenId), head1.., c1.. map columns, ch1_y1_x1.. filter weights,
/// arch,train_images,mean_top1_percent,std_top1_percent,runs.)
core::Status exportNumbers(const QString& name, const FigureContext& context,
                           const FigureOptions& options, const QString& path);

}  // namespace vitscope::ui
