#include "ui/figures/head_grid_figure.h"

#include <QFontMetricsF>
#include <QPainter>
#include <algorithm>

#include "ui/figures/figure_parts.h"

namespace vitscope::ui {

namespace fp = figure_parts;

namespace {
constexpr double kGap = 3.0;
constexpr double kMargin = 6.0;      // white margin on every side
constexpr double kCaptionGap = 6.0;  // last tile row to caption
constexpr double kPreferredTile = 96.0;

QFont labelFont() { return fp::font(fp::kTickSize); }
QFont captionFont() { return fp::font(fp::kCaptionSize); }

double widestLabel(const QStringList& labels) {
    const QFontMetricsF fm(labelFont());
    double w = 0;
    for (const QString& text : labels) {
        w = std::max(w, fm.horizontalAdvance(text));
    }
    return w;
}
}  // namespace

void HeadGridFigure::setTiles(std::vector<core::Matrix> maps, int rows, int cols,
                              QStringList rowLabels, QStringList colLabels) {
    mMaps = std::move(maps);
    mRows = rows;
    mCols = cols;
    mRowLabels = std::move(rowLabels);
    mColLabels = std::move(colLabels);
    setColormap(mColormap);
}

void HeadGridFigure::setColormap(core::Colormap colormap) {
    mColormap = colormap;
    mTileImages.clear();
    mTileImages.reserve(mMaps.size());
    for (const auto& map : mMaps) {
        mTileImages.push_back(mapToImage(map, mColormap, valueRange(map)));
    }
}

void HeadGridFigure::setHighlight(int row, int col) {
    mHiRow = row;
    mHiCol = col;
}

double HeadGridFigure::aspect() const {
    if (!mImage.isNull() && mImage.width() > 0) {
        return static_cast<double>(mImage.height()) / mImage.width();
    }
    if (!mMaps.empty() && mMaps.front().cols() > 0) {
        return static_cast<double>(mMaps.front().rows()) / mMaps.front().cols();
    }
    return 1.0;
}

double HeadGridFigure::captionHeight(double width) const {
    if (mCaption.isEmpty()) {
        return 0.0;
    }
    return kCaptionGap + fp::textHeight(mCaption, captionFont(), width - 2 * kMargin);
}

double HeadGridFigure::labelLeft() const {
    return mRowLabels.isEmpty() ? 0.0 : widestLabel(mRowLabels) + 6.0;
}

double HeadGridFigure::labelTop() const {
    return mColLabels.isEmpty() ? 0.0 : QFontMetricsF(labelFont()).height() + 2.0;
}

HeadGridFigure::Layout HeadGridFigure::layout(const QRectF& target) const {
    Layout l;
    l.gap = kGap;
    l.labelLeft = labelLeft();
    l.labelTop = labelTop();
    if (mRows <= 0 || mCols <= 0) {
        return l;
    }
    const double availW = target.width() - 2 * kMargin - l.labelLeft;
    const double availH =
        target.height() - 2 * kMargin - l.labelTop - captionHeight(target.width());
    double tileW = (availW - (mCols - 1) * kGap) / mCols;
    const double tileHMax = (availH - (mRows - 1) * kGap) / mRows;
    if (tileW * aspect() > tileHMax) {
        tileW = tileHMax / aspect();
    }
    if (mMaxTile > 0) {
        tileW = std::min(tileW, mMaxTile);
    }
    l.tileW = std::max(tileW, 1.0);
    l.tileH = l.tileW * aspect();
    const double gridW = l.labelLeft + mCols * l.tileW + (mCols - 1) * kGap;
    const double left = target.left() + std::max(kMargin, (target.width() - gridW) / 2);
    l.origin = QPointF(left + l.labelLeft, target.top() + kMargin + l.labelTop);
    return l;
}

QRectF HeadGridFigure::tileRect(const QRectF& target, int row, int col) const {
    const Layout l = layout(target);
    return {l.origin.x() + col * (l.tileW + l.gap), l.origin.y() + row * (l.tileH + l.gap), l.tileW,
            l.tileH};
}

QPoint HeadGridFigure::tileAt(const QRectF& target, const QPointF& pos) const {
    for (int r = 0; r < mRows; ++r) {
        for (int c = 0; c < mCols; ++c) {
            if (tileRect(target, r, c).contains(pos)) {
                return {c, r};
            }
        }
    }
    return {-1, -1};
}

double HeadGridFigure::heightForWidth(double width) const {
    if (mRows <= 0 || mCols <= 0) {
        return 0;
    }
    double tileW = (width - 2 * kMargin - labelLeft() - (mCols - 1) * kGap) / mCols;
    if (mMaxTile > 0) {
        tileW = std::min(tileW, mMaxTile);
    }
    return 2 * kMargin + labelTop() + mRows * tileW * aspect() + (mRows - 1) * kGap +
           captionHeight(width);
}

QSizeF HeadGridFigure::preferredSize() const {
    const int cols = std::max(mCols, 1);
    const int rows = std::max(mRows, 1);
    const double gridW = labelLeft() + cols * kPreferredTile + (cols - 1) * kGap;
    // A caption wider than the grid wraps into lines no narrower than 360 units.
    const double w = 2 * kMargin + std::max(gridW, 360.0);
    const double h = 2 * kMargin + labelTop() + rows * kPreferredTile * aspect() +
                     (rows - 1) * kGap + captionHeight(w);
    return {w, h};
}

void HeadGridFigure::paint(QPainter& painter, const QRectF& target) const {
    painter.save();
    painter.fillRect(target, mPalette.background);
    const Layout l = layout(target);
    painter.setFont(labelFont());
    for (int r = 0; r < mRows; ++r) {
        for (int c = 0; c < mCols; ++c) {
            const size_t index = static_cast<size_t>(r) * mCols + c;
            const QRectF rect = tileRect(target, r, c);
            if (index >= mMaps.size() || mMaps[index].size() == 0) {
                continue;  // padding tile of an incomplete last row
            }
            const QImage map = index < mTileImages.size() ? mTileImages[index] : QImage();
            fp::drawMapOverImage(painter, rect, mImage, map, mOpacity);
            if (index < static_cast<size_t>(mTileLabels.size())) {
                const QString& text = mTileLabels[static_cast<int>(index)];
                const QFontMetricsF fm(painter.font());
                const QRectF box(rect.left(), rect.top(), fm.horizontalAdvance(text) + 6,
                                 fm.height() + 2);
                painter.fillRect(box, QColor(0, 0, 0, 150));
                painter.setPen(Qt::white);
                painter.drawText(box, Qt::AlignCenter, text);
            }
        }
    }
    painter.setPen(mPalette.faint);
    for (int c = 0; c < mCols && c < mColLabels.size(); ++c) {
        const QRectF rect = tileRect(target, 0, c);
        painter.drawText(QRectF(rect.left(), rect.top() - l.labelTop, rect.width(), l.labelTop),
                         Qt::AlignCenter, mColLabels[c]);
    }
    for (int r = 0; r < mRows && r < mRowLabels.size(); ++r) {
        const QRectF rect = tileRect(target, r, 0);
        painter.drawText(
            QRectF(rect.left() - l.labelLeft, rect.top(), l.labelLeft - 4, rect.height()),
            Qt::AlignRight | Qt::AlignVCenter, mRowLabels[r]);
    }
    if (mHiRow >= 0 && mHiCol >= 0 && mHiRow < mRows && mHiCol < mCols) {
        const QRectF rect = tileRect(target, mHiRow, mHiCol).adjusted(-1.5, -1.5, 1.5, 1.5);
        QPen pen(QColor(255, 64, 64), 2.5);
        painter.setPen(pen);
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(rect);
    }
    if (!mCaption.isEmpty()) {
        const QRectF last = tileRect(target, mRows - 1, 0);
        fp::drawWrapped(painter,
                        QRectF(target.left() + kMargin, last.bottom() + kCaptionGap,
                               target.width() - 2 * kMargin, captionHeight(target.width())),
                        mCaption, captionFont(), mPalette.text);
    }
    painter.restore();
}

}  // namespace vitscope::ui
