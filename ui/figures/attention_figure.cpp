#include "ui/figures/attention_figure.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

namespace vitscope::ui {

void AttentionFigure::setMap(const core::Matrix& map) {
    mMap = map;
    if (map.size() > 0) {
        mGridH = static_cast<int>(map.rows());
        mGridW = static_cast<int>(map.cols());
        mRange = valueRange(map);
        mMapImage = mapToImage(map, mColormap, mRange);
    } else {
        mMapImage = QImage();
        mRange = {};
    }
}

void AttentionFigure::setGrid(int gridH, int gridW) {
    mGridH = gridH;
    mGridW = gridW;
}

void AttentionFigure::setColormap(core::Colormap colormap) {
    mColormap = colormap;
    if (mMap.size() > 0) {
        mMapImage = mapToImage(mMap, mColormap, mRange);
    }
}

void AttentionFigure::setSelectedPatch(int row, int col) {
    mSelRow = row;
    mSelCol = col;
}

QPoint AttentionFigure::patchAt(const QRectF& imageRect, const QPointF& pos) const {
    if (mGridH <= 0 || mGridW <= 0 || !imageRect.contains(pos) || imageRect.isEmpty()) {
        return {-1, -1};
    }
    const int col = static_cast<int>((pos.x() - imageRect.left()) / imageRect.width() * mGridW);
    const int row = static_cast<int>((pos.y() - imageRect.top()) / imageRect.height() * mGridH);
    return {std::clamp(col, 0, mGridW - 1), std::clamp(row, 0, mGridH - 1)};
}

QRectF AttentionFigure::patchRect(const QRectF& imageRect, int row, int col) const {
    if (mGridH <= 0 || mGridW <= 0) {
        return {};
    }
    const double cw = imageRect.width() / mGridW;
    const double ch = imageRect.height() / mGridH;
    return {imageRect.left() + col * cw, imageRect.top() + row * ch, cw, ch};
}

QRectF AttentionFigure::fitImage(const QRectF& area) const {
    const QSizeF size =
        mImage.isNull() ? QSizeF(std::max(mGridW, 1), std::max(mGridH, 1)) : QSizeF(mImage.size());
    const QSizeF fitted = size.scaled(area.size(), Qt::KeepAspectRatio);
    return {area.center().x() - fitted.width() / 2, area.center().y() - fitted.height() / 2,
            fitted.width(), fitted.height()};
}

void AttentionFigure::paintPlot(QPainter& painter, const QRectF& imageRect) const {
    painter.save();
    // Upscaled pixels stay crisp, so that what is drawn is what the model saw; only a
    // downscaled photo is smoothed.
    const bool smooth = !mImage.isNull() && imageRect.width() < mImage.width();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, smooth);
    if (!mImage.isNull()) {
        painter.drawImage(imageRect, mImage);
    }
    if (mOverlays.heatmap && !mMapImage.isNull()) {
        // One cell per patch, never interpolated: the hover value is the value of the cell.
        painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
        painter.setOpacity(mImage.isNull() ? 1.0 : mOpacity);
        painter.drawImage(imageRect, mMapImage);
        painter.setOpacity(1.0);
    }
    if (mOverlays.grid && mGridH > 0 && mGridW > 0) {
        QPen pen(QColor(255, 255, 255, 90));
        pen.setCosmetic(true);
        painter.setPen(pen);
        for (int c = 1; c < mGridW; ++c) {
            const double x = imageRect.left() + imageRect.width() * c / mGridW;
            painter.drawLine(QPointF(x, imageRect.top()), QPointF(x, imageRect.bottom()));
        }
        for (int r = 1; r < mGridH; ++r) {
            const double y = imageRect.top() + imageRect.height() * r / mGridH;
            painter.drawLine(QPointF(imageRect.left(), y), QPointF(imageRect.right(), y));
        }
    }
    if (mOverlays.selection && mSelRow >= 0 && mSelCol >= 0) {
        const QRectF cell = patchRect(imageRect, mSelRow, mSelCol);
        painter.setBrush(Qt::NoBrush);
        QPen outer(Qt::black, 3.0);
        outer.setCosmetic(true);
        painter.setPen(outer);
        painter.drawRect(cell);
        QPen inner(QColor(255, 64, 64), 1.5);
        inner.setCosmetic(true);
        painter.setPen(inner);
        painter.drawRect(cell);
    }
    painter.restore();
}

namespace {

/// Every `step`-th label so that labels stay at least `minGap` apart.
int labelStep(double cellSize, double minGap) {
    int step = 1;
    while (cellSize * step < minGap) {
        step *= 2;
    }
    return step;
}

QString formatValue(float v) { return QString::number(static_cast<double>(v), 'g', 3); }

}  // namespace

