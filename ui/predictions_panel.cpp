#include "ui/predictions_panel.h"

#include <QComboBox>
#include <QCompleter>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QVBoxLayout>
#include <algorithm>
#include <numeric>

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
    buildLookup(outer);
    outer->addStretch(1);
    // One row's height, measured once: sizeHint runs on every layout pass.
    mRowHeight = std::max(QProgressBar(this).sizeHint().height(), fontMetrics().height());
    clear();
}

void PredictionsPanel::buildLookup(QVBoxLayout* outer) {
    auto* row = new QHBoxLayout;
    auto* label = new QLabel(tr("Any class:"), this);
    mLookup = new QComboBox(this);
    mLookup->setObjectName(QStringLiteral("classLookup"));
    mLookup->setEditable(true);
    mLookup->setInsertPolicy(QComboBox::NoInsert);
    mLookup->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    mLookup->setMinimumContentsLength(12);
    mLookup->lineEdit()->setPlaceholderText(tr("Type a class name"));
    mLookup->setToolTip(
        tr("Look up any class of the model, not only the top five: type part of its name and "
           "pick it to see its probability and rank."));
    mLookup->completer()->setCompletionMode(QCompleter::PopupCompletion);
    mLookup->completer()->setFilterMode(Qt::MatchContains);
    mLookup->completer()->setCaseSensitivity(Qt::CaseInsensitive);
    label->setBuddy(mLookup);
    row->addWidget(label);
    row->addWidget(mLookup, 1);
    outer->addLayout(row);
    mLookupResult = new QLabel(this);
    mLookupResult->setObjectName(QStringLiteral("classLookupResult"));
    mLookupResult->setWordWrap(true);
    mLookupResult->setTextInteractionFlags(Qt::TextSelectableByMouse);
    outer->addWidget(mLookupResult);
    connect(mLookup, &QComboBox::activated, this, &PredictionsPanel::lookUp);
    connect(mLookup, &QComboBox::currentIndexChanged, this, &PredictionsPanel::lookUp);
}

void PredictionsPanel::clearLookup() {
    mAllProbabilities.clear();
    mRanks.clear();
    mLookup->clear();
    mLookup->setEnabled(false);
    mLookupResult->clear();
}

void PredictionsPanel::setClassScores(const std::vector<std::string>& labels,
                                      const core::Vector& probabilities) {
    const QString previous = mLookup->currentText();
    clearLookup();
    const auto n = static_cast<size_t>(probabilities.size());
    if (n == 0 || labels.size() != n) {
        return;
    }
    mAllProbabilities.assign(probabilities.data(), probabilities.data() + n);
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return mAllProbabilities[a] > mAllProbabilities[b]; });
    mRanks.assign(n, 0);
    for (size_t r = 0; r < n; ++r) {
        mRanks[order[r]] = static_cast<int>(r) + 1;
    }
    const QSignalBlocker block(mLookup);
    for (size_t i = 0; i < n; ++i) {
        mLookup->addItem(QString::fromStdString(labels[i]), static_cast<int>(i));
    }
    mLookup->setEnabled(true);
    const int keep = mLookup->findText(previous);  // the same class, on the new image
    mLookup->setCurrentIndex(keep);
    if (keep >= 0) {
        lookUp(keep);
    } else {
        mLookup->setEditText(QString());
    }
}

void PredictionsPanel::lookUp(int index) {
    if (index < 0 || index >= static_cast<int>(mRanks.size())) {
        mLookupResult->clear();
        return;
    }
    const QSignalBlocker block(mLookup);
    mLookup->setCurrentIndex(index);
    mLookupResult->setText(tr("%1: %2 %, rank %3 of %4")
                               .arg(mLookup->itemText(index))
                               .arg(100.0 * mAllProbabilities[index], 0, 'g', 3)
                               .arg(mRanks[index])
                               .arg(mRanks.size()));
}

QSize PredictionsPanel::sizeHint() const {
    QSize hint = QWidget::sizeHint();
    const int shown = static_cast<int>(mRowWidgets.size() / 3);
    if (shown < kReservedRows) {
        const int row = mRowHeight + std::max(0, mGrid->verticalSpacing());
        hint.rheight() += (kReservedRows - shown) * row;
        if (!mMessage->isHidden()) {  // the rows replace the message
            hint.rheight() -= mMessage->sizeHint().height();
        }
    }
    if (mLookupResult->text().isEmpty()) {
        hint.rheight() += fontMetrics().lineSpacing();
    }
    return hint;
}

QString PredictionsPanel::lookupText() const { return mLookupResult->text(); }

void PredictionsPanel::clearRows() {
    qDeleteAll(mRowWidgets);
    mRowWidgets.clear();
    mLabels.clear();
    mProbabilities.clear();
}

void PredictionsPanel::clear() {
    clearRows();
    clearLookup();
    mMessage->setText(tr("No predictions yet."));
    mMessage->show();
}

void PredictionsPanel::setNoHead(const QString& modelName) {
    clearRows();
    clearLookup();
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
