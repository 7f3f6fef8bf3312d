#include "ui/figures/attention_distance_figure.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>

#include "ui/figures/figure_parts.h"

namespace vitscope::ui {

namespace fp = figure_parts;

namespace {

constexpr double kPlotW = 440.0;
constexpr double kPlotH = 320.0;
constexpr double kLeft = fp::kMargin + fp::kLabelSize + 10 + 34;
constexpr double kTop = fp::kMargin + 30;
constexpr double kLegendW = 96.0;
constexpr int kMaxLegendEntries = 16;

}  // namespace

AttentionDistanceFigure::AttentionDistanceFigure(AttentionDistanceData data)
    : mData(std::move(data)) {}

double AttentionDistanceFigure::yMax() const {
    if (mData.yMax > 0) {
        return mData.yMax;
    }
    double top = std::max(1, mData.imageW);
    if (mData.distances.size() > 0) {
        top = std::max(top, static_cast<double>(mData.distances.maxCoeff()));
    }
    const double step = fp::niceStep(top, 6);
    return std::ceil(top * 1.04 / step) * step;
}

QString AttentionDistanceFigure::caption() const {
    const int layers = static_cast<int>(mData.distances.rows());
    const int heads = static_cast<int>(mData.distances.cols());
    QString text = QStringLiteral(
                       "Mean attention distance by network depth (Dosovitskiy et al. 2021, Fig. 7 "
                       "right): for each of %1 layers and %2 heads, the attention-weighted mean "
                       "Euclidean distance in input pixels between each query patch centre and "
                       "the patch centres it attends to, averaged over query patches and over %3 "
                       "image%4; %5. Input %6x%7 px, patch %8 px; the dashed line marks the image "
                       "width.")
                       .arg(layers)
                       .arg(heads)
                       .arg(mData.numImages)
                       .arg(mData.numImages == 1 ? QString() : QStringLiteral("s"))
                       .arg(mData.prefixChoice.isEmpty() ? QStringLiteral("prefix tokens dropped")
                                                         : mData.prefixChoice)
                       .arg(mData.imageH)
                       .arg(mData.imageW)
                       .arg(mData.patchSize);
    if (!mData.modelName.isEmpty()) {
        text += QStringLiteral(" Model: ") + mData.modelName + QStringLiteral(".");
    }
    return text;
}

QSizeF AttentionDistanceFigure::preferredSize() const {
    const double width = kLeft + kPlotW + 16 + kLegendW + fp::kMargin;
    const double captionTop = kTop + kPlotH + 22 + fp::kLabelSize + 14;
    if (!mData.drawCaption) {
        return QSizeF(width, captionTop);
    }
    const double captionH =
        fp::textHeight(caption(), fp::font(fp::kCaptionSize), width - 2 * fp::kMargin);
    return QSizeF(width, captionTop + captionH + fp::kMargin);
}

namespace {

/// Where a (1-based layer, distance) lands in the plot rectangle.
struct PlotScale {
    QRectF plot;
    int layers = 1;
    double top = 1.0;
    double x(double layer) const {
        return plot.left() + (layer - 0.5) / std::max(1, layers) * plot.width();
    }
    double y(double value) const { return plot.bottom() - value / top * plot.height(); }
};

/// The frame, y ticks with light grid lines and x ticks at layers.
void paintAxes(QPainter& painter, const PlotScale& s) {
    const QFont tickFont = fp::font(fp::kTickSize);
    const QFontMetricsF tm(tickFont);
    painter.setFont(tickFont);
    const double step = fp::niceStep(s.top, 6);
    for (double v = 0; v <= s.top + 1e-9; v += step) {
        const double y = s.y(v);
        painter.setPen(QPen(QColor(225, 225, 225), 0.8));
        painter.drawLine(QPointF(s.plot.left(), y), QPointF(s.plot.right(), y));
        painter.setPen(Qt::black);
        painter.drawLine(QPointF(s.plot.left() - 4, y), QPointF(s.plot.left(), y));
        const QString text = QString::number(v, 'g', 4);
        painter.drawText(
            QPointF(s.plot.left() - 7 - tm.horizontalAdvance(text), y + tm.ascent() / 2 - 1), text);
    }
    const int xStep = std::max(1, static_cast<int>(std::ceil(24.0 * s.layers / s.plot.width())));
    for (int l = 1; l <= s.layers; ++l) {
        const double x = s.x(l);
        painter.drawLine(QPointF(x, s.plot.bottom()), QPointF(x, s.plot.bottom() + 4));
        if ((l - 1) % xStep == 0 || l == s.layers) {
            const QString text = QString::number(l);
            painter.drawText(
                QPointF(x - tm.horizontalAdvance(text) / 2, s.plot.bottom() + 6 + tm.ascent()),
                text);
        }
    }
    painter.setPen(QPen(Qt::black, 1.0));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(s.plot);
    // Axis labels.
    const QFont labelFont = fp::font(fp::kLabelSize);
    const QFontMetricsF lm(labelFont);
    painter.setFont(labelFont);
    const QString xLabel = QStringLiteral("Network depth (layer)");
    painter.drawText(QPointF(s.plot.center().x() - lm.horizontalAdvance(xLabel) / 2,
                             s.plot.bottom() + 22 + lm.ascent()),
                     xLabel);
    fp::drawVerticalText(painter, QPointF(fp::kMargin + fp::kLabelSize / 2, s.plot.center().y()),
                         QStringLiteral("Mean attention distance (pixels)"), labelFont);
}

/// The dashed image-width line.
void paintImageWidth(QPainter& painter, const PlotScale& s, int imageW) {
    if (imageW <= 0) {
        return;
    }
    const QFontMetricsF tm(fp::font(fp::kTickSize));
    painter.setFont(fp::font(fp::kTickSize));
    const double y = s.y(imageW);
    painter.setPen(QPen(QColor(90, 90, 90), 1.0, Qt::DashLine));
    painter.drawLine(QPointF(s.plot.left(), y), QPointF(s.plot.right(), y));
    painter.setPen(QColor(70, 70, 70));
    const QString text = QStringLiteral("image width (%1 px)").arg(imageW);
    painter.drawText(QPointF(s.plot.right() - 4 - tm.horizontalAdvance(text), y - 4), text);
}

/// One dot per head per layer.
void paintDots(QPainter& painter, const PlotScale& s, const core::Matrix& distances) {
    painter.save();
    painter.setClipRect(s.plot.adjusted(-6, -6, 6, 6));
    for (int l = 0; l < distances.rows(); ++l) {
        for (int h = 0; h < distances.cols(); ++h) {
            QColor c = fp::seriesColor(h);
            painter.setPen(QPen(c.darker(130), 0.8));
            c.setAlpha(210);
            painter.setBrush(c);
            painter.drawEllipse(QPointF(s.x(l + 1), s.y(distances(l, h))), 3.6, 3.6);
        }
    }
    painter.restore();
}

/// Legend: one entry per head, at most kMaxLegendEntries.
void paintLegend(QPainter& painter, const PlotScale& s, int heads) {
    const QFontMetricsF tm(fp::font(fp::kTickSize));
    painter.setFont(fp::font(fp::kTickSize));
    const double lx = s.plot.right() + 16;
    double ly = s.plot.top() + 4;
    const int shown = std::min(heads, kMaxLegendEntries);
    for (int h = 0; h < shown; ++h) {
        QColor c = fp::seriesColor(h);
        painter.setPen(QPen(c.darker(130), 0.8));
        painter.setBrush(c);
        painter.drawEllipse(QPointF(lx + 5, ly + tm.ascent() / 2), 3.6, 3.6);
        painter.setPen(Qt::black);
        painter.drawText(QPointF(lx + 14, ly + tm.ascent()), QStringLiteral("Head %1").arg(h + 1));
        ly += tm.height() + 2;
    }
    if (heads > shown) {
        painter.drawText(QPointF(lx + 14, ly + tm.ascent()),
                         QStringLiteral("… %1 heads").arg(heads));
    }
}

}  // namespace

void AttentionDistanceFigure::paint(QPainter& painter, const QRectF& target) const {
    const QSizeF natural = preferredSize();
    fp::NaturalCoordinates coords(painter, target, natural);
    painter.fillRect(QRectF(QPointF(0, 0), natural), Qt::white);
    const PlotScale scale{QRectF(kLeft, kTop, kPlotW, kPlotH),
                          static_cast<int>(mData.distances.rows()), yMax()};
    painter.setPen(Qt::black);
    painter.setFont(fp::font(fp::kTitleSize, true));
    painter.drawText(QPointF(scale.plot.left(), fp::kMargin + fp::kTitleSize),
                     QStringLiteral("Mean attention distance"));
    paintAxes(painter, scale);
    paintImageWidth(painter, scale, mData.imageW);
    paintDots(painter, scale, mData.distances);
    paintLegend(painter, scale, static_cast<int>(mData.distances.cols()));
    const double captionTop = kTop + kPlotH + 22 + fp::kLabelSize + 14;
    if (!mData.drawCaption) {
        return;
    }
    painter.setPen(Qt::black);
    fp::drawWrapped(painter,
                    QRectF(fp::kMargin, captionTop, natural.width() - 2 * fp::kMargin,
                           natural.height() - captionTop),
                    caption(), fp::font(fp::kCaptionSize));
}

}  // namespace vitscope::ui
