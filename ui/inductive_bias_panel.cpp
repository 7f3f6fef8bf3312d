#include "ui/inductive_bias_panel.h"

#include <QComboBox>
#include <QDir>
#include <QFileDialog>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QSplitter>
#include <QTabWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include "core/image/image_io.h"
#include "ui/export/figure_export.h"
#include "ui/figure_widget.h"
#include "ui/figures/attention_distance_figure.h"
#include "ui/figures/embedding_filters_figure.h"
#include "ui/figures/experiments_figure.h"
#include "ui/figures/posembed_similarity_figure.h"
#include "ui/image_convert.h"

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

/// Result of a folder run.
struct FolderDistance {
    core::Matrix mean;  // (layers, heads)
    int used = 0;
    int skipped = 0;
    QString firstProblem;
    bool cancelled = false;
};

struct ExperimentsJob {
    core::Result<std::vector<core::ExperimentOutcome>> outcomes =
        core::makeError(core::ErrorCode::Cancelled, "not run");
};

struct FiltersJob {
    core::Result<EmbeddingFiltersData> data = core::makeError(core::ErrorCode::Cancelled, "");
};

}  // namespace

InductiveBiasPanel::InductiveBiasPanel(QWidget* parent)
    : QWidget(parent), mCancel(std::make_shared<std::atomic<bool>>(false)) {
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
    setBusy(false, {});
}

