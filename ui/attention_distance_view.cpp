#include "ui/attention_distance_view.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "core/pipeline/dataset.h"
#include "ui/bias_view_parts.h"
#include "ui/export/figure_export.h"
#include "ui/export/figure_factory.h"
#include "ui/figure_widget.h"
#include "ui/job_runner.h"
#include "ui/plural.h"

namespace vitscope::ui {

AttentionDistanceView::AttentionDistanceView(QWidget* parent)
    : QWidget(parent), mFigureJobs(new JobRunner(this)), mFolderJobs(new JobRunner(this)) {
    auto* layout = new QVBoxLayout(this);
    auto* controls = new QHBoxLayout;
    mPrefixCombo = new QComboBox(this);
    mPrefixCombo->addItems(
        {tr("Drop prefix tokens and renormalise"), tr("Drop prefix tokens without renormalising")});
    auto* current = new QPushButton(tr("Current image"), this);
    mFolderButton = new QPushButton(tr("Folder of images…"), this);
    mMaxImages = new QSpinBox(this);
    mMaxImages->setRange(1, 100000);
    mMaxImages->setValue(128);  // the paper's figure averages over 128 images
    mMaxImages->setPrefix(tr("at most "));
    mMaxImages->setSuffix(tr(" images"));
    auto* exportButton = new QPushButton(tr("Export…"), this);
    controls->addWidget(mPrefixCombo);
    controls->addWidget(current);
    controls->addWidget(mFolderButton);
    controls->addWidget(mMaxImages);
    controls->addStretch(1);
    controls->addWidget(exportButton);
    layout->addLayout(controls);
    mDistanceSource = new QLabel(this);
    layout->addWidget(mDistanceSource);
    mDistanceWidget = new FigureWidget(this);
    mDistanceWidget->setPlaceholder(tr("Open an image to measure how far each head attends."));
    layout->addWidget(mDistanceWidget, 1);

    mDistanceWidget->setNumbersExporter([this](const QString& path) {
        return exportNumbers(QStringLiteral("attention-distance"),
                             detail::figureContext(mModel, mRun), options(), path);
    });
    connect(mPrefixCombo, &QComboBox::currentIndexChanged, this, [this] {
        // A folder average was computed with the old choice: fall back to the current image.
        mFolderDistances = core::Matrix();
        updateDistanceFigure();
    });
    connect(current, &QPushButton::clicked, this, [this] {
        mFolderDistances = core::Matrix();
        updateDistanceFigure();
    });
    connect(mFolderButton, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Folder of images"));
        if (!folder.isEmpty()) {
            runFolderDistance(folder);
        }
    });
    connect(exportButton, &QPushButton::clicked, mDistanceWidget,
            &FigureWidget::exportFigureInteractively);
    connect(mFolderJobs, &JobRunner::progressChanged, this,
            [this](const QString&, int value, int max) { emit workProgress(value, max); });
    connect(mFolderJobs, &JobRunner::busyChanged, this, [this](bool busy) {
        if (!busy) {
            emit workFinished();
        }
    });
}

AttentionDistanceView::~AttentionDistanceView() = default;  // each JobRunner cancels and waits

std::vector<const FigureWidget*> AttentionDistanceView::figureWidgets() const {
    return {mDistanceWidget};
}

FigureOptions AttentionDistanceView::options() const {
    FigureOptions o;
    o.prefix = mPrefixCombo->currentIndex() == 0 ? core::PrefixHandling::DropAndRenormalise
                                                 : core::PrefixHandling::DropWithoutRenormalising;
    o.distances = mFolderDistances;
    o.distanceImages = std::max(1, mFolderImages);
    return o;
}

void AttentionDistanceView::setModel(core::ModelPtr model) {
    for (JobRunner* jobs : {mFigureJobs, mFolderJobs}) {
        jobs->cancel();  // results for the old model are dropped
    }
    mModel = std::move(model);
    mRun.reset();
    mFolderDistances = core::Matrix();
    mDistanceWidget->setFigure(nullptr);
}

void AttentionDistanceView::setRun(core::RunPtr run) {
    mRun = std::move(run);
    if (mFolderDistances.size() == 0) {
        updateDistanceFigure();
    }
}

void AttentionDistanceView::setWorkBusy(bool busy) { mFolderButton->setEnabled(!busy); }

void AttentionDistanceView::cancelWork() { mFolderJobs->cancel(); }

void AttentionDistanceView::updateDistanceFigure() {
    if (!mModel || (!result() && mFolderDistances.size() == 0)) {
        mDistanceWidget->setFigure(nullptr);
        return;
    }
    const FigureContext c = detail::figureContext(mModel, mRun);
    const FigureOptions o = options();
    mDistanceSource->setText(mFolderDistances.size() > 0
                                 ? tr("Averaged over %1 of a folder")
                                       .arg(countText(mFolderImages, tr("image"), tr("images")))
                                 : tr("Current image"));
    mFigureJobs->start<std::shared_ptr<Figure>>(
        tr("Attention distance"),
        [c, o](const JobContext&) -> std::shared_ptr<Figure> {
            auto figure = makeFigure(QStringLiteral("attention-distance"), c, o);
            return figure ? std::shared_ptr<Figure>(std::move(figure.value())) : nullptr;
        },
        [this](std::shared_ptr<Figure> figure) { mDistanceWidget->setFigure(std::move(figure)); });
}

void AttentionDistanceView::runFolderDistance(const QString& folder) {
    if (!mModel) {
        return;
    }
    auto files = core::listImages(folder.toStdString(), mMaxImages->value());
    if (!files) {
        emit failed(tr("No images"), QString::fromStdString(files.error().message));
        return;
    }
    emit workStarted(tr("Attention distance: image"), static_cast<int>(files->size()));
    core::ModelPtr model = mModel;
    core::RunOptions run;  // the window's image size and interpolation, as its run had
    if (mRun && mRun->input) {
        run.sizeH = mRun->input->input.height;
        run.sizeW = mRun->input->input.width;
        run.posInterp = mRun->posInterp;
    }
    const core::PrefixHandling prefix = options().prefix;
    mFolderJobs->start<core::Result<core::FolderDistance>>(
        tr("Attention distance"),
        [model, files = std::move(files.value()), run, prefix](const JobContext& job) {
            core::RunOptions options = run;
            options.cancel = job.cancel;
            return core::folderAttentionDistance(
                model, files, options, prefix,
                [&job](int done, int total) { job.progress({}, done, total); });
        },
        [this, folder](core::Result<core::FolderDistance> out) {
            emit workFinished();
            if (!out) {
                emit failed(tr("Attention distance"),
                            tr("%1: %2").arg(folder, QString::fromStdString(out.error().message)));
                return;
            }
            mFolderDistances = out->mean;
            mFolderImages = out->used;
            emit statusMessage(tr("Attention distance over %1 (%2 skipped)%3")
                                   .arg(countText(out->used, tr("image"), tr("images")))
                                   .arg(out->skipped)
                                   .arg(out->cancelled ? tr(", cancelled") : QString()));
            updateDistanceFigure();
        });
}

}  // namespace vitscope::ui
