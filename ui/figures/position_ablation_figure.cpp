#include "ui/figures/position_ablation_figure.h"

#include <QFontMetricsF>
#include <QPainter>
#include <QStringList>
#include <algorithm>
#include <cmath>

#include "ui/figures/data_hunger_figure.h"
#include "ui/figures/figure_parts.h"

namespace vitscope::ui {

namespace fp = figure_parts;

namespace {

constexpr double kLabelW = 250.0;
constexpr double kPlotW = 300.0;
constexpr double kValueW = 96.0;
constexpr double kTitleH = 22.0;
constexpr double kRowH = 24.0;
constexpr double kAxisH = 24.0;
constexpr double kPanelGap = 16.0;
constexpr double kTop = fp::kMargin + 30;
constexpr double kPlotLeft = fp::kMargin + kLabelW;
constexpr double kChance = 10.0;  ///< Fashion-MNIST has 10 classes

/// Picks the panel's axis: 0..100 for the test-time panel, else a range around the values.
void chooseRange(PositionAblationFigure::Panel& panel) {
    if (panel.fromZero) {
        panel.lo = 0.0;
        panel.hi = 100.0;
        panel.step = 20.0;
        return;
    }
    double lo = 100.0;
    double hi = 0.0;
    for (const auto& row : panel.rows) {
        if (row.value) {
            lo = std::min(lo, *row.value - row.error);
            hi = std::max(hi, *row.value + row.error);
        }
    }
    if (hi < lo) {
        lo = 0.0;
        hi = 100.0;
    }
    const double span = std::max(hi - lo, 1.0);
    panel.step = fp::niceStep(span * 1.6, 4);
    panel.lo = std::max(0.0, std::floor((lo - 0.3 * span) / panel.step) * panel.step);
    panel.hi = std::min(100.0, std::ceil((hi + 0.3 * span) / panel.step) * panel.step);
    if (panel.hi <= panel.lo) {
        panel.hi = panel.lo + panel.step;
    }
}

double panelHeight(const PositionAblationFigure::Panel& panel) {
    return kTitleH + kRowH * static_cast<double>(std::max<size_t>(1, panel.rows.size())) + kAxisH;
}

double xOf(const PositionAblationFigure::Panel& panel, double v) {
    return kPlotLeft + (v - panel.lo) / (panel.hi - panel.lo) * kPlotW;
}

QString percent(double v) { return QString::number(v, 'f', 1) + QStringLiteral(" %"); }

bool hasValues(const PositionAblationFigure::Panel& panel) {
    return std::any_of(panel.rows.begin(), panel.rows.end(),
                       [](const auto& row) { return row.value.has_value(); });
}

}  // namespace

PositionAblationFigure::PositionAblationFigure(core::LabResults results)
    : mResults(std::move(results)) {
    mPanels.push_back(labPanel());
    mPanels.push_back(paperPanel());
    if (mResults.testTime) {
        mPanels.push_back(testTimePanel());
    }
    for (Panel& panel : mPanels) {
        chooseRange(panel);
    }
}

PositionAblationFigure::Panel PositionAblationFigure::labPanel() {
    const core::LabSeries* vit = mResults.find("vit");
    const core::LabSeries* nopos = mResults.find("vit-nopos");
    const core::LabPoint* with = nullptr;
    const core::LabPoint* without = nullptr;
    if (vit != nullptr && nopos != nullptr) {
        for (auto it = nopos->points.rbegin(); it != nopos->points.rend() && !with; ++it) {
            with = vit->at(it->trainImages);
            without = with ? &*it : nullptr;
        }
    }
    Panel panel;
    Row a{QStringLiteral("Learned 1-D position embeddings"), {}, 0.0, 1};
    Row b{QStringLiteral("No position embeddings"), {}, 0.0, 1};
    if (with != nullptr) {
        mLabImages = with->trainImages;
        a = Row{a.label, with->meanTop1, with->stdTop1, with->runs};
        b = Row{b.label, without->meanTop1, without->stdTop1, without->runs};
        panel.title = QStringLiteral("This lab: the ViT trained with %1 images, test top-1")
                          .arg(DataHungerFigure::sizeLabel(mLabImages));
    } else {
        panel.title = QStringLiteral("This lab: the ViT trained with and without, test top-1");
        panel.note = vit == nullptr ? QStringLiteral("The file has no ViT runs yet.")
                                    : QStringLiteral(
                                          "The file has no ViT without position embeddings at a "
                                          "size the ViT has.");
    }
    panel.rows = {a, b};
    return panel;
}

PositionAblationFigure::Panel PositionAblationFigure::paperPanel() const {
    Panel panel;
    panel.title = QStringLiteral("Paper, Table 8: ViT-B/16 on ImageNet, 5-shot linear accuracy");
    for (const auto& [key, value] : mResults.paperTable8) {
        QString label = QString::fromStdString(key);
        if (label == QLatin1String("none")) {
            label = QStringLiteral("No position embeddings");
        } else if (label == QLatin1String("relative")) {
            label = QStringLiteral("Relative position embeddings");
        } else {
            label += QStringLiteral(" position embeddings");
        }
        panel.rows.push_back(Row{label, value * 100.0, 0.0, 1});
    }
    if (panel.rows.empty()) {
        panel.note = QStringLiteral("The file does not carry the paper's numbers.");
    }
    return panel;
}

PositionAblationFigure::Panel PositionAblationFigure::testTimePanel() const {
    const core::TestTimeAblation& t = *mResults.testTime;
    Panel panel;
    panel.fromZero = true;
    panel.title =
        QStringLiteral("At test time: %1 as trained, then ablated")
            .arg(t.model.empty() ? QStringLiteral("the model") : QString::fromStdString(t.model));
    panel.rows = {Row{QStringLiteral("As trained"), t.positions, 0.0, 1},
                  Row{QStringLiteral("Position embeddings removed"), t.noPositions, 0.0, 1},
                  Row{QStringLiteral("Patches shuffled"), t.shuffled, 0.0, 1},
                  Row{QStringLiteral("Removed and shuffled"), t.noPositionsShuffled, 0.0, 1}};
    return panel;
}

double PositionAblationFigure::panelTop(int panel) const {
    double top = kTop;
    for (int i = 0; i < panel; ++i) {
        top += panelHeight(mPanels[static_cast<size_t>(i)]) + kPanelGap;
    }
    return top;
}

QPointF PositionAblationFigure::dotPosition(int panel, int row) const {
    if (panel < 0 || panel >= static_cast<int>(mPanels.size())) {
        return QPointF(-1, -1);
    }
    const Panel& p = mPanels[static_cast<size_t>(panel)];
    if (row < 0 || row >= static_cast<int>(p.rows.size()) || !p.rows[row].value) {
        return QPointF(-1, -1);
    }
    return QPointF(xOf(p, *p.rows[row].value), panelTop(panel) + kTitleH + kRowH * (row + 0.5));
}

QString PositionAblationFigure::labSentence() const {
    const Panel& lab = mPanels.front();
    if (!lab.rows[0].value || !lab.rows[1].value) {
        QString note = lab.note;
        if (!note.isEmpty()) {
            note[0] = note[0].toLower();
        }
        return QStringLiteral("Top: ") + note;
    }
    const double with = *lab.rows[0].value;
    const double without = *lab.rows[1].value;
    const double gap = with - without;
    QString text =
        QStringLiteral(
            "Top: this lab's ViT trained on %1 Fashion-MNIST images with learned 1-D "
            "position embeddings reaches %2 test top-1, without any %3: ")
            .arg(DataHungerFigure::sizeLabel(mLabImages), percent(with), percent(without));
    if (std::abs(gap) < 0.05) {
        text += QStringLiteral("the same.");
    } else {
        text += QStringLiteral("%1 points %2 without.")
                    .arg(QString::number(std::abs(gap), 'f', 1),
                         gap > 0 ? QStringLiteral("lower") : QStringLiteral("higher"));
    }
    return text;
}

QString PositionAblationFigure::caption() const {
    QStringList parts;
    parts << QStringLiteral("Position embeddings (Dosovitskiy et al. 2021, Table 8).")
          << labSentence();
    QStringList paper;
    for (const auto& [key, value] : mResults.paperTable8) {
        paper << QStringLiteral("%1 %2").arg(QString::fromStdString(key), percent(value * 100.0));
    }
    parts << (paper.isEmpty()
                  ? QStringLiteral("Middle: the file does not carry the paper's Table 8.")
                  : QStringLiteral("Middle: the paper's ViT-B/16 on ImageNet, 5-shot linear "
                                   "accuracy: %1.")
                        .arg(paper.join(QStringLiteral(", "))));
    if (mResults.testTime) {
        parts << QStringLiteral(
            "Bottom: the trained model on the Fashion-MNIST test set with its position "
            "embeddings removed, its patches shuffled, or both, at test time; the dashed line "
            "is chance (10 classes).");
    }
    QStringList offZero;
    const char* where[] = {"top", "middle"};
    for (size_t i = 0; i < 2 && i < mPanels.size(); ++i) {
        if (hasValues(mPanels[i]) && mPanels[i].lo > 0) {
            offZero << QLatin1String(where[i]);
        }
    }
    QString axes = QStringLiteral("Each panel has its own axis");
    if (!offZero.isEmpty()) {
        axes += offZero.size() == 1
                    ? QStringLiteral("; the %1 one does not start at zero").arg(offZero.front())
                    : QStringLiteral(
                          "; the top and middle ones do not start at "
                          "zero");
    }
    parts << axes + QStringLiteral(
                        ". Dots with their values, bars ±1 standard deviation where there is "
                        "more than one run.");
    return parts.join(QLatin1Char(' '));
}

QSizeF PositionAblationFigure::preferredSize() const {
    const double width = fp::kMargin + kLabelW + kPlotW + 12 + kValueW + fp::kMargin;
    const double captionTop = panelTop(static_cast<int>(mPanels.size())) + 4;
    const double captionH =
        fp::textHeight(caption(), fp::font(fp::kCaptionSize), width - 2 * fp::kMargin);
    return QSizeF(width, captionTop + captionH + fp::kMargin);
}

namespace {

void paintPanelAxis(QPainter& painter, const PositionAblationFigure::Panel& panel,
                    const QRectF& plot) {
    painter.setPen(QPen(Qt::black, 1.0));
    painter.setBrush(Qt::NoBrush);
    painter.drawRect(plot);
    if (!hasValues(panel)) {
        return;  // no axis for nothing: the note says what is missing
    }
    const QFontMetricsF tm(fp::font(fp::kTickSize));
    painter.setFont(fp::font(fp::kTickSize));
    for (double v = panel.lo; v <= panel.hi + 1e-9; v += panel.step) {
        const double x = xOf(panel, v);
        painter.setPen(QPen(QColor(228, 228, 228), 0.8));
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
        painter.setPen(Qt::black);
        painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + 4));
        const QString text = QString::number(v, 'g', 4);
        painter.drawText(
            QPointF(x - tm.horizontalAdvance(text) / 2, plot.bottom() + 6 + tm.ascent()), text);
    }
    painter.setPen(QColor(60, 60, 60));
    const QString unit = QStringLiteral("top-1 (%)");
    painter.drawText(
        QPointF(plot.left() - 20 - tm.horizontalAdvance(unit), plot.bottom() + 6 + tm.ascent()),
        unit);
    if (panel.fromZero) {
        const double x = xOf(panel, kChance);
        painter.setPen(QPen(QColor(90, 90, 90), 1.0, Qt::DashLine));
        painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()));
    }
}

