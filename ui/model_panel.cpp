#include "ui/model_panel.h"

#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLocale>

namespace vitscope::ui {

ModelPanel::ModelPanel(QWidget* parent) : QWidget(parent) {
    mForm = new QFormLayout(this);
    mForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    mForm->setRowWrapPolicy(QFormLayout::WrapLongRows);
    clear();
}

void ModelPanel::clear() {
    while (mForm->rowCount() > 0) {
        mForm->removeRow(0);
    }
    addRow(tr("Model"), tr("none loaded"));
}

void ModelPanel::addRow(const QString& title, const QString& value) {
    auto* label = new QLabel(value, this);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    label->setObjectName(title);
    mForm->addRow(title + QLatin1Char(':'), label);
}

QString ModelPanel::field(const QString& title) const {
    const auto* label = findChild<QLabel*>(title);
    return label ? label->text() : QString();
}

QString ModelPanel::tokensText(const core::TokenLayout& t, int embedDim) {
    QStringList prefix;
    if (t.clsIndex >= 0) {
        prefix << tr("1 class");
    }
    if (t.distIndex >= 0) {
        prefix << tr("1 distillation");
    }
    if (t.numRegisters > 0) {
        prefix << tr("%n register(s)", nullptr, t.numRegisters);
    }
    QString text = tr("%1 patches").arg(t.numPatches());
    for (const QString& p : prefix) {
        text += QStringLiteral(" + ") + p;
    }
    return text + QStringLiteral(" = %1 x %2").arg(t.numTokens()).arg(embedDim);
}

namespace {

QString parameterText(int64_t n) {
    const QLocale locale;
    const double millions = static_cast<double>(n) / 1e6;
    return QStringLiteral("%1 M (%2)")
        .arg(millions, 0, 'f', millions < 10 ? 2 : 1)
        .arg(locale.toString(static_cast<qlonglong>(n)));
}

}  // namespace

void ModelPanel::setModel(const core::VitModel& model, const core::InferenceResult* result) {
    while (mForm->rowCount() > 0) {
        mForm->removeRow(0);
    }
    const core::VitConfig& c = model.config();
    const core::ModelInfo& info = model.info();
    const core::TokenLayout layout =
        result ? result->tokens : model.tokenLayout(c.gridH(), c.gridW());
    const int inputH = result ? result->inputH : c.imageH;
    const int inputW = result ? result->inputW : c.imageW;
    addRow(tr("File"), QFileInfo(QString::fromStdString(info.path)).fileName());
    addRow(tr("Format"), QString::fromStdString(info.format));
    addRow(tr("Architecture"), QString::fromStdString(info.architecture));
    addRow(tr("Encoder"), tr("%1 layers, %2 heads, D = %3, MLP %4")
                              .arg(c.depth)
                              .arg(c.numHeads)
                              .arg(c.embedDim)
                              .arg(c.mlpDim));
    addRow(tr("Patch size"), QStringLiteral("%1 x %1").arg(c.patchSize));
    addRow(tr("Grid"), tr("%1 x %2 (input %3 x %4 px)")
                           .arg(layout.gridH)
                           .arg(layout.gridW)
                           .arg(inputH)
                           .arg(inputW));
    addRow(tr("Tokens"), tokensText(layout, c.embedDim));
    addRow(tr("Parameters"), parameterText(info.numParameters));
    addRow(tr("Weights"), QString::fromStdString(info.weightsDType));
    addRow(tr("Head"), c.hasHead() ? tr("%n class(es), %1 pooling", nullptr, c.numClasses)
                                         .arg(QString::fromLatin1(core::toString(c.pooling)))
                                   : tr("none (features only)"));
    addRow(tr("Preprocessing"), QString::fromStdString(model.recipe().describe()));
    addRow(tr("Labels"), QString::fromStdString(info.labelsSource));
    QStringList notes;
    for (const auto& note : info.notes) {
        notes << QString::fromStdString(note);
    }
    if (c.headsGuessed) {
        notes << tr("number of heads assumed (head width 64)");
    }
    if (!notes.isEmpty()) {
        addRow(tr("Notes"), notes.join(QLatin1Char('\n')));
    }
}

}  // namespace vitscope::ui
