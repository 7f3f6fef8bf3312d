#include "ui/export/figure_factory.h"

#include <QFileInfo>
#include <algorithm>
#include <cmath>

#include "core/analysis/attention_maps.h"
#include "core/analysis/embedding_filters.h"
#include "core/analysis/posembed_similarity.h"
#include "core/io/data_export.h"
#include "core/io/npy.h"
#include "core/model/token_names.h"
#include "ui/figures/attention_figure.h"
#include "ui/figures/experiments_figure.h"
#include "ui/figures/head_grid_figure.h"
#include "ui/image_convert.h"
#include "ui/layer_head_picker.h"

namespace vitscope::ui {

using core::ErrorCode;
using core::makeError;

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
        return usage(QStringLiteral("head %1: expected 1..%2, mean, max or min")
                         .arg(q.head + 1)
                         .arg(heads));
    }
    const core::TokenLayout& tokens = result.tokens;
    if (options.sourceToken >= 0) {
        if (options.sourceToken >= tokens.numTokens()) {
            return usage(QStringLiteral("source token %1: expected 0..%2")
                             .arg(options.sourceToken)
                             .arg(tokens.numTokens() - 1));
        }
        q.sourceToken = options.sourceToken;
    } else if (tokens.clsIndex >= 0) {
        q.sourceToken = tokens.clsIndex;
    } else {
        q.sourceToken = tokens.patchToken(tokens.gridH / 2, tokens.gridW / 2);
    }
    return q;
}

core::Result<core::Matrix> mapFor(const core::InferenceResult& result, const AttentionQuery& q) {
    core::AttentionSelection selection;
    selection.layer = q.layer;
    selection.head = q.head;
    selection.fusion = q.fusion;
    selection.sourceToken = q.sourceToken;
    selection.reverse = q.reverse;
    selection.rollout = q.rollout;
    core::RolloutOptions rollout;
    rollout.discardRatio = q.discardRatio;
    return core::selectedMap(result, selection, rollout);
}

/// core::tokenLabel as a QString ("the class token", "patch (row 3, column 5)").
QString tokenText(const core::TokenLayout& t, int token) {
    return QString::fromStdString(core::tokenLabel(t, token));
}

QImage shownImage(const FigureContext& context) {
    if (context.input() && !context.input()->shown.empty()) {
        return toQImage(context.input()->shown);
    }
    return {};
}

QString methodFor(bool rollout) {
    return rollout ? QStringLiteral("Attention rollout (Abnar & Zuidema 2020): head-fused "
                                    "attention plus identity, rows renormalised, multiplied over "
                                    "layers")
                   : QStringLiteral("Raw attention probabilities");
}

core::Result<std::unique_ptr<Figure>> attentionFigure(const FigureContext& context,
                                                      const FigureOptions& options, bool rollout) {
    auto q = resolveQuery(context, options, rollout);
    if (!q) {
        return q.error();
    }
    const core::InferenceResult& result = *context.result();
    auto map = mapFor(result, q.value());
    if (!map) {
        return map.error();
    }
    auto figure = std::make_unique<AttentionFigure>();
    figure->setImage(shownImage(context));
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

core::Result<std::unique_ptr<Figure>> headGridFigure(const FigureContext& context,
                                                     const FigureOptions& options,
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
            auto map = mapFor(result, tile);
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
    const QString source = tokenText(result.tokens, q->sourceToken);
    const QString direction =
        q->reverse ? QStringLiteral("attention to %1").arg(source)
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

std::pair<int, int> similarityGrid(const FigureContext& context, const FigureOptions& options) {
    if (options.gridH > 0 && options.gridW > 0) {
        return {options.gridH, options.gridW};
    }
    if (context.result() && context.result()->tokens.gridH > 0) {
        return {context.result()->tokens.gridH, context.result()->tokens.gridW};
    }
    return {context.model->config().gridH(), context.model->config().gridW()};
}

core::Status writeNumbers(const QString& path, const std::vector<int64_t>& shape,
                          const core::Matrix& values2d, const std::vector<std::string>& header) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("npy")) {
        return core::writeNpy(path.toStdString(), shape, values2d.data());
    }
    if (suffix == QLatin1String("csv")) {
        return core::writeCsv(path.toStdString(), static_cast<int>(values2d.rows()),
                              static_cast<int>(values2d.cols()), values2d.data(), header);
    }
    return usage(QStringLiteral("%1: numbers are written as .npy or .csv, not .%2")
                     .arg(path, suffix));
}

