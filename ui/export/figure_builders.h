#pragma once
/// The builders behind the figure table (ui/export/figure_table.h): each turns a FigureContext
/// and FigureOptions into one painter (ui/figures/) or into the numbers that figure shows. The
/// numbers themselves come from core/analysis; what is left here is choosing them from the
/// options and converting them into the painters' data (captions, QImage).

#include <QString>
#include <memory>

#include "core/analysis/attention_distance.h"
#include "core/model/vit_model.h"
#include "core/result.h"
#include "ui/export/figure_context.h"
#include "ui/export/figure_table.h"
#include "ui/figures/embedding_filters_figure.h"
#include "ui/figures/figure.h"
#include "ui/figures/posembed_similarity_figure.h"

namespace vitscope::ui {

// Shared with the window's inductive-bias panel.

/// Similarity of the patch position embeddings on a (gridH, gridW) grid (the trained grid when
/// 0), interpolated with `interp` when it differs. `unavailable` is set (not an error) when the
/// model has no learned absolute position embeddings.
PosEmbedSimilarityData posEmbedSimilarityData(const core::VitModel& model, int gridH, int gridW,
                                              core::PosInterp interp, const QString& modelName);
/// PCA of the patch-embedding filters (or the first `count` raw filters).
core::Result<EmbeddingFiltersData> embeddingFiltersData(const core::VitModel& model, bool raw,
                                                        int count, const QString& modelName);
/// "prefix tokens dropped and rows renormalised" / "prefix tokens dropped without
/// renormalising (weight on them counts as distance 0)".
QString describePrefixHandling(core::PrefixHandling prefix);
/// Last path component of the model's path.
QString defaultModelName(const core::VitModel& model);
/// The lab results the lab figures draw: `options.lab`, else the file `options.labResults`,
/// else core::defaultLabResultsPath(). A missing default file is ErrorCode::Io with a message
/// that says how to produce it (tools/data_hunger.py --write).
core::Result<std::shared_ptr<const core::LabResults>> labResultsFor(const FigureOptions& options);

namespace detail {

using FigureResult = core::Result<std::unique_ptr<Figure>>;

// Figure builders, one per table entry. Preconditions: context.model is set (makeFigure checks).
// Errors as makeFigure documents.
FigureResult attentionFigure(const FigureContext& context, const FigureOptions& options);
FigureResult rolloutFigure(const FigureContext& context, const FigureOptions& options);
FigureResult headsFigure(const FigureContext& context, const FigureOptions& options);
FigureResult layersHeadsFigure(const FigureContext& context, const FigureOptions& options);
FigureResult posEmbedSimilarityFigure(const FigureContext& context, const FigureOptions& options);
FigureResult attentionDistanceFigure(const FigureContext& context, const FigureOptions& options);
FigureResult embeddingFiltersFigure(const FigureContext& context, const FigureOptions& options);
FigureResult experimentsFigure(const FigureContext& context, const FigureOptions& options);
// The lab figures: need no model (context may be empty); BadData/Io from the results file.
FigureResult dataHungerFigure(const FigureContext& context, const FigureOptions& options);
FigureResult positionAblationFigure(const FigureContext& context, const FigureOptions& options);

// Numbers builders (shapes as exportNumbers documents). Same preconditions.
core::Result<FigureNumbers> attentionNumbers(const FigureContext& context,
                                             const FigureOptions& options);
core::Result<FigureNumbers> rolloutNumbers(const FigureContext& context,
                                           const FigureOptions& options);
core::Result<FigureNumbers> posEmbedSimilarityNumbers(const FigureContext& context,
                                                      const FigureOptions& options);
core::Result<FigureNumbers> attentionDistanceNumbers(const FigureContext& context,
                                                     const FigureOptions& options);
core::Result<FigureNumbers> embeddingFiltersNumbers(const FigureContext& context,
                                                    const FigureOptions& options);
core::Result<FigureNumbers> dataHungerNumbers(const FigureContext& context,
                                              const FigureOptions& options);

}  // namespace detail
}  // namespace vitscope::ui
