#include "ui/export/figure_builders.h"

#include <QFileInfo>
#include <QStringList>
#include <algorithm>
#include <string>
#include <vector>

#include "core/analysis/attention_maps.h"
#include "core/analysis/embedding_filters.h"
#include "core/analysis/posembed_similarity.h"
#include "core/io/file_util.h"
#include "core/model/token_names.h"
#include "ui/figures/attention_distance_figure.h"
#include "ui/figures/attention_figure.h"
#include "ui/figures/data_hunger_figure.h"
#include "ui/figures/experiments_figure.h"
#include "ui/figures/head_grid_figure.h"
#include "ui/figures/position_ablation_figure.h"
#include "ui/image_convert.h"
#include "ui/layer_head_picker.h"

namespace vitscope::ui {

using core::ErrorCode;
using core::makeError;
using detail::FigureResult;

namespace {

core::Error usage(const QString& message) {
    return makeError(ErrorCode::Usage, message.toStdString());
}

QString modelNameOf(const FigureContext& context) {
    if (!context.modelName.isEmpty()) {
        return context.modelName;
    }
    return context.model ? defaultModelName(*context.model) : QString();
}

/// 2-D numbers: shape (rows, cols), CSV header = `header`.
FigureNumbers matrixNumbers(core::Matrix values, std::vector<std::string> header) {
    FigureNumbers numbers;
    numbers.shape = {values.rows(), values.cols()};
    numbers.values = std::move(values);
    numbers.header = std::move(header);
    return numbers;
}

/// "<prefix>1" .. "<prefix>count" (1-based, as every number a person reads).
std::vector<std::string> numberedHeader(const char* prefix, Eigen::Index count) {
    std::vector<std::string> header;
    for (Eigen::Index i = 0; i < count; ++i) {
        header.push_back(prefix + std::to_string(i + 1));
    }
    return header;
}

// ---- Attention maps -------------------------------------------------------------------------

/// Resolved attention selection for the figures that draw maps.
core::Result<AttentionQuery> resolveQuery(const FigureContext& context,
                                          const FigureOptions& options, bool rollout) {
    if (!context.result() || context.result()->attention.empty()) {
        return makeError(ErrorCode::BadImage, "this figure needs an image run through the model");
    }
    const core::InferenceResult& result = *context.result();
    const int layers = result.attention.layers();
    const int heads = result.attention.heads();
    AttentionQuery q;
    q.layer = options.layer < 0 ? layers - 1 : options.layer;
    q.head = options.head;
    q.fusion = options.fusion;
    q.reverse = options.reverse;
    q.rollout = rollout;
    q.discardRatio = options.discardRatio;
    if (q.layer >= layers) {
        return usage(QStringLiteral("layer %1: expected 1..%2").arg(q.layer + 1).arg(layers));
    }
    if (q.head >= heads) {
        return usage(
            QStringLiteral("head %1: expected 1..%2, mean, max or min").arg(q.head + 1).arg(heads));
    }
    const core::TokenLayout& tokens = result.tokens;
    if (options.sourceToken >= tokens.numTokens()) {
        return usage(QStringLiteral("source token %1: expected 0..%2")
                         .arg(options.sourceToken)
                         .arg(tokens.numTokens() - 1));
    }
    q.sourceToken =
        options.sourceToken >= 0 ? options.sourceToken : core::defaultQueryToken(tokens);
    return q;
}

QImage shownImage(const FigureContext& context) {
    if (context.input() && !context.input()->shown.empty()) {
        return toQImage(context.input()->shown);
    }
    return {};
}

QString methodFor(bool rollout) {
    return rollout ? QStringLiteral(
                         "Attention rollout (Abnar & Zuidema 2020): head-fused "
                         "attention plus identity, rows renormalised, multiplied over "
                         "layers")
                   : QStringLiteral("Raw attention probabilities");
}

FigureResult mapFigure(const FigureContext& context, const FigureOptions& options, bool rollout) {
    auto q = resolveQuery(context, options, rollout);
    if (!q) {
        return q.error();
    }
    const core::InferenceResult& result = *context.result();
    auto map = attentionMapOrError(result, q.value());
    if (!map) {
        return map.error();
    }
    auto figure = std::make_unique<AttentionFigure>();
    figure->setImage(shownImage(context));
    if (!figure->setOriginalFromRun(*context.run) &&
        options.attentionDisplay.on == AttentionBase::Original) {
        return usage(
            QStringLiteral("the map can be drawn on the opened image only for a run "
                           "from an image file (not a model-input tensor)"));
    }
    figure->setDisplay(options.attentionDisplay);
    figure->setGrid(result.tokens.gridH, result.tokens.gridW);
    figure->setColormap(options.colormap);
    figure->setMap(map.value());
    if (result.tokens.isPatch(q->sourceToken)) {
        const int patch = q->sourceToken - result.tokens.numPrefix;
        figure->setSelectedPatch(patch / result.tokens.gridW, patch % result.tokens.gridW);
    } else {
        figure->setSelectedPatch(-1, -1);
    }
    figure->setCaption(methodFor(rollout) + QStringLiteral(" · ") +
                       describeQuery(q.value(), result.tokens, result.attention.layers(),
                                     result.attention.heads()) +
                       QStringLiteral(" · model ") + modelNameOf(context));
    return std::unique_ptr<Figure>(std::move(figure));
}

core::Result<FigureNumbers> mapNumbers(const FigureContext& context, const FigureOptions& options,
                                       bool rollout) {
    auto q = resolveQuery(context, options, rollout);
    if (!q) {
        return q.error();
    }
    auto map = attentionMapOrError(*context.result(), q.value());  // (gridH, gridW)
    if (!map) {
        return map.error();
    }
    const Eigen::Index cols = map->cols();
    return matrixNumbers(std::move(map.value()), numberedHeader("c", cols));
}

/// One tile per head: of layer q.layer (rows of up to 6), or of every layer (one row each).
FigureResult headGridFigure(const FigureContext& context, const FigureOptions& options,
                            bool allLayers) {
    auto q = resolveQuery(context, options, false);
    if (!q) {
        return q.error();
    }
    const core::InferenceResult& result = *context.result();
    const int layers = result.attention.layers();
    const int heads = result.attention.heads();
    std::vector<core::Matrix> maps;
    QStringList rowLabels;
    QStringList colLabels;
    QStringList tileLabels;
    const int firstLayer = allLayers ? 0 : q->layer;
    const int lastLayer = allLayers ? layers - 1 : q->layer;
    for (int l = firstLayer; l <= lastLayer; ++l) {
        rowLabels << QStringLiteral("L%1").arg(l + 1);
        for (int h = 0; h < heads; ++h) {
            AttentionQuery tile = q.value();
            tile.layer = l;
            tile.head = h;
            auto map = attentionMapOrError(result, tile);
            if (!map) {
                return map.error();
            }
            maps.push_back(std::move(map.value()));
            tileLabels << QStringLiteral("H%1").arg(h + 1);
        }
    }
    for (int h = 0; h < heads; ++h) {
        colLabels << QStringLiteral("H%1").arg(h + 1);
    }
    auto figure = std::make_unique<HeadGridFigure>();
    figure->setImage(shownImage(context));
    figure->setColormap(options.colormap);
    const QString source = QString::fromStdString(core::tokenLabel(result.tokens, q->sourceToken));
    const QString direction = q->reverse ? QStringLiteral("attention to %1").arg(source)
                                         : QStringLiteral("attention from %1").arg(source);
    if (allLayers) {
        figure->setTiles(std::move(maps), layers, heads, rowLabels, colLabels);
        figure->setName(QStringLiteral("layers-heads"));
        figure->setCaption(QStringLiteral("Raw attention probabilities, every layer (rows) x "
                                          "every head (columns) · %1 · each tile scaled to its "
                                          "own range · model %2")
                               .arg(direction, modelNameOf(context)));
    } else {
        const int cols = std::min(heads, 6);
        const int rows = (heads + cols - 1) / cols;
        maps.resize(static_cast<size_t>(rows) * cols);
        figure->setTiles(std::move(maps), rows, cols, {}, {});
        figure->setTileLabels(tileLabels);
        figure->setName(QStringLiteral("heads"));
        figure->setCaption(QStringLiteral("Raw attention probabilities, layer %1, every head · "
                                          "%2 · each tile scaled to its own range · model %3")
                               .arg(q->layer + 1)
                               .arg(direction, modelNameOf(context)));
    }
    return std::unique_ptr<Figure>(std::move(figure));
}

// ---- Inductive-bias figures -----------------------------------------------------------------

/// The grid the similarity is shown on: the options', else the result's, else the trained one.
std::pair<int, int> similarityGrid(const FigureContext& context, const FigureOptions& options) {
    if (options.gridH > 0 && options.gridW > 0) {
        return {options.gridH, options.gridW};
    }
    if (context.result() && context.result()->tokens.gridH > 0) {
        return {context.result()->tokens.gridH, context.result()->tokens.gridW};
    }
    return {context.model->config().gridH(), context.model->config().gridW()};
}

/// (layers, heads): the options' precomputed distances, else those of the context's result.
core::Result<core::Matrix> distancesFor(const FigureContext& context,
                                        const FigureOptions& options) {
    if (options.distances.size() > 0) {
        return options.distances;
    }
    if (!context.result() || context.result()->attention.empty()) {
        return makeError(ErrorCode::BadImage,
                         "attention distance needs an image run through the model");
    }
    return core::meanAttentionDistance(context.result()->attention, context.result()->tokens,
                                       context.model->config().patchSize, options.prefix);
}

core::Result<std::vector<core::ExperimentOutcome>> outcomesFor(const FigureContext& context,
                                                               const FigureOptions& options) {
    if (!options.outcomes.empty()) {
        return options.outcomes;
    }
    if (!context.input() || context.input()->input.empty()) {
        return makeError(ErrorCode::BadImage, "the experiments need an input image");
    }
    core::ExperimentInput input;
    input.input = context.input()->input;
    input.recipe = context.run->recipe.value_or(context.model->recipe());
    if (context.run->source) {
        input.source = *context.run->source;
    }
    return core::runExperiments(*context.model, input, options.experimentKinds,
                                options.experiments);
}

}  // namespace

QString defaultModelName(const core::VitModel& model) {
    QFileInfo info(QString::fromStdString(model.info().path));
    QString name = info.fileName();
    if (name.isEmpty()) {
        name = QFileInfo(info.absolutePath()).fileName();
    }
    return name;
}

QString describePrefixHandling(core::PrefixHandling prefix) {
    return prefix == core::PrefixHandling::DropAndRenormalise
               ? QStringLiteral("prefix tokens dropped and rows renormalised")
               : QStringLiteral(
                     "prefix tokens dropped without renormalising (weight on them "
                     "counts as distance 0)");
}

PosEmbedSimilarityData posEmbedSimilarityData(const core::VitModel& model, int gridH, int gridW,
                                              core::PosInterp interp, const QString& modelName) {
    const core::VitConfig& config = model.config();
    PosEmbedSimilarityData data;
    data.modelName = modelName;
    data.gridH = gridH > 0 ? gridH : config.gridH();
    data.gridW = gridW > 0 ? gridW : config.gridW();
    data.similarity = core::positionEmbeddingSimilarity(model, data.gridH, data.gridW, interp);
    if (data.similarity.size() == 0) {
        data.unavailable = QStringLiteral(
            "this model has no learned absolute position embeddings, so there is no table whose "
            "similarity could show a learned 2-D layout.");
        return data;
    }
    // Name only the prefix tokens that own an entry in this model's table.
    QStringList prefix;
    if (config.posLayout == core::PosLayout::EveryPrefix ||
        config.posLayout == core::PosLayout::ClassOnly) {
        if (config.classToken) {
            prefix << QStringLiteral("class");
        }
    }
    if (config.posLayout == core::PosLayout::EveryPrefix) {
        if (config.distToken) {
            prefix << QStringLiteral("distillation");
        }
        if (config.numRegisters > 0) {
            prefix << QStringLiteral("register");
        }
    }
    if (prefix.size() == 1) {
        data.droppedPrefix = QStringLiteral("the %1 token's entry").arg(prefix.first());
    } else if (prefix.size() > 1) {
        const QString last = prefix.takeLast();
        data.droppedPrefix = QStringLiteral("the entries of the %1 and %2 tokens")
                                 .arg(prefix.join(QStringLiteral(", ")), last);
    }
    if (data.gridH == config.gridH() && data.gridW == config.gridW()) {
        data.source = QStringLiteral("learned table, trained grid %1x%2")
                          .arg(config.gridH())
                          .arg(config.gridW());
    } else {
        data.source = QStringLiteral(
                          "table interpolated (%1) from the trained %2x%3 grid to "
                          "%4x%5")
                          .arg(QString::fromLatin1(core::toString(interp)))
                          .arg(config.gridH())
                          .arg(config.gridW())
                          .arg(data.gridH)
                          .arg(data.gridW);
    }
    return data;
}

core::Result<EmbeddingFiltersData> embeddingFiltersData(const core::VitModel& model, bool raw,
                                                        int count, const QString& modelName) {
    auto filters = core::modelFilterComponents(model, raw, count);
    if (!filters) {
        return filters.error();
    }
    EmbeddingFiltersData data;
    data.channels = model.config().channels;
    data.patchSize = model.config().patchSize;
    data.raw = raw;
    data.modelName = modelName;
    data.components = std::move(filters->components);
    data.explained = std::move(filters->explainedVarianceRatio);
    return data;
}

core::Result<std::shared_ptr<const core::LabResults>> labResultsFor(const FigureOptions& options) {
    if (options.lab) {
        return options.lab;
    }
    const bool bundled = options.labResults.empty();
    const std::string path = bundled ? core::defaultLabResultsPath() : options.labResults;
    if (path.empty()) {
        return makeError(ErrorCode::Io,
                         "no resources folder, so no bundled lab results; give a results file "
                         "written by tools/data_hunger.py --write");
    }
    if (bundled && !core::pathEntryExists(path)) {
        return makeError(ErrorCode::Io, path +
                                            ": no lab results yet. Run /usr/bin/python3 "
                                            "tools/data_hunger.py --write to produce them.");
    }
    auto results = core::loadLabResults(path);
    if (!results) {
        return results.error();
    }
    return std::make_shared<const core::LabResults>(std::move(results.value()));
}

namespace detail {

FigureResult attentionFigure(const FigureContext& context, const FigureOptions& options) {
    return mapFigure(context, options, false);
}

FigureResult rolloutFigure(const FigureContext& context, const FigureOptions& options) {
    return mapFigure(context, options, true);
}

FigureResult headsFigure(const FigureContext& context, const FigureOptions& options) {
    return headGridFigure(context, options, false);
}

FigureResult layersHeadsFigure(const FigureContext& context, const FigureOptions& options) {
    return headGridFigure(context, options, true);
}

FigureResult posEmbedSimilarityFigure(const FigureContext& context, const FigureOptions& options) {
    const auto [gh, gw] = similarityGrid(context, options);
    return std::unique_ptr<Figure>(std::make_unique<PosEmbedSimilarityFigure>(
        posEmbedSimilarityData(*context.model, gh, gw, options.interp, modelNameOf(context))));
}

FigureResult attentionDistanceFigure(const FigureContext& context, const FigureOptions& options) {
    auto distances = distancesFor(context, options);
    if (!distances) {
        return distances.error();
    }
    const core::VitConfig& config = context.model->config();
    AttentionDistanceData data;
    data.distances = std::move(distances.value());
    data.imageH = context.result() ? context.result()->inputH : config.imageH;
    data.imageW = context.result() ? context.result()->inputW : config.imageW;
    data.patchSize = config.patchSize;
    data.numImages = options.distances.size() > 0 ? options.distanceImages : 1;
    data.prefixChoice = describePrefixHandling(options.prefix);
    data.modelName = modelNameOf(context);
    return std::unique_ptr<Figure>(std::make_unique<AttentionDistanceFigure>(std::move(data)));
}

FigureResult embeddingFiltersFigure(const FigureContext& context, const FigureOptions& options) {
    auto data = embeddingFiltersData(*context.model, options.rawFilters, options.filterCount,
                                     modelNameOf(context));
    if (!data) {
        return data.error();
    }
    return std::unique_ptr<Figure>(
        std::make_unique<EmbeddingFiltersFigure>(std::move(data.value())));
}

FigureResult experimentsFigure(const FigureContext& context, const FigureOptions& options) {
    auto outcomes = outcomesFor(context, options);
    if (!outcomes) {
        return outcomes.error();
    }
    return std::unique_ptr<Figure>(
        std::make_unique<ExperimentsFigure>(std::move(outcomes.value()), modelNameOf(context)));
}

FigureResult dataHungerFigure(const FigureContext&, const FigureOptions& options) {
    auto lab = labResultsFor(options);
    if (!lab) {
        return lab.error();
    }
    return std::unique_ptr<Figure>(std::make_unique<DataHungerFigure>(*lab.value()));
}

FigureResult positionAblationFigure(const FigureContext&, const FigureOptions& options) {
    auto lab = labResultsFor(options);
    if (!lab) {
        return lab.error();
    }
    return std::unique_ptr<Figure>(std::make_unique<PositionAblationFigure>(*lab.value()));
}

core::Result<FigureNumbers> dataHungerNumbers(const FigureContext&, const FigureOptions& options) {
    auto lab = labResultsFor(options);
    if (!lab) {
        return lab.error();
    }
    const DataHungerFigure figure(*lab.value());  // its legend order numbers the models
    const std::vector<const core::LabSeries*> order = figure.drawnSeries();
    Eigen::Index rows = 0;
    for (const core::LabSeries* s : order) {
        rows += static_cast<Eigen::Index>(s->points.size());
    }
    core::Matrix values(rows, 5);
    Eigen::Index r = 0;
    for (size_t i = 0; i < order.size(); ++i) {
        for (const core::LabPoint& p : order[i]->points) {
            values.row(r++) << static_cast<float>(i), static_cast<float>(p.trainImages),
                static_cast<float>(p.meanTop1), static_cast<float>(p.stdTop1),
                static_cast<float>(p.runs);
        }
    }
    return matrixNumbers(std::move(values),
                         {"arch", "train_images", "mean_top1_percent", "std_top1_percent", "runs"});
}

core::Result<FigureNumbers> attentionNumbers(const FigureContext& context,
                                             const FigureOptions& options) {
    return mapNumbers(context, options, false);
}

core::Result<FigureNumbers> rolloutNumbers(const FigureContext& context,
                                           const FigureOptions& options) {
    return mapNumbers(context, options, true);
}

core::Result<FigureNumbers> posEmbedSimilarityNumbers(const FigureContext& context,
                                                      const FigureOptions& options) {
    const auto [gh, gw] = similarityGrid(context, options);
    core::Matrix similarity =
        core::positionEmbeddingSimilarity(*context.model, gh, gw, options.interp);  // (M, M)
    if (similarity.size() == 0) {
        return makeError(ErrorCode::BadModel,
                         "this model has no learned absolute position embeddings");
    }
    core::TokenLayout grid;  // the patches alone, named as in every CSV header: r1c1, r1c2, ...
    grid.gridH = gh;
    grid.gridW = gw;
    std::vector<std::string> header;
    for (int patch = 0; patch < grid.numPatches(); ++patch) {
        header.push_back(core::tokenId(grid, patch));
    }
    return matrixNumbers(std::move(similarity), std::move(header));
}

core::Result<FigureNumbers> attentionDistanceNumbers(const FigureContext& context,
                                                     const FigureOptions& options) {
    auto distances = distancesFor(context, options);  // (layers, heads)
    if (!distances) {
        return distances.error();
    }
    const Eigen::Index heads = distances->cols();
    return matrixNumbers(std::move(distances.value()), numberedHeader("head", heads));
}

core::Result<FigureNumbers> embeddingFiltersNumbers(const FigureContext& context,
                                                    const FigureOptions& options) {
    auto filters =
        core::modelFilterComponents(*context.model, options.rawFilters, options.filterCount);
    if (!filters) {
        return filters.error();
    }
    const int64_t c = context.model->config().channels;
    const int64_t p = context.model->config().patchSize;
    FigureNumbers numbers;
    numbers.shape = {filters->components.rows(), c, p, p};
    numbers.values = std::move(filters->components);  // (K, C*P*P), (c, ky, kx) order
    for (int64_t ch = 0; ch < c; ++ch) {
        for (int64_t y = 0; y < p; ++y) {
            for (int64_t x = 0; x < p; ++x) {
                numbers.header.push_back("ch" + std::to_string(ch + 1) + "_y" +
                                         std::to_string(y + 1) + "_x" + std::to_string(x + 1));
            }
        }
    }
    return numbers;
}

}  // namespace detail
}  // namespace vitscope::ui