/// "head1", "head2", ...: 1-based, as every number a person reads.
std::vector<std::string> columnHeader(const char* prefix, int count) {
    std::vector<std::string> header;
    for (int i = 0; i < count; ++i) {
        header.push_back(prefix + std::to_string(i + 1));
    }
    return header;
}

/// "r1c1", "r1c2", ...: the core's token ids of a (gridH, gridW) patch grid.
std::vector<std::string> patchHeader(int gridH, int gridW) {
    core::TokenLayout grid;
    grid.gridH = gridH;
    grid.gridW = gridW;
    std::vector<std::string> header;
    for (int p = 0; p < grid.numPatches(); ++p) {
        header.push_back(core::tokenId(grid, p));
    }
    return header;
}

}  // namespace

QStringList figureNames() {
    return {QStringLiteral("attention"),           QStringLiteral("heads"),
            QStringLiteral("layers-heads"),        QStringLiteral("rollout"),
            QStringLiteral("posembed-similarity"), QStringLiteral("attention-distance"),
            QStringLiteral("embedding-filters"),   QStringLiteral("experiments")};
}

QStringList numberFigureNames() {
    return {QStringLiteral("attention"), QStringLiteral("rollout"),
            QStringLiteral("posembed-similarity"), QStringLiteral("attention-distance"),
            QStringLiteral("embedding-filters")};
}

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
               : QStringLiteral("prefix tokens dropped without renormalising (weight on them "
                                "counts as distance 0)");
}

PosEmbedSimilarityData posEmbedSimilarityData(const core::VitModel& model, int gridH, int gridW,
                                              core::PosInterp interp, const QString& modelName) {
    const core::VitConfig& config = model.config();
    PosEmbedSimilarityData data;
    data.modelName = modelName;
    data.gridH = gridH > 0 ? gridH : config.gridH();
    data.gridW = gridW > 0 ? gridW : config.gridW();
    const core::Matrix table = core::patchPositionEmbeddings(model, data.gridH, data.gridW, interp);
    if (config.posLayout == core::PosLayout::None || table.rows() == 0) {
        data.unavailable = QStringLiteral(
            "this model has no learned absolute position embeddings, so there is no table whose "
            "similarity could show a learned 2-D layout.");
        return data;
    }
    data.similarity = core::cosineSimilarity(table);
    if (data.gridH == config.gridH() && data.gridW == config.gridW()) {
        data.source = QStringLiteral("learned table, trained grid %1x%2")
                          .arg(config.gridH())
                          .arg(config.gridW());
    } else {
        data.source = QStringLiteral("table interpolated (%1) from the trained %2x%3 grid to "
                                     "%4x%5")
                          .arg(QString::fromLatin1(core::toString(interp)))
                          .arg(config.gridH())
                          .arg(config.gridW())
                          .arg(data.gridH)
                          .arg(data.gridW);
    }
    return data;
}

AttentionDistanceData attentionDistanceData(const core::VitModel& model,
                                            const core::InferenceResult& result,
                                            core::PrefixHandling prefix,
                                            const QString& modelName) {
    AttentionDistanceData data;
    data.distances = core::meanAttentionDistance(result.attention, result.tokens,
                                                 model.config().patchSize, prefix);
    data.imageW = result.inputW;
    data.imageH = result.inputH;
    data.patchSize = model.config().patchSize;
    data.numImages = 1;
    data.prefixChoice = describePrefixHandling(prefix);
    data.modelName = modelName;
    return data;
}

core::Result<EmbeddingFiltersData> embeddingFiltersData(const core::VitModel& model, bool raw,
                                                        int count, const QString& modelName) {
    const core::VitConfig& config = model.config();
    const core::LinearWeights& embed = model.weights().patchEmbed;
    if (!embed.present() || embed.in != config.patchVectorSize()) {
        return makeError(ErrorCode::BadModel, "the model has no patch-embedding filter matrix");
    }
    EmbeddingFiltersData data;
    data.channels = config.channels;
    data.patchSize = config.patchSize;
    data.raw = raw;
    data.modelName = modelName;
    const core::Matrix filters = embed.matrix();  // (D, C*P*P)
    if (raw) {
        data.components = filters.topRows(std::min<Eigen::Index>(count, filters.rows()));
        return data;
    }
    auto pca = core::principalComponents(filters, count);
    if (!pca) {
        return pca.error();
    }
    data.components = std::move(pca->components);
    data.explained = std::move(pca->explainedVarianceRatio);
    return data;
}