void AttentionFigure::paintRulers(QPainter& painter, const QRectF& imageRect,
                                  const QRectF& topStrip, const QRectF& leftStrip) const {
    if (!mOverlays.rulers || mGridH <= 0 || mGridW <= 0) {
        return;
    }
    painter.save();
    QFont font = painter.font();
    font.setPointSizeF(std::max(6.0, font.pointSizeF() * 0.8));
    painter.setFont(font);
    painter.setPen(mPalette.faint);
    const QFontMetricsF fm(font);
    const double cw = imageRect.width() / mGridW;
    const double ch = imageRect.height() / mGridH;
    painter.setClipRect(topStrip);
    const int colStep = labelStep(cw, fm.horizontalAdvance(QStringLiteral("000")));
    for (int c = 0; c < mGridW; c += colStep) {
        const QRectF r(imageRect.left() + c * cw, topStrip.top(), cw, topStrip.height());
        painter.drawText(r.adjusted(-20, 0, 20, 0), Qt::AlignCenter, QString::number(c + 1));
    }
    painter.setClipRect(leftStrip);
    const int rowStep = labelStep(ch, fm.height());
    for (int r = 0; r < mGridH; r += rowStep) {
        const QRectF rr(leftStrip.left(), imageRect.top() + r * ch, leftStrip.width() - 4, ch);
        painter.drawText(rr.adjusted(0, -10, 0, 10), Qt::AlignRight | Qt::AlignVCenter,
                         QString::number(r + 1));  // 1-based, as the mosaic numbers tiles
    }
    painter.restore();
}

void AttentionFigure::paintColorBar(QPainter& painter, const QRectF& rect) const {
    if (mMapImage.isNull() || !mOverlays.heatmap) {
        return;
    }
    painter.save();
    const QFontMetricsF fm(painter.font());
    const double barW = 14.0;
    const QRectF bar(rect.left() + 6, rect.top() + fm.height() / 2, barW,
                     std::max(rect.height() - fm.height(), 10.0));
    painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
    painter.drawImage(bar, colorBarImage(mColormap, 256, Qt::Vertical));
    QPen pen(mPalette.text);
    pen.setCosmetic(true);
    painter.setPen(pen);
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(bar);
    const int ticks = 4;
    for (int i = 0; i <= ticks; ++i) {
        const double t = static_cast<double>(i) / ticks;
        const double y = bar.bottom() - t * bar.height();
        const float value = mRange.lo + static_cast<float>(t) * (mRange.hi - mRange.lo);
        painter.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 3, y));
        painter.drawText(
            QRectF(bar.right() + 5, y - fm.height() / 2, rect.right() - bar.right(), fm.height()),
            Qt::AlignLeft | Qt::AlignVCenter, formatValue(value));
    }
    painter.restore();
}

void AttentionFigure::paintCaption(QPainter& painter, const QRectF& rect) const {
    if (mCaption.isEmpty()) {
        return;
    }
    painter.save();
    painter.setPen(mPalette.text);
    painter.drawText(rect, Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, mCaption);
    painter.restore();
}

QSizeF AttentionFigure::preferredSize() const {
    const QSizeF image = mImage.isNull()
                             ? QSizeF(448, 448)
                             : QSizeF(mImage.size()).scaled(448, 448, Qt::KeepAspectRatio);
    return {image.width() + kRulerSize + kColorBarWidth + 16, image.height() + kRulerSize + 60};
}

void AttentionFigure::paint(QPainter& painter, const QRectF& target) const {
    painter.save();
    painter.fillRect(target, mPalette.background);
    const QFontMetricsF fm(painter.font());
    const double captionH = mCaption.isEmpty() ? 0.0 : 2.5 * fm.height();
    const double ruler = mOverlays.rulers ? kRulerSize : 0.0;
    const double bar = (mOverlays.heatmap && !mMapImage.isNull()) ? kColorBarWidth : 0.0;
    const QRectF inner = target.adjusted(8, 8, -8, -8);
    const QRectF plotArea(inner.left() + ruler, inner.top() + ruler, inner.width() - ruler - bar,
                          inner.height() - ruler - captionH);
    const QRectF imageRect = fitImage(plotArea);
    paintRulers(painter, imageRect,
                QRectF(imageRect.left(), imageRect.top() - ruler, imageRect.width(), ruler),
                QRectF(imageRect.left() - ruler, imageRect.top(), ruler, imageRect.height()));
    paintPlot(painter, imageRect);
    paintColorBar(painter,
                  QRectF(imageRect.right() + 4, imageRect.top(), bar - 4, imageRect.height()));
    paintCaption(painter, QRectF(inner.left(), imageRect.bottom() + 6, inner.width(), captionH));
    painter.restore();
}

}  // namespace vitscope::ui
