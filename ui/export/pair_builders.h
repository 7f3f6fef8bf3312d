#pragma once
/// Two models side by side (issue 12): the same figure built for each model's FigureContext and
/// laid out as one PairFigure, each side titled with its model's name and accuracy. The window's
/// Compare dock and `vitscope-cli export --compare-model` both build pairs here.

#include <QString>
#include <QStringList>
#include <memory>
#include <optional>

#include "core/model/vit_model.h"
#include "core/result.h"
#include "ui/export/figure_context.h"
#include "ui/figures/pair_figure.h"

namespace vitscope::ui {

/// The figures that can be drawn as a pair: posembed-similarity, attention-distance.
QStringList pairFigureNames();

/// The test top-1 accuracy in percent that the model's config.json records under
/// vitscope_training.test_top1_percent (models trained by tools/); nothing when the file, the
/// key or a number in 0..100 is missing.
std::optional<double> recordedAccuracy(const core::VitModel& model);
/// The model's folder name when it was opened through a file with a generic name
/// (model.safetensors, its index, config.json), else the last component of its path.
QString sideName(const core::VitModel& model);
/// "fashion-mnist-vit, 90.2 % test accuracy", or only the name when no accuracy is recorded.
/// `name` empty: sideName().
QString modelTitle(const core::VitModel& model, const QString& name = {});

/// Builds figure `name` (one of pairFigureNames()) for `left` and `right` with the same options,
/// each side without its own caption and with one caption for both; attention distance gets one
/// y axis for both sides. The precomputed folder distances of `options` are not used: each side
/// shows its own context. Errors as makeFigure's, the right side's prefixed with its model name.
core::Result<std::unique_ptr<PairFigure>> makePairFigure(const QString& name,
                                                         const FigureContext& left,
                                                         const FigureContext& right,
                                                         const FigureOptions& options = {});

}  // namespace vitscope::ui
