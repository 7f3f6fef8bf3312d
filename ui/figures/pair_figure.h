#pragma once
/// PairFigure: two figures side by side for comparing two models, each under its own title (the
/// model's name and, when known, its test accuracy), with one caption across both. Both sides
/// are painted through their own Figure::paint at their natural size, so the pair on screen, in
/// PNG, SVG and PDF is drawn by the same code as each figure alone.

#include <QString>
#include <memory>

#include "ui/figures/figure.h"

namespace vitscope::ui {

class PairFigure : public Figure {
public:
    /// `left` and `right` must not be null.
    PairFigure(std::shared_ptr<const Figure> left, std::shared_ptr<const Figure> right,
               QString leftTitle, QString rightTitle, QString caption);

    const Figure& left() const { return *mLeft; }
    const Figure& right() const { return *mRight; }
    const QString& leftTitle() const { return mLeftTitle; }
    const QString& rightTitle() const { return mRightTitle; }
    /// Where each side is drawn, in natural coordinates (0, 0, preferredSize()).
    QRectF leftRect() const { return layout().left; }
    QRectF rightRect() const { return layout().right; }

    QSizeF preferredSize() const override;
    void paint(QPainter& painter, const QRectF& target) const override;
    QString caption() const override { return mCaption; }
    /// The sides' name with "-pair", e.g. "posembed-similarity-pair".
    QString name() const override { return mLeft->name() + QStringLiteral("-pair"); }

private:
    struct Layout {
        QRectF leftTitle;
        QRectF rightTitle;
        QRectF left;
        QRectF right;
        double captionTop = 0;
        QSizeF size;
    };
    Layout layout() const;

    std::shared_ptr<const Figure> mLeft;
    std::shared_ptr<const Figure> mRight;
    QString mLeftTitle;
    QString mRightTitle;
    QString mCaption;
};

}  // namespace vitscope::ui
