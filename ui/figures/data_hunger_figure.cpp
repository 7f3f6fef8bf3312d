#include "ui/figures/data_hunger_figure.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>
#include <algorithm>
#include <cmath>
#include <set>

#include "ui/figures/figure_parts.h"

namespace vitscope::ui {

namespace fp = figure_parts;

namespace {

constexpr double kPlotW = 440.0;
constexpr double kPlotH = 300.0;
constexpr double kLeft = fp::kMargin + fp::kLabelSize + 10 + 34;
constexpr double kTop = fp::kMargin + 30;
constexpr double kMarker = 4.2;
constexpr double kDodge = 5.0;  ///< horizontal offset between series, so error bars do not hide

int knownRank(const std::string& arch) {
    if (arch == "vit") {
        return 0;
    }
    if (arch == "cnn") {
        return 1;
    }
    return arch == "vit-nopos" ? 2 : 3;
}

QString points(double value) { return QString::number(std::abs(value), 'f', 1); }

/// A marker: circle (first series), square, diamond, then circles again.
void drawMarker(QPainter& painter, QPointF c, int index, double r) {
    switch (index % 3) {
        case 0:
            painter.drawEllipse(c, r, r);
            break;
        case 1:
            painter.drawRect(QRectF(c.x() - r * 0.9, c.y() - r * 0.9, r * 1.8, r * 1.8));
            break;
        default: {
            QPainterPath path;
            path.moveTo(c.x(), c.y() - r * 1.2);
            path.lineTo(c.x() + r * 1.2, c.y());
            path.lineTo(c.x(), c.y() + r * 1.2);
            path.lineTo(c.x() - r * 1.2, c.y());
            path.closeSubpath();
            painter.drawPath(path);
        }
    }
}

}  // namespace

struct DataHungerFigure::Scale {
    QRectF plot;
    double logLo = 0.0;
    double logHi = 1.0;
    double lo = 0.0;
    double hi = 100.0;
    double step = 10.0;
    double x(double n) const {
        return plot.left() + (std::log10(n) - logLo) / (logHi - logLo) * plot.width();
    }
    double y(double v) const { return plot.bottom() - (v - lo) / (hi - lo) * plot.height(); }
};

DataHungerFigure::DataHungerFigure(core::LabResults results) : mResults(std::move(results)) {
    for (size_t i = 0; i < mResults.series.size(); ++i) {
        if (!mResults.series[i].points.empty()) {
            mOrder.push_back(i);
        }
    }
    std::stable_sort(mOrder.begin(), mOrder.end(), [this](size_t a, size_t b) {
        return knownRank(mResults.series[a].arch) < knownRank(mResults.series[b].arch);
    });
    std::set<int64_t> sizes;
    for (const core::LabSeries& s : mResults.series) {
        for (const core::LabPoint& p : s.points) {
            sizes.insert(p.trainImages);
        }
    }
    mSizes.assign(sizes.begin(), sizes.end());
}

std::vector<const core::LabSeries*> DataHungerFigure::drawnSeries() const {
    std::vector<const core::LabSeries*> out;
    for (size_t i : mOrder) {
        out.push_back(&mResults.series[i]);
    }
    return out;
}

QString DataHungerFigure::sizeLabel(int64_t n) {
    auto scaled = [](double v, const char* unit) {
        return QString::number(v, 'g', 3) + QLatin1String(unit);
    };
    if (n >= 1000000) {
        return scaled(n / 1e6, "M");
    }
    if (n >= 1000) {
        return scaled(n / 1e3, "k");
    }
    return QString::number(n);
}

QString DataHungerFigure::archName(const QString& arch) {
    if (arch == QLatin1String("vit")) {
        return QStringLiteral("ViT");
    }
    if (arch == QLatin1String("cnn")) {
        return QStringLiteral("CNN");
    }
    if (arch == QLatin1String("vit-nopos")) {
        return QStringLiteral("ViT without position embeddings");
    }
    return arch;
}

QColor DataHungerFigure::seriesColor(int index) { return fp::seriesColor(index); }

QString DataHungerFigure::legendText(const core::LabSeries& series) const {
    const QString name = archName(QString::fromStdString(series.arch));
    const int64_t params = mResults.parameters(series.arch);
    if (params <= 0) {
        return name;
    }
    return QStringLiteral("%1 (%2 parameters)").arg(name, sizeLabel(params));
}

double DataHungerFigure::legendWidth() const {
    const QFontMetricsF tm(fp::font(fp::kTickSize));
    double widest = 80.0;
    for (const core::LabSeries* s : drawnSeries()) {
        widest = std::max(widest, tm.horizontalAdvance(legendText(*s)));
    }
    return std::min(widest, 300.0) + 22;
}

DataHungerFigure::Scale DataHungerFigure::scale() const {
    Scale s;
    s.plot = QRectF(kLeft, kTop, kPlotW, kPlotH);
    if (!mSizes.empty()) {
        const double lo = std::log10(static_cast<double>(mSizes.front()));
        const double hi = std::log10(static_cast<double>(mSizes.back()));
        const double pad = std::max(0.12 * (hi - lo), 0.15);
        s.logLo = lo - pad;
        s.logHi = hi + pad;
    }
    double vLo = 100.0;
    double vHi = 0.0;
    for (const core::LabSeries* series : drawnSeries()) {
        for (const core::LabPoint& p : series->points) {
            vLo = std::min(vLo, p.meanTop1 - p.stdTop1);
            vHi = std::max(vHi, p.meanTop1 + p.stdTop1);
            for (double a : p.top1) {
                vLo = std::min(vLo, a);
                vHi = std::max(vHi, a);
            }
        }
    }
    if (vHi < vLo) {
        vLo = 0.0;
        vHi = 100.0;
    }
    const double span = std::max(vHi - vLo, 2.0);
    s.step = fp::niceStep(span * 1.16, 6);
    s.lo = std::max(0.0, std::floor((vLo - 0.08 * span) / s.step) * s.step);
    s.hi = std::min(100.0, std::ceil((vHi + 0.08 * span) / s.step) * s.step);
    if (s.hi <= s.lo) {
        s.hi = s.lo + s.step;
    }
    return s;
}

QPointF DataHungerFigure::markerPosition(const QString& arch, int64_t trainImages) const {
    const std::vector<const core::LabSeries*> order = drawnSeries();
    const Scale s = scale();
    for (size_t i = 0; i < order.size(); ++i) {
        if (QString::fromStdString(order[i]->arch) != arch) {
            continue;
        }
        const core::LabPoint* p = order[i]->at(trainImages);
        if (p == nullptr) {
            break;
        }
        const double dodge = (static_cast<double>(i) - (order.size() - 1) / 2.0) * kDodge;
        return QPointF(s.x(static_cast<double>(trainImages)) + dodge, s.y(p->meanTop1));
    }
    return QPointF(-1, -1);
}

QString DataHungerFigure::gapSentence() const {
    const core::LabSeries* vit = mResults.find("vit");
    const core::LabSeries* cnn = mResults.find("cnn");
    if (vit == nullptr || cnn == nullptr) {
        return {};
    }
    std::vector<int64_t> both;
    for (const core::LabPoint& p : vit->points) {
        if (cnn->at(p.trainImages) != nullptr) {
            both.push_back(p.trainImages);
        }
    }
    if (both.empty()) {
        return {};
    }
    auto gapAt = [&](int64_t n) {
        const double gap = vit->at(n)->meanTop1 - cnn->at(n)->meanTop1;
        const QString where = QStringLiteral("with %1 training images").arg(sizeLabel(n));
        if (std::abs(gap) < 0.05) {
            return where + QStringLiteral(" the ViT and the CNN are level");
        }
        return where + (gap < 0 ? QStringLiteral(" the ViT trails the CNN by %1 points")
                                : QStringLiteral(" the ViT leads the CNN by %1 points"))
                           .arg(points(gap));
    };
    QString text = gapAt(both.front());
    if (both.size() > 1) {
        text += QStringLiteral("; ") + gapAt(both.back());
    }
    text[0] = text[0].toUpper();
    return text + QStringLiteral(".");
}

QString DataHungerFigure::runsSentence() const {
    QStringList parts;
    const std::vector<const core::LabSeries*> order = drawnSeries();
    for (int64_t n : mSizes) {
        QStringList counts;
        std::set<int> distinct;
        for (const core::LabSeries* s : order) {
            if (const core::LabPoint* p = s->at(n)) {
                distinct.insert(p->runs);
                counts << QStringLiteral("%1 %2").arg(p->runs).arg(
                    archName(QString::fromStdString(s->arch)));
            }
        }
        parts << (distinct.size() == 1
                      ? QStringLiteral("%1: %2").arg(sizeLabel(n)).arg(*distinct.begin())
                      : QStringLiteral("%1: %2").arg(sizeLabel(n),
                                                     counts.join(QStringLiteral(", "))));
    }
    if (parts.isEmpty()) {
        return {};
    }
    return QStringLiteral("Runs per size: ") + parts.join(QStringLiteral("; ")) +
           QStringLiteral(".");
}

QString DataHungerFigure::missingSentence() const {
    QStringList missing;
    for (const char* arch : {"vit", "cnn"}) {
        const core::LabSeries* s = mResults.find(arch);
        const QString name = archName(QString::fromLatin1(arch));
        if (s == nullptr || s->points.empty()) {
            missing << QStringLiteral("every %1 run").arg(name);
            continue;
        }
        QStringList sizes;
        for (int64_t n : mSizes) {
            if (s->at(n) == nullptr) {
                sizes << sizeLabel(n);
            }
        }
        if (!sizes.isEmpty()) {
            missing << QStringLiteral("the %1 at %2").arg(name, sizes.join(QStringLiteral(", ")));
        }
    }
    if (mResults.find("vit-nopos") == nullptr) {
        missing << QStringLiteral("the ViT without position embeddings");
    }
    if (missing.isEmpty()) {
        return {};
    }
    return QStringLiteral("Not in this file yet (a partial sweep): ") +
           missing.join(QStringLiteral("; ")) + QStringLiteral(".");
}

QString DataHungerFigure::caption() const {
    QStringList parts;
    parts << QStringLiteral(
        "Data hunger (cf. Dosovitskiy et al. 2021, Section 4.2 and Fig. 4): Fashion-MNIST test "
        "top-1 against the number of training images (log scale) for the bundled ViT's "
        "architecture and a CNN of about the same size; markers are means, bars ±1 standard "
        "deviation where a size has more than one run, faint dots single runs, and the axis does "
        "not start at zero.");
    if (!mResults.budgetRule.empty()) {
        parts
            << QStringLiteral("Budget rule: %1.").arg(QString::fromStdString(mResults.budgetRule));
    }
    if (!mResults.subsets.empty()) {
        parts << QStringLiteral("Subsets: %1.").arg(QString::fromStdString(mResults.subsets));
    }
    for (const QString& s : {runsSentence(), gapSentence(), missingSentence()}) {
        if (!s.isEmpty()) {
            parts << s;
        }
    }
    return parts.join(QLatin1Char(' '));
}

QSizeF DataHungerFigure::preferredSize() const {
    const double width = kLeft + kPlotW + 16 + legendWidth() + fp::kMargin;
    const double captionTop = kTop + kPlotH + 22 + fp::kLabelSize + 14;
    const double captionH =
        fp::textHeight(caption(), fp::font(fp::kCaptionSize), width - 2 * fp::kMargin);
    return QSizeF(width, captionTop + captionH + fp::kMargin);
}

namespace {

template <typename Scale>
void paintAxes(QPainter& painter, const Scale& s, const std::vector<int64_t>& sizes) {
    const QFont tickFont = fp::font(fp::kTickSize);
    const QFontMetricsF tm(tickFont);
    painter.setFont(tickFont);
    for (double v = s.lo; v <= s.hi + 1e-9; v += s.step) {
        const double y = s.y(v);
        painter.setPen(QPen(QColor(225, 225, 225), 0.8));
        painter.drawLine(QPointF(s.plot.left(), y), QPointF(s.plot.right(), y));
        painter.setPen(Qt::black);
        painter.drawLine(QPointF(s.plot.left() - 4, y), QPointF(s.plot.left(), y));
        const QString text = QString::number(v, 'g', 4);
        painter.drawText(
            QPointF(s.plot.left() - 7 - tm.horizontalAdvance(text), y + tm.ascent() / 2 - 1), text);
    }
    for (int64_t n : sizes) {
        const double x = s.x(static_cast<double>(n));
        painter.setPen(QPen(QColor(235, 235, 235), 0.8));
        painter.drawLine(QPointF(x, s.plot.top()), QPointF(x, s.plot.bottom()));
        painter.setPen(Qt::black);
        painter.drawLine(QPointF(x, s.plot.bottom()), QPointF(x, s.plot.bottom() + 4));
        const QString text = DataHungerFigure::sizeLabel(n);
        painter.drawText(
            QPointF(x - tm.horizontalAdvance(text) / 2, s.plot.bottom() + 6 + tm.ascent()), text);
    }
    painter.setPen(QPen(Qt::black, 1.0));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(s.plot);
    const QFont labelFont = fp::font(fp::kLabelSize);
    const QFontMetricsF lm(labelFont);
    painter.setFont(labelFont);
    const QString xLabel = QStringLiteral("Training images (log scale)");
    painter.drawText(QPointF(s.plot.center().x() - lm.horizontalAdvance(xLabel) / 2,
                             s.plot.bottom() + 22 + lm.ascent()),
                     xLabel);
    fp::drawVerticalText(painter, QPointF(fp::kMargin + fp::kLabelSize / 2, s.plot.center().y()),
                         QStringLiteral("Test top-1 (%)"), labelFont);
}

/// One series: faint run dots, error bars, the line and the markers.
template <typename Scale>
void paintSeries(QPainter& painter, const Scale& s, const core::LabSeries& series, int index,
                 double dodge) {
    const QColor color = DataHungerFigure::seriesColor(index);
    QColor faint = color;
    faint.setAlpha(120);
    QPolygonF line;
    for (const core::LabPoint& p : series.points) {
        const double x = s.x(static_cast<double>(p.trainImages)) + dodge;
        line << QPointF(x, s.y(p.meanTop1));
        if (p.runs > 1) {
            painter.setPen(QPen(color.darker(115), 1.2));
            const double top = s.y(std::min(100.0, p.meanTop1 + p.stdTop1));
            const double bottom = s.y(std::max(0.0, p.meanTop1 - p.stdTop1));
            painter.drawLine(QPointF(x, top), QPointF(x, bottom));
            painter.drawLine(QPointF(x - 3, top), QPointF(x + 3, top));
            painter.drawLine(QPointF(x - 3, bottom), QPointF(x + 3, bottom));
            // The single runs, faint, on the outer side of the bar so that it does not hide them.
            painter.setPen(Qt::NoPen);
            painter.setBrush(faint);
            const double side = dodge < 0 ? -6.0 : 6.0;
            for (double a : p.top1) {
                painter.drawEllipse(QPointF(x + side, s.y(a)), 2.3, 2.3);
            }
        }
    }
    painter.setPen(QPen(color, 1.6));
    painter.setBrush(Qt::NoBrush);
    painter.drawPolyline(line);
    painter.setPen(QPen(color.darker(140), 0.8));
    painter.setBrush(color);
    for (const QPointF& c : line) {
        drawMarker(painter, c, index, kMarker);
    }
}

}  // namespace

void DataHungerFigure::paint(QPainter& painter, const QRectF& target) const {
    const QSizeF natural = preferredSize();
    fp::NaturalCoordinates coords(painter, target, natural);
    painter.fillRect(QRectF(QPointF(0, 0), natural), Qt::white);
    const Scale s = scale();
    painter.setPen(Qt::black);
    painter.setFont(fp::font(fp::kTitleSize, true));
    painter.drawText(QPointF(s.plot.left(), fp::kMargin + fp::kTitleSize),
                     QStringLiteral("Test accuracy against training-set size"));
    paintAxes(painter, s, mSizes);
    const std::vector<const core::LabSeries*> order = drawnSeries();
    painter.save();
    painter.setClipRect(s.plot.adjusted(-8, -8, 8, 8));
    for (size_t i = 0; i < order.size(); ++i) {
        const double dodge = (static_cast<double>(i) - (order.size() - 1) / 2.0) * kDodge;
        paintSeries(painter, s, *order[i], static_cast<int>(i), dodge);
    }
    painter.restore();
    // Legend right of the plot.
    const QFontMetricsF tm(fp::font(fp::kTickSize));
    painter.setFont(fp::font(fp::kTickSize));
    const double lx = s.plot.right() + 16;
    double ly = s.plot.top() + 4;
    for (size_t i = 0; i < order.size(); ++i) {
        const QColor color = seriesColor(static_cast<int>(i));
        painter.setPen(QPen(color, 1.6));
        painter.drawLine(QPointF(lx, ly + tm.ascent() / 2), QPointF(lx + 14, ly + tm.ascent() / 2));
        painter.setPen(QPen(color.darker(140), 0.8));
        painter.setBrush(color);
        drawMarker(painter, QPointF(lx + 7, ly + tm.ascent() / 2), static_cast<int>(i), 3.4);
        painter.setPen(Qt::black);
        painter.drawText(QPointF(lx + 20, ly + tm.ascent()), legendText(*order[i]));
        ly += tm.height() + 4;
    }
    if (order.empty()) {
        painter.setPen(QColor(90, 90, 90));
        painter.drawText(s.plot, Qt::AlignCenter, QStringLiteral("The file has no results yet."));
    }
    const double captionTop = kTop + kPlotH + 22 + fp::kLabelSize + 14;
    painter.setPen(Qt::black);
    fp::drawWrapped(painter,
                    QRectF(fp::kMargin, captionTop, natural.width() - 2 * fp::kMargin,
                           natural.height() - captionTop),
                    caption(), fp::font(fp::kCaptionSize));
}

}  // namespace vitscope::ui
