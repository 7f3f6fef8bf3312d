#include "ui/experiments_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/bias_view_parts.h"
#include "ui/export/figure_factory.h"
#include "ui/figure_widget.h"
#include "ui/figures/experiments_figure.h"
#include "ui/job_runner.h"

namespace vitscope::ui {

namespace {

struct ExperimentsJob {
    core::Result<std::vector<core::ExperimentOutcome>> outcomes =
        core::makeError(core::ErrorCode::Cancelled, "not run");
};

}  // namespace

ExperimentsView::ExperimentsView(QWidget* parent) : QWidget(parent), mJobs(new JobRunner(this)) {
    auto* layout = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    auto spin = [this](int lo, int hi, int value, const QString& prefix) {
        auto* s = new QSpinBox(this);
        s->setRange(lo, hi);
        s->setValue(value);
        s->setPrefix(prefix);
        return s;
    };
    mSeed = spin(0, 1 << 30, 0, tr("seed "));
    mShiftDy = spin(-1, 1, 0, tr("shift dy "));
    mShiftDx = spin(-1, 1, 0, tr("dx "));
    mResH = spin(1, 4096, 1, tr("size "));
    mResW = spin(1, 4096, 1, tr("x "));
    mResInterp = detail::interpCombo(this);
    mRunExperiments = new QPushButton(tr("Run experiments"), this);
    auto* exportButton = new QPushButton(tr("Export…"), this);
    for (QWidget* w : std::initializer_list<QWidget*>{mSeed, mShiftDy, mShiftDx, mResH, mResW,
                                                      mResInterp, mRunExperiments}) {
        controls->addWidget(w);
    }
    controls->addStretch(1);
    controls->addWidget(exportButton);
    layout->addLayout(controls);
    mShiftDy->setToolTip(tr("Shift in pixels, less than a patch (0, 0: half a patch)"));
    mResH->setToolTip(tr("Input size for the resolution experiment (multiples of the patch)"));

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    mExperimentsWidget = new FigureWidget(scroll);
    mExperimentsWidget->setPlaceholder(
        tr("Run the experiments: shuffled patches with and without position embeddings, position "
           "embeddings removed or permuted, a shift by less than a patch, another resolution."));
    scroll->setWidget(mExperimentsWidget);
    layout->addWidget(scroll, 1);
    connect(mRunExperiments, &QPushButton::clicked, this, &ExperimentsView::runExperiments);
    connect(exportButton, &QPushButton::clicked, mExperimentsWidget,
            &FigureWidget::exportFigureInteractively);
    connect(mJobs, &JobRunner::progressChanged, this,
            [this](const QString&, int value, int max) { emit workProgress(value, max); });
    connect(mJobs, &JobRunner::busyChanged, this, [this](bool busy) {
        if (!busy) {
            emit workFinished();
        }
    });
    updateExperimentControls();
}

ExperimentsView::~ExperimentsView() = default;  // the JobRunner cancels and waits

std::vector<const FigureWidget*> ExperimentsView::figureWidgets() const {
    return {mExperimentsWidget};
}

FigureOptions ExperimentsView::options() const {
    FigureOptions o;
    o.experiments.seed = static_cast<uint64_t>(mSeed->value());
    o.experiments.shiftDy = mShiftDy->value();
    o.experiments.shiftDx = mShiftDx->value();
    o.experiments.resolutionH = mResH->value();
    o.experiments.resolutionW = mResW->value();
    o.experiments.interp = detail::interpAt(mResInterp->currentIndex());
    o.outcomes = mOutcomes;
    return o;
}

void ExperimentsView::setModel(core::ModelPtr model) {
    mJobs->cancel();  // results for the old model are dropped
    mModel = std::move(model);
    mRun.reset();
    mOutcomes.clear();
    mExperimentsWidget->setFigure(nullptr);
    updateExperimentControls();
}

void ExperimentsView::setRun(core::RunPtr run) {
    mRun = std::move(run);
    mOutcomes.clear();
    mExperimentsWidget->setFigure(nullptr);
    updateExperimentControls();
}

void ExperimentsView::setWorkBusy(bool busy) {
    mWorkBusy = busy;
    mRunExperiments->setEnabled(!busy && canRunExperiments());
}

void ExperimentsView::cancelWork() { mJobs->cancel(); }

bool ExperimentsView::canRunExperiments() const {
    return mModel && mRun && mRun->input && !mRun->input->input.empty();
}

void ExperimentsView::updateExperimentControls() {
    mRunExperiments->setEnabled(canRunExperiments() && !mWorkBusy);
    if (!mModel) {
        return;
    }
    const core::VitConfig& config = mModel->config();
    const int p = config.patchSize;
    mShiftDy->setRange(-(p - 1), p - 1);
    mShiftDx->setRange(-(p - 1), p - 1);
    const auto [h, w] = core::effectiveResolution(config, core::ExperimentOptions{});
    for (QSpinBox* s : {mResH, mResW}) {
        s->setSingleStep(p);
        s->setRange(p, 64 * p);
    }
    if (mResH->value() % p != 0 || mResH->value() == p) {
        mResH->setValue(h);
        mResW->setValue(w);
    }
}

void ExperimentsView::runExperiments() {
    if (!canRunExperiments()) {
        return;
    }
    emit workStarted(tr("Experiments: run"), 1);
    // The experiments start from the window's run: its input tensor, source image and recipe.
    core::ExperimentInput in;
    in.input = mRun->input->input;
    if (mRun->source) {
        in.source = *mRun->source;
    }
    in.recipe = mRun->recipe ? *mRun->recipe : mModel->recipe();
    core::ModelPtr model = mModel;
    FigureOptions o = options();
    mJobs->start<std::shared_ptr<ExperimentsJob>>(
        tr("Experiments"),
        [model, in = std::move(in), o](const JobContext& job) mutable {
            auto out = std::make_shared<ExperimentsJob>();
            o.experiments.cancel = job.cancel;
            o.experiments.progress = [&job](int done, int total) { job.progress({}, done, total); };
            out->outcomes = core::runExperiments(*model, in, o.experimentKinds, o.experiments);
            return out;
        },
        [this](std::shared_ptr<ExperimentsJob> job) {
            emit workFinished();
            if (!job->outcomes) {
                if (job->outcomes.error().code != core::ErrorCode::Cancelled) {
                    emit failed(tr("Experiments"),
                                QString::fromStdString(job->outcomes.error().message));
                }
                return;
            }
            mOutcomes = std::move(job->outcomes.value());
            auto figure = std::make_shared<ExperimentsFigure>(mOutcomes, defaultModelName(*mModel));
            mExperimentsWidget->setMinimumHeight(
                static_cast<int>(figure->preferredSize().height() * 0.8));
            mExperimentsWidget->setFigure(figure);
        });
}

}  // namespace vitscope::ui
