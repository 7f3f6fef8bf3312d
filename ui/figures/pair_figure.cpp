#include "ui/figures/pair_figure.h"

#include <QPainter>
#include <algorithm>

#include "ui/figures/figure_parts.h"

namespace vitscope::ui {

namespace fp = figure_parts;

namespace {
constexpr double kGap = 24.0;  // between the two sides, where the divider is drawn
}  // namespace

PairFigure::PairFigure(std::shared_ptr<const Figure> left, std::shared_ptr<const Figure> right,
                       QString leftTitle, QString rightTitle, QString caption)
    : mLeft(std::move(left)),
      mRight(std::move(right)),
      mLeftTitle(std::move(leftTitle)),
      mRightTitle(std::move(rightTitle)),
      mCaption(std::move(caption)) {}

PairFigure::Layout PairFigure::layout() const {
    Layout l;
    const QSizeF a = mLeft->preferredSize();
    const QSizeF b = mRight->preferredSize();
    const QFont titleFont = fp::font(fp::kTitleSize, true);
    const double titleH = std::max(fp::textHeight(mLeftTitle, titleFont, a.width()),
                                   fp::textHeight(mRightTitle, titleFont, b.width()));
    const double top = fp::kMargin + titleH + 6;
    l.leftTitle = QRectF(fp::kMargin, fp::kMargin, a.width(), titleH);
    l.rightTitle = QRectF(fp::kMargin + a.width() + kGap, fp::kMargin, b.width(), titleH);
    l.left = QRectF(QPointF(fp::kMargin, top), a);
    l.right = QRectF(QPointF(l.rightTitle.left(), top), b);
    const double width = l.right.right() + fp::kMargin;
    l.captionTop = top + std::max(a.height(), b.height()) + 8;
    const double captionH =
        fp::textHeight(mCaption, fp::font(fp::kCaptionSize), width - 2 * fp::kMargin);
    l.size = QSizeF(width, l.captionTop + captionH + fp::kMargin);
    return l;
}

QSizeF PairFigure::preferredSize() const { return layout().size; }

void PairFigure::paint(QPainter& painter, const QRectF& target) const {
    const Layout l = layout();
    fp::NaturalCoordinates coords(painter, target, l.size);
    const QFont titleFont = fp::font(fp::kTitleSize, true);
    painter.save();
    painter.setFont(titleFont);
    painter.setPen(Qt::black);
    painter.drawText(l.leftTitle, Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, mLeftTitle);
    painter.drawText(l.rightTitle, Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, mRightTitle);
    const double divider = (l.left.right() + l.right.left()) / 2;
    painter.setPen(QPen(QColor(200, 200, 200), 1.0));
    painter.drawLine(QPointF(divider, l.leftTitle.top()), QPointF(divider, l.captionTop - 4));
    painter.restore();
    mLeft->paint(painter, l.left);
    mRight->paint(painter, l.right);
    fp::drawWrapped(painter,
                    QRectF(fp::kMargin, l.captionTop, l.size.width() - 2 * fp::kMargin,
                           l.size.height() - l.captionTop),
                    mCaption, fp::font(fp::kCaptionSize));
}

}  // namespace vitscope::ui
