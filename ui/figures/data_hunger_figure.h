#pragma once
/// DataHungerFigure: the bundled lab's version of the ViT paper's data-requirement claim
/// (Dosovitskiy et al. 2021, Section 4.2, Fig. 4): test top-1 against the number of training
/// images on a log axis, one line with markers per model (the bundled ViT's architecture, a CNN
/// of about the same size, the ViT without position embeddings), ±1 standard deviation where a
/// size has several runs, every run as a faint dot, and a caption with the budget rule, the
/// subsets, the runs per size, the gap at the smallest and largest size and what is missing.

#include <QColor>
#include <QPointF>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <vector>

#include "core/analysis/lab_results.h"
#include "ui/figures/figure.h"

namespace vitscope::ui {

class DataHungerFigure : public Figure {
public:
    explicit DataHungerFigure(core::LabResults results);

    const core::LabResults& results() const { return mResults; }

    QSizeF preferredSize() const override;
    void paint(QPainter& painter, const QRectF& target) const override;
    QString caption() const override;
    QString name() const override { return QStringLiteral("data-hunger"); }

    /// Centre of the marker of `arch`'s mean at `trainImages`, in natural coordinates; (-1, -1)
    /// when the file has no such point.
    QPointF markerPosition(const QString& arch, int64_t trainImages) const;
    /// The series drawn, in legend order ("vit", "cnn", "vit-nopos", then any other).
    std::vector<const core::LabSeries*> drawnSeries() const;

    /// "1k", "3k", "60k", "1.5k", "500", "2M": a training-set size as a tick label.
    static QString sizeLabel(int64_t trainImages);
    /// "ViT", "CNN", "ViT without position embeddings", else the arch as written.
    static QString archName(const QString& arch);
    /// The colour of the series at legend position `index`.
    static QColor seriesColor(int index);
    /// Legend text: "ViT (206k parameters)".
    QString legendText(const core::LabSeries& series) const;

private:
    struct Scale;
    Scale scale() const;
    double legendWidth() const;
    QString gapSentence() const;
    QString runsSentence() const;
    QString missingSentence() const;

    core::LabResults mResults;
    std::vector<size_t> mOrder;   ///< indices into mResults.series, legend order
    std::vector<int64_t> mSizes;  ///< every size of any series, ascending
};

}  // namespace vitscope::ui
