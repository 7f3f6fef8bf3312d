#include "ui/export/figure_table.h"

#include <QFileInfo>
#include <array>

#include "core/io/data_export.h"
#include "core/io/npy.h"
#include "ui/export/figure_builders.h"
#include "ui/export/figure_factory.h"

namespace vitscope::ui {

using core::ErrorCode;
using core::makeError;

namespace {

// Menu order. Adding a figure means adding a row here and its builders in figure_builders.h.
constexpr std::array kFigures{
    FigureEntry{"attention", true, detail::attentionFigure, detail::attentionNumbers},
    FigureEntry{"heads", true, detail::headsFigure, nullptr},
    FigureEntry{"layers-heads", true, detail::layersHeadsFigure, nullptr},
    FigureEntry{"rollout", true, detail::rolloutFigure, detail::rolloutNumbers},
    FigureEntry{"posembed-similarity", false, detail::posEmbedSimilarityFigure,
                detail::posEmbedSimilarityNumbers},
    FigureEntry{"attention-distance", true, detail::attentionDistanceFigure,
                detail::attentionDistanceNumbers},
    FigureEntry{"embedding-filters", false, detail::embeddingFiltersFigure,
                detail::embeddingFiltersNumbers},
    FigureEntry{"experiments", true, detail::experimentsFigure, nullptr},
    FigureEntry{"data-hunger", false, detail::dataHungerFigure, detail::dataHungerNumbers, false},
    FigureEntry{"position-ablation", false, detail::positionAblationFigure, nullptr, false},
};

core::Error usage(const QString& message) {
    return makeError(ErrorCode::Usage, message.toStdString());
}

core::Error unknownFigure(const QString& name) {
    return usage(QStringLiteral("unknown figure '%1': expected one of %2")
                     .arg(name, figureNames().join(QStringLiteral(", "))));
}

}  // namespace

std::span<const FigureEntry> figureTable() { return kFigures; }

const FigureEntry* findFigure(const QString& name) {
    for (const FigureEntry& entry : kFigures) {
        if (name == QLatin1String(entry.name)) {
            return &entry;
        }
    }
    return nullptr;
}

core::Status writeFigureNumbers(const FigureNumbers& numbers, const QString& path) {
    const QString suffix = QFileInfo(path).suffix().toLower();
    if (suffix == QLatin1String("npy")) {
        return core::writeNpy(path.toStdString(), numbers.shape, numbers.values.data());
    }
    if (suffix == QLatin1String("csv")) {
        return core::writeCsv(path.toStdString(), static_cast<int>(numbers.values.rows()),
                              static_cast<int>(numbers.values.cols()), numbers.values.data(),
                              numbers.header);
    }
    return usage(
        QStringLiteral("%1: numbers are written as .npy or .csv, not .%2").arg(path, suffix));
}

QStringList figureNames() {
    QStringList names;
    for (const FigureEntry& entry : kFigures) {
        names << QString::fromLatin1(entry.name);
    }
    return names;
}

QStringList numberFigureNames() {
    QStringList names;
    for (const FigureEntry& entry : kFigures) {
        if (entry.numbers) {
            names << QString::fromLatin1(entry.name);
        }
    }
    return names;
}

core::Result<std::unique_ptr<Figure>> makeFigure(const QString& name, const FigureContext& context,
                                                 const FigureOptions& options) {
    const FigureEntry* entry = findFigure(name);
    if (!entry) {
        return unknownFigure(name);
    }
    if (entry->needsModel && !context.model) {
        return makeError(ErrorCode::BadModel, "no model loaded");
    }
    return entry->build(context, options);
}

core::Status exportNumbers(const QString& name, const FigureContext& context,
                           const FigureOptions& options, const QString& path) {
    const FigureEntry* entry = findFigure(name);
    if (!entry) {
        return unknownFigure(name);
    }
    if (entry->needsModel && !context.model) {
        return makeError(ErrorCode::BadModel, "no model loaded");
    }
    if (!entry->numbers) {
        return usage(QStringLiteral("figure '%1' has no numbers to export; numbers exist for %2")
                         .arg(name, numberFigureNames().join(QStringLiteral(", "))));
    }
    auto numbers = entry->numbers(context, options);
    if (!numbers) {
        return numbers.error();
    }
    return writeFigureNumbers(numbers.value(), path);
}

}  // namespace vitscope::ui
