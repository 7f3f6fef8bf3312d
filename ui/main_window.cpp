#include "ui/main_window.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QScrollArea>
#include <QSettings>
#include <QSlider>
#include <QStatusBar>
#include <QTimer>
#include <QToolBar>
#include <QToolButton>
#include <cmath>

#include "core/model/memory_plan.h"
#include "core/model/token_names.h"
#include "core/pipeline/dataset.h"
#include "ui/attention_display_bar.h"
#include "ui/attention_view.h"
#include "ui/compare_panel.h"
#include "ui/export/animation_menu.h"
#include "ui/export/export_location.h"
#include "ui/guide_hint.h"
#include "ui/heads_panel.h"
#include "ui/image_convert.h"
#include "ui/inductive_bias_panel.h"
#include "ui/job_runner.h"
#include "ui/layer_player.h"
#include "ui/layers_heads_overview.h"
#include "ui/model_panel.h"
#include "ui/navigation_keys.h"
#include "ui/predictions_panel.h"
#include "ui/shortcuts_dialog.h"

namespace vitscope::ui {

namespace {
constexpr int kMaxRecent = 10;
const char* const kModelFilter = "Checkpoints (*.safetensors *.npz *.json);;All files (*)";

QString imageFilter() {
    return QObject::tr("Images (%1);;All files (*)")
        .arg(QString::fromStdString(core::imageNamePatterns()));
}

QDockWidget* makeDock(QMainWindow* window, const QString& title, const QString& name,
                      QWidget* content, Qt::DockWidgetArea area) {
    auto* dock = new QDockWidget(title, window);
    dock->setObjectName(name);
    dock->setWidget(content);
    window->addDockWidget(area, dock);
    return dock;
}
}  // namespace

MainWindow::MainWindow(const QString& resourcesDir, QWidget* parent)
    : QMainWindow(parent), mResourcesDir(resourcesDir) {
    setWindowTitle(tr("vitscope"));
    setAcceptDrops(true);
    mErrorHandler = [this](const QString& title, const QString& message) {
        QMessageBox::warning(this, title, message);
    };
    mController = new InferenceController(this);
    mView = new AttentionView(this);
    buildCentralTabs();
    buildDocks();
    buildToolBar();
    buildFileMenu();
    buildViewMenu();
    buildStatusBar();
    new FocusedKeyGuard(this);  // a focused slider or spin box keeps Page Up / Page Down
    mGuide->setTexts(guideHintText(mPicker->navigationActions(), mShortcutsAction),
                     guideHintShortText(mShortcutsAction));
    connect(mView, &AttentionView::patchClicked, mGuide, &GuideHint::dismiss);
    connect(&ExportLocation::instance(), &ExportLocation::written, this,
            [this](const QString& message) { statusBar()->showMessage(message, 8000); });
    connect(mView->mapJobs(), &JobRunner::busyChanged, this, [this] { updateBusy(); });

    connect(mController, &InferenceController::snapshotChanged, this, &MainWindow::showSnapshot);
    connect(mController, &InferenceController::runPlanned, this,
            [this](const QString& summary) { statusBar()->showMessage(summary, 15000); });
    connect(mController, &InferenceController::failed, this, &MainWindow::showError);
    connect(mModelPanel, &ModelPanel::reloadRequested, mController,
            qOverload<const QString&, const core::LoadOptions&>(&InferenceController::openModel));
    connect(mController, &InferenceController::busyChanged, this, [this] { updateBusy(); });
    connect(mController, &InferenceController::progressChanged, this,
            [this](const QString& text, int value, int maximum) {
                mProgress->setRange(0, maximum);
                mProgress->setValue(value);
                mProgress->setFormat(text);
            });
    connect(mPicker, &LayerHeadPicker::queryChanged, this, &MainWindow::showQuery);
    connect(mView, &AttentionView::patchClicked, mPicker, &LayerHeadPicker::setSourcePatch);
    connect(mView, &AttentionView::hovered, this, &MainWindow::showHover);
    connect(mHeads, &HeadsPanel::headClicked, mPicker, &LayerHeadPicker::setLayerAndHead);
    connect(mOverview, &LayersHeadsOverview::layerHeadClicked, mPicker,
            &LayerHeadPicker::setLayerAndHead);
    loadSettings();
}

MainWindow::~MainWindow() = default;

void MainWindow::setErrorHandler(ErrorHandler handler) { mErrorHandler = std::move(handler); }

void MainWindow::setFolderChooser(ExportMenu::FolderChooser chooser) {
    mExports->setFolderChooser(std::move(chooser));
}

void MainWindow::buildDocks() {
    mPicker = new LayerHeadPicker(this);
    mPlayer = new LayerPlayer(mPicker);
    mPicker->addPlaybackRow(tr("A&nimate"), mPlayer);
    connect(mController, &InferenceController::snapshotChanged, mPlayer, &LayerPlayer::stop);
    mPredictions = new PredictionsPanel(this);
    mModelPanel = new ModelPanel(this);
    mHeads = new HeadsPanel(this);
    mOverview = new LayersHeadsOverview(this);
    mCompare = new ComparePanel(mController, this);
    // Every panel scrolls inside its dock rather than squeezing its values or widening the
    // window; arrangeDocks (window_state.h) places the docks on the first show.
    auto scrolled = [this](QWidget* content) {
        auto* scroll = new QScrollArea(this);
        scroll->setWidget(content);
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        return scroll;
    };
    mDocks.picker = makeDock(this, tr("Attention"), QStringLiteral("pickerDock"), scrolled(mPicker),
                             Qt::RightDockWidgetArea);
    mDocks.predictions = makeDock(this, tr("Predictions"), QStringLiteral("predictionsDock"),
                                  scrolled(mPredictions), Qt::RightDockWidgetArea);
    mDocks.heads = makeDock(this, tr("Heads of This Layer"), QStringLiteral("headsDock"), mHeads,
                            Qt::RightDockWidgetArea);
    mDocks.model = makeDock(this, tr("Model"), QStringLiteral("modelDock"), scrolled(mModelPanel),
                            Qt::LeftDockWidgetArea);
    mDocks.overview = makeDock(this, tr("All Layers x Heads"), QStringLiteral("overviewDock"),
                               scrolled(mOverview), Qt::LeftDockWidgetArea);
    mCompareDock = makeDock(this, tr("Compare"), QStringLiteral("compareDock"), scrolled(mCompare),
                            Qt::LeftDockWidgetArea);
    mDocks.compare = mCompareDock;
    mCompareDock->hide();  // shown when a comparison opens
    connect(mCompare, &ComparePanel::failed, this, &MainWindow::showError);
    connect(mCompare, &ComparePanel::comparingChanged, this, &MainWindow::showCompareDock);
}

void MainWindow::buildToolBar() {
    auto* bar = addToolBar(tr("View"));
    bar->setObjectName(QStringLiteral("viewToolBar"));
    mViewBar = bar;
    bar->addWidget(new QLabel(tr(" Opacity "), bar));
    mOpacitySlider = new QSlider(Qt::Horizontal, bar);
    mOpacitySlider->setObjectName(QStringLiteral("opacitySlider"));
    mOpacitySlider->setRange(0, 100);
    mOpacitySlider->setMinimumWidth(fontMetrics().horizontalAdvance(QLatin1Char('0')) * 6);
    mOpacitySlider->setMaximumWidth(160);
    mOpacitySlider->setToolTip(tr("Heatmap opacity"));
    bar->addWidget(mOpacitySlider);
    connect(mOpacitySlider, &QSlider::valueChanged, this, [this](int v) { setOpacity(v / 100.0); });
    auto* display = new AttentionDisplayBar(bar);
    bar->addWidget(display);
    mDisplayBar = addToolBar(tr("Attention Map"));
    mDisplayBar->setObjectName(QStringLiteral("mapToolBar"));
    mDisplayBar->addWidget(display->mapControls());
    connect(display, &AttentionDisplayBar::changed, this, [this] {
        QTimer::singleShot(0, this, [this] { fitToolBars(); });  // the share shown or hidden
    });
    connect(display, &AttentionDisplayBar::changed, mView, &AttentionView::setDisplay);
    mView->setDisplay(display->options());
}

void MainWindow::buildFileMenu() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Open Image..."), QKeySequence::Open, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Open Image"), mLastDir, imageFilter());
        if (!path.isEmpty()) {
            openImage(path);
        }
    });
    file->addAction(tr("Open &Model File..."), QKeySequence(tr("Ctrl+Shift+O")), this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Open Model"), mLastDir, tr(kModelFilter));
        if (!path.isEmpty()) {
            openModel(path);
        }
    });
    file->addAction(tr("Open Model &Folder..."), this, [this] {
        const QString path = QFileDialog::getExistingDirectory(
            this, tr("Open Model Folder (Hugging Face / timm)"), mLastDir);
        if (!path.isEmpty()) {
            openModel(path);
        }
    });
    buildCompareMenu(file);
    fillSamplesMenu(file->addMenu(tr("&Samples")));
    QMenu* recentImages = file->addMenu(tr("Recent &Images"));
    connect(recentImages, &QMenu::aboutToShow, this,
            [this, recentImages] { fillRecentMenu(recentImages, &mRecentImages, false); });
    QMenu* recentModels = file->addMenu(tr("Recent Mo&dels"));
    connect(recentModels, &QMenu::aboutToShow, this,
            [this, recentModels] { fillRecentMenu(recentModels, &mRecentModels, true); });
    file->addAction(tr("&Paste Image"), QKeySequence::Paste, this, &MainWindow::pasteImage);
    file->addSeparator();
    mExportMenu = file->addMenu(tr("&Export"));
    mExportMenu->setObjectName(QStringLiteral("exportMenu"));
    mExports = new ExportMenu(mExportMenu, {mController, mPicker, mView, mHeads, mOverview}, this);
    connect(mExports, &ExportMenu::failed, this, &MainWindow::showError);
    connect(mExports, &ExportMenu::statusMessage, statusBar(), &QStatusBar::showMessage);
    mAnimationExport =
        new AnimationExporter(mExportMenu, {mController, mPicker, mView, mPlayer}, this);
    connect(mAnimationExport, &AnimationExporter::failed, this, &MainWindow::showError);
    connect(mAnimationExport, &AnimationExporter::statusMessage, statusBar(),
            &QStatusBar::showMessage);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
}

