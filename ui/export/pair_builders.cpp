#include "ui/export/pair_builders.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <cmath>

#include "core/io/file_util.h"
#include "ui/export/figure_factory.h"
#include "ui/figures/attention_distance_figure.h"
#include "ui/figures/posembed_similarity_figure.h"

namespace vitscope::ui {

namespace {

/// A config.json larger than this is not one the loader accepted.
constexpr size_t kMaxConfigBytes = size_t(16) << 20;

using SideResult = core::Result<std::shared_ptr<const Figure>>;

/// The figure of one side, without caption and model name (the pair's titles carry it).
SideResult buildSide(const QString& name, const FigureContext& context,
                     const FigureOptions& options) {
    auto made = makeFigure(name, context, options);
    if (!made) {
        return made.error();
    }
    if (const auto* f = dynamic_cast<const PosEmbedSimilarityFigure*>(made.value().get())) {
        PosEmbedSimilarityData data = f->data();
        data.modelName.clear();
        data.drawCaption = false;
        auto side = std::make_shared<PosEmbedSimilarityFigure>(std::move(data));
        side->setColormap(options.colormap);
        return std::shared_ptr<const Figure>(std::move(side));
    }
    if (const auto* f = dynamic_cast<const AttentionDistanceFigure*>(made.value().get())) {
        AttentionDistanceData data = f->data();
        data.modelName.clear();
        data.drawCaption = false;
        return std::shared_ptr<const Figure>(
            std::make_shared<AttentionDistanceFigure>(std::move(data)));
    }
    return core::makeError(core::ErrorCode::Usage,
                           "figure '" + name.toStdString() + "' cannot be shown as a pair");
}

/// Both sides of attention distance on one y axis: the larger of the two tops.
void shareDistanceAxis(std::shared_ptr<const Figure>& left, std::shared_ptr<const Figure>& right) {
    const auto* a = dynamic_cast<const AttentionDistanceFigure*>(left.get());
    const auto* b = dynamic_cast<const AttentionDistanceFigure*>(right.get());
    if (a == nullptr || b == nullptr) {
        return;
    }
    const double top = std::max(a->yMax(), b->yMax());
    AttentionDistanceData da = a->data();
    AttentionDistanceData db = b->data();
    da.yMax = top;
    db.yMax = top;
    left = std::make_shared<AttentionDistanceFigure>(std::move(da));
    right = std::make_shared<AttentionDistanceFigure>(std::move(db));
}

QString nameOf(const FigureContext& context) {
    return context.modelName.isEmpty() ? sideName(*context.model) : context.modelName;
}

}  // namespace

QStringList pairFigureNames() {
    return {QStringLiteral("posembed-similarity"), QStringLiteral("attention-distance")};
}

std::optional<double> recordedAccuracy(const core::VitModel& model) {
    const QFileInfo info(QString::fromStdString(model.info().path));
    const QString folder = info.isDir() ? info.absoluteFilePath() : info.absolutePath();
    auto bytes =
        core::readFile((folder + QStringLiteral("/config.json")).toStdString(), kMaxConfigBytes);
    if (!bytes) {
        return std::nullopt;
    }
    const QJsonDocument json = QJsonDocument::fromJson(
        QByteArray(reinterpret_cast<const char*>(bytes->data()), static_cast<int>(bytes->size())));
    const QJsonValue value = json.object()
                                 .value(QStringLiteral("vitscope_training"))
                                 .toObject()
                                 .value(QStringLiteral("test_top1_percent"));
    const double percent = value.toDouble(-1.0);
    if (!value.isDouble() || !std::isfinite(percent) || percent < 0.0 || percent > 100.0) {
        return std::nullopt;
    }
    return percent;
}

QString sideName(const core::VitModel& model) {
    static const QStringList kGeneric{QStringLiteral("model.safetensors"),
                                      QStringLiteral("model.safetensors.index.json"),
                                      QStringLiteral("config.json")};
    const QFileInfo info(QString::fromStdString(model.info().path));
    if (info.isFile() && kGeneric.contains(info.fileName())) {
        return info.absoluteDir().dirName();
    }
    return defaultModelName(model);
}

QString modelTitle(const core::VitModel& model, const QString& name) {
    const QString shown = name.isEmpty() ? sideName(model) : name;
    const auto accuracy = recordedAccuracy(model);
    if (!accuracy) {
        return shown;
    }
    return QStringLiteral("%1, %2 % test accuracy").arg(shown).arg(*accuracy, 0, 'f', 1);
}

core::Result<std::unique_ptr<PairFigure>> makePairFigure(const QString& name,
                                                         const FigureContext& left,
                                                         const FigureContext& right,
                                                         const FigureOptions& options) {
    if (!pairFigureNames().contains(name)) {
        return core::makeError(core::ErrorCode::Usage,
                               "figure '" + name.toStdString() +
                                   "' cannot be shown as a pair; expected " +
                                   pairFigureNames().join(QStringLiteral(" or ")).toStdString());
    }
    if (!left.model || !right.model) {
        return core::makeError(core::ErrorCode::Usage, "a pair needs two models");
    }
    FigureOptions own = options;
    own.distances = core::Matrix();
    own.distanceImages = 1;
    auto a = buildSide(name, left, own);
    if (!a) {
        return a.error();
    }
    auto b = buildSide(name, right, own);
    if (!b) {
        return core::makeError(b.error().code,
                               nameOf(right).toStdString() + ": " + b.error().message);
    }
    std::shared_ptr<const Figure> leftFigure = a.value();
    std::shared_ptr<const Figure> rightFigure = b.value();
    shareDistanceAxis(leftFigure, rightFigure);
    QString caption = QStringLiteral("Left: %1. Right: %2. ").arg(nameOf(left), nameOf(right));
    caption += leftFigure->caption();
    if (rightFigure->caption() != leftFigure->caption()) {
        caption += QStringLiteral(" Right side: ") + rightFigure->caption();
    }
    if (name == QStringLiteral("attention-distance")) {
        caption += QStringLiteral(" Both sides share one y axis.");
    }
    return std::make_unique<PairFigure>(std::move(leftFigure), std::move(rightFigure),
                                        modelTitle(*left.model, left.modelName),
                                        modelTitle(*right.model, right.modelName), caption);
}

}  // namespace vitscope::ui
