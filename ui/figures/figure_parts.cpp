#include "ui/figures/figure_parts.h"

#include <QFontMetricsF>
#include <QPaintDevice>
#include <QPaintEngine>
#include <algorithm>
#include <cmath>

#include "ui/image_convert.h"

namespace vitscope::ui::figure_parts {

QFont font(double pixelSize, bool bold) {
    QFont f(QStringLiteral("DejaVu Sans"));
    f.setStyleHint(QFont::SansSerif);
    f.setPixelSize(std::max(1, static_cast<int>(std::lround(pixelSize))));
    f.setBold(bold);
    return f;
}

double textHeight(const QString& text, const QFont& font, double width) {
    if (text.isEmpty()) {
        return 0.0;
    }
    const QFontMetricsF metrics(font);
    return metrics
        .boundingRect(QRectF(0, 0, std::max(1.0, width), 1e6), Qt::TextWordWrap | Qt::AlignLeft,
                      text)
        .height();
}

double drawWrapped(QPainter& painter, const QRectF& rect, const QString& text, const QFont& font,
                   QColor color) {
    if (text.isEmpty()) {
        return 0.0;
    }
    painter.save();
    painter.setFont(font);
    painter.setPen(color);
    QRectF used;
    painter.drawText(rect, Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, text, &used);
    painter.restore();
    return used.height();
}

void drawVerticalText(QPainter& painter, QPointF centre, const QString& text, const QFont& font) {
    painter.save();
    painter.setFont(font);
    painter.translate(centre);
    painter.rotate(-90);
    const QFontMetricsF metrics(font);
    const double w = metrics.horizontalAdvance(text);
    painter.drawText(QPointF(-w / 2, metrics.ascent() / 2 - 1), text);
    painter.restore();
}

double colorBarLabelWidth() { return 62.0; }

void drawColorBar(QPainter& painter, const QRectF& bar, core::Colormap colormap, double lo,
                  double hi, int ticks, const QString& label, int decimals) {
    const int length = std::max(2, static_cast<int>(std::lround(bar.height())));
    const QImage gradient = colorBarImage(colormap, length, Qt::Vertical);
    painter.save();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, true);
    painter.drawImage(bar, gradient);
    painter.setPen(QPen(Qt::black, 0.8));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(bar);
    const QFont tickFont = font(kTickSize);
    painter.setFont(tickFont);
    const QFontMetricsF metrics(tickFont);
    double maxTickWidth = 0;
    ticks = std::max(2, ticks);
    for (int i = 0; i < ticks; ++i) {
        const double t = static_cast<double>(i) / (ticks - 1);
        const double y = bar.bottom() - t * bar.height();
        const double value = lo + t * (hi - lo);
        painter.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + 4, y));
        const QString text = QString::number(value, 'f', decimals);
        maxTickWidth = std::max(maxTickWidth, metrics.horizontalAdvance(text));
        painter.drawText(QPointF(bar.right() + 6, y + metrics.ascent() / 2 - 1), text);
    }
    painter.restore();
    if (!label.isEmpty()) {
        drawVerticalText(
            painter, QPointF(bar.right() + 12 + maxTickWidth + kLabelSize / 2, bar.center().y()),
            label, font(kLabelSize));
    }
}

void drawCrispImage(QPainter& painter, const QRectF& target, const QImage& image) {
    if (image.isNull()) {
        return;
    }
    painter.save();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    const QPaintEngine* engine = painter.paintEngine();
    const bool vector = engine != nullptr && (engine->type() == QPaintEngine::SVG ||
                                              engine->type() == QPaintEngine::Pdf);
    if (vector) {
        // SVG/PDF viewers smooth embedded images; upscale so each cell is a block of pixels.
        const int factor = std::clamp(
            static_cast<int>(std::ceil(1024.0 / std::max(image.width(), image.height()))), 1, 16);
        painter.drawImage(target, image.scaled(image.width() * factor, image.height() * factor,
                                               Qt::IgnoreAspectRatio, Qt::FastTransformation));
    } else {
        painter.drawImage(target, image);
    }
    painter.restore();
}

NaturalCoordinates::NaturalCoordinates(QPainter& painter, const QRectF& target,
                                       const QSizeF& natural)
    : mPainter(painter) {
    mPainter.save();
    mPainter.translate(target.topLeft());
    if (natural.width() > 0 && natural.height() > 0) {
        mPainter.scale(target.width() / natural.width(), target.height() / natural.height());
    }
    mPainter.setRenderHint(QPainter::Antialiasing, true);
    mPainter.setRenderHint(QPainter::TextAntialiasing, true);
}

NaturalCoordinates::~NaturalCoordinates() { mPainter.restore(); }

QPointF toNatural(const QRectF& target, const QSizeF& natural, QPointF point) {
    if (target.width() <= 0 || target.height() <= 0) {
        return {};
    }
    return QPointF((point.x() - target.left()) * natural.width() / target.width(),
                   (point.y() - target.top()) * natural.height() / target.height());
}

QColor seriesColor(int index) {
    // Tableau 10, then the same hues darker.
    static const QColor kColors[] = {
        QColor(31, 119, 180),  QColor(255, 127, 14), QColor(44, 160, 44),   QColor(214, 39, 40),
        QColor(148, 103, 189), QColor(140, 86, 75),  QColor(227, 119, 194), QColor(127, 127, 127),
        QColor(188, 189, 34),  QColor(23, 190, 207)};
    constexpr int kCount = static_cast<int>(sizeof(kColors) / sizeof(kColors[0]));
    const QColor base = kColors[index % kCount];
    return (index / kCount) % 2 == 0 ? base : base.darker(150);
}

QString formatNumber(double value, int precision) {
    if (value != 0.0 && (std::abs(value) < 1e-3 || std::abs(value) >= 1e5)) {
        return QString::number(value, 'e', 1);
    }
    return QString::number(value, 'g', precision);
}

double niceStep(double span, int targetTicks) {
    const double raw = span / std::max(1, targetTicks);
    const double magnitude = std::pow(10.0, std::floor(std::log10(std::max(raw, 1e-9))));
    for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
        if (m * magnitude >= raw) {
            return m * magnitude;
        }
    }
    return 10.0 * magnitude;
}

}  // namespace vitscope::ui::figure_parts
