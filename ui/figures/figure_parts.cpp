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

QStringList tickLabels(double lo, double hi, int ticks, int decimals) {
    QStringList labels;
    ticks = std::max(2, ticks);
    for (int i = 0; i < ticks; ++i) {
        const double t = static_cast<double>(i) / (ticks - 1);
        const double value = lo + t * (hi - lo);
        labels << (decimals >= 0 ? QString::number(value, 'f', decimals) : formatLabel(value));
    }
    return labels;
}

namespace {

constexpr double kTickLength = 4.0;
constexpr double kTickGap = 2.0;   // tick end to label
constexpr double kLabelGap = 6.0;  // tick labels to the rotated label

double widest(const QStringList& labels, const QFont& font) {
    const QFontMetricsF metrics(font);
    double w = 0;
    for (const QString& text : labels) {
        w = std::max(w, metrics.horizontalAdvance(text));
    }
    return w;
}

}  // namespace

double colorBarLabelWidth(double lo, double hi, int ticks, const QString& label, int decimals) {
    const double tickWidth = widest(tickLabels(lo, hi, ticks, decimals), font(kTickSize));
    const double labelWidth =
        label.isEmpty() ? 0.0 : kLabelGap + QFontMetricsF(font(kLabelSize)).height();
    return kTickLength + kTickGap + tickWidth + labelWidth;
}

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
    const QStringList labels = tickLabels(lo, hi, ticks, decimals);
    for (int i = 0; i < labels.size(); ++i) {
        const double t = static_cast<double>(i) / (labels.size() - 1);
        const double y = bar.bottom() - t * bar.height();
        painter.drawLine(QPointF(bar.right(), y), QPointF(bar.right() + kTickLength, y));
        painter.drawText(QPointF(bar.right() + kTickLength + kTickGap,
                                 y + (metrics.ascent() - metrics.descent()) / 2),
                         labels[i]);
    }
    painter.restore();
    if (!label.isEmpty()) {
        const QFont labelFont = font(kLabelSize);
        const double x = bar.right() + kTickLength + kTickGap + widest(labels, tickFont) +
                         kLabelGap + QFontMetricsF(labelFont).height() / 2;
        drawVerticalText(painter, QPointF(x, bar.center().y()), label, labelFont);
    }
}

bool isVectorOutput(const QPainter& painter) {
    const QPaintEngine* engine = painter.paintEngine();
    return engine != nullptr &&
           (engine->type() == QPaintEngine::SVG || engine->type() == QPaintEngine::Pdf);
}

namespace {

/// One filled rectangle per horizontal run of equal pixels. Each rectangle reaches a little
/// into an opaque right or lower neighbour, which is drawn later and covers it: antialiased
/// edges of adjacent rectangles then leave no light seam between the cells.
void drawCellRects(QPainter& painter, const QRectF& target, const QImage& source) {
    const QImage image = source.convertToFormat(QImage::Format_ARGB32);
    const double cw = target.width() / image.width();
    const double ch = target.height() / image.height();
    const double overlapX = std::min(1.0, cw / 4);
    const double overlapY = std::min(1.0, ch / 4);
    painter.setPen(Qt::NoPen);
    for (int y = 0; y < image.height(); ++y) {
        const auto* row = reinterpret_cast<const QRgb*>(image.constScanLine(y));
        const auto* below = y + 1 < image.height()
                                ? reinterpret_cast<const QRgb*>(image.constScanLine(y + 1))
                                : nullptr;
        int x = 0;
        while (x < image.width()) {
            int end = x + 1;
            bool opaqueBelow = below != nullptr && qAlpha(below[x]) == 255;
            while (end < image.width() && row[end] == row[x]) {
                opaqueBelow = opaqueBelow && qAlpha(below[end]) == 255;
                ++end;
            }
            if (qAlpha(row[x]) != 0) {
                const bool opaqueRight = end < image.width() && qAlpha(row[end]) == 255;
                painter.setBrush(QColor::fromRgba(row[x]));
                painter.drawRect(QRectF(target.left() + x * cw, target.top() + y * ch,
                                        (end - x) * cw + (opaqueRight ? overlapX : 0.0),
                                        ch + (opaqueBelow ? overlapY : 0.0)));
            }
            x = end;
        }
    }
}

}  // namespace

