#include "ui/figures/posembed_similarity_figure.h"

#include <QFontMetricsF>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "core/model/token_names.h"
#include "ui/figures/figure_parts.h"
#include "ui/image_convert.h"

namespace vitscope::ui {

namespace fp = figure_parts;

namespace {

constexpr double kMosaicSide = 520.0;
constexpr double kTickStrip = 26.0;
constexpr double kTitleStrip = 30.0;
constexpr double kColorBarGap = 18.0;
constexpr double kColorBarWidth = 16.0;
const ValueRange kCosineRange{-1.0f, 1.0f};

/// Smallest step in 1, 2, 5, 10, ... so that labels `pitch` apart are at least `minGap` apart.
int tickStep(double pitch, double minGap) {
    for (int step : {1, 2, 5, 10, 20, 50, 100}) {
        if (pitch * step >= minGap) {
            return step;
        }
    }
    return 200;
}

/// Row `index` of the similarity matrix as a (gridH, gridW) map.
core::Matrix tileMap(const PosEmbedSimilarityData& data, int index) {
    core::Matrix map(data.gridH, data.gridW);
    for (int k = 0; k < data.gridH * data.gridW; ++k) {
        map(k / data.gridW, k % data.gridW) = data.similarity(index, k);
    }
    return map;
}

bool drawable(const PosEmbedSimilarityData& data) {
    return data.unavailable.isEmpty() && data.gridH > 0 && data.gridW > 0 &&
           data.similarity.rows() == data.gridH * data.gridW &&
           data.similarity.cols() == data.similarity.rows();
}

QString methodSentence(const PosEmbedSimilarityData& data) {
    QString text = QStringLiteral(
        "Position embedding similarity (Dosovitskiy et al. 2021, Fig. 7 centre): tile (r, c) "
        "shows the cosine similarity between the learned position embedding of input patch "
        "(r, c) and those of all patches");
    if (!data.droppedPrefix.isEmpty()) {
        text += QStringLiteral("; %1 dropped").arg(data.droppedPrefix);
    }
    if (!data.source.isEmpty()) {
        text += QStringLiteral("; ") + data.source;
    }
    if (!data.modelName.isEmpty()) {
        text += QStringLiteral(". Model: ") + data.modelName;
    }
    return text + QStringLiteral(".");
}

void paintUnavailable(QPainter& painter, const QSizeF& size, const QString& title,
                      const QString& message) {
    painter.fillRect(QRectF(QPointF(0, 0), size), Qt::white);
    painter.setPen(Qt::black);
    painter.setFont(fp::font(fp::kTitleSize, true));
    painter.drawText(QPointF(fp::kMargin, fp::kMargin + fp::kTitleSize), title);
    fp::drawWrapped(painter,
                    QRectF(fp::kMargin, fp::kMargin + 2 * fp::kTitleSize,
                           size.width() - 2 * fp::kMargin, size.height()),
                    message, fp::font(fp::kCaptionSize));
}

}  // namespace

PosEmbedSimilarityFigure::PosEmbedSimilarityFigure(PosEmbedSimilarityData data)
    : mData(std::move(data)) {
    buildMosaic();
}

void PosEmbedSimilarityFigure::setSelectedTile(int row, int col) {
    mSelRow = row;
    mSelCol = col;
}

void PosEmbedSimilarityFigure::setColormap(core::Colormap colormap) {
    mColormap = colormap;
    buildMosaic();
}

void PosEmbedSimilarityFigure::buildMosaic() {
    mMosaic = QImage();
    if (!drawable(mData)) {
        return;
    }
    const int gh = mData.gridH;
    const int gw = mData.gridW;
    // Tile (r, c) is a gh x gw block; a one-cell white gap separates tiles.
    mMosaic = QImage(gw * (gw + 1) - 1, gh * (gh + 1) - 1, QImage::Format_RGB32);
    mMosaic.fill(Qt::white);
    QPainter p(&mMosaic);
    for (int r = 0; r < gh; ++r) {
        for (int c = 0; c < gw; ++c) {
            const QImage tile = mapToImage(tileMap(mData, r * gw + c), mColormap, kCosineRange);
            p.drawImage(QPoint(c * (gw + 1), r * (gh + 1)), tile);
        }
    }
}

PosEmbedSimilarityFigure::Layout PosEmbedSimilarityFigure::layout() const {
    Layout l;
    const int gh = std::max(1, mData.gridH);
    const int gw = std::max(1, mData.gridW);
    const double scale = kMosaicSide / std::max(gh, gw);
    const double left = fp::kMargin + fp::kLabelSize + 6 + kTickStrip;
    const double top = fp::kMargin + kTitleStrip;
    l.mosaic = QRectF(left, top, scale * gw, scale * gh);
    const double cellW = l.mosaic.width() / (gw * (gw + 1) - 1);
    const double cellH = l.mosaic.height() / (gh * (gh + 1) - 1);
    l.pitchX = cellW * (gw + 1);
    l.pitchY = cellH * (gh + 1);
    l.colorBar =
        QRectF(l.mosaic.right() + kColorBarGap, l.mosaic.top(), kColorBarWidth, l.mosaic.height());
    const double width = l.colorBar.right() +
                         fp::colorBarLabelWidth(-1.0, 1.0, 5, QStringLiteral("Cosine similarity")) +
                         fp::kMargin;
    l.captionTop = l.mosaic.bottom() + kTickStrip + fp::kLabelSize + 14;
    const double captionH =
        mData.drawCaption
            ? fp::textHeight(caption(), fp::font(fp::kCaptionSize), width - 2 * fp::kMargin)
            : -fp::kMargin;
    l.size = QSizeF(width, l.captionTop + captionH + fp::kMargin);
    return l;
}

QSizeF PosEmbedSimilarityFigure::preferredSize() const {
    if (!drawable(mData)) {
        return QSizeF(560, 180);
    }
    return layout().size;
}

QString PosEmbedSimilarityFigure::caption() const {
    if (!drawable(mData)) {
        return QStringLiteral("Position embedding similarity: ") +
               (mData.unavailable.isEmpty() ? QStringLiteral("no data") : mData.unavailable);
    }
    return methodSentence(mData);
}

std::pair<int, int> PosEmbedSimilarityFigure::tileAt(const QRectF& target, QPointF point) const {
    if (!drawable(mData)) {
        return {-1, -1};
    }
    const Layout l = layout();
    const QPointF p = fp::toNatural(target, l.size, point);
    if (!l.mosaic.contains(p)) {
        return {-1, -1};
    }
    const int col =
        std::clamp(static_cast<int>((p.x() - l.mosaic.left()) / l.pitchX), 0, mData.gridW - 1);
    const int row =
        std::clamp(static_cast<int>((p.y() - l.mosaic.top()) / l.pitchY), 0, mData.gridH - 1);
    return {row, col};
}

void PosEmbedSimilarityFigure::paintAxes(QPainter& painter, const Layout& l) const {
    painter.save();
    painter.setPen(Qt::black);
    const QFont tickFont = fp::font(fp::kTickSize);
    painter.setFont(tickFont);
    const QFontMetricsF metrics(tickFont);
    const double tileW = l.pitchX * mData.gridW / (mData.gridW + 1);
    const double tileH = l.pitchY * mData.gridH / (mData.gridH + 1);
    // Column numbers (1-based, as in the paper) below the mosaic, row numbers to its left.
    const int stepX = tickStep(l.pitchX, 20);
    for (int c = 0; c < mData.gridW; c += stepX) {
        const double x = l.mosaic.left() + c * l.pitchX + tileW / 2;
        const QString text = QString::number(c + 1);
        painter.drawText(QPointF(x - metrics.horizontalAdvance(text) / 2,
                                 l.mosaic.bottom() + 6 + metrics.ascent()),
                         text);
    }
    const int stepY = tickStep(l.pitchY, 14);
    for (int r = 0; r < mData.gridH; r += stepY) {
        const double y = l.mosaic.top() + r * l.pitchY + tileH / 2;
        const QString text = QString::number(r + 1);
        painter.drawText(QPointF(l.mosaic.left() - 6 - metrics.horizontalAdvance(text),
                                 y + metrics.ascent() / 2 - 1),
                         text);
    }
    painter.restore();
    const QFont labelFont = fp::font(fp::kLabelSize);
    painter.save();
    painter.setFont(labelFont);
    painter.setPen(Qt::black);
    const QString colLabel = QStringLiteral("Input patch column");
    const QFontMetricsF lm(labelFont);
    painter.drawText(QPointF(l.mosaic.center().x() - lm.horizontalAdvance(colLabel) / 2,
                             l.mosaic.bottom() + kTickStrip + lm.ascent()),
                     colLabel);
    painter.restore();
    fp::drawVerticalText(painter, QPointF(fp::kMargin + fp::kLabelSize / 2, l.mosaic.center().y()),
                         QStringLiteral("Input patch row"), labelFont);
}

void PosEmbedSimilarityFigure::paint(QPainter& painter, const QRectF& target) const {
    const QSizeF natural = preferredSize();
    fp::NaturalCoordinates coords(painter, target, natural);
    if (!drawable(mData)) {
        paintUnavailable(painter, natural, QStringLiteral("Position embedding similarity"),
                         caption());
        return;
    }
    const Layout l = layout();
    painter.fillRect(QRectF(QPointF(0, 0), l.size), Qt::white);
    painter.setPen(Qt::black);
    painter.setFont(fp::font(fp::kTitleSize, true));
    painter.drawText(QPointF(l.mosaic.left(), fp::kMargin + fp::kTitleSize),
                     QStringLiteral("Position embedding similarity"));
    fp::drawCrispImage(painter, l.mosaic, mMosaic);
    if (mSelRow >= 0 && mSelCol >= 0 && mSelRow < mData.gridH && mSelCol < mData.gridW) {
        const double tileW = l.pitchX * mData.gridW / (mData.gridW + 1);
        const double tileH = l.pitchY * mData.gridH / (mData.gridH + 1);
        painter.save();
        painter.setPen(QPen(QColor(220, 30, 30), 2.0));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(QRectF(l.mosaic.left() + mSelCol * l.pitchX - 1,
                                l.mosaic.top() + mSelRow * l.pitchY - 1, tileW + 2, tileH + 2));
        painter.restore();
    }
    paintAxes(painter, l);
    fp::drawColorBar(painter, l.colorBar, mColormap, -1.0, 1.0, 5,
                     QStringLiteral("Cosine similarity"), 1);
    if (!mData.drawCaption) {
        return;
    }
    fp::drawWrapped(painter,
                    QRectF(fp::kMargin, l.captionTop, l.size.width() - 2 * fp::kMargin,
                           l.size.height() - l.captionTop),
                    caption(), fp::font(fp::kCaptionSize));
}

// ---------------------------------------------------------------------------------------------

namespace {
constexpr double kTilePanel = 300.0;
}

PosEmbedTileFigure::PosEmbedTileFigure(PosEmbedSimilarityData data, int row, int col, QImage shown)
    : mData(std::move(data)), mRow(row), mCol(col), mShown(std::move(shown)) {
    if (drawable(mData) && row >= 0 && col >= 0 && row < mData.gridH && col < mData.gridW) {
        mTile = mapToImage(tileMap(mData, row * mData.gridW + col), core::Colormap::Viridis,
                           kCosineRange);
    }
}

QSizeF PosEmbedTileFigure::preferredSize() const {
    const double panels = mShown.isNull() ? 1 : 2;
    const double width = fp::kMargin + panels * (kTilePanel + 16) + kColorBarWidth +
                         fp::colorBarLabelWidth(-1.0, 1.0, 5, QStringLiteral("Cosine similarity")) +
                         fp::kMargin;
    const double captionH =
        fp::textHeight(caption(), fp::font(fp::kCaptionSize), width - 2 * fp::kMargin);
    const double panelH = kTilePanel * std::max(1, mData.gridH) / std::max(1, mData.gridW);
    return QSizeF(width, fp::kMargin + kTitleStrip + panelH + 14 + captionH + fp::kMargin);
}

/// The core's name of tile (row, col) of the mosaic, so that it reads as the attention view
/// names the same patch: "patch (row 3, column 5)".
QString PosEmbedTileFigure::tileLabel() const {
    core::TokenLayout grid;  // patches only: the similarity drops the prefix entries
    grid.gridH = mData.gridH;
    grid.gridW = mData.gridW;
    return QString::fromStdString(core::tokenLabel(grid, grid.patchToken(mRow, mCol)));
}

QString PosEmbedTileFigure::caption() const {
    return QStringLiteral(
               "Cosine similarity between the position embedding of %1 and those of "
               "every patch%2")
        .arg(tileLabel())
        .arg(mShown.isNull() ? QStringLiteral(".")
                             : QStringLiteral(", over the image the model saw (left, 60% "
                                              "opacity) and alone (right)."));
}

void PosEmbedTileFigure::paint(QPainter& painter, const QRectF& target) const {
    const QSizeF natural = preferredSize();
    fp::NaturalCoordinates coords(painter, target, natural);
    painter.fillRect(QRectF(QPointF(0, 0), natural), Qt::white);
    if (mTile.isNull()) {
        paintUnavailable(painter, natural, QStringLiteral("Position embedding similarity"),
                         QStringLiteral("No tile selected."));
        return;
    }
    painter.setPen(Qt::black);
    painter.setFont(fp::font(fp::kTitleSize, true));
    painter.drawText(QPointF(fp::kMargin, fp::kMargin + fp::kTitleSize),
                     tileLabel().replace(0, 1, QStringLiteral("P")));
    const double panelH = kTilePanel * mData.gridH / mData.gridW;
    double x = fp::kMargin;
    const double top = fp::kMargin + kTitleStrip;
    const QRectF outline = [&] {
        return QRectF(0, 0, kTilePanel / mData.gridW, panelH / mData.gridH);
    }();
    auto markPatch = [&](const QRectF& panel) {
        painter.save();
        painter.setPen(QPen(QColor(220, 30, 30), 2.0));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(outline.translated(panel.left() + mCol * outline.width(),
                                            panel.top() + mRow * outline.height()));
        painter.restore();
    };
    if (!mShown.isNull()) {
        const QRectF panel(x, top, kTilePanel, panelH);
        fp::drawMapOverImage(painter, panel, mShown, mTile, 0.6);
        markPatch(panel);
        x += kTilePanel + 16;
    }
    const QRectF panel(x, top, kTilePanel, panelH);
    fp::drawCrispImage(painter, panel, mTile);
    markPatch(panel);
    fp::drawColorBar(painter, QRectF(panel.right() + 16, top, kColorBarWidth, panelH),
                     core::Colormap::Viridis, -1.0, 1.0, 5, QStringLiteral("Cosine similarity"));
    fp::drawWrapped(
        painter,
        QRectF(fp::kMargin, top + panelH + 14, natural.width() - 2 * fp::kMargin, natural.height()),
        caption(), fp::font(fp::kCaptionSize));
}

}  // namespace vitscope::ui