core::Result<std::unique_ptr<Figure>> makeFigure(const QString& name, const FigureContext& context,
                                                 const FigureOptions& options) {
    if (!context.model) {
        return makeError(ErrorCode::BadModel, "no model loaded");
    }
    const core::VitModel& model = *context.model;
    const QString modelName = modelNameOf(context);
    if (name == QLatin1String("attention") || name == QLatin1String("rollout")) {
        return attentionFigure(context, options, name == QLatin1String("rollout"));
    }
    if (name == QLatin1String("heads") || name == QLatin1String("layers-heads")) {
        return headGridFigure(context, options, name == QLatin1String("layers-heads"));
    }
    if (name == QLatin1String("posembed-similarity")) {
        const auto [gh, gw] = similarityGrid(context, options);
        return std::unique_ptr<Figure>(std::make_unique<PosEmbedSimilarityFigure>(
            posEmbedSimilarityData(model, gh, gw, options.interp, modelName)));
    }
    if (name == QLatin1String("attention-distance")) {
        auto distances = distancesFor(context, options);
        if (!distances) {
            return distances.error();
        }
        AttentionDistanceData data;
        data.distances = std::move(distances.value());
        data.imageH = context.result() ? context.result()->inputH : model.config().imageH;
        data.imageW = context.result() ? context.result()->inputW : model.config().imageW;
        data.patchSize = model.config().patchSize;
        data.numImages = options.distances.size() > 0 ? options.distanceImages : 1;
        data.prefixChoice = describePrefixHandling(options.prefix);
        data.modelName = modelName;
        return std::unique_ptr<Figure>(std::make_unique<AttentionDistanceFigure>(std::move(data)));
    }
    if (name == QLatin1String("embedding-filters")) {
        auto data = embeddingFiltersData(model, options.rawFilters, options.filterCount, modelName);
        if (!data) {
            return data.error();
        }
        return std::unique_ptr<Figure>(
            std::make_unique<EmbeddingFiltersFigure>(std::move(data.value())));
    }
    if (name == QLatin1String("experiments")) {
        auto outcomes = outcomesFor(context, options);
        if (!outcomes) {
            return outcomes.error();
        }
        return std::unique_ptr<Figure>(
            std::make_unique<ExperimentsFigure>(std::move(outcomes.value()), modelName));
    }
    return usage(QStringLiteral("unknown figure '%1': expected one of %2")
                     .arg(name, figureNames().join(QStringLiteral(", "))));
}

core::Status exportNumbers(const QString& name, const FigureContext& context,
                           const FigureOptions& options, const QString& path) {
    if (!context.model) {
        return makeError(ErrorCode::BadModel, "no model loaded");
    }
    const core::VitModel& model = *context.model;
    if (name == QLatin1String("attention") || name == QLatin1String("rollout")) {
        auto q = resolveQuery(context, options, name == QLatin1String("rollout"));
        if (!q) {
            return q.error();
        }
        auto map = mapFor(*context.result(), q.value());
        if (!map) {
            return map.error();
        }
        return writeNumbers(path, {map->rows(), map->cols()}, map.value(),
                            columnHeader("c", static_cast<int>(map->cols())));
    }
    if (name == QLatin1String("posembed-similarity")) {
        const auto [gh, gw] = similarityGrid(context, options);
        const PosEmbedSimilarityData data = posEmbedSimilarityData(model, gh, gw, options.interp, {});
        if (!data.unavailable.isEmpty()) {
            return makeError(ErrorCode::BadModel, data.unavailable.toStdString());
        }
        const auto n = data.similarity.rows();
        return writeNumbers(path, {n, n}, data.similarity, patchHeader(data.gridH, data.gridW));
    }
    if (name == QLatin1String("attention-distance")) {
        auto distances = distancesFor(context, options);
        if (!distances) {
            return distances.error();
        }
        return writeNumbers(path, {distances->rows(), distances->cols()}, distances.value(),
                            columnHeader("head", static_cast<int>(distances->cols())));
    }
    if (name == QLatin1String("embedding-filters")) {
        auto data = embeddingFiltersData(model, options.rawFilters, options.filterCount, {});
        if (!data) {
            return data.error();
        }
        const int64_t c = data->channels;
        const int64_t p = data->patchSize;
        return writeNumbers(path, {data->components.rows(), c, p, p}, data->components,
                            columnHeader("v", static_cast<int>(data->components.cols())));
    }
    if (figureNames().contains(name)) {
        return usage(QStringLiteral("figure '%1' has no numbers to export; numbers exist for %2")
                         .arg(name, numberFigureNames().join(QStringLiteral(", "))));
    }
    return usage(QStringLiteral("unknown figure '%1': expected one of %2")
                     .arg(name, figureNames().join(QStringLiteral(", "))));
}

}  // namespace vitscope::ui
