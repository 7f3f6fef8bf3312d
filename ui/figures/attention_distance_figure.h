#pragma once
/// AttentionDistanceFigure: the ViT paper's Figure 7 (right) / Figure 11. For each layer (x axis,
/// network depth) one dot per head at its mean attention distance in input pixels (y axis), the
/// image width marked, a head legend and a caption naming the averaging and the prefix choice.

#include <QString>

#include "core/tensor.h"
#include "ui/figures/figure.h"

namespace vitscope::ui {

struct AttentionDistanceData {
    core::Matrix distances;  ///< (layers, heads) mean attention distance in input pixels
    int imageW = 0;          ///< input width in pixels (marked on the y axis)
    int imageH = 0;
    int patchSize = 0;
    int numImages = 1;  ///< images averaged over
    /// The prefix choice as words, e.g. "prefix tokens dropped and rows renormalised".
    QString prefixChoice;
    QString modelName;
};

class AttentionDistanceFigure : public Figure {
public:
    explicit AttentionDistanceFigure(AttentionDistanceData data);

    const AttentionDistanceData& data() const { return mData; }

    QSizeF preferredSize() const override;
    void paint(QPainter& painter, const QRectF& target) const override;
    QString caption() const override;
    QString name() const override { return QStringLiteral("attention-distance"); }

private:
    double yMax() const;
    AttentionDistanceData mData;
};

}  // namespace vitscope::ui
