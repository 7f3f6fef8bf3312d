#include "ui/predictions_panel.h"

#include <QGridLayout>
#include <QLabel>
#include <QProgressBar>
#include <QVBoxLayout>

namespace vitscope::ui {

PredictionsPanel::PredictionsPanel(QWidget* parent) : QWidget(parent) {
    auto* outer = new QVBoxLayout(this);
    mGrid = new QGridLayout;
    mGrid->setColumnStretch(2, 1);
    mGrid->setHorizontalSpacing(8);
    outer->addLayout(mGrid);
    mMessage = new QLabel(this);
    mMessage->setObjectName(QStringLiteral("predictionsMessage"));
    mMessage->setWordWrap(true);
    mMessage->setForegroundRole(QPalette::PlaceholderText);
    outer->addWidget(mMessage);
    outer->addStretch(1);
    clear();
}

void PredictionsPanel::clearRows() {
    qDeleteAll(mRowWidgets);
    mRowWidgets.clear();
    mLabels.clear();
    mProbabilities.clear();
}

void PredictionsPanel::clear() {
    clearRows();
    mMessage->setText(tr("No predictions yet."));
    mMessage->show();
}

void PredictionsPanel::setNoHead(const QString& modelName) {
    clearRows();
    mMessage->setText(tr("%1 has no classification head, so there are no class scores. Its "
                         "attention maps are shown all the same (DINO's self-attention is the "
                         "famous case).")
                          .arg(modelName.isEmpty() ? tr("This model") : modelName));
    mMessage->show();
}

void PredictionsPanel::setPredictions(const std::vector<core::Prediction>& predictions) {
    clearRows();
    mMessage->setVisible(predictions.empty());
    mMessage->setText(tr("No predictions."));
    int row = 0;
    for (const auto& p : predictions) {
        const QString label = QString::fromStdString(p.label);
        auto* rank = new QLabel(QStringLiteral("%1.").arg(row + 1), this);
        auto* name = new QLabel(label, this);
        name->setToolTip(tr("class %1, logit %2").arg(p.classIndex).arg(p.logit, 0, 'f', 3));
        name->setTextInteractionFlags(Qt::TextSelectableByMouse);
        auto* bar = new QProgressBar(this);
        bar->setRange(0, 10000);
        bar->setValue(static_cast<int>(p.probability * 10000.0f + 0.5f));
        bar->setFormat(QStringLiteral("%1 %").arg(100.0 * p.probability, 0, 'f', 2));
        bar->setTextVisible(true);
        bar->setMinimumWidth(80);
        QFont font = name->font();
        font.setBold(row == 0);
        name->setFont(font);
        mGrid->addWidget(rank, row, 0, Qt::AlignRight);
        mGrid->addWidget(name, row, 1);
        mGrid->addWidget(bar, row, 2);
        mRowWidgets << rank << name << bar;
        mLabels << label;
        mProbabilities.push_back(p.probability);
        ++row;
    }
}

}  // namespace vitscope::ui