void MainWindow::buildViewMenu() {
    mViewMenu = menuBar()->addMenu(tr("&View"));
    mViewMenu->addActions(mView->overlayActions());
    QMenu* colormaps = mViewMenu->addMenu(tr("&Colormap"));
    mColormapGroup = new QActionGroup(this);
    for (core::Colormap c : {core::Colormap::Viridis, core::Colormap::Inferno,
                             core::Colormap::Magma, core::Colormap::Jet, core::Colormap::Grey}) {
        QAction* a = colormaps->addAction(QString::fromLatin1(core::toString(c)));
        a->setCheckable(true);
        a->setData(static_cast<int>(c));
        mColormapGroup->addAction(a);
        connect(a, &QAction::triggered, this, [this, c] { setColormap(c); });
    }
    mViewMenu->addSeparator();
    mViewMenu->addActions(mView->zoomActions());
    mViewMenu->addSeparator();
    QMenu* navigate = mViewMenu->addMenu(tr("&Layer and Head"));
    navigate->addActions(mPicker->navigationActions());
    addActions(mPicker->navigationActions());  // shortcuts work wherever the focus is
    navigate->addSeparator();
    navigate->addAction(mPlayer->playAction());
    addAction(mPlayer->playAction());
    mViewMenu->addSeparator();
    QMenu* panels = mViewMenu->addMenu(tr("&Panels"));
    for (QDockWidget* dock : findChildren<QDockWidget*>()) {
        panels->addAction(dock->toggleViewAction());
    }

    QMenu* settings = menuBar()->addMenu(tr("&Settings"));
    settings->addAction(tr("&Memory Budget…"), this, &MainWindow::askMemoryBudget);

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    mShortcutsAction =
        help->addAction(tr("&Keyboard Shortcuts…"), QKeySequence::HelpContents, this, [this] {
            auto* dialog = new ShortcutsDialog(*this, this);
            dialog->setAttribute(Qt::WA_DeleteOnClose);
            dialog->open();
        });
    mShortcutsAction->setObjectName(QStringLiteral("shortcutsAction"));
    help->addAction(tr("&About vitscope"), this, [this] {
        QMessageBox::about(
            this, tr("About vitscope"),
            tr("<h3>vitscope %1</h3><p>Look inside Vision Transformers: predictions, and where "
               "every head of every layer attends, with attention rollout (Abnar &amp; Zuidema "
               "2020).</p><p>%2</p>")
                .arg(
                    QCoreApplication::applicationVersion(),
                    guideHintText(mPicker->navigationActions(), mShortcutsAction).toHtmlEscaped()));
    });
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::buildStatusBar() {
    mTimingLabel = new QLabel(this);
    mTimingLabel->setObjectName(QStringLiteral("timingLabel"));
    mProgress = new QProgressBar(this);
    mProgress->setObjectName(QStringLiteral("progressBar"));
    mProgress->setMaximumWidth(240);
    mProgress->setTextVisible(true);
    mProgress->hide();
    mCancelButton = new QToolButton(this);
    mCancelButton->setText(tr("Cancel"));
    mCancelButton->hide();
    connect(mCancelButton, &QToolButton::clicked, mController, &InferenceController::cancel);
    statusBar()->addPermanentWidget(mProgress);
    statusBar()->addPermanentWidget(mCancelButton);
    statusBar()->addPermanentWidget(mTimingLabel);
}

void MainWindow::fillSamplesMenu(QMenu* menu) const {
    const QDir samples(mResourcesDir + QStringLiteral("/samples"));
    QStringList filters;
    for (const std::string& ext : core::imageExtensions()) {
        filters << QStringLiteral("*") + QString::fromStdString(ext);
    }
    for (const QString& group : samples.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QMenu* sub = menu->addMenu(group);
        const QDir dir(samples.filePath(group));
        for (const QFileInfo& info : dir.entryInfoList(filters, QDir::Files, QDir::Name)) {
            const QString path = info.absoluteFilePath();
            sub->addAction(info.completeBaseName(), this,
                           [this, path] { const_cast<MainWindow*>(this)->openImage(path); });
        }
    }
    menu->setEnabled(!menu->isEmpty());
}

void MainWindow::fillRecentMenu(QMenu* menu, QStringList* list, bool models) {
    menu->clear();
    for (const QString& path : std::as_const(*list)) {
        QAction* a = menu->addAction(QFileInfo(path).fileName(), this, [this, path, models] {
            models ? openModel(path) : openImage(path);
        });
        a->setToolTip(path);
        a->setStatusTip(path);
    }
    if (list->isEmpty()) {
        menu->addAction(tr("(none)"))->setEnabled(false);
        return;
    }
    menu->addSeparator();
    menu->addAction(tr("Clear List"), this, [list] { list->clear(); });
}

void MainWindow::openImage(const QString& path) {
    mLastDir = QFileInfo(path).absolutePath();
    mController->openImage(path);
}

void MainWindow::openModel(const QString& path) {
    const QString model = modelPathFor(path);
    mLastDir = QFileInfo(model).absolutePath();
    mController->openModel(model);
}

QString MainWindow::modelPathFor(const QString& path) {
    // The file dialog offers *.json for index files; a folder's config file means the folder.
    const QFileInfo info(path);
    const QString name = info.fileName().toLower();
    if (info.isFile() && (name == QLatin1String("config.json") ||
                          name == QLatin1String("preprocessor_config.json"))) {
        return info.absolutePath();
    }
    return path;
}

bool MainWindow::looksLikeModel(const QString& path) {
    const QFileInfo info(path);
    if (info.isDir()) {
        return true;
    }
    static const QStringList kModelSuffixes{
        QStringLiteral("safetensors"), QStringLiteral("npz"), QStringLiteral("json"),
        QStringLiteral("pth"),         QStringLiteral("pt"),  QStringLiteral("bin"),
        QStringLiteral("ckpt"),        QStringLiteral("pkl"), QStringLiteral("pickle")};
    return kModelSuffixes.contains(info.suffix().toLower());
}

void MainWindow::openPath(const QString& path) {
    looksLikeModel(path) ? openModel(path) : openImage(path);
}

void MainWindow::pasteImage() {
    const QMimeData* mime = QApplication::clipboard()->mimeData();
    if (mime && mime->hasImage()) {
        const QImage image = qvariant_cast<QImage>(mime->imageData());
        mController->openImagePixels(fromQImage(image), tr("clipboard image"));
    } else if (mime && mime->hasUrls() && mime->urls().first().isLocalFile()) {
        openPath(mime->urls().first().toLocalFile());
    } else if (mime && QFileInfo::exists(mime->text().trimmed())) {
        openPath(mime->text().trimmed());
    } else {
        showError(tr("Cannot paste"), tr("The clipboard holds no image and no path to one."));
    }
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (event->mimeData()->hasUrls() || event->mimeData()->hasImage()) {
        event->acceptProposedAction();
    }
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QMimeData* mime = event->mimeData();
    if (mime->hasUrls()) {
        for (const QUrl& url : mime->urls()) {
            if (url.isLocalFile()) {
                openPath(url.toLocalFile());
            }
        }
    } else if (mime->hasImage()) {
        mController->openImagePixels(fromQImage(qvariant_cast<QImage>(mime->imageData())),
                                     tr("dropped image"));
    }
    event->acceptProposedAction();
}

void MainWindow::setColormap(core::Colormap colormap) {
    for (QAction* a : mColormapGroup->actions()) {
        a->setChecked(a->data().toInt() == static_cast<int>(colormap));
    }
    mView->setColormap(colormap);
    mHeads->setColormap(colormap);
    mOverview->setColormap(colormap);
}

void MainWindow::setOpacity(double opacity) {
    const int value = static_cast<int>(std::lround(opacity * 100));
    if (mOpacitySlider->value() != value) {
        mOpacitySlider->setValue(value);  // comes back here through valueChanged
        return;
    }
    mView->setOpacity(opacity);
    mHeads->setOpacity(opacity);
    mOverview->setOpacity(opacity);
}

void MainWindow::showSnapshot(const SnapshotPtr& s) {
    if (s->imagePath != mShownImageLabel && !s->imagePath.isEmpty()) {
        addRecent(&mRecentImages, s->imagePath);
    }
    if (s->modelPath != mShownModelPath && !s->modelPath.isEmpty()) {
        addRecent(&mRecentModels, s->modelPath);
    }
    mShownImageLabel = s->imagePath.isEmpty() ? s->imageLabel : s->imagePath;
    mShownModelPath = s->modelPath;
    QStringList title;
    for (const QString& part : {s->imageLabel, s->modelPath}) {
        if (!part.isEmpty()) {
            title << QFileInfo(part).fileName();
        }
    }
    setWindowTitle((title << tr("vitscope")).join(QStringLiteral(" — ")));
    if (s->model) {
        mModelPanel->setModel(*s->model, s->result());
    }
    mTimingLabel->setText(tr("model load %1 ms · forward %2 ms")
                              .arg(s->loadMs, 0, 'f', 0)
                              .arg(s->forwardMs(), 0, 'f', 1));
    if (!s->result()) {
        mView->clear();
        if (s->source()) {  // an image but no model to run it yet
            mView->setImage(toQImage(*s->source()), {});
        }
        mPredictions->clear();
        mHeads->clear();
        mOverview->clear();
        return;
    }
    const core::Run& run = *s->run;
    const QImage shown = s->shown() ? toQImage(*s->shown()) : QImage();
    const auto& att = run.result->attention;
    mView->setImage(shown, run.result->tokens);
    mView->setOriginal(run);
    mHeads->setResult(shown, run.result);
    mOverview->setResult(shown, run.result);
    if (s->model->config().hasHead()) {
        mPredictions->setPredictions(run.predictions);
        mPredictions->setClassScores(s->model->labels(), run.result->probabilities);
    } else {
        mPredictions->setNoHead(QString::fromStdString(s->model->info().architecture));
    }
    mPicker->setShape(att.layers(), att.heads(), run.result->tokens);  // emits queryChanged
}

void MainWindow::showQuery(const AttentionQuery& query) {
    const SnapshotPtr s = mController->current();
    if (!s || !s->result()) {
        return;
    }
    mHeads->setQuery(query);
    mOverview->setQuery(query);
    mView->showQuery(s->run->result, query);  // rollout goes off the GUI thread
}

void MainWindow::showHover(int row, int col, int token, float value) {
    if (row < 0 || col < 0) {
        statusBar()->clearMessage();
        return;
    }
    const core::TokenLayout& tokens = mView->tokens();
    statusBar()->showMessage(tr("%1 · %2 · attention %3")
                                 .arg(QString::fromStdString(core::tokenLabel(tokens, token)),
                                      QString::fromStdString(core::tokenId(tokens, token)))
                                 .arg(static_cast<double>(value), 0, 'g', 4));
}

void MainWindow::askMemoryBudget() {
    const double gib = 1024.0 * 1024.0 * 1024.0;
    const uint64_t current = mController->memoryBudget() != 0 ? mController->memoryBudget()
                                                              : core::defaultMemoryBudget();
    bool ok = false;
    const double value = QInputDialog::getDouble(
        this, tr("Memory Budget"),
        tr("Memory a run may hold, in GB (this machine has %1; default %2).\nAttention that does "
           "not fit is kept compact and rebuilt row by row when shown; a run that does not fit "
           "even then is refused.")
            .arg(QString::fromStdString(core::formatBytes(core::physicalMemoryBytes())),
                 QString::fromStdString(core::formatBytes(core::defaultMemoryBudget()))),
        double(current) / gib, double(core::kMinMemoryBudget) / gib, 1024.0 * 1024.0, 2, &ok);
    if (!ok)
        return;
    mController->setMemoryBudget(static_cast<uint64_t>(value * gib));
    QSettings().setValue(QStringLiteral("run/memoryBudget"),
                         QVariant::fromValue<qulonglong>(mController->memoryBudget()));
    statusBar()->showMessage(
        tr("Memory budget: %1")
            .arg(QString::fromStdString(core::formatBytes(mController->memoryBudget()))),
        5000);
}

void MainWindow::showError(const QString& title, const QString& message) {
    updateBusy();  // nothing left running must look busy behind the message
    if (restoreFailed(title, message)) {
        return;  // the fallback opens instead, with a status message
    }
    statusBar()->showMessage(title, 5000);
    if (mErrorHandler) {
        mErrorHandler(title, message);
    }
}

void MainWindow::updateBusy() {
    const bool loading = mController->isBusy();
    const bool mapping = mView->mapJobs()->isBusy();
    const bool busy = loading || mapping;
    if (busy && !mProgress->isVisible()) {
        mProgress->setRange(0, 0);  // busy indicator until the first progress report
    }
    if (mapping && !loading) {
        mProgress->setRange(0, 0);
        mProgress->setFormat(tr("Attention rollout"));
    }
    mProgress->setVisible(busy);
    mCancelButton->setVisible(loading);  // Cancel stops a load or a run; a rollout is superseded
}

void MainWindow::addRecent(QStringList* list, const QString& path) {
    const QString absolute = QFileInfo(path).absoluteFilePath();
    list->removeAll(absolute);
    list->prepend(absolute);
    while (list->size() > kMaxRecent) {
        list->removeLast();
    }
}

void MainWindow::loadSettings() {
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray())) {
        setInitialSize();
    }
    mStateRestored =
        restoreState(settings.value(QStringLiteral("window/state")).toByteArray(), kLayoutVersion);
    mMainTabs->setCurrentIndex(settings.value(QStringLiteral("window/mainTab"), 0).toInt());
    const auto colormap = core::parseColormap(
        settings.value(QStringLiteral("view/colormap"), QStringLiteral("viridis"))
            .toString()
            .toStdString());
    setColormap(colormap.value_or(core::Colormap::Viridis));
    setOpacity(settings.value(QStringLiteral("view/opacity"), 0.6).toDouble());
    mView->setOpacity(mOpacitySlider->value() / 100.0);
    for (QAction* a : mView->overlayActions()) {  // view/heatmap, view/grid, ...
        a->setChecked(settings.value(QStringLiteral("view/") + a->objectName(), true).toBool());
    }
    mRecentImages = settings.value(QStringLiteral("recent/images")).toStringList();
    mRecentModels = settings.value(QStringLiteral("recent/models")).toStringList();
    mLastDir = settings.value(QStringLiteral("dialogs/lastDir")).toString();
    const qulonglong budget = settings.value(QStringLiteral("run/memoryBudget"), 0).toULongLong();
    if (budget >= core::kMinMemoryBudget && budget <= core::kMaxMemoryBudget)
        mController->setMemoryBudget(budget);
}

void MainWindow::saveSettings() const {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState(kLayoutVersion));
    settings.setValue(QStringLiteral("window/mainTab"), mMainTabs->currentIndex());
    const SnapshotPtr shown = mController->current();
    saveSessionFiles({mShownModelPath, shown ? shown->imagePath : QString()});
    settings.setValue(QStringLiteral("view/colormap"),
                      QString::fromLatin1(core::toString(mView->colormap())));
    settings.setValue(QStringLiteral("view/opacity"), mView->opacity());
    for (QAction* a : mView->overlayActions()) {
        settings.setValue(QStringLiteral("view/") + a->objectName(), a->isChecked());
    }
    settings.setValue(QStringLiteral("recent/images"), mRecentImages);
    settings.setValue(QStringLiteral("recent/models"), mRecentModels);
    settings.setValue(QStringLiteral("dialogs/lastDir"), mLastDir);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    saveSettings();
    mController->cancel();
    QMainWindow::closeEvent(event);
}

}  // namespace vitscope::ui
