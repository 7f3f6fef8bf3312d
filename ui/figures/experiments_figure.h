#pragma once
/// ExperimentsFigure: the spatial-bias experiments side by side. One row per experiment: the
/// original input and the variant the model saw, what was done, the difference metrics (max
/// |difference| of the class-token output and of the logits, top-1 agreement) and both runs' top
/// predictions as bars.

#include <QImage>
#include <QString>
#include <vector>

#include "core/analysis/experiments.h"
#include "ui/figures/figure.h"

namespace vitscope::ui {

class ExperimentsFigure : public Figure {
public:
    explicit ExperimentsFigure(std::vector<core::ExperimentOutcome> outcomes,
                               QString modelName = {});

    const std::vector<core::ExperimentOutcome>& outcomes() const { return mOutcomes; }

    QSizeF preferredSize() const override;
    void paint(QPainter& painter, const QRectF& target) const override;
    QString caption() const override;
    QString name() const override { return QStringLiteral("experiments"); }

private:
    double rowHeight(int index) const;
    void paintRow(QPainter& painter, int index, double top) const;

    std::vector<core::ExperimentOutcome> mOutcomes;
    std::vector<QImage> mReference;  // per outcome
    std::vector<QImage> mVariant;
    QString mModelName;
};

}  // namespace vitscope::ui
