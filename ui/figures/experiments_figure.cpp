#include "ui/figures/experiments_figure.h"

#include <QFontMetricsF>
#include <QPainter>
#include <algorithm>

#include "ui/figures/figure_parts.h"
#include "ui/image_convert.h"

namespace vitscope::ui {

namespace fp = figure_parts;

namespace {
constexpr double kThumb = 112.0;
constexpr double kTextX = fp::kMargin + 2 * kThumb + 8 + 18;
constexpr double kTextW = 330.0;
constexpr double kPredX = kTextX + kTextW + 18;
constexpr double kPredColW = 150.0;
constexpr double kWidth = kPredX + 2 * kPredColW + 10 + fp::kMargin;
constexpr double kTitleStrip = 32.0;
constexpr double kRowGap = 14.0;
constexpr int kTopShown = 3;

QString metricsText(const core::ExperimentOutcome& o) {
    QStringList lines;
    lines << QStringLiteral("max |Δ class-token output| = %1")
                 .arg(fp::formatNumber(o.maxAbsOutputDiff));
    if (o.reference.logits.size() > 0) {
        lines << QStringLiteral("max |Δ logits| = %1, max |Δ probabilities| = %2")
                     .arg(fp::formatNumber(o.maxAbsLogitDiff))
                     .arg(fp::formatNumber(o.maxAbsProbDiff));
    }
    if (!o.reference.top.empty()) {
        lines << QStringLiteral("top-1 %1; p(original top-1) %2 → %3")
                     .arg(o.sameTop1 ? QStringLiteral("unchanged") : QStringLiteral("changed"))
                     .arg(QString::number(o.reference.top.front().probability, 'f', 3))
                     .arg(QString::number(o.referenceTop1ProbInVariant, 'f', 3));
    }
    return lines.join('\n');
}

}  // namespace

ExperimentsFigure::ExperimentsFigure(std::vector<core::ExperimentOutcome> outcomes,
                                     QString modelName)
    : mOutcomes(std::move(outcomes)), mModelName(std::move(modelName)) {
    for (const auto& o : mOutcomes) {
        mReference.push_back(toQImage(o.reference.shown));
        mVariant.push_back(toQImage(o.variant.shown));
    }
}

QString ExperimentsFigure::caption() const {
    QString text = QStringLiteral(
        "Experiments on the spatial inductive bias of a ViT (after Dosovitskiy et al. 2021, "
        "§3.1 and Table 8): each row runs the model on the original input (left image) and on "
        "a variant (right image). Δ is the variant minus the original; the class-token output is "
        "taken after the final norm (the pooled vector for models without a class token). "
        "Without position embeddings a patch shuffle cannot change the class token beyond float "
        "rounding.");
    if (!mModelName.isEmpty()) {
        text += QStringLiteral(" Model: ") + mModelName + QStringLiteral(".");
    }
    return text;
}

double ExperimentsFigure::rowHeight(int index) const {
    const auto& o = mOutcomes[index];
    const double title =
        fp::textHeight(QString::fromStdString(o.title), fp::font(fp::kLabelSize, true), kTextW);
    const double metrics = fp::textHeight(metricsText(o), fp::font(fp::kTickSize), kTextW);
    const double desc = fp::textHeight(QString::fromStdString(o.description),
                                       fp::font(fp::kTickSize - 0.5), kTextW);
    return std::max(kThumb + 18, title + 4 + metrics + 6 + desc);
}

QSizeF ExperimentsFigure::preferredSize() const {
    double h = fp::kMargin + kTitleStrip;
    for (int i = 0; i < static_cast<int>(mOutcomes.size()); ++i) {
        h += rowHeight(i) + kRowGap;
    }
    if (mOutcomes.empty()) {
        h += 40;
    }
    h += fp::textHeight(caption(), fp::font(fp::kCaptionSize), kWidth - 2 * fp::kMargin);
    return QSizeF(kWidth, h + fp::kMargin);
}

void ExperimentsFigure::paintRow(QPainter& painter, int index, double top) const {
    const auto& o = mOutcomes[index];
    const QFont small = fp::font(fp::kTickSize);
    const QFontMetricsF sm(small);
    // Thumbnails, aspect-fitted.
    auto thumb = [&](const QImage& image, double x, const QString& label) {
        const QRectF box(x, top, kThumb, kThumb);
        if (!image.isNull()) {
            QSizeF s = image.size().toSizeF();
            s.scale(box.size(), Qt::KeepAspectRatio);
            const QRectF r(box.center().x() - s.width() / 2, box.top(), s.width(), s.height());
            painter.save();
            painter.setRenderHint(QPainter::SmoothPixmapTransform,
                                  image.width() >= kThumb);  // small inputs stay crisp
            if (image.width() >= kThumb) {
                painter.drawImage(r, image);
            } else {
                fp::drawCrispImage(painter, r, image);
            }
            painter.restore();
        }
        painter.setPen(QPen(QColor(170, 170, 170), 0.6));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(box);
        painter.setPen(Qt::black);
        painter.setFont(small);
        const QString text = sm.elidedText(label, Qt::ElideRight, kThumb);
        painter.drawText(QPointF(x, top + kThumb + 2 + sm.ascent()), text);
    };
    thumb(mReference[index], fp::kMargin, QString::fromStdString(o.reference.label));
    thumb(mVariant[index], fp::kMargin + kThumb + 8, QString::fromStdString(o.variant.label));

    // What was done, and the numbers.
    double y = top;
    y += fp::drawWrapped(painter, QRectF(kTextX, y, kTextW, 200), QString::fromStdString(o.title),
                         fp::font(fp::kLabelSize, true));
    y += 4;
    y += fp::drawWrapped(painter, QRectF(kTextX, y, kTextW, 200), metricsText(o), small);
    y += 6;
    fp::drawWrapped(painter, QRectF(kTextX, y, kTextW, 400), QString::fromStdString(o.description),
                    fp::font(fp::kTickSize - 0.5), QColor(70, 70, 70));

    // Top predictions of both runs as bars.
    auto predictions = [&](const std::vector<core::Prediction>& top3, double x,
                           const QString& heading) {
        painter.setFont(small);
        painter.setPen(QColor(70, 70, 70));
        painter.drawText(QPointF(x, top + sm.ascent()), heading);
        double py = top + sm.height() + 4;
        for (int i = 0; i < std::min(kTopShown, static_cast<int>(top3.size())); ++i) {
            const auto& p = top3[i];
            const double barW = (kPredColW - 8) * std::clamp(p.probability, 0.0f, 1.0f);
            painter.setPen(Qt::NoPen);
            painter.setBrush(QColor(225, 232, 245));
            painter.drawRect(QRectF(x, py, kPredColW - 8, sm.height() * 2 + 2));
            painter.setBrush(QColor(120, 160, 215));
            painter.drawRect(QRectF(x, py + sm.height() + 2, barW, sm.height() - 2));
            painter.setPen(Qt::black);
            const QString text =
                sm.elidedText(QString::fromStdString(p.label) + QStringLiteral("  ") +
                                  QString::number(p.probability, 'f', 3),
                              Qt::ElideMiddle, kPredColW - 10);
            painter.drawText(QPointF(x + 2, py + sm.ascent()), text);
            py += sm.height() * 2 + 6;
        }
    };
    if (!o.reference.top.empty()) {
        predictions(o.reference.top, kPredX, QStringLiteral("original"));
        predictions(o.variant.top, kPredX + kPredColW + 10, QStringLiteral("variant"));
    }
}

void ExperimentsFigure::paint(QPainter& painter, const QRectF& target) const {
    const QSizeF natural = preferredSize();
    fp::NaturalCoordinates coords(painter, target, natural);
    painter.fillRect(QRectF(QPointF(0, 0), natural), Qt::white);
    painter.setPen(Qt::black);
    painter.setFont(fp::font(fp::kTitleSize, true));
    painter.drawText(QPointF(fp::kMargin, fp::kMargin + fp::kTitleSize),
                     QStringLiteral("Experiments on spatial inductive bias"));
    double y = fp::kMargin + kTitleStrip;
    if (mOutcomes.empty()) {
        fp::drawWrapped(painter, QRectF(fp::kMargin, y, kWidth - 2 * fp::kMargin, 40),
                        QStringLiteral("No experiment has been run."), fp::font(fp::kLabelSize));
        y += 40;
    }
    for (int i = 0; i < static_cast<int>(mOutcomes.size()); ++i) {
        paintRow(painter, i, y);
        y += rowHeight(i);
        painter.setPen(QPen(QColor(215, 215, 215), 0.8));
        painter.drawLine(QPointF(fp::kMargin, y + kRowGap / 2),
                         QPointF(kWidth - fp::kMargin, y + kRowGap / 2));
        y += kRowGap;
    }
    fp::drawWrapped(painter, QRectF(fp::kMargin, y, kWidth - 2 * fp::kMargin, natural.height() - y),
                    caption(), fp::font(fp::kCaptionSize));
}

}  // namespace vitscope::ui
