#include "ui/inductive_bias_panel.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>

#include "core/pipeline/dataset.h"
#include "ui/export/figure_export.h"
#include "ui/figure_widget.h"
#include "ui/figures/attention_distance_figure.h"
#include "ui/figures/embedding_filters_figure.h"
#include "ui/figures/experiments_figure.h"
#include "ui/figures/posembed_similarity_figure.h"
#include "ui/image_convert.h"
#include "ui/job_runner.h"

namespace vitscope::ui {

namespace {

core::PosInterp interpAt(int index) {
    switch (index) {
        case 1: return core::PosInterp::BicubicAntialias;
        case 2: return core::PosInterp::Bilinear;
        default: return core::PosInterp::Bicubic;
    }
}

QComboBox* interpCombo(QWidget* parent) {
    auto* combo = new QComboBox(parent);
    combo->addItems({QObject::tr("Bicubic"), QObject::tr("Bicubic, antialiased (timm)"),
                     QObject::tr("Bilinear")});
    return combo;
}

struct ExperimentsJob {
    core::Result<std::vector<core::ExperimentOutcome>> outcomes =
        core::makeError(core::ErrorCode::Cancelled, "not run");
};

struct FiltersJob {
    core::Result<EmbeddingFiltersData> data = core::makeError(core::ErrorCode::Cancelled, "");
};

}  // namespace

InductiveBiasPanel::InductiveBiasPanel(QWidget* parent)
    : QWidget(parent),
      mSimilarityJobs(new JobRunner(this)),
      mDistanceJobs(new JobRunner(this)),
      mFiltersJobs(new JobRunner(this)),
      mWork(new JobRunner(this)) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    mTabs = new QTabWidget(this);
    mTabs->addTab(buildPositionTab(), tr("Position embeddings"));
    mTabs->addTab(buildDistanceTab(), tr("Attention distance"));
    mTabs->addTab(buildFiltersTab(), tr("Embedding filters"));
    mTabs->addTab(buildExperimentsTab(), tr("Experiments"));
    layout->addWidget(mTabs, 1);

    auto* busyRow = new QHBoxLayout;
    mProgress = new QProgressBar(this);
    mProgress->setTextVisible(true);
    mCancelButton = new QPushButton(tr("Cancel"), this);
    busyRow->addWidget(mProgress, 1);
    busyRow->addWidget(mCancelButton);
    layout->addLayout(busyRow);
    connect(mCancelButton, &QPushButton::clicked, this, &InductiveBiasPanel::cancelWork);
    connect(mWork, &JobRunner::progressChanged, this, [this](const QString&, int value, int max) {
        mProgress->setRange(0, max);
        mProgress->setValue(value);
    });
    connect(mWork, &JobRunner::busyChanged, this, [this](bool busy) {
        if (!busy) {
            setBusy(false, {});
        }
    });
    setBusy(false, {});
}

InductiveBiasPanel::~InductiveBiasPanel() = default;  // each JobRunner cancels and waits

QWidget* InductiveBiasPanel::buildPositionTab() {
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    auto* controls = new QHBoxLayout;
    mGridCombo = new QComboBox(tab);
    mGridCombo->addItems({tr("Trained grid"), tr("Current input grid")});
    mInterpCombo = interpCombo(tab);
    controls->addWidget(new QLabel(tr("Grid:"), tab));
    controls->addWidget(mGridCombo);
    controls->addWidget(new QLabel(tr("Interpolation:"), tab));
    controls->addWidget(mInterpCombo);
    controls->addStretch(1);
    auto* exportButton = new QPushButton(tr("Export…"), tab);
    controls->addWidget(exportButton);
    layout->addLayout(controls);

    auto* splitter = new QSplitter(Qt::Horizontal, tab);
    mSimilarityWidget = new FigureWidget(splitter);
    mSimilarityWidget->setPlaceholder(tr("Open a model to see its position-embedding similarity."));
    mTileWidget = new FigureWidget(splitter);
    mTileWidget->setPlaceholder(tr("Click a tile to enlarge it over the image."));
    splitter->addWidget(mSimilarityWidget);
    splitter->addWidget(mTileWidget);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    layout->addWidget(splitter, 1);

    mSimilarityWidget->setNumbersExporter([this](const QString& path) {
        return exportNumbers(QStringLiteral("posembed-similarity"), context(), options(), path);
    });
    connect(mGridCombo, &QComboBox::currentIndexChanged, this,
            &InductiveBiasPanel::updatePositionFigure);
    connect(mInterpCombo, &QComboBox::currentIndexChanged, this,
            &InductiveBiasPanel::updatePositionFigure);
    connect(mSimilarityWidget, &FigureWidget::clicked, this,
            &InductiveBiasPanel::onSimilarityClicked);
    connect(exportButton, &QPushButton::clicked, mSimilarityWidget,
            &FigureWidget::exportFigureInteractively);
    return tab;
}

