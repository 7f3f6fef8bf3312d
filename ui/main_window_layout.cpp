// MainWindow's layout (issue 13): the central tabs (the image, the Inductive Bias views), the
// first launch's size and dock arrangement (window_state.h) and the restored session.
#include <QDockWidget>
#include <QGuiApplication>
#include <QScreen>
#include <QScrollArea>
#include <QSlider>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>
#include <algorithm>

#include "ui/attention_view.h"
#include "ui/guide_hint.h"
#include "ui/inductive_bias_panel.h"
#include "ui/main_window.h"

namespace vitscope::ui {

namespace {
constexpr int kRestoreMessageMs = 20'000;
}  // namespace

void MainWindow::buildCentralTabs() {
    mMainTabs = new QTabWidget(this);
    mMainTabs->setObjectName(QStringLiteral("mainTabs"));
    mMainTabs->setDocumentMode(true);
    // The first-launch hint is a banner above the image, never over it.
    auto* attentionPage = new QWidget(this);
    auto* attentionLayout = new QVBoxLayout(attentionPage);
    attentionLayout->setContentsMargins(0, 0, 0, 0);
    attentionLayout->setSpacing(0);
    mGuide = new GuideHint(attentionPage);
    attentionLayout->addWidget(mGuide);
    attentionLayout->addWidget(mView, 1);
    mMainTabs->addTab(attentionPage, tr("Attention"));
    // The Inductive Bias views get the whole central area: their mosaic, plots and experiment
    // controls need more room than a side dock has. The panel scrolls when the window is small.
    mBias = new InductiveBiasPanel(this);
    mBias->setObjectName(QStringLiteral("inductiveBiasPanel"));
    auto* biasScroll = new QScrollArea(this);
    biasScroll->setWidget(mBias);
    biasScroll->setWidgetResizable(true);
    biasScroll->setFrameShape(QFrame::NoFrame);
    mMainTabs->addTab(biasScroll, tr("Inductive Bias"));
    setCentralWidget(mMainTabs);
    connect(mController, &InferenceController::snapshotChanged, mBias,
            &InductiveBiasPanel::setSnapshot);
    connect(mBias, &InductiveBiasPanel::failed, this, &MainWindow::showError);
    connect(mBias, &InductiveBiasPanel::statusMessage, this,
            [this](const QString& text) { statusBar()->showMessage(text, 4000); });
}

void MainWindow::setInitialSize() {
    // No saved geometry: most of the screen, so that the side panels and the image all fit.
    const QScreen* screen = QGuiApplication::primaryScreen();
    if (!screen) {
        return;
    }
    const QRect available = screen->availableGeometry();
    // Up to 1600 logical pixels wide (1366 x 768, or any screen at scale 2) every pixel counts.
    const int percent = available.width() <= 1600 ? 100 : 90;
    const QSize size(available.width() * percent / 100, available.height() * percent / 100);
    resize(size);
    move(available.center() - QPoint(size.width() / 2, size.height() / 2));
}

void MainWindow::showEvent(QShowEvent* event) {
    QMainWindow::showEvent(event);
    if (mArranged) {
        return;
    }
    mArranged = true;
    if (!mStateRestored) {  // first launch (or an unreadable saved layout)
        const QSize chosen = size();
        arrangeDocks(this, mDocks, dockLayoutFor(chosen));
        // Once more when the docks have their first geometry: sizes asked for before that
        // may be overridden by the first layout pass. Re-docking passes through intermediate
        // arrangements whose minimum can grow the window past the screen: it goes back to the
        // size it was shown at.
        QTimer::singleShot(0, this, [this, chosen] {
            arrangeDocks(this, mDocks, dockLayoutFor(chosen));
            if (size() != chosen) {
                resize(chosen);
            }
        });
    }
}

void MainWindow::resizeEvent(QResizeEvent* event) {
    QMainWindow::resizeEvent(event);
    fitToolBars();
}

void MainWindow::fitToolBars() {
    if (!mViewBar || !mDisplayBar || toolBarArea(mDisplayBar) != toolBarArea(mViewBar) ||
        mViewBar->orientation() != Qt::Horizontal) {
        return;  // moved by the user: their arrangement
    }
    // The opacity slider may shrink to its minimum before a second row is worth its height.
    const int sliderSlack =
        std::max(0, mOpacitySlider->sizeHint().width() - mOpacitySlider->minimumWidth());
    const int oneRow =
        mViewBar->sizeHint().width() - sliderSlack + mDisplayBar->sizeHint().width() + 6;
    const bool twoRows = oneRow > width();
    if (twoRows != toolBarBreak(mDisplayBar)) {
        if (twoRows) {
            insertToolBarBreak(mDisplayBar);
        } else {
            removeToolBarBreak(mDisplayBar);
        }
    }
}

void MainWindow::restoreSession(const SessionFiles& fallback) {
    QStringList problems;
    const SessionFiles files = resolveSessionFiles(loadSessionFiles(), fallback, &problems);
    if (!problems.isEmpty()) {
        statusBar()->showMessage(problems.join(QLatin1Char(' ')) + QLatin1Char(' ') +
                                     tr("Opened the bundled model and sample instead."),
                                 kRestoreMessageMs);
    }
    mFallback = fallback;
    mRestoring = files.model != fallback.model || files.image != fallback.image;
    if (mRestoring) {
        // The saved files opened once; if one no longer does, restoreFailed falls back. The
        // first result ends the restore.
        connect(mController, &InferenceController::snapshotChanged, this,
                [this](const SnapshotPtr& s) { mRestoring = mRestoring && !s->result(); });
    }
    if (!files.model.isEmpty()) {
        openModel(files.model);
    }
    if (!files.image.isEmpty()) {
        openImage(files.image);
    }
}

bool MainWindow::restoreFailed(const QString& title, const QString& message) {
    if (!mRestoring) {
        return false;
    }
    mRestoring = false;
    statusBar()->showMessage(tr("Could not restore the last session (%1: %2). Opened the bundled "
                                "model and sample instead.")
                                 .arg(title, message),
                             kRestoreMessageMs);
    // After the controller has finished reporting (this runs inside its failed signal).
    QTimer::singleShot(0, this, [this] {
        mController->cancel();
        if (!mFallback.model.isEmpty()) {
            openModel(mFallback.model);
        }
        if (!mFallback.image.isEmpty()) {
            openImage(mFallback.image);
        }
    });
    return true;
}

}  // namespace vitscope::ui