void drawCrispImage(QPainter& painter, const QRectF& target, const QImage& image) {
    if (image.isNull() || target.isEmpty()) {
        return;
    }
    painter.save();
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    if (isVectorOutput(painter)) {
        drawCellRects(painter, target, image);
    } else {
        painter.drawImage(target, image);
    }
    painter.restore();
}

void drawMapOverImage(QPainter& painter, const QRectF& target, const QImage& photo,
                      const QImage& map, double opacity) {
    painter.save();
    if (!isVectorOutput(painter) || map.isNull() || photo.isNull()) {
        // Upscaled pixels stay crisp (what the model saw); only a photo shown smaller is smoothed.
        if (!photo.isNull()) {
            painter.setRenderHint(QPainter::SmoothPixmapTransform, target.width() < photo.width());
            painter.drawImage(target, photo);
        }
        if (!map.isNull()) {
            painter.setOpacity(photo.isNull() ? 1.0 : opacity);
            if (photo.isNull()) {
                drawCrispImage(painter, target, map);
            } else {
                painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
                painter.drawImage(target, map);
            }
        }
        painter.restore();
        return;
    }
    // Pixels per cell: a whole number, and a multiple of the photo's pixels per cell when the
    // photo divides into cells (a 28x28 input of 7x7 patches: 76 = 19 x 4), so neither image is
    // resampled unevenly.
    const auto perCell = [](int photoPixels, int cells) {
        const int factor = std::max(1, (512 + photoPixels - 1) / photoPixels);
        if (photoPixels % cells == 0) {
            return factor * (photoPixels / cells);
        }
        return std::max(1, (std::max(512, photoPixels) + cells - 1) / cells);
    };
    const int perCellX = perCell(photo.width(), map.width());
    const int perCellY = perCell(photo.height(), map.height());
    const QSize size(map.width() * perCellX, map.height() * perCellY);
    QImage composed(size, QImage::Format_RGB32);
    {
        QPainter p(&composed);
        const bool shrink = size.width() < photo.width();
        p.drawImage(QRect(QPoint(0, 0), size),
                    photo.scaled(size, Qt::IgnoreAspectRatio,
                                 shrink ? Qt::SmoothTransformation : Qt::FastTransformation));
        p.setOpacity(opacity);
        p.drawImage(QRect(QPoint(0, 0), size),
                    map.scaled(size, Qt::IgnoreAspectRatio, Qt::FastTransformation));
    }
    painter.setRenderHint(QPainter::SmoothPixmapTransform, false);
    painter.drawImage(target, composed);
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

QString formatLabel(double value, int significant) {
    significant = std::clamp(significant, 1, 15);
    if (value == 0.0 || !std::isfinite(value)) {
        return value == 0.0 ? QStringLiteral("0") : QString::number(value);
    }
    // Rounding can carry into the next decade (99999.9 -> 1e+05): decide on the rounded value.
    const double rounded = QString::number(value, 'e', significant - 1).toDouble();
    const double shown = std::abs(rounded);
    if (shown < 1e-3 || shown >= 1e5) {
        QString text = QString::number(value, 'e', significant - 1);
        const int e = static_cast<int>(text.indexOf(QLatin1Char('e')));
        QString mantissa = text.left(e);
        if (mantissa.contains(QLatin1Char('.'))) {
            while (mantissa.endsWith(QLatin1Char('0'))) {
                mantissa.chop(1);
            }
            if (mantissa.endsWith(QLatin1Char('.'))) {
                mantissa.chop(1);
            }
        }
        return mantissa + text.mid(e);
    }
    // Plain notation with exactly `significant` significant digits, trailing zeros dropped.
    const int exponent = static_cast<int>(std::floor(std::log10(shown)));
    const int decimals = std::max(0, significant - 1 - exponent);
    QString text = QString::number(rounded, 'f', decimals);
    if (text.contains(QLatin1Char('.'))) {
        while (text.endsWith(QLatin1Char('0'))) {
            text.chop(1);
        }
        if (text.endsWith(QLatin1Char('.'))) {
            text.chop(1);
        }
    }
    return text;
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
