// AttentionFigure's display modes: the bicubic heatmap, the attention-mass mask with its
// contour, alpha over black and the dimmed crop. Everything that needs more than one pixel per
// patch is computed once per change (Rasters) and shared by copies of the figure.
#include <QPainter>
#include <QPainterPath>
#include <QRegion>
#include <algorithm>
#include <cmath>
#include <vector>

#include "ui/figures/attention_figure.h"

namespace vitscope::ui {

struct AttentionFigure::Rasters {
    core::MassMask mask;
    /// Mask outline in grid units: (0, 0) to (gridW, gridH).
    QPainterPath outline;
    QImage smoothMap;  ///< the coloured bicubic map, for the heatmap
    QImage alpha;      ///< the base image times map / max, black outside the grid
};

namespace {

/// Map pixels per patch for the smooth pictures (and their cap per side).
constexpr int kSmoothPerCell = 24;
constexpr int kSmoothMaxSide = 768;
/// The alpha composite has at least this many pixels on its long side (the 28x28 input is
/// enlarged, crisp) and at most AttentionFigure::kMaxOriginalSide.
constexpr int kAlphaMinSide = 448;

QPainterPath cellsOutline(const core::Matrix& keep) {
    QRegion region;
    for (int r = 0; r < keep.rows(); ++r) {
        for (int c = 0; c < keep.cols(); ++c) {
            if (keep(r, c) > 0.5f) {
                region += QRect(c, r, 1, 1);
            }
        }
    }
    QPainterPath path;
    path.addRegion(region);
    return path.simplified();
}

/// Outline of {value >= threshold} on `smooth`, scaled from its pixels to grid units.
QPainterPath thresholdOutline(const core::Matrix& smooth, float threshold, int gridH, int gridW) {
    std::vector<QRect> runs;
    for (int y = 0; y < smooth.rows(); ++y) {
        int start = -1;
        for (int x = 0; x <= smooth.cols(); ++x) {
            const bool in = x < smooth.cols() && smooth(y, x) >= threshold;
            if (in && start < 0) {
                start = x;
            } else if (!in && start >= 0) {
                runs.emplace_back(start, y, x - start, 1);
                start = -1;
            }
        }
    }
    QRegion region;
    region.setRects(runs.data(), static_cast<int>(runs.size()));
    QPainterPath path;
    path.addRegion(region);
    return QTransform::fromScale(static_cast<double>(gridW) / smooth.cols(),
                                 static_cast<double>(gridH) / smooth.rows())
        .map(path.simplified());
}

QSize smoothSize(int gridH, int gridW) {
    const int per = std::max(1, std::min(kSmoothPerCell, kSmoothMaxSide / std::max(gridH, gridW)));
    return {gridW * per, gridH * per};
}

/// `base` enlarged (nearest, by a whole factor) to at least kAlphaMinSide on its long side, then
/// times `map` / max inside `gridFraction`, black elsewhere.
QImage alphaOverBlack(const QImage& base, const QRectF& gridFraction, const core::Matrix& map,
                      core::Upsampling upsampling) {
    const int longSide = std::max(base.width(), base.height());
    const int side = std::max(longSide, 1);
    const int factor = std::clamp((kAlphaMinSide + side - 1) / side, 1,
                                  std::max(1, AttentionFigure::kMaxOriginalSide / side));
    const QImage image =
        base.convertToFormat(QImage::Format_RGB32)
            .scaled(base.size() * factor, Qt::IgnoreAspectRatio, Qt::FastTransformation);
    const QRect grid(
        static_cast<int>(std::lround(gridFraction.left() * image.width())),
        static_cast<int>(std::lround(gridFraction.top() * image.height())),
        std::max(1, static_cast<int>(std::lround(gridFraction.width() * image.width()))),
        std::max(1, static_cast<int>(std::lround(gridFraction.height() * image.height()))));
    const core::Matrix up = core::upsampleMap(map, grid.height(), grid.width(), upsampling);
    const float hi = map.maxCoeff();
    const float scale = hi > 0.0f ? 1.0f / hi : 0.0f;
    QImage out(image.size(), QImage::Format_RGB32);
    out.fill(Qt::black);
    for (int y = std::max(grid.top(), 0); y <= std::min(grid.bottom(), image.height() - 1); ++y) {
        const auto* in = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        auto* line = reinterpret_cast<QRgb*>(out.scanLine(y));
        for (int x = std::max(grid.left(), 0); x <= std::min(grid.right(), image.width() - 1);
             ++x) {
            const float t = std::clamp(up(y - grid.top(), x - grid.left()) * scale, 0.0f, 1.0f);
            line[x] = qRgb(static_cast<int>(std::lround(qRed(in[x]) * t)),
                           static_cast<int>(std::lround(qGreen(in[x]) * t)),
                           static_cast<int>(std::lround(qBlue(in[x]) * t)));
        }
    }
    return out;
}

}  // namespace

void AttentionFigure::invalidate() { mRasters.reset(); }

const AttentionFigure::Rasters& AttentionFigure::rasters() const {
    if (mRasters) {
        return *mRasters;
    }
    auto r = std::make_shared<Rasters>();
    if (mMap.size() > 0) {
        const bool smooth = mDisplay.upsampling == core::Upsampling::Bicubic;
        const QSize size = smoothSize(mGridH, mGridW);
        core::Matrix up;
        if (smooth && mDisplay.display != AttentionDisplay::Alpha) {
            up = core::upsampleMap(mMap, size.height(), size.width(), core::Upsampling::Bicubic);
        }
        if (mDisplay.display == AttentionDisplay::Mask) {
            r->mask = core::massMask(mMap, mDisplay.maskMass);
            if (smooth && r->mask.kept > 0) {
                r->outline = thresholdOutline(up, r->mask.threshold, mGridH, mGridW);
            }
            if (r->outline.isEmpty()) {  // blocky, or no pixel of the smooth map reaches it
                r->outline = cellsOutline(r->mask.keep);
            }
        } else if (mDisplay.display == AttentionDisplay::Alpha && !baseImage().isNull()) {
            const QRectF unit(0, 0, 1, 1);
            r->alpha = alphaOverBlack(baseImage(), onOriginal() ? mGridFraction : unit, mMap,
                                      mDisplay.upsampling);
        } else if (smooth) {
            r->smoothMap = mapToImage(up, mColormap, mRange);
        }
    }
    mRasters = r;
    return *r;
}

core::MassMask AttentionFigure::mask() const {
    return mDisplay.display == AttentionDisplay::Mask ? rasters().mask
                                                      : core::massMask(mMap, mDisplay.maskMass);
}

void AttentionFigure::paintDimmedCrop(QPainter& painter, const QRectF& imageRect) const {
    const QRectF input(imageRect.left() + mInputFraction.left() * imageRect.width(),
                       imageRect.top() + mInputFraction.top() * imageRect.height(),
                       mInputFraction.width() * imageRect.width(),
                       mInputFraction.height() * imageRect.height());
    QPainterPath outside;
    outside.setFillRule(Qt::OddEvenFill);
    outside.addRect(imageRect);
    outside.addRect(input);
    painter.fillPath(outside, QColor(0, 0, 0, 150));
}

void AttentionFigure::paintMap(QPainter& painter, const QRectF& imageRect) const {
    if (mMap.size() == 0 || mMapImage.isNull()) {
        return;
    }
    const QRectF grid = gridRect(imageRect);
    const Rasters& r = rasters();
    painter.save();
    switch (mDisplay.display) {
        case AttentionDisplay::Overlay:
            // Blocky: one cell per patch, never interpolated (the hover value is the cell's).
            painter.setRenderHint(QPainter::SmoothPixmapTransform, !r.smoothMap.isNull());
            painter.setOpacity(baseImage().isNull() ? 1.0 : mOpacity);
            painter.drawImage(grid, r.smoothMap.isNull() ? mMapImage : r.smoothMap);
            break;
        case AttentionDisplay::Alpha:
            painter.setRenderHint(QPainter::SmoothPixmapTransform,
                                  imageRect.width() < r.alpha.width());
            if (!r.alpha.isNull()) {
                painter.drawImage(imageRect, r.alpha);
            }
            break;
        case AttentionDisplay::Mask: {
            const QTransform toGrid =
                QTransform::fromScale(grid.width() / mGridW, grid.height() / mGridH) *
                QTransform::fromTranslate(grid.left(), grid.top());
            const QPainterPath outline = toGrid.map(r.outline);
            QPainterPath veil;
            veil.setFillRule(Qt::OddEvenFill);
            veil.addRect(imageRect);
            veil.addPath(outline);
            painter.setRenderHint(QPainter::Antialiasing, true);
            painter.fillPath(veil, QColor(0, 0, 0, 165));
            painter.setBrush(Qt::NoBrush);
            QPen dark(QColor(0, 0, 0, 200), 3.5);
            dark.setCosmetic(true);
            painter.strokePath(outline, dark);
            QPen bright(QColor(255, 214, 0), 1.8);
            bright.setCosmetic(true);
            painter.strokePath(outline, bright);
            break;
        }
    }
    painter.restore();
}

}  // namespace vitscope::ui
