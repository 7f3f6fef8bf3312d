#include "ui/inductive_bias_panel.h"

#include <QDir>
#include <QHBoxLayout>
#include <QProgressBar>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

#include "ui/attention_distance_view.h"
#include "ui/data_hunger_view.h"
#include "ui/embedding_filters_view.h"
#include "ui/experiments_view.h"
#include "ui/export/figure_export.h"
#include "ui/figure_widget.h"
#include "ui/position_embedding_view.h"

namespace vitscope::ui {

InductiveBiasPanel::InductiveBiasPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    mTabs = new QTabWidget(this);
    // Every tab's name in full, never behind scroll arrows: in a narrow window the panel
    // scrolls inside its area instead (MainWindow puts it in a scroll area).
    mTabs->setUsesScrollButtons(false);
    mTabs->setElideMode(Qt::ElideNone);
    mPosition = new PositionEmbeddingView(this);
    mDistance = new AttentionDistanceView(this);
    mFilters = new EmbeddingFiltersView(this);
    mExperiments = new ExperimentsView(this);
    mLab = new DataHungerView(this);
    mTabs->addTab(mPosition, tr("Position embeddings"));
    mTabs->addTab(mDistance, tr("Attention distance"));
    mTabs->addTab(mFilters, tr("Embedding filters"));
    mTabs->addTab(mExperiments, tr("Experiments"));
    mTabs->addTab(mLab, tr("Data hunger"));
    layout->addWidget(mTabs, 1);

    auto* busyRow = new QHBoxLayout;
    mProgress = new QProgressBar(this);
    mProgress->setTextVisible(true);
    mCancelButton = new QPushButton(tr("Cancel"), this);
    busyRow->addWidget(mProgress, 1);
    busyRow->addWidget(mCancelButton);
    layout->addLayout(busyRow);
    connect(mCancelButton, &QPushButton::clicked, this, &InductiveBiasPanel::cancelWork);
    connectWork(mDistance, mExperiments);
    connectWork(mExperiments, mDistance);
    connect(mDistance, &AttentionDistanceView::statusMessage, this,
            &InductiveBiasPanel::statusMessage);
    connect(mDistance, &AttentionDistanceView::failed, this, &InductiveBiasPanel::failed);
    connect(mExperiments, &ExperimentsView::failed, this, &InductiveBiasPanel::failed);
    setBusy(false, {});
}

InductiveBiasPanel::~InductiveBiasPanel() = default;  // each view's JobRunners cancel and wait

template <typename View, typename Other>
void InductiveBiasPanel::connectWork(View* view, Other* other) {
    connect(view, &View::workStarted, this, [this, other](const QString& what, int maximum) {
        // The folder and experiment jobs share the bar: a new one replaces the one in progress.
        other->cancelWork();
        setBusy(true, what);
        mProgress->setRange(0, maximum);
    });
    connect(view, &View::workProgress, this, [this](int value, int max) {
        mProgress->setRange(0, max);
        mProgress->setValue(value);
    });
    connect(view, &View::workFinished, this, [this] { setBusy(false, {}); });
}

void InductiveBiasPanel::showTab(Tab tab) { mTabs->setCurrentIndex(static_cast<int>(tab)); }

void InductiveBiasPanel::setModel(core::ModelPtr model) {
    if (model == mModel) {
        return;
    }
    mModel = model;
    // Each view cancels its jobs (results for the old model are dropped) before recomputing.
    mDistance->setModel(model);
    mExperiments->setModel(model);
    setBusy(false, {});
    mPosition->setModel(model);
    mFilters->setModel(std::move(model));
}

void InductiveBiasPanel::setRun(core::RunPtr run) {
    mExperiments->setRun(run);
    mPosition->setRun(run);
    mDistance->setRun(std::move(run));
}

void InductiveBiasPanel::setSnapshot(SnapshotPtr snapshot) {
    if (!snapshot) {
        return;
    }
    setModel(snapshot->model);
    setRun(snapshot->model ? snapshot->run : nullptr);
}

void InductiveBiasPanel::setBusy(bool busy, const QString& what) {
    mProgress->setVisible(busy);
    mCancelButton->setVisible(busy);
    mProgress->setFormat(what + QStringLiteral(" %v/%m"));
    mDistance->setWorkBusy(busy);
    mExperiments->setWorkBusy(busy);
    if (!busy) {
        mProgress->setRange(0, 1);
        mProgress->setValue(0);
    }
}

void InductiveBiasPanel::cancelWork() {
    mDistance->cancelWork();
    mExperiments->cancelWork();
}

void InductiveBiasPanel::runFolderDistance(const QString& folder) {
    mDistance->runFolderDistance(folder);
}

void InductiveBiasPanel::runExperiments() { mExperiments->runExperiments(); }

core::Status InductiveBiasPanel::exportFigures(const QString& folder, double scale) const {
    if (!QDir().mkpath(folder)) {
        return core::makeError(
            core::ErrorCode::Io,
            (folder + QStringLiteral(": cannot create the folder")).toStdString());
    }
    std::vector<const FigureWidget*> widgets = mPosition->figureWidgets();
    for (const auto& more : {mDistance->figureWidgets(), mFilters->figureWidgets(),
                             mExperiments->figureWidgets(), mLab->figureWidgets()}) {
        widgets.insert(widgets.end(), more.begin(), more.end());
    }
    for (const FigureWidget* widget : widgets) {
        if (!widget->figure()) {
            continue;
        }
        for (const char* ext : {"png", "svg", "pdf"}) {
            const QString path = QDir(folder).filePath(widget->figure()->name() + QLatin1Char('.') +
                                                       QLatin1String(ext));
            if (auto st = exportFigure(*widget->figure(), path, scale); !st) {
                return st;
            }
        }
    }
    return core::Ok{};
}

}  // namespace vitscope::ui