InductiveBiasPanel::~InductiveBiasPanel() {
    mCancel->store(true);
    for (QObject* object : mWatchers) {
        static_cast<QFutureWatcher<std::shared_ptr<void>>*>(object)->waitForFinished();
    }
}

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
    if (mResult && mInput) {
        auto run = std::make_shared<core::Run>();
        run->model = mModel;
        run->result = mResult;
        run->input = mInput;
        run->source = mSource;
        run->recipe = mModel->recipe();
        c.run = std::move(run);
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

void InductiveBiasPanel::runAsync(std::function<std::shared_ptr<void>()> work,
                                  std::function<void(std::shared_ptr<void>)> done) {
    const quint64 generation = mGeneration;
    auto* watcher = new QFutureWatcher<std::shared_ptr<void>>(this);
    mWatchers.append(watcher);
    connect(watcher, &QFutureWatcherBase::finished, this,
            [this, watcher, generation, done = std::move(done)] {
                mWatchers.removeOne(watcher);
                std::shared_ptr<void> value = watcher->result();
                watcher->deleteLater();
                if (generation == mGeneration) {
                    done(std::move(value));
                }
            });
    watcher->setFuture(QtConcurrent::run(std::move(work)));
}

void InductiveBiasPanel::setModel(core::ModelPtr model) {
    if (model == mModel) {
        return;
    }
    ++mGeneration;
    mCancel->store(true);
    mCancel = std::make_shared<std::atomic<bool>>(false);
    setBusy(false, {});
    mModel = std::move(model);
    mResult.reset();
    mInput.reset();
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

void InductiveBiasPanel::setResult(std::shared_ptr<const core::InferenceResult> result,
                                   std::shared_ptr<const core::Preprocessed> input) {
    mResult = std::move(result);
    mInput = std::move(input);
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

void InductiveBiasPanel::setSourceImage(std::shared_ptr<const core::Image8> source) {
    mSource = std::move(source);
}

void InductiveBiasPanel::setSnapshot(SnapshotPtr snapshot) {
    if (!snapshot) {
        return;
    }
    setModel(snapshot->model);
    mSource = snapshot->original;
    mShownOnly = snapshot->shown;
    setResult(snapshot->result, nullptr);
}

void InductiveBiasPanel::updatePositionFigure() {
    if (!mModel) {
        mSimilarityWidget->setFigure(nullptr);
        return;
    }
    const FigureOptions o = options();
    int gh = o.gridH;
    int gw = o.gridW;
    if (gh == 0 && mResult) {
        gh = mResult->tokens.gridH;
        gw = mResult->tokens.gridW;
    }
    core::ModelPtr model = mModel;
    const QString name = defaultModelName(*model);
    runAsync(
        [model, gh, gw, interp = o.interp, name]() -> std::shared_ptr<void> {
            return std::make_shared<PosEmbedSimilarityData>(
                posEmbedSimilarityData(*model, gh, gw, interp, name));
        },
        [this](std::shared_ptr<void> value) {
            mSimilarity = std::static_pointer_cast<PosEmbedSimilarityData>(value);
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
    const bool sameGrid = mResult && mResult->tokens.gridH == mSimilarity->gridH &&
                          mResult->tokens.gridW == mSimilarity->gridW;
    if (sameGrid && mInput) {
        shown = toQImage(mInput->shown);
    } else if (sameGrid && mShownOnly) {
        shown = toQImage(*mShownOnly);
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
    if (!mModel || (!mResult && mFolderDistances.size() == 0)) {
        mDistanceWidget->setFigure(nullptr);
        return;
    }
    const FigureContext c = context();
    const FigureOptions o = options();
    mDistanceSource->setText(mFolderDistances.size() > 0
                                 ? tr("Averaged over %1 images of a folder").arg(mFolderImages)
                                 : tr("Current image"));
    runAsync(
        [c, o]() -> std::shared_ptr<void> {
            auto figure = makeFigure(QStringLiteral("attention-distance"), c, o);
            return figure ? std::shared_ptr<Figure>(std::move(figure.value())) : nullptr;
        },
        [this](std::shared_ptr<void> value) {
            mDistanceWidget->setFigure(std::static_pointer_cast<Figure>(value));
        });
}

void InductiveBiasPanel::updateFiltersFigure() {
    if (!mModel) {
        mFiltersWidget->setFigure(nullptr);
        return;
    }
    core::ModelPtr model = mModel;
    const bool raw = mFilterMode->currentIndex() == 1;
    runAsync(
        [model, raw]() -> std::shared_ptr<void> {
            auto job = std::make_shared<FiltersJob>();
            job->data = embeddingFiltersData(*model, raw, 28, defaultModelName(*model));
            return job;
        },
        [this](std::shared_ptr<void> value) {
            auto job = std::static_pointer_cast<FiltersJob>(value);
            if (!job->data) {
                mFiltersWidget->setFigure(nullptr);
                mFiltersWidget->setPlaceholder(QString::fromStdString(job->data.error().message));
                return;
            }
            mFiltersWidget->setFigure(
                std::make_shared<EmbeddingFiltersFigure>(std::move(job->data.value())));
        });
}

void InductiveBiasPanel::updateExperimentControls() {
    const bool ready = mModel && (mInput || mSource);
    mRunExperiments->setEnabled(ready && mProgress->isHidden());
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
    mRunExperiments->setEnabled(!busy && mModel && (mInput || mSource));
    if (!busy) {
        mProgress->setRange(0, 1);
        mProgress->setValue(0);
    }
}

void InductiveBiasPanel::cancelWork() { mCancel->store(true); }

void InductiveBiasPanel::runFolderDistance(const QString& folder) {
    if (!mModel) {
        return;
    }
    QDir dir(folder);
    const QStringList files = dir.entryList(
        {QStringLiteral("*.png"), QStringLiteral("*.jpg"), QStringLiteral("*.jpeg"),
         QStringLiteral("*.bmp"), QStringLiteral("*.tif"), QStringLiteral("*.tiff"),
         QStringLiteral("*.webp"), QStringLiteral("*.pgm"), QStringLiteral("*.ppm")},
        QDir::Files, QDir::Name);
    if (files.isEmpty()) {
        emit failed(tr("No images"), tr("%1: no image files found").arg(folder));
        return;
    }
    QStringList paths;
    for (int i = 0; i < std::min<int>(files.size(), mMaxImages->value()); ++i) {
        paths << dir.filePath(files[i]);
    }
    mCancel = std::make_shared<std::atomic<bool>>(false);
    setBusy(true, tr("Attention distance: image"));
    mProgress->setRange(0, static_cast<int>(paths.size()));
    core::ModelPtr model = mModel;
    const core::PrefixHandling prefix = options().prefix;
    auto cancel = mCancel;
    runAsync(
        [this, model, paths, prefix, cancel]() -> std::shared_ptr<void> {
            auto out = std::make_shared<FolderDistance>();
            core::AttentionDistanceAccumulator accumulator;
            auto ws = core::makeWorkspace();
            for (int i = 0; i < paths.size(); ++i) {
                if (cancel->load()) {
                    out->cancelled = true;
                    break;
                }
                auto note = [&](const std::string& message) {
                    ++out->skipped;
                    if (out->firstProblem.isEmpty()) {
                        out->firstProblem = QString::fromStdString(message);
                    }
                };
                auto image = core::loadImage(paths[i].toStdString());
                auto pre = image ? core::preprocess(image.value(), model->recipe())
                                 : core::Result<core::Preprocessed>(image.error());
                if (!pre) {
                    note(pre.error().message);
                } else {
                    core::ForwardOptions forward;
                    forward.cancel = cancel.get();
                    auto result = core::runForward(*model, pre->input, forward, ws.get());
                    if (!result) {
                        if (result.error().code == core::ErrorCode::Cancelled) {
                            out->cancelled = true;
                            break;
                        }
                        note(result.error().message);
                    } else if (auto st = accumulator.add(result.value(),
                                                         model->config().patchSize, prefix);
                               !st) {
                        note(st.error().message);
                    }
                }
                QMetaObject::invokeMethod(
                    this, [this, i] { mProgress->setValue(i + 1); }, Qt::QueuedConnection);
            }
            out->mean = accumulator.mean();
            out->used = accumulator.count();
            return out;
        },
        [this, folder](std::shared_ptr<void> value) {
            setBusy(false, {});
            auto out = std::static_pointer_cast<FolderDistance>(value);
            if (out->used == 0) {
                emit failed(tr("Attention distance"),
                            out->cancelled ? tr("cancelled before any image was done")
                                           : tr("%1: no image could be used (%2)")
                                                 .arg(folder, out->firstProblem));
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
    if (!mModel || (!mInput && !mSource)) {
        return;
    }
    mCancel = std::make_shared<std::atomic<bool>>(false);
    setBusy(true, tr("Experiments: run"));
    mProgress->setRange(0, 1);
    core::ModelPtr model = mModel;
    auto input = mInput;
    auto source = mSource;
    auto cancel = mCancel;
    FigureOptions o = options();
    o.experiments.cancel = cancel.get();
    o.experiments.progress = [this](int done, int total) {
        QMetaObject::invokeMethod(
            this,
            [this, done, total] {
                mProgress->setRange(0, total);
                mProgress->setValue(done);
            },
            Qt::QueuedConnection);
    };
    runAsync(
        [model, input, source, o, cancel]() -> std::shared_ptr<void> {
            auto job = std::make_shared<ExperimentsJob>();
            core::ExperimentInput in;
            if (source) {
                in.source = *source;
            }
            if (input) {
                in.input = input->input;
            } else {
                auto pre = core::preprocess(*source, model->recipe());
                if (!pre) {
                    job->outcomes = pre.error();
                    return job;
                }
                in.input = std::move(pre->input);
            }
            job->outcomes = core::runExperiments(*model, in, o.experimentKinds, o.experiments);
            return job;
        },
        [this](std::shared_ptr<void> value) {
            setBusy(false, {});
            auto job = std::static_pointer_cast<ExperimentsJob>(value);
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
