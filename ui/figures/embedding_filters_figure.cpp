#include "ui/figures/embedding_filters_figure.h"

#include <QFontMetricsF>
#include <QPainter>
#include <algorithm>
#include <cmath>

#include "ui/figures/figure_parts.h"

namespace vitscope::ui {

namespace fp = figure_parts;

namespace {
constexpr double kTile = 64.0;
constexpr double kGap = 8.0;
constexpr double kTitleStrip = 30.0;
constexpr int kColumns = 7;  // the paper's 4 x 7 layout of 28 components
}  // namespace

EmbeddingFiltersFigure::EmbeddingFiltersFigure(EmbeddingFiltersData data) : mData(std::move(data)) {
    const int p = mData.patchSize;
    const int c = mData.channels;
    if (p > 0 && c > 0 && mData.components.cols() == static_cast<Eigen::Index>(c) * p * p) {
        for (int k = 0; k < mData.components.rows(); ++k) {
            mTiles.push_back(tileImage(mData.components, k, c, p));
        }
    }
}

QImage EmbeddingFiltersFigure::tileImage(const core::Matrix& components, int index, int channels,
                                         int patchSize) {
    const auto row = components.row(index);
    const float lo = row.minCoeff();
    const float hi = row.maxCoeff();
    const float scale = hi > lo ? 255.0f / (hi - lo) : 0.0f;
    auto level = [&](int c, int y, int x) {
        const float v = row((static_cast<Eigen::Index>(c) * patchSize + y) * patchSize + x);
        return static_cast<uchar>(std::clamp(std::lround((v - lo) * scale), 0L, 255L));
    };
    const bool rgb = channels == 3;
    QImage image(patchSize, patchSize, rgb ? QImage::Format_RGB888 : QImage::Format_Grayscale8);
    for (int y = 0; y < patchSize; ++y) {
        uchar* line = image.scanLine(y);
        for (int x = 0; x < patchSize; ++x) {
            if (rgb) {
                for (int c = 0; c < 3; ++c) {
                    line[x * 3 + c] = level(c, y, x);
                }
            } else {
                line[x] = level(0, y, x);  // grey models; other channel counts show channel 0
            }
        }
    }
    return image;
}

int EmbeddingFiltersFigure::columns() const {
    return std::max(1, std::min(kColumns, static_cast<int>(mTiles.size())));
}

int EmbeddingFiltersFigure::rows() const {
    return std::max(1, (static_cast<int>(mTiles.size()) + columns() - 1) / columns());
}

QString EmbeddingFiltersFigure::caption() const {
    const int k = static_cast<int>(mTiles.size());
    QString text;
    if (mData.raw) {
        text = QStringLiteral(
                   "Patch-embedding filters: the first %1 raw filters of the linear "
                   "embedding (rows of the D x %2 matrix, %3 channel%4 of %5 x %5 "
                   "pixels), each scaled to its own min..max.")
                   .arg(k)
                   .arg(mData.channels * mData.patchSize * mData.patchSize)
                   .arg(mData.channels)
                   .arg(mData.channels == 1 ? QString() : QStringLiteral("s"))
                   .arg(mData.patchSize);
    } else {
        text = QStringLiteral(
                   "%4 embedding filters (Dosovitskiy et al. 2021, Fig. 7 left): the "
                   "first %1 principal components of the patch-embedding filters "
                   "(the centred D x %2 matrix), each shown as a %3 x %3 image "
                   "scaled to its own min..max (a component's sign is arbitrary).")
                   .arg(k)
                   .arg(mData.channels * mData.patchSize * mData.patchSize)
                   .arg(mData.patchSize)
                   .arg(mData.channels == 3 ? QStringLiteral("RGB") : QStringLiteral("Patch"));
        if (mData.channels == 1) {
            text += QStringLiteral(" Grey input: one channel.");
        } else if (mData.channels != 3) {
            text += QStringLiteral(" Channel 0 of %1 shown.").arg(mData.channels);
        }
    }
    if (!mData.modelName.isEmpty()) {
        text += QStringLiteral(" Model: ") + mData.modelName + QStringLiteral(".");
    }
    return text;
}

QSizeF EmbeddingFiltersFigure::preferredSize() const {
    const double numberStrip = mData.explained.empty() ? 14.0 : 26.0;
    const double width =
        std::max(420.0, 2 * fp::kMargin + columns() * kTile + (columns() - 1) * kGap);
    const double gridH = rows() * (kTile + numberStrip) + (rows() - 1) * kGap;
    const double captionH =
        fp::textHeight(caption(), fp::font(fp::kCaptionSize), width - 2 * fp::kMargin);
    return QSizeF(width, fp::kMargin + kTitleStrip + gridH + 10 + captionH + fp::kMargin);
}

void EmbeddingFiltersFigure::paint(QPainter& painter, const QRectF& target) const {
    const QSizeF natural = preferredSize();
    fp::NaturalCoordinates coords(painter, target, natural);
    painter.fillRect(QRectF(QPointF(0, 0), natural), Qt::white);
    painter.setPen(Qt::black);
    painter.setFont(fp::font(fp::kTitleSize, true));
    painter.drawText(
        QPointF(fp::kMargin, fp::kMargin + fp::kTitleSize),
        mData.raw ? QStringLiteral("Patch-embedding filters (raw)")
                  : QStringLiteral("%1 embedding filters (first %2 principal "
                                   "components)")
                        .arg(mData.channels == 3 ? QStringLiteral("RGB") : QStringLiteral("Patch"))
                        .arg(mTiles.size()));
    const double numberStrip = mData.explained.empty() ? 14.0 : 26.0;
    const double gridW = columns() * kTile + (columns() - 1) * kGap;
    const double left = (natural.width() - gridW) / 2;
    const double top = fp::kMargin + kTitleStrip;
    const QFont tickFont = fp::font(fp::kTickSize - 1);
    const QFontMetricsF tm(tickFont);
    painter.setFont(tickFont);
    for (int k = 0; k < static_cast<int>(mTiles.size()); ++k) {
        const int r = k / columns();
        const int c = k % columns();
        const QRectF tile(left + c * (kTile + kGap), top + r * (kTile + numberStrip + kGap), kTile,
                          kTile);
        fp::drawCrispImage(painter, tile, mTiles[k]);
        painter.setPen(QPen(QColor(160, 160, 160), 0.6));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(tile);
        painter.setPen(Qt::black);
        QString label = QString::number(k + 1);
        painter.drawText(QPointF(tile.center().x() - tm.horizontalAdvance(label) / 2,
                                 tile.bottom() + 1 + tm.ascent()),
                         label);
        if (k < static_cast<int>(mData.explained.size())) {
            const QString pct = QString::number(100.0 * mData.explained[k], 'f', 1) + "%";
            painter.setPen(QColor(90, 90, 90));
            painter.drawText(QPointF(tile.center().x() - tm.horizontalAdvance(pct) / 2,
                                     tile.bottom() + 1 + tm.height() + tm.ascent()),
                             pct);
        }
    }
    const double gridH = rows() * (kTile + numberStrip) + (rows() - 1) * kGap;
    const double captionTop = top + gridH + 10;
    fp::drawWrapped(painter,
                    QRectF(fp::kMargin, captionTop, natural.width() - 2 * fp::kMargin,
                           natural.height() - captionTop),
                    caption(), fp::font(fp::kCaptionSize));
}

}  // namespace vitscope::ui
