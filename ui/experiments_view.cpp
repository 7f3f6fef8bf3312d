#include "ui/experiments_view.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>
#include <algorithm>

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

/// A size box that holds only multiples of the patch size: typing another number is
/// Intermediate, and leaving the box snaps it to the nearest multiple.
class PatchMultipleSpinBox : public QSpinBox {
public:
    using QSpinBox::QSpinBox;
    void setPatch(int patch) {
        mPatch = std::max(1, patch);
        setSingleStep(mPatch);
        setRange(mPatch, 64 * mPatch);
    }
    int patch() const { return mPatch; }

protected:
    QValidator::State validate(QString& text, int& pos) const override {
        const QValidator::State state = QSpinBox::validate(text, pos);
        if (state != QValidator::Acceptable) {
            return state;
        }
        return valueFromText(text) % mPatch == 0 ? QValidator::Acceptable
                                                 : QValidator::Intermediate;
    }
    void fixup(QString& text) const override {
        const int v = std::clamp(valueFromText(text), minimum(), maximum());
        const int snapped = std::clamp((v + mPatch / 2) / mPatch * mPatch, minimum(), maximum());
        text = textFromValue(snapped);
    }

private:
    int mPatch = 1;
};

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
    mResH = new PatchMultipleSpinBox(this);
    mResH->setPrefix(tr("size "));
    mResW = new PatchMultipleSpinBox(this);
    mResW->setPrefix(tr("x "));
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
    setToolTips(exportButton);

    auto* scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    mExperimentsWidget = new FigureWidget(scroll);
    mExperimentsWidget->setPlaceholder(
        tr("Run the experiments: shuffled patches with and without position embeddings, position "
           "embeddings removed or permuted, a shift by less than a patch, another resolution."));
    scroll->setWidget(mExperimentsWidget);
    layout->addWidget(scroll, 1);
    for (QSpinBox* box : {static_cast<QSpinBox*>(mResH), static_cast<QSpinBox*>(mResW)}) {
        connect(box, &QSpinBox::valueChanged, this, [this] { mResolutionFollowsRun = false; });
    }
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

void ExperimentsView::setToolTips(QWidget* exportButton) {
    mSeed->setToolTip(
        tr("Seed of the random patch shuffle and of the position-embedding permutation; the "
           "same seed gives the same shuffle."));
    mShiftDy->setToolTip(
        tr("Vertical shift in pixels, less than a patch. With both shifts at 0 the image moves "
           "by half a patch in each direction."));
    mShiftDx->setToolTip(
        tr("Horizontal shift in pixels, less than a patch. With both shifts at 0 the image "
           "moves by half a patch in each direction."));
    mResH->setToolTip(
        tr("Input height for the resolution experiment, in pixels: a multiple of "
           "the patch size (other values snap to the nearest multiple)."));
    mResW->setToolTip(
        tr("Input width for the resolution experiment, in pixels: a multiple of "
           "the patch size (other values snap to the nearest multiple)."));
    mResInterp->setToolTip(
        tr("How the position embeddings are resampled to the new grid in the "
           "resolution experiment."));
    mRunExperiments->setToolTip(
        tr("Runs every experiment on the image the window shows, off the window's thread; the "
           "progress bar below counts the forward passes."));
    exportButton->setToolTip(tr("Exports the experiments figure as PNG, SVG or PDF."));
}

QSpinBox* ExperimentsView::resolutionHeightBox() const { return mResH; }
QSpinBox* ExperimentsView::resolutionWidthBox() const { return mResW; }

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
    resetResolution();  // never the previous model's size
}

void ExperimentsView::setRun(core::RunPtr run) {
    mRun = std::move(run);
    mOutcomes.clear();
    mExperimentsWidget->setFigure(nullptr);
    updateExperimentControls();
    if (mResolutionFollowsRun) {
        resetResolution();  // the run's input size may differ from the trained one
    }
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
    const int p = mModel->config().patchSize;
    mShiftDy->setRange(-(p - 1), p - 1);
    mShiftDx->setRange(-(p - 1), p - 1);
    mResH->setPatch(p);
    mResW->setPatch(p);
}

std::pair<int, int> ExperimentsView::defaultResolution() const {
    if (!mModel) {
        return {mResH->value(), mResW->value()};
    }
    // 1.5x the grid the window's run actually used (its input, not the trained size).
    core::VitConfig config = mModel->config();
    if (mRun && mRun->input && !mRun->input->input.empty()) {
        config.imageH = mRun->input->input.height;
        config.imageW = mRun->input->input.width;
    }
    return core::effectiveResolution(config, core::ExperimentOptions{});
}

void ExperimentsView::resetResolution() {
    const auto [h, w] = defaultResolution();
    mResH->setValue(h);
    mResW->setValue(w);
    mResolutionFollowsRun = true;
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
