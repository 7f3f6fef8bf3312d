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
    /// Top of the y axis in pixels; 0: from the data and the image width. A PairFigure gives both
    /// sides the same value so their heights can be compared.
    double yMax = 0;
    /// False inside a PairFigure, which draws one caption for both sides.
    bool drawCaption = true;
};

class AttentionDistanceFigure : public Figure {
public:
    explicit AttentionDistanceFigure(AttentionDistanceData data);

    const AttentionDistanceData& data() const { return mData; }

    QSizeF preferredSize() const override;
    void paint(QPainter& painter, const QRectF& target) const override;
    QString caption() const override;
    QString name() const override { return QStringLiteral("attention-distance"); }
    /// The top of the y axis as drawn (data.yMax when set).
    double yMax() const;

private:
    AttentionDistanceData mData;
};

}  // namespace vitscope::ui