void paintPanel(QPainter& painter, const PositionAblationFigure::Panel& panel, double top) {
    painter.setPen(Qt::black);
    painter.setFont(fp::font(fp::kLabelSize, true));
    painter.drawText(QPointF(fp::kMargin, top + fp::kLabelSize + 2), panel.title);
    const double rows = static_cast<double>(std::max<size_t>(1, panel.rows.size()));
    const QRectF plot(kPlotLeft, top + kTitleH, kPlotW, kRowH * rows);
    paintPanelAxis(painter, panel, plot);
    const QFontMetricsF tm(fp::font(fp::kTickSize));
    painter.setFont(fp::font(fp::kTickSize));
    for (size_t i = 0; i < panel.rows.size(); ++i) {
        const auto& row = panel.rows[i];
        const double y = plot.top() + kRowH * (static_cast<double>(i) + 0.5);
        painter.setPen(Qt::black);
        painter.drawText(QPointF(fp::kMargin + 8, y + tm.ascent() / 2 - 1), row.label);
        const QColor color = fp::seriesColor(static_cast<int>(i));
        QString value = QStringLiteral("not in the file");
        if (row.value) {
            const double x = xOf(panel, *row.value);
            if (row.runs > 1 && row.error > 0) {
                painter.setPen(QPen(color.darker(115), 1.2));
                const double l = xOf(panel, std::max(panel.lo, *row.value - row.error));
                const double r = xOf(panel, std::min(panel.hi, *row.value + row.error));
                painter.drawLine(QPointF(l, y), QPointF(r, y));
                painter.drawLine(QPointF(l, y - 3), QPointF(l, y + 3));
                painter.drawLine(QPointF(r, y - 3), QPointF(r, y + 3));
            }
            painter.setPen(QPen(color.darker(140), 0.8));
            painter.setBrush(color);
            painter.drawEllipse(QPointF(x, y), 4.6, 4.6);
            value = percent(*row.value);
            if (row.runs > 1) {
                value += QStringLiteral(" ± ") + QString::number(row.error, 'f', 1);
            }
        }
        painter.setPen(row.value ? Qt::black : QColor(120, 120, 120));
        painter.drawText(QPointF(plot.right() + 12, y + tm.ascent() / 2 - 1), value);
    }
    if (!panel.note.isEmpty()) {
        painter.setPen(QColor(90, 90, 90));
        painter.drawText(plot.adjusted(4, 0, -4, 0), Qt::AlignCenter | Qt::TextWordWrap,
                         panel.note);
    }
}

}  // namespace

void PositionAblationFigure::paint(QPainter& painter, const QRectF& target) const {
    const QSizeF natural = preferredSize();
    fp::NaturalCoordinates coords(painter, target, natural);
    painter.fillRect(QRectF(QPointF(0, 0), natural), Qt::white);
    painter.setPen(Qt::black);
    painter.setFont(fp::font(fp::kTitleSize, true));
    painter.drawText(QPointF(fp::kMargin, fp::kMargin + fp::kTitleSize),
                     QStringLiteral("Position embeddings: with, without, and the paper"));
    for (size_t i = 0; i < mPanels.size(); ++i) {
        paintPanel(painter, mPanels[i], panelTop(static_cast<int>(i)));
    }
    const double captionTop = panelTop(static_cast<int>(mPanels.size())) + 4;
    painter.setPen(Qt::black);
    fp::drawWrapped(painter,
                    QRectF(fp::kMargin, captionTop, natural.width() - 2 * fp::kMargin,
                           natural.height() - captionTop),
                    caption(), fp::font(fp::kCaptionSize));
}

}  // namespace vitscope::ui
