#include "ui/model_panel.h"

#include <QAbstractItemView>
#include <QComboBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QFrame>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QPushButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>
#include <cmath>

#include "ui/plural.h"

namespace vitscope::ui {

namespace {

/// A head-count spin box that only offers divisors of the embedding width.
class DivisorSpinBox : public QSpinBox {
public:
    using QSpinBox::QSpinBox;
    void setWidth(int width) {
        mWidth = std::max(1, width);
        setRange(1, mWidth);
    }
    void stepBy(int steps) override {
        int v = value();
        const int dir = steps > 0 ? 1 : -1;
        for (int n = std::abs(steps); n > 0;) {
            v += dir;
            if (v < 1 || v > mWidth) {
                return;
            }
            if (mWidth % v == 0) {
                --n;
                setValue(v);
            }
        }
    }

protected:
    QValidator::State validate(QString& text, int& pos) const override {
        const QValidator::State state = QSpinBox::validate(text, pos);
        if (state != QValidator::Acceptable) {
            return state;
        }
        return mWidth % valueFromText(text) == 0 ? QValidator::Acceptable
                                                 : QValidator::Intermediate;
    }
    void fixup(QString& text) const override {
        int v = std::clamp(valueFromText(text), 1, mWidth);
        while (mWidth % v != 0) {
            --v;
        }
        text = textFromValue(v);
    }

private:
    int mWidth = 1;
};

QString tripleText(const std::array<float, 3>& v, int channels) {
    if (channels == 1 || (v[0] == v[1] && v[1] == v[2])) {
        return QString::number(v[0], 'g', 6);
    }
    return QStringLiteral("%1, %2, %3")
        .arg(QString::number(v[0], 'g', 6), QString::number(v[1], 'g', 6),
             QString::number(v[2], 'g', 6));
}

}  // namespace

ModelPanel::ModelPanel(QWidget* parent) : QWidget(parent) {
    auto* outer = new QVBoxLayout(this);
    buildWarningBox();
    outer->addWidget(mWarning);
    mForm = new QFormLayout;
    mForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    mForm->setRowWrapPolicy(QFormLayout::WrapLongRows);
    outer->addLayout(mForm);
    outer->addStretch();
    clear();
}

void ModelPanel::buildWarningBox() {
    mWarning = new QFrame(this);
    mWarning->setObjectName(QStringLiteral("inferredWarning"));
    mWarning->setFrameShape(QFrame::StyledPanel);
    mWarning->setStyleSheet(
        QStringLiteral("QFrame#inferredWarning { background: #fff4c2; border: 2px solid #d4a017; "
                       "border-radius: 4px; }"
                       "QFrame#inferredWarning QLabel { color: #3a2f00; background: transparent; "
                       "border: none; }"));
    auto* box = new QVBoxLayout(mWarning);
    mWarningText = new QLabel(mWarning);
    mWarningText->setObjectName(QStringLiteral("inferredWarningText"));
    mWarningText->setWordWrap(true);
    mWarningText->setTextInteractionFlags(Qt::TextSelectableByMouse);
    box->addWidget(mWarningText);

    auto* controls = new QFormLayout;
    mHeads = new DivisorSpinBox(mWarning);
    mHeads->setObjectName(QStringLiteral("headsSpin"));
    mHeads->setToolTip(tr("Number of attention heads (a divisor of the embedding width)"));
    controls->addRow(tr("Heads:"), mHeads);
    mMean = new QLineEdit(mWarning);
    mMean->setObjectName(QStringLiteral("meanEdit"));
    mMean->setToolTip(tr("Normalisation mean: one number, or three (R, G, B)"));
    controls->addRow(tr("Mean:"), mMean);
    mStd = new QLineEdit(mWarning);
    mStd->setObjectName(QStringLiteral("stdEdit"));
    mStd->setToolTip(tr("Normalisation std: one number, or three (R, G, B), each > 0"));
    controls->addRow(tr("Std:"), mStd);
    mRecipe = new QComboBox(mWarning);
    mRecipe->setObjectName(QStringLiteral("recipeCombo"));
    mRecipe->addItem(tr("HF exact resize (bilinear)"),
                     QString::fromLatin1(core::toString(core::RecipeStyle::HfExact)));
    mRecipe->addItem(tr("timm centre crop (size/0.875, bicubic)"),
                     QString::fromLatin1(core::toString(core::RecipeStyle::TimmCenterCrop)));
    // The timm item is long: the box may be narrower than it (the Model dock is ~300 px wide),
    // and its list is as wide as the longest item.
    mRecipe->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    mRecipe->setMinimumContentsLength(16);
    mRecipe->view()->setMinimumWidth(mRecipe->view()->sizeHintForColumn(0) + 24);
    controls->addRow(tr("Resize:"), mRecipe);
    box->addLayout(controls);
    mWarningError = new QLabel(mWarning);
    mWarningError->setObjectName(QStringLiteral("inferredWarningError"));
    mWarningError->setWordWrap(true);
    mWarningError->setStyleSheet(QStringLiteral("color: #a00000;"));
    mWarningError->hide();
    box->addWidget(mWarningError);
    auto* apply = new QPushButton(tr("Apply and reload"), mWarning);
    apply->setObjectName(QStringLiteral("applyReloadButton"));
    connect(apply, &QPushButton::clicked, this, &ModelPanel::applyAndReload);
    box->addWidget(apply, 0, Qt::AlignLeft);
    mWarning->hide();
}

std::optional<std::array<float, 3>> ModelPanel::parseTriple(const QString& text) {
    const QStringList parts =
        text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts);
    if (parts.size() != 1 && parts.size() != 3) {
        return std::nullopt;
    }
    std::array<float, 3> v{};
    for (int i = 0; i < 3; ++i) {
        bool ok = false;
        v[i] = parts[std::min<int>(i, parts.size() - 1)].toFloat(&ok);
        if (!ok) {
            return std::nullopt;
        }
    }
    return v;
}

