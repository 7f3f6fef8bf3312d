#include "ui/compare_panel.h"

#include <QComboBox>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStackedWidget>
#include <QVBoxLayout>

#include "ui/bias_view_parts.h"
#include "ui/export/figure_builders.h"
#include "ui/export/pair_builders.h"
#include "ui/figure_widget.h"
#include "ui/figures/pair_figure.h"
#include "ui/job_runner.h"
#include "ui/predictions_panel.h"

namespace vitscope::ui {

namespace {

using State = ComparePanel::State;

/// What one job works from: the second model to load (or the one already loaded) and the
/// window's snapshot for the left side.
struct Job {
    QString loadPath;
    core::ModelPtr model;
    QString path;
    SnapshotPtr left;
    uint64_t memoryBudget = 0;
};

/// The job's value: the new state, or the (title, message) of an error that keeps the old one.
struct Outcome {
    State state;
    QString title;
    QString message;
};

QString fileName(const QString& path) {
    const QFileInfo info(path);
    return info.fileName().isEmpty() ? path : info.fileName();
}

/// Runs the left side's source image through the second model with its own recipe.
core::Result<core::RunPtr> runOther(const core::ModelPtr& model, const SnapshotPtr& left,
                                    uint64_t budget, const JobContext& ctx) {
    if (!left || !left->run || !left->run->source) {
        return core::RunPtr();
    }
    core::RunOptions options;
    options.topK = InferenceController::kTopK;
    options.memoryBudget = budget;
    options.cancel = ctx.cancel;
    options.progress = [&ctx](int done, int total) {
        ctx.progress(QObject::tr("Second model: block %1/%2").arg(done).arg(total), done, total);
    };
    auto run = core::runImage(model, left->run->source, options);
    if (!run) {
        return run.error();
    }
    return core::RunPtr(std::make_shared<const core::Run>(std::move(run.value())));
}

/// Both pairs for the state's models and runs; a reason in place of a pair that cannot be made.
void buildPairs(State& s) {
    if (!s.left || !s.left->model) {
        s.posembedProblem = s.distanceProblem = QObject::tr("Open a model to compare with.");
        return;
    }
    const FigureContext left = detail::figureContext(s.left->model, s.left->run);
    const FigureContext right = detail::figureContext(s.model, s.run);
    const FigureOptions options;
    auto posembed = makePairFigure(QStringLiteral("posembed-similarity"), left, right, options);
    if (posembed) {
        s.posembed = std::move(posembed.value());
    } else {
        s.posembedProblem = QString::fromStdString(posembed.error().message);
    }
    if (!left.run || !right.run) {
        s.distanceProblem = s.predictionsProblem.isEmpty()
                                ? QObject::tr("Open an image to compare the attention distances.")
                                : s.predictionsProblem;
        return;
    }
    auto distance = makePairFigure(QStringLiteral("attention-distance"), left, right, options);
    if (distance) {
        s.distance = std::move(distance.value());
    } else {
        s.distanceProblem = QString::fromStdString(distance.error().message);
    }
}

/// On a worker: load the second model (when asked), run the image through it, build the pairs.
Outcome compare(const Job& job, const JobContext& ctx) {
    Outcome out;
    State& s = out.state;
    s.model = job.model;
    s.path = job.path;
    s.left = job.left;
    if (!job.loadPath.isEmpty()) {
        const QString what = QObject::tr("Loading model %1").arg(fileName(job.loadPath));
        ctx.progress(what, 0, 1000);
        core::LoadOptions options;
        options.cancel = ctx.cancel;
        options.progress = [&](float f) { ctx.progress(what, static_cast<int>(f * 1000), 1000); };
        auto model = core::loadModel(job.loadPath.toStdString(), options);
        if (!model) {
            out.title = QObject::tr("Cannot open model to compare");
            out.message = QObject::tr(
                              "Could not open the model “%1” to compare with.\n\n%2\n\n"
                              "The previous comparison is kept.")
                              .arg(job.loadPath, QString::fromStdString(model.error().message));
            return out;
        }
        s.model = std::move(model.value());
        s.path = job.loadPath;
    }
    auto run = runOther(s.model, job.left, job.memoryBudget, ctx);
    if (run) {
        s.run = std::move(run.value());
    } else if (!job.loadPath.isEmpty()) {
        out.title = QObject::tr("Cannot compare");
        out.message = QObject::tr(
                          "The model “%1” could not run the current image.\n\n%2\n\n"
                          "The previous comparison is kept.")
                          .arg(job.loadPath, QString::fromStdString(run.error().message));
        return out;
    } else {
        s.predictionsProblem = QObject::tr("The second model could not run this image: %1")
                                   .arg(QString::fromStdString(run.error().message));
    }
    buildPairs(s);
    return out;
}

}  // namespace

ComparePanel::ComparePanel(InferenceController* controller, QWidget* parent)
    : QWidget(parent), mController(controller), mJobs(new JobRunner(this)) {
    auto* layout = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    mViewCombo = new QComboBox(this);
    mViewCombo->setObjectName(QStringLiteral("compareViewCombo"));
    mViewCombo->addItems({tr("Position embeddings"), tr("Attention distance"), tr("Predictions")});
    mViewCombo->setItemData(0, tr("Cosine similarity of the position embeddings (Fig. 7 centre)"),
                            Qt::ToolTipRole);
    mViewCombo->setItemData(1, tr("Mean attention distance on the current image (Fig. 7 right)"),
                            Qt::ToolTipRole);
    controls->addWidget(new QLabel(tr("Show:"), this));
    controls->addWidget(mViewCombo);
    controls->addStretch(1);
    mExportButton = new QPushButton(tr("Export…"), this);
    mStopButton = new QPushButton(tr("Stop Comparing"), this);
    controls->addWidget(mExportButton);
    controls->addWidget(mStopButton);
    layout->addLayout(controls);
    mStatus = new QLabel(this);
    mStatus->setObjectName(QStringLiteral("compareStatus"));
    // One line, clipped (the full text is its tooltip): a wrapping label would make the scroll
    // area around the dock size the panel to the figure's preferred height.
    mStatus->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    layout->addWidget(mStatus);

    mStack = new QStackedWidget(this);
    mFigureWidget = new FigureWidget(mStack);
    mStack->addWidget(mFigureWidget);
    auto* predictionsPage = new QWidget(mStack);
    auto* sides = new QHBoxLayout(predictionsPage);
    for (bool right : {false, true}) {
        auto* box = new QGroupBox(predictionsPage);
        auto* boxLayout = new QVBoxLayout(box);
        auto* panel = new PredictionsPanel(box);
        boxLayout->addWidget(panel);
        boxLayout->addStretch(1);
        sides->addWidget(box, 1);
        (right ? mRightBox : mLeftBox) = box;
        (right ? mRightPred : mLeftPred) = panel;
    }
    mStack->addWidget(predictionsPage);
    layout->addWidget(mStack, 1);

    connect(mViewCombo, &QComboBox::currentIndexChanged, this, &ComparePanel::showView);
    connect(mExportButton, &QPushButton::clicked, mFigureWidget,
            &FigureWidget::exportFigureInteractively);
    connect(mStopButton, &QPushButton::clicked, this, &ComparePanel::stop);
    connect(mController, &InferenceController::snapshotChanged, this, &ComparePanel::setSnapshot);
    connect(mJobs, &JobRunner::progressChanged, this,
            [this](const QString& text, int, int) { setStatus(text); });
    connect(mJobs, &JobRunner::failed, this, [this](const QString& what, const QString& message) {
        mPendingPath.clear();
        setStatus({});
        emit failed(tr("Cannot compare"), what + QStringLiteral(": ") + message);
    });
    mSnapshot = mController->current();
    display(mOther);
}

ComparePanel::~ComparePanel() = default;

bool ComparePanel::isBusy() const { return mJobs->isBusy(); }

ComparePanel::View ComparePanel::view() const {
    return static_cast<View>(mViewCombo->currentIndex());
}

void ComparePanel::setView(View view) { mViewCombo->setCurrentIndex(static_cast<int>(view)); }

std::shared_ptr<const PairFigure> ComparePanel::pair(View view) const {
    switch (view) {
        case View::PositionEmbeddings:
            return mOther.posembed;
        case View::AttentionDistance:
            return mOther.distance;
        case View::Predictions:
            break;
    }
    return nullptr;
}

QString ComparePanel::sideTitle(bool right) const {
    return (right ? mRightBox : mLeftBox)->title();
}

void ComparePanel::openModel(const QString& path) {
    mPendingPath = path;
    start(path);
}

void ComparePanel::stop() {
    mJobs->cancel();
    mPendingPath.clear();
    const bool was = isComparing();
    mOther = State();
    display(mOther);
    if (was) {
        emit comparingChanged(false);
    }
}

void ComparePanel::setSnapshot(const SnapshotPtr& snapshot) {
    mSnapshot = snapshot;
    if (!mPendingPath.isEmpty()) {
        start(mPendingPath);  // the load restarts with the new image
    } else if (isComparing()) {
        start({});
    }
}

void ComparePanel::start(const QString& loadPath) {
    Job job{loadPath, mOther.model, mOther.path, mSnapshot, mController->memoryBudget()};
    setStatus(loadPath.isEmpty() ? tr("Running the second model…")
                                 : tr("Loading %1…").arg(fileName(loadPath)));
    mJobs->start<Outcome>(
        tr("Compare"), [job](const JobContext& ctx) { return compare(job, ctx); },
        [this, loadPath](Outcome outcome) {
            if (!loadPath.isEmpty()) {
                mPendingPath.clear();
            }
            if (!outcome.title.isEmpty()) {
                setStatus({});
                display(mOther);
                emit failed(outcome.title, outcome.message);
                return;
            }
            const bool was = isComparing();
            mOther = std::move(outcome.state);
            display(mOther);
            if (!was) {
                emit comparingChanged(true);
            }
        });
}

void ComparePanel::setStatus(const QString& text) {
    mStatus->setText(text);
    mStatus->setToolTip(text);
}

void ComparePanel::display(const State& s) {
    setStatus(s.model ? QString()
                      : tr("Choose File › Compare With Model… to put a second "
                           "model next to this one."));
    mStopButton->setEnabled(s.model != nullptr);
    mLeftBox->setTitle(s.left && s.left->model ? modelTitle(*s.left->model) : QString());
    mRightBox->setTitle(s.model ? modelTitle(*s.model) : QString());
    showView();
    showPredictions();
}

void ComparePanel::showView() {
    const View v = view();
    mStack->setCurrentIndex(v == View::Predictions ? 1 : 0);
    const auto figure = pair(v);
    mExportButton->setEnabled(figure != nullptr);
    mFigureWidget->setFigure(figure);
    const QString problem =
        v == View::AttentionDistance ? mOther.distanceProblem : mOther.posembedProblem;
    mFigureWidget->setPlaceholder(mOther.model ? problem
                                               : tr("No second model: nothing to compare yet."));
}

void ComparePanel::showPredictions() {
    const SnapshotPtr& left = mOther.left;
    for (bool right : {false, true}) {
        PredictionsPanel* panel = right ? mRightPred : mLeftPred;
        const core::ModelPtr model = right ? mOther.model : (left ? left->model : nullptr);
        const core::RunPtr run = right ? mOther.run : (left ? left->run : nullptr);
        panel->clear();
        if (!model || !run || !run->result) {
            continue;
        }
        if (model->config().hasHead()) {
            panel->setPredictions(run->predictions);
        } else {
            panel->setNoHead(QString::fromStdString(model->info().architecture));
        }
    }
    if (!mOther.predictionsProblem.isEmpty()) {
        setStatus(mOther.predictionsProblem);
    }
}

}  // namespace vitscope::ui
