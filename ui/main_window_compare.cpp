// MainWindow's part in comparing two models (issue 12): File > Compare and the Compare dock's
// placement. The comparison itself is ComparePanel's (ui/compare_panel.h).
#include <QAction>
#include <QDir>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>

#include "ui/compare_panel.h"
#include "ui/main_window.h"

namespace vitscope::ui {

namespace {
const char* const kModelFilter = "Checkpoints (*.safetensors *.npz *.json);;All files (*)";
/// Narrower than this (device-independent pixels), the two figures of a pair are too small to
/// read docked: the dock floats over the window instead.
constexpr int kMinPairWidth = 560;
}  // namespace

void MainWindow::buildCompareMenu(QMenu* file) {
    mCompareMenu = file->addMenu(tr("&Compare"));
    mCompareMenu->setObjectName(QStringLiteral("compareMenu"));
    connect(mCompareMenu, &QMenu::aboutToShow, this, &MainWindow::fillCompareMenu);
    fillCompareMenu();
}

void MainWindow::fillCompareMenu() {
    mCompareMenu->clear();
    QAction* choose = mCompareMenu->addAction(tr("Compare With &Model…"), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Compare With Model (a checkpoint, or a folder's config.json)"), mLastDir,
            tr(kModelFilter));
        if (!path.isEmpty()) {
            compareWithModel(QFileInfo(path).fileName() == QStringLiteral("config.json")
                                 ? QFileInfo(path).absolutePath()
                                 : path);
        }
    });
    choose->setShortcut(QKeySequence(tr("Ctrl+Shift+M")));
    choose->setObjectName(QStringLiteral("compareWithModel"));
    mCompareMenu->addSeparator();
    // The bundled models other than the one shown, by folder name.
    const QDir models(mResourcesDir + QStringLiteral("/models"));
    const QString current = QFileInfo(mShownModelPath).canonicalFilePath();
    for (const QFileInfo& info : models.entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (!mResourcesDir.isEmpty() && info.canonicalFilePath() != current) {
            const QString path = info.absoluteFilePath();
            mCompareMenu->addAction(tr("Compare With %1").arg(info.fileName()), this,
                                    [this, path] { compareWithModel(path); });
        }
    }
    mCompareMenu->addSeparator();
    QAction* stop =
        mCompareMenu->addAction(tr("&Stop Comparing"), this, &MainWindow::stopComparing);
    stop->setObjectName(QStringLiteral("stopComparing"));
    stop->setEnabled(mCompare->isComparing() || mCompare->isBusy());
}

void MainWindow::compareWithModel(const QString& path) {
    mLastDir = QFileInfo(path).absolutePath();
    mCompare->openModel(path);
}

void MainWindow::stopComparing() { mCompare->stop(); }

void MainWindow::showCompareDock(bool comparing) {
    mCompareDock->setVisible(comparing);
    if (!comparing) {
        return;
    }
    mCompareDock->raise();
    resizeDocks({mCompareDock}, {width() / 2}, Qt::Horizontal);  // room for two figures
    if (width() / 2 < kMinPairWidth && !mCompareDock->isFloating()) {
        // A small screen or a large scale factor: no room beside the image.
        mCompareDock->setFloating(true);
        const QRect area = geometry();
        mCompareDock->setGeometry(area.adjusted(area.width() / 20, area.height() / 10,
                                                -area.width() / 20, -area.height() / 20));
    }
}

}  // namespace vitscope::ui
