#include "ui/figures/attention_figure.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

#include "ui/figures/figure_parts.h"

namespace vitscope::ui {

namespace fp = figure_parts;

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
    // downscaled photo is smoothed. One cell per patch, never interpolated: the hover value is
    // the value of the cell.
    fp::drawMapOverImage(painter, imageRect, mImage, mOverlays.heatmap ? mMapImage : QImage(),
                         mOpacity);
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

constexpr int kColorBarTicks = 4;
constexpr double kBarLeft = 6.0;  // gap, bar, tick, gap before the labels
constexpr double kBarW = 14.0;
constexpr double kBarTick = 3.0;
constexpr double kBarLabelGap = 2.0;

}  // namespace

void AttentionFigure::paintRulers(QPainter& painter, const QRectF& imageRect,
                                  const QRectF& topStrip, const QRectF& leftStrip) const {
    if (!mOverlays.rulers || mGridH <= 0 || mGridW <= 0) {
        return;
    }
    painter.save();
    QFont font = painter.font();
    if (font.pixelSize() > 0) {  // figure export: sizes in figure units
        font.setPixelSize(std::max(6, static_cast<int>(std::lround(font.pixelSize() * 0.8))));
    } else {
        font.setPointSizeF(std::max(6.0, font.pointSizeF() * 0.8));
    }
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
    const QRectF bar(rect.left() + kBarLeft, rect.top() + fm.height() / 2, kBarW,
                     std::max(rect.height() - fm.height(), 10.0));
    painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
    painter.drawImage(bar, colorBarImage(mColormap, 256, Qt::Vertical));
    QPen pen(mPalette.text);
    pen.setCosmetic(true);
    painter.setPen(pen);
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(bar);
    const QStringList labels = fp::tickLabels(mRange.lo, mRange.hi, kColorBarTicks + 1);
    for (int i = 0; i <= kColorBarTicks; ++i) {
        const double t = static_cast<double>(i) / kColorBarTicks;
        const double y = bar.bottom() - t * bar.height();
        painter.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + kBarTick, y));
        painter.drawText(
            QPointF(bar.right() + kBarTick + kBarLabelGap, y + (fm.ascent() - fm.descent()) / 2),
            labels[i]);
    }
    painter.restore();
}

double AttentionFigure::colorBarWidth(const QFont& font) const {
    if (mMapImage.isNull() || !mOverlays.heatmap) {
        return 0.0;
    }
    const QFontMetricsF fm(font);
    double widest = 0;
    for (const QString& text : fp::tickLabels(mRange.lo, mRange.hi, kColorBarTicks + 1)) {
        widest = std::max(widest, fm.horizontalAdvance(text));
    }
    return kBarLeft + kBarW + kBarTick + kBarLabelGap + widest + 4.0;
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

namespace {

constexpr double kOuter = 8.0;       // white margin on every side
constexpr double kCaptionGap = 6.0;  // image to caption

QFont exportFont() { return fp::font(fp::kLabelSize); }

}  // namespace

QSizeF AttentionFigure::preferredSize() const {
    const QSizeF image = mImage.isNull()
                             ? QSizeF(448, 448)
                             : QSizeF(mImage.size()).scaled(448, 448, Qt::KeepAspectRatio);
    const double ruler = mOverlays.rulers ? kRulerSize : 0.0;
    const double width = image.width() + ruler + colorBarWidth(exportFont()) + 2 * kOuter;
    const double captionH =
        mCaption.isEmpty()
            ? 0.0
            : kCaptionGap + fp::textHeight(mCaption, exportFont(), width - 2 * kOuter);
    return {width, image.height() + ruler + captionH + 2 * kOuter};
}

void AttentionFigure::paint(QPainter& painter, const QRectF& target) const {
    painter.save();
    painter.fillRect(target, mPalette.background);
    painter.setFont(exportFont());
    const double ruler = mOverlays.rulers ? kRulerSize : 0.0;
    const double bar = colorBarWidth(painter.font());
    const QRectF inner = target.adjusted(kOuter, kOuter, -kOuter, -kOuter);
    const double captionH =
        mCaption.isEmpty() ? 0.0
                           : kCaptionGap + fp::textHeight(mCaption, painter.font(), inner.width());
    const QRectF plotArea(inner.left() + ruler, inner.top() + ruler, inner.width() - ruler - bar,
                          inner.height() - ruler - captionH);
    const QRectF imageRect = fitImage(plotArea);
    paintRulers(painter, imageRect,
                QRectF(imageRect.left(), imageRect.top() - ruler, imageRect.width(), ruler),
                QRectF(imageRect.left() - ruler, imageRect.top(), ruler, imageRect.height()));
    paintPlot(painter, imageRect);
    paintColorBar(painter, QRectF(imageRect.right(), imageRect.top(), bar, imageRect.height()));
    paintCaption(painter, QRectF(inner.left(), imageRect.bottom() + kCaptionGap, inner.width(),
                                 std::max(0.0, captionH - kCaptionGap)));
    painter.restore();
}

}  // namespace vitscope::ui
