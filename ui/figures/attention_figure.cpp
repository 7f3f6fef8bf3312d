#include "ui/figures/attention_figure.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>
#include <QStringList>
#include <algorithm>
#include <cmath>

#include "ui/figures/figure_parts.h"

namespace vitscope::ui {

namespace fp = figure_parts;

const char* toString(AttentionBase base) {
    return base == AttentionBase::Original ? "original" : "input";
}

const char* toString(AttentionDisplay display) {
    switch (display) {
        case AttentionDisplay::Overlay:
            return "overlay";
        case AttentionDisplay::Mask:
            return "mask";
        case AttentionDisplay::Alpha:
            return "alpha";
    }
    return "overlay";
}

void AttentionFigure::setImage(const QImage& shown) {
    mImage = shown;
    invalidate();
}

void AttentionFigure::setOriginal(const QImage& source, const core::SourceMapping& mapping) {
    invalidate();
    if (source.isNull() || mapping.sourceW <= 0 || mapping.sourceH <= 0) {
        mOriginal = QImage();
        return;
    }
    mOriginal = std::max(source.width(), source.height()) > kMaxOriginalSide
                    ? source.scaled(kMaxOriginalSide, kMaxOriginalSide, Qt::KeepAspectRatio,
                                    Qt::SmoothTransformation)
                    : source;
    const double w = mapping.sourceW;
    const double h = mapping.sourceH;
    mGridFraction = {mapping.grid.x / w, mapping.grid.y / h, mapping.grid.w / w,
                     mapping.grid.h / h};
    mInputFraction = {mapping.input.x / w, mapping.input.y / h, mapping.input.w / w,
                      mapping.input.h / h};
}

bool AttentionFigure::setOriginalFromRun(const core::Run& run) {
    if (!run.source || run.source->empty() || !run.recipe || !run.result || !run.model) {
        setOriginal({}, {});
        return false;
    }
    const int patch = run.model->config().patchSize;
    auto mapping =
        core::mapPatchesToSource(run.source->width, run.source->height, *run.recipe,
                                 run.result->tokens.gridH, run.result->tokens.gridW, patch, patch);
    if (!mapping) {
        setOriginal({}, {});
        return false;
    }
    setOriginal(toQImage(*run.source), mapping.value());
    return true;
}

void AttentionFigure::setDisplay(const AttentionDisplayOptions& display) {
    mDisplay = display;
    mDisplay.maskMass = std::clamp(mDisplay.maskMass, 0.01, 1.0);
    invalidate();
}

QRectF AttentionFigure::gridRect(const QRectF& imageRect) const {
    if (!onOriginal()) {
        return imageRect;
    }
    return {imageRect.left() + mGridFraction.left() * imageRect.width(),
            imageRect.top() + mGridFraction.top() * imageRect.height(),
            mGridFraction.width() * imageRect.width(), mGridFraction.height() * imageRect.height()};
}

QString AttentionFigure::caption() const {
    QStringList parts;
    if (!mCaption.isEmpty()) {
        parts << mCaption;
    }
    if (onOriginal()) {
        const bool cropped = mInputFraction.width() < 0.999 || mInputFraction.height() < 0.999;
        parts << (cropped ? QStringLiteral("on the opened image (dimmed: cut away by the crop)")
                          : QStringLiteral("on the opened image"));
    }
    if (mDisplay.upsampling == core::Upsampling::Bicubic && mMap.size() > 0) {
        parts << QStringLiteral("bicubic upsampling");
    }
    if (mDisplay.display == AttentionDisplay::Mask && mMap.size() > 0) {
        const core::MassMask m = mask();
        parts << QStringLiteral("the %1 of %2 patches that hold %3 % of the attention (goal %4 %)")
                     .arg(m.kept)
                     .arg(mMap.size())
                     .arg(m.keptMass * 100.0, 0, 'f', 1)
                     .arg(mDisplay.maskMass * 100.0, 0, 'g', 3);
    } else if (mDisplay.display == AttentionDisplay::Alpha && mMap.size() > 0) {
        parts << QStringLiteral("image times attention / maximum, over black (ViT paper, Fig. 6)");
    }
    return parts.join(QStringLiteral(" · "));
}

void AttentionFigure::setMap(const core::Matrix& map) {
    invalidate();
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
    invalidate();
    mGridH = gridH;
    mGridW = gridW;
}

void AttentionFigure::setColormap(core::Colormap colormap) {
    invalidate();
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
    const QRectF grid = gridRect(imageRect);
    if (mGridH <= 0 || mGridW <= 0 || !grid.contains(pos) || grid.isEmpty()) {
        return {-1, -1};
    }
    const int col = static_cast<int>((pos.x() - grid.left()) / grid.width() * mGridW);
    const int row = static_cast<int>((pos.y() - grid.top()) / grid.height() * mGridH);
    return {std::clamp(col, 0, mGridW - 1), std::clamp(row, 0, mGridH - 1)};
}

QRectF AttentionFigure::patchRect(const QRectF& imageRect, int row, int col) const {
    if (mGridH <= 0 || mGridW <= 0) {
        return {};
    }
    const QRectF grid = gridRect(imageRect);
    const double cw = grid.width() / mGridW;
    const double ch = grid.height() / mGridH;
    return {grid.left() + col * cw, grid.top() + row * ch, cw, ch};
}

QRectF AttentionFigure::fitImage(const QRectF& area) const {
    const QImage& base = baseImage();
    const QSizeF size =
        base.isNull() ? QSizeF(std::max(mGridW, 1), std::max(mGridH, 1)) : QSizeF(base.size());
    const QSizeF fitted = size.scaled(area.size(), Qt::KeepAspectRatio);
    return {area.center().x() - fitted.width() / 2, area.center().y() - fitted.height() / 2,
            fitted.width(), fitted.height()};
}

void AttentionFigure::paintPlot(QPainter& painter, const QRectF& imageRect) const {
    painter.save();
    const QImage& base = baseImage();
    const bool blockyOverlay = mOverlays.heatmap && mDisplay.display == AttentionDisplay::Overlay &&
                               mMap.size() > 0 && mDisplay.upsampling == core::Upsampling::Nearest;
    if (mOverlays.heatmap && mDisplay.display == AttentionDisplay::Alpha && mMap.size() > 0) {
        paintMap(painter, imageRect);  // the composite replaces the image
    } else if (blockyOverlay && !onOriginal()) {
        // One cell per patch, never interpolated (the hover value is the value of the cell),
        // crisp in every renderer: cells as rectangles in SVG and PDF.
        fp::drawMapOverImage(painter, imageRect, base, mMapImage, mOpacity);
    } else {
        // Upscaled pixels stay crisp, so that what is drawn is what the model saw; only a
        // downscaled photo is smoothed.
        const bool smooth = !base.isNull() && imageRect.width() < base.width();
        painter.setRenderHint(QPainter::SmoothPixmapTransform, smooth);
        if (!base.isNull()) {
            painter.drawImage(imageRect, base);
        }
        if (onOriginal()) {
            paintDimmedCrop(painter, imageRect);
        }
        if (mOverlays.heatmap) {
            paintMap(painter, imageRect);
        }
    }
    const QRectF grid = gridRect(imageRect);
    if (mOverlays.grid && mGridH > 0 && mGridW > 0) {
        QPen pen(QColor(255, 255, 255, 90));
        pen.setCosmetic(true);
        painter.setPen(pen);
        for (int c = 1; c < mGridW; ++c) {
            const double x = grid.left() + grid.width() * c / mGridW;
            painter.drawLine(QPointF(x, grid.top()), QPointF(x, grid.bottom()));
        }
        for (int r = 1; r < mGridH; ++r) {
            const double y = grid.top() + grid.height() * r / mGridH;
            painter.drawLine(QPointF(grid.left(), y), QPointF(grid.right(), y));
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
    const QRectF grid = gridRect(imageRect);
    const double cw = grid.width() / mGridW;
    const double ch = grid.height() / mGridH;
    painter.setClipRect(topStrip);
    const int colStep = labelStep(cw, fm.horizontalAdvance(QStringLiteral("000")));
    for (int c = 0; c < mGridW; c += colStep) {
        const QRectF r(grid.left() + c * cw, topStrip.top(), cw, topStrip.height());
        painter.drawText(r.adjusted(-20, 0, 20, 0), Qt::AlignCenter, QString::number(c + 1));
    }
    painter.setClipRect(leftStrip);
    const int rowStep = labelStep(ch, fm.height());
    for (int r = 0; r < mGridH; r += rowStep) {
        const QRectF rr(leftStrip.left(), grid.top() + r * ch, leftStrip.width() - 4, ch);
        painter.drawText(rr.adjusted(0, -10, 0, 10), Qt::AlignRight | Qt::AlignVCenter,
                         QString::number(r + 1));  // 1-based, as the mosaic numbers tiles
    }
    painter.restore();
}

void AttentionFigure::paintColorBar(QPainter& painter, const QRectF& rect) const {
    if (!hasColorBar()) {
        return;
    }
    // Alpha over black: the image's brightness scales with map / max, so the bar runs black to
    // white from 0 to the maximum.
    const bool alpha = mDisplay.display == AttentionDisplay::Alpha;
    const core::Colormap colormap = alpha ? core::Colormap::Grey : mColormap;
    const ValueRange range = alpha ? ValueRange{0.0f, mRange.hi} : mRange;
    painter.save();
    const QFontMetricsF fm(painter.font());
    const QRectF bar(rect.left() + kBarLeft, rect.top() + fm.height() / 2, kBarW,
                     std::max(rect.height() - fm.height(), 10.0));
    painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
    painter.drawImage(bar, colorBarImage(colormap, 256, Qt::Vertical));
    QPen pen(mPalette.text);
    pen.setCosmetic(true);
    painter.setPen(pen);
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(bar);
    const QStringList labels = fp::tickLabels(range.lo, range.hi, kColorBarTicks + 1);
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
    if (mMapImage.isNull() || !hasColorBar()) {
        return 0.0;
    }
    const QFontMetricsF fm(font);
    const bool alpha = mDisplay.display == AttentionDisplay::Alpha;
    const ValueRange range = alpha ? ValueRange{0.0f, mRange.hi} : mRange;
    // At least the room of the longest label formatLabel writes (sign, three digits, exponent),
    // so the figures of every layer and head have one size (animations, batch export) while a
    // label never gets less room than it measures.
    double widest = fm.horizontalAdvance(QStringLiteral("-8.88e-08"));
    for (const QString& text : fp::tickLabels(range.lo, range.hi, kColorBarTicks + 1)) {
        widest = std::max(widest, fm.horizontalAdvance(text));
    }
    return kBarLeft + kBarW + kBarTick + kBarLabelGap + widest + 4.0;
}

void AttentionFigure::paintCaption(QPainter& painter, const QRectF& rect) const {
    const QString text = caption();
    if (text.isEmpty()) {
        return;
    }
    painter.save();
    painter.setPen(mPalette.text);
    painter.drawText(rect, Qt::AlignHCenter | Qt::AlignTop | Qt::TextWordWrap, text);
    painter.restore();
}

namespace {

constexpr double kOuter = 8.0;       // white margin on every side
constexpr double kCaptionGap = 6.0;  // image to caption

QFont exportFont() { return fp::font(fp::kLabelSize); }

}  // namespace

QSizeF AttentionFigure::preferredSize() const {
    const QImage& base = baseImage();
    const QSizeF image = base.isNull() ? QSizeF(448, 448)
                                       : QSizeF(base.size()).scaled(448, 448, Qt::KeepAspectRatio);
    const double ruler = mOverlays.rulers ? kRulerSize : 0.0;
    const double width = image.width() + ruler + colorBarWidth(exportFont()) + 2 * kOuter;
    const QString text = caption();
    const double captionH =
        text.isEmpty() ? 0.0 : kCaptionGap + fp::textHeight(text, exportFont(), width - 2 * kOuter);
    return {width, image.height() + ruler + captionH + 2 * kOuter};
}

void AttentionFigure::paint(QPainter& painter, const QRectF& target) const {
    painter.save();
    painter.fillRect(target, mPalette.background);
    painter.setFont(exportFont());
    const double ruler = mOverlays.rulers ? kRulerSize : 0.0;
    const double bar = colorBarWidth(painter.font());
    const QRectF inner = target.adjusted(kOuter, kOuter, -kOuter, -kOuter);
    const QString text = caption();
    const double captionH =
        text.isEmpty() ? 0.0 : kCaptionGap + fp::textHeight(text, painter.font(), inner.width());
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