QWidget* InductiveBiasPanel::buildDistanceTab() {
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    auto* controls = new QHBoxLayout;
    mPrefixCombo = new QComboBox(tab);
    mPrefixCombo->addItems(
        {tr("Drop prefix tokens and renormalise"), tr("Drop prefix tokens without renormalising")});
    auto* current = new QPushButton(tr("Current image"), tab);
    mFolderButton = new QPushButton(tr("Folder of images…"), tab);
    mMaxImages = new QSpinBox(tab);
    mMaxImages->setRange(1, 100000);
    mMaxImages->setValue(128);  // the paper's figure averages over 128 images
    mMaxImages->setPrefix(tr("at most "));
    mMaxImages->setSuffix(tr(" images"));
    auto* exportButton = new QPushButton(tr("Export…"), tab);
    controls->addWidget(mPrefixCombo);
    controls->addWidget(current);
    controls->addWidget(mFolderButton);
    controls->addWidget(mMaxImages);
    controls->addStretch(1);
    controls->addWidget(exportButton);
    layout->addLayout(controls);
    mDistanceSource = new QLabel(tab);
    layout->addWidget(mDistanceSource);
    mDistanceWidget = new FigureWidget(tab);
    mDistanceWidget->setPlaceholder(tr("Open an image to measure how far each head attends."));
    layout->addWidget(mDistanceWidget, 1);

    mDistanceWidget->setNumbersExporter([this](const QString& path) {
        return exportNumbers(QStringLiteral("attention-distance"), context(), options(), path);
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
    return tab;
}

QWidget* InductiveBiasPanel::buildFiltersTab() {
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    auto* controls = new QHBoxLayout;
    mFilterMode = new QComboBox(tab);
    mFilterMode->addItems({tr("First 28 principal components"), tr("Raw filters (first 28)")});
    auto* exportButton = new QPushButton(tr("Export…"), tab);
    controls->addWidget(mFilterMode);
    controls->addStretch(1);
    controls->addWidget(exportButton);
    layout->addLayout(controls);
    mFiltersWidget = new FigureWidget(tab);
    mFiltersWidget->setPlaceholder(tr("Open a model to see its patch-embedding filters."));
    layout->addWidget(mFiltersWidget, 1);
    mFiltersWidget->setNumbersExporter([this](const QString& path) {
        return exportNumbers(QStringLiteral("embedding-filters"), context(), options(), path);
    });
    connect(mFilterMode, &QComboBox::currentIndexChanged, this,
            &InductiveBiasPanel::updateFiltersFigure);
    connect(exportButton, &QPushButton::clicked, mFiltersWidget,
            &FigureWidget::exportFigureInteractively);
    return tab;
}

QWidget* InductiveBiasPanel::buildExperimentsTab() {
    auto* tab = new QWidget(this);
    auto* layout = new QVBoxLayout(tab);
    auto* controls = new QHBoxLayout;
    auto spin = [tab](int lo, int hi, int value, const QString& prefix) {
        auto* s = new QSpinBox(tab);
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
    mResInterp = interpCombo(tab);
    mRunExperiments = new QPushButton(tr("Run experiments"), tab);
    auto* exportButton = new QPushButton(tr("Export…"), tab);
    for (QWidget* w : std::initializer_list<QWidget*>{mSeed, mShiftDy, mShiftDx, mResH, mResW,
                                                      mResInterp, mRunExperiments}) {
        controls->addWidget(w);
    }
    controls->addStretch(1);
    controls->addWidget(exportButton);
    layout->addLayout(controls);
    mShiftDy->setToolTip(tr("Shift in pixels, less than a patch (0, 0: half a patch)"));
    mResH->setToolTip(tr("Input size for the resolution experiment (multiples of the patch)"));

    auto* scroll = new QScrollArea(tab);
    scroll->setWidgetResizable(true);
    mExperimentsWidget = new FigureWidget(scroll);
    mExperimentsWidget->setPlaceholder(
        tr("Run the experiments: shuffled patches with and without position embeddings, position "
           "embeddings removed or permuted, a shift by less than a patch, another resolution."));
    scroll->setWidget(mExperimentsWidget);
    layout->addWidget(scroll, 1);
    connect(mRunExperiments, &QPushButton::clicked, this, &InductiveBiasPanel::runExperiments);
    connect(exportButton, &QPushButton::clicked, mExperimentsWidget,
            &FigureWidget::exportFigureInteractively);
    return tab;
}

void InductiveBiasPanel::showTab(Tab tab) { mTabs->setCurrentIndex(static_cast<int>(tab)); }

FigureContext InductiveBiasPanel::context() const {
    FigureContext c;
    c.model = mModel;
    if (result() && mRun->input) {
        c.run = mRun;
    }
    return c;
}

FigureOptions InductiveBiasPanel::options() const {
    FigureOptions o;
    o.interp = interpAt(mInterpCombo->currentIndex());
    if (mGridCombo->currentIndex() == 0 && mModel) {
        o.gridH = mModel->config().gridH();
        o.gridW = mModel->config().gridW();
    }
    o.prefix = mPrefixCombo->currentIndex() == 0 ? core::PrefixHandling::DropAndRenormalise
                                                 : core::PrefixHandling::DropWithoutRenormalising;
    o.distances = mFolderDistances;
    o.distanceImages = std::max(1, mFolderImages);
    o.rawFilters = mFilterMode->currentIndex() == 1;
    o.experiments.seed = static_cast<uint64_t>(mSeed->value());
    o.experiments.shiftDy = mShiftDy->value();
    o.experiments.shiftDx = mShiftDx->value();
    o.experiments.resolutionH = mResH->value();
    o.experiments.resolutionW = mResW->value();
    o.experiments.interp = interpAt(mResInterp->currentIndex());
    o.outcomes = mOutcomes;
    return o;
}


void InductiveBiasPanel::setModel(core::ModelPtr model) {
    if (model == mModel) {
        return;
    }
    for (JobRunner* jobs : {mSimilarityJobs, mDistanceJobs, mFiltersJobs, mWork}) {
        jobs->cancel();  // results for the old model are dropped
    }
    setBusy(false, {});
    mModel = std::move(model);
    mRun.reset();
    mSimilarity.reset();
    mTileRow = mTileCol = -1;
    mFolderDistances = core::Matrix();
    mOutcomes.clear();
    mTileWidget->setFigure(nullptr);
    mDistanceWidget->setFigure(nullptr);
    mExperimentsWidget->setFigure(nullptr);
    updateExperimentControls();
    updatePositionFigure();
    updateFiltersFigure();
}

void InductiveBiasPanel::setRun(core::RunPtr run) {
    mRun = std::move(run);
    mOutcomes.clear();
    mExperimentsWidget->setFigure(nullptr);
    if (mGridCombo->currentIndex() == 1) {
        updatePositionFigure();
    } else {
        updateTileFigure();
    }
    if (mFolderDistances.size() == 0) {
        updateDistanceFigure();
    }
    updateExperimentControls();
}


void InductiveBiasPanel::setSnapshot(SnapshotPtr snapshot) {
    if (!snapshot) {
        return;
    }
    setModel(snapshot->model);
    setRun(snapshot->model ? snapshot->run : nullptr);
}

void InductiveBiasPanel::updatePositionFigure() {
    if (!mModel) {
        mSimilarityWidget->setFigure(nullptr);
        return;
    }
    const FigureOptions o = options();
    int gh = o.gridH;
    int gw = o.gridW;
    if (gh == 0 && result()) {
        gh = result()->tokens.gridH;
        gw = result()->tokens.gridW;
    }
    core::ModelPtr model = mModel;
    const QString name = defaultModelName(*model);
    mSimilarityJobs->start<std::shared_ptr<const PosEmbedSimilarityData>>(
        tr("Position-embedding similarity"),
        [model, gh, gw, interp = o.interp, name](const JobContext&) {
            return std::make_shared<const PosEmbedSimilarityData>(
                posEmbedSimilarityData(*model, gh, gw, interp, name));
        },
        [this](std::shared_ptr<const PosEmbedSimilarityData> value) {
            mSimilarity = std::move(value);
            if (mTileRow >= mSimilarity->gridH || mTileCol >= mSimilarity->gridW) {
                mTileRow = mTileCol = -1;
            }
            updateTileFigure();
        });
}

void InductiveBiasPanel::updateTileFigure() {
    if (!mSimilarity) {
        return;
    }
    auto figure = std::make_shared<PosEmbedSimilarityFigure>(*mSimilarity);
    figure->setSelectedTile(mTileRow, mTileCol);
    mSimilarityWidget->setFigure(figure);
    if (mTileRow < 0 || !mSimilarity->unavailable.isEmpty()) {
        mTileWidget->setFigure(nullptr);
        return;
    }
    QImage shown;
    const bool sameGrid = result() && result()->tokens.gridH == mSimilarity->gridH &&
                          result()->tokens.gridW == mSimilarity->gridW;
    if (sameGrid && mRun->input) {
        shown = toQImage(mRun->input->shown);
    }
    mTileWidget->setFigure(
        std::make_shared<PosEmbedTileFigure>(*mSimilarity, mTileRow, mTileCol, shown));
}

void InductiveBiasPanel::onSimilarityClicked(QPointF pos, QRectF target) {
    const auto* figure =
        dynamic_cast<const PosEmbedSimilarityFigure*>(mSimilarityWidget->figure().get());
    if (figure == nullptr) {
        return;
    }
    const auto [row, col] = figure->tileAt(target, pos);
    if (row < 0) {
        return;
    }
    mTileRow = row;
    mTileCol = col;
    updateTileFigure();
}

void InductiveBiasPanel::updateDistanceFigure() {
    if (!mModel || (!result() && mFolderDistances.size() == 0)) {
        mDistanceWidget->setFigure(nullptr);
        return;
    }
    const FigureContext c = context();
    const FigureOptions o = options();
    mDistanceSource->setText(mFolderDistances.size() > 0
                                 ? tr("Averaged over %1 images of a folder").arg(mFolderImages)
                                 : tr("Current image"));
    mDistanceJobs->start<std::shared_ptr<Figure>>(
        tr("Attention distance"),
        [c, o](const JobContext&) -> std::shared_ptr<Figure> {
            auto figure = makeFigure(QStringLiteral("attention-distance"), c, o);
            return figure ? std::shared_ptr<Figure>(std::move(figure.value())) : nullptr;
        },
        [this](std::shared_ptr<Figure> figure) { mDistanceWidget->setFigure(std::move(figure)); });
}

void InductiveBiasPanel::updateFiltersFigure() {
    if (!mModel) {
        mFiltersWidget->setFigure(nullptr);
        return;
    }
    core::ModelPtr model = mModel;
    const bool raw = mFilterMode->currentIndex() == 1;
    mFiltersJobs->start<std::shared_ptr<FiltersJob>>(
        tr("Embedding filters"),
        [model, raw](const JobContext&) {
            auto job = std::make_shared<FiltersJob>();
            job->data = embeddingFiltersData(*model, raw, 28, defaultModelName(*model));
            return job;
        },
        [this](std::shared_ptr<FiltersJob> job) {
            if (!job->data) {
                mFiltersWidget->setFigure(nullptr);
                mFiltersWidget->setPlaceholder(QString::fromStdString(job->data.error().message));
                return;
            }
            mFiltersWidget->setFigure(
                std::make_shared<EmbeddingFiltersFigure>(std::move(job->data.value())));
        });
}

bool InductiveBiasPanel::canRunExperiments() const {
    return mModel && mRun && mRun->input && !mRun->input->input.empty();
}

void InductiveBiasPanel::updateExperimentControls() {
    mRunExperiments->setEnabled(canRunExperiments() && mProgress->isHidden());
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

void InductiveBiasPanel::setBusy(bool busy, const QString& what) {
    mProgress->setVisible(busy);
    mCancelButton->setVisible(busy);
    mProgress->setFormat(what + QStringLiteral(" %v/%m"));
    mFolderButton->setEnabled(!busy);
    mRunExperiments->setEnabled(!busy && canRunExperiments());
    if (!busy) {
        mProgress->setRange(0, 1);
        mProgress->setValue(0);
    }
}

void InductiveBiasPanel::cancelWork() { mWork->cancel(); }

void InductiveBiasPanel::runFolderDistance(const QString& folder) {
    if (!mModel) {
        return;
    }
    auto files = core::listImages(folder.toStdString(), mMaxImages->value());
    if (!files) {
        emit failed(tr("No images"), QString::fromStdString(files.error().message));
        return;
    }
    setBusy(true, tr("Attention distance: image"));
    mProgress->setRange(0, static_cast<int>(files->size()));
    core::ModelPtr model = mModel;
    core::RunOptions run;  // the window's image size and interpolation, as its run had
    if (mRun && mRun->input) {
        run.sizeH = mRun->input->input.height;
        run.sizeW = mRun->input->input.width;
        run.posInterp = mRun->posInterp;
    }
    const core::PrefixHandling prefix = options().prefix;
    mWork->start<core::Result<core::FolderDistance>>(
        tr("Attention distance"),
        [model, files = std::move(files.value()), run, prefix](const JobContext& job) {
            core::RunOptions options = run;
            options.cancel = job.cancel;
            return core::folderAttentionDistance(
                model, files, options, prefix,
                [&job](int done, int total) { job.progress({}, done, total); });
        },
        [this, folder](core::Result<core::FolderDistance> out) {
            setBusy(false, {});
            if (!out) {
                emit failed(tr("Attention distance"),
                            tr("%1: %2").arg(folder, QString::fromStdString(out.error().message)));
                return;
            }
            mFolderDistances = out->mean;
            mFolderImages = out->used;
            emit statusMessage(tr("Attention distance over %1 images (%2 skipped)%3")
                                   .arg(out->used)
                                   .arg(out->skipped)
                                   .arg(out->cancelled ? tr(", cancelled") : QString()));
            updateDistanceFigure();
        });
}

void InductiveBiasPanel::runExperiments() {
    if (!canRunExperiments()) {
        return;
    }
    setBusy(true, tr("Experiments: run"));
    mProgress->setRange(0, 1);
    // The experiments start from the window's run: its input tensor, source image and recipe.
    core::ExperimentInput in;
    in.input = mRun->input->input;
    if (mRun->source) {
        in.source = *mRun->source;
    }
    in.recipe = mRun->recipe ? *mRun->recipe : mModel->recipe();
    core::ModelPtr model = mModel;
    FigureOptions o = options();
    mWork->start<std::shared_ptr<ExperimentsJob>>(
        tr("Experiments"),
        [model, in = std::move(in), o](const JobContext& job) mutable {
            auto out = std::make_shared<ExperimentsJob>();
            o.experiments.cancel = job.cancel;
            o.experiments.progress = [&job](int done, int total) { job.progress({}, done, total); };
            out->outcomes = core::runExperiments(*model, in, o.experimentKinds, o.experiments);
            return out;
        },
        [this](std::shared_ptr<ExperimentsJob> job) {
            setBusy(false, {});
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

core::Status InductiveBiasPanel::exportFigures(const QString& folder, double scale) const {
    if (!QDir().mkpath(folder)) {
        return core::makeError(core::ErrorCode::Io,
                               (folder + QStringLiteral(": cannot create the folder")).toStdString());
    }
    for (const FigureWidget* widget :
         {mSimilarityWidget, mTileWidget, mDistanceWidget, mFiltersWidget, mExperimentsWidget}) {
        if (!widget->figure()) {
            continue;
        }
        for (const char* ext : {"png", "svg", "pdf"}) {
            const QString path = QDir(folder).filePath(widget->figure()->name() +
                                                       QLatin1Char('.') + QLatin1String(ext));
            if (auto st = exportFigure(*widget->figure(), path, scale); !st) {
                return st;
            }
        }
    }
    return core::Ok{};
}

}  // namespace vitscope::ui