void ModelPanel::applyAndReload() {
    const auto mean = parseTriple(mMean->text());
    const auto stdv = parseTriple(mStd->text());
    QString error;
    if (!mean) {
        error = tr("Mean: give one number or three, e.g. 0.5 or 0.485, 0.456, 0.406.");
    } else if (!stdv) {
        error = tr("Std: give one number or three, e.g. 0.5 or 0.229, 0.224, 0.225.");
    }
    core::LoadOptions options;
    if (error.isEmpty()) {
        options.numHeads = mHeads->value();
        options.mean = mean;
        options.std = stdv;
        auto style = core::parseRecipeStyle(mRecipe->currentData().toString().toStdString());
        if (style) {
            options.recipe = *style;
        }
        if (auto st = core::validateLoadOptions(options); !st) {
            error = QString::fromStdString(st.error().message);
        }
    }
    mWarningError->setText(error);
    mWarningError->setVisible(!error.isEmpty());
    if (error.isEmpty()) {
        emit reloadRequested(mPath, options);
    }
}

void ModelPanel::showWarning(const core::VitModel& model) {
    const core::ModelInfo& info = model.info();
    mPath = QString::fromStdString(info.path);
    mWarningError->hide();
    if (info.inferred.empty()) {
        mWarning->hide();
        mWarningText->clear();
        return;
    }
    QStringList items;
    for (const core::InferredSetting& s : info.inferred) {
        const QString value = QString::fromStdString(s.value);
        // A resize value already reads as one ("resize to 28x28 (bilinear)").
        const QString what =
            s.kind == core::InferredSetting::Kind::Resize
                ? value
                : QString::fromLatin1(core::toString(s.kind)) + QLatin1Char(' ') + value;
        items << what + QStringLiteral(" (") + QString::fromStdString(s.why) + QLatin1Char(')');
    }
    mWarningText->setText(
        tr("<b>vitscope guessed these settings:</b> %1. The predictions and attention "
           "maps are only right if these are.")
            .arg(items.join(QStringLiteral(", ")).toHtmlEscaped()));
    const core::VitConfig& c = model.config();
    const core::PreprocessRecipe& r = model.recipe();
    static_cast<DivisorSpinBox*>(mHeads)->setWidth(c.embedDim);
    mHeads->setValue(c.numHeads);
    mMean->setText(tripleText(r.mean, r.channels));
    mStd->setText(tripleText(r.std, r.channels));
    const bool hf = r.resizeRule == core::ResizeRule::Exact && !r.centerCrop;
    mRecipe->setCurrentIndex(hf ? 0 : 1);
    mWarning->show();
}

QString ModelPanel::warningText() const {
    return mWarning->isHidden() ? QString() : mWarningText->text();
}

void ModelPanel::clear() {
    while (mForm->rowCount() > 0) {
        mForm->removeRow(0);
    }
    mWarning->hide();
    mWarningText->clear();
    mPath.clear();
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
        prefix << countText(t.numRegisters, tr("register"), tr("registers"));
    }
    QString text = countText(t.numPatches(), tr("patch"), tr("patches"));
    for (const QString& p : prefix) {
        text += QStringLiteral(" + ") + p;
    }
    return text + QStringLiteral(" = %1 x %2").arg(t.numTokens()).arg(embedDim);
}

namespace {

QString headText(const core::VitConfig& c) {
    if (!c.hasHead()) {
        return ModelPanel::tr("none (features only)");
    }
    QString text =
        ModelPanel::tr("%1, %2 pooling")
            .arg(countText(c.numClasses, ModelPanel::tr("class"), ModelPanel::tr("classes")),
                 QString::fromLatin1(core::toString(c.pooling)));
    if (c.distHead) {
        text += ModelPanel::tr(
            "; plus a distillation head on the distillation token (DeiT), "
            "and the logits are the mean of the two heads");
    }
    return text;
}

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
    addRow(tr("Encoder"), tr("%1, %2, D = %3, MLP %4")
                              .arg(countText(c.depth, tr("layer"), tr("layers")),
                                   countText(c.numHeads, tr("head"), tr("heads")))
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
    addRow(tr("Head"), headText(c));
    addRow(tr("Preprocessing"), QString::fromStdString(model.recipe().describe()));
    addRow(tr("Labels"), QString::fromStdString(info.labelsSource));
    if (!info.ignoredTensors.empty()) {
        QStringList ignored;
        for (const auto& name : info.ignoredTensors) {
            ignored << QString::fromStdString(name);
        }
        addRow(tr("Ignored tensors"), ignored.join(QStringLiteral(", ")));
    }
    QStringList notes;
    for (const auto& note : info.notes) {
        notes << QString::fromStdString(note);
    }
    if (!notes.isEmpty()) {
        addRow(tr("Notes"), notes.join(QLatin1Char('\n')));
    }
    showWarning(model);
}

}  // namespace vitscope::ui
