#pragma once
// The real MainWindow, offscreen, on the bundled model and a sample, shared by the window's test
// suites: opening it, waiting for a result, and comparing what it shows with the core.
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QDir>
#include <QDirIterator>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QMenu>
#include <QProgressDialog>
#include <QSettings>
#include <QSlider>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QtTest>
#include <atomic>
#include <memory>

#include "core/analysis/attention_maps.h"
#include "ui/attention_view.h"
#include "ui/export/batch_export.h"
#include "ui/export/export_menu.h"
#include "ui/export/figure_export.h"
#include "ui/heads_panel.h"
#include "ui/job_runner.h"
#include "ui/layers_heads_overview.h"
#include "ui/main_window.h"
#include "ui/model_panel.h"
#include "ui/predictions_panel.h"

using namespace vitscope;
using ui::AttentionQuery;
using ui::MainWindow;

namespace vitscope::test {

using namespace vitscope;
using ui::AttentionQuery;
using ui::MainWindow;

inline constexpr int kTimeoutMs = 120'000;
inline const QString kData = QStringLiteral(VITSCOPE_TEST_DATA);
inline const QString kResources = QStringLiteral(VITSCOPE_RESOURCES);

inline QString bundledModel() { return kResources + QStringLiteral("/models/fashion-mnist-vit"); }

/// The bundled model, which the window opens on.
inline QString defaultModel() { return bundledModel(); }

/// The first bundled sample, the T-shirt.
inline QString defaultImage() {
    return kResources + QStringLiteral("/samples/fashion-mnist/0-t-shirt-top.png");
}

/// The core's map for a selection, as the CLI computes it.
inline core::Matrix coreMap(const core::InferenceResult& r, const AttentionQuery& q) {
    core::AttentionSelection s;
    s.layer = q.layer;
    s.head = q.rollout ? -1 : q.head;
    s.fusion = q.fusion;
    s.sourceToken = q.sourceToken;
    s.reverse = q.reverse;
    s.rollout = q.rollout;
    core::RolloutOptions o;
    o.discardRatio = q.discardRatio;
    auto m = core::selectedMap(r, s, o);
    return m ? m.value() : core::Matrix();
}

/// The offscreen platform warns on every dock size-hint change; that is noise here.
inline QtMessageHandler gPreviousHandler = nullptr;
inline void dropOffscreenNoise(QtMsgType type, const QMessageLogContext& context,
                               const QString& msg) {
    if (!msg.contains(QStringLiteral("does not support propagateSizeHints")) && gPreviousHandler) {
        gPreviousHandler(type, context, msg);
    }
}

class MainWindowFixture {
protected:
    /// Opens the window on the default model and image; `name` keeps the suite's settings apart.
    void openWindow(const char* name);
    void closeWindow();
    bool waitForResult(const QString& imageLabelSuffix = {});
    /// Everything "Export all" must leave as it was.
    struct WindowState {
        ui::SnapshotPtr snapshot;
        AttentionQuery query;
        core::Matrix map;
        QString caption;
        core::Colormap colormap;
        double opacity;
        int errors;
    };
    WindowState windowState() const;
    void expectWindowState(const WindowState& before) const;
    /// Triggers File > Export > Export All into `folder` and waits for the batch to finish.
    bool runExportAll(const QString& folder);
    void expectDisplayedMapMatchesCore();

    std::unique_ptr<MainWindow> mWindow;
    QStringList mErrors;
};

inline void MainWindowFixture::openWindow(const char* name) {
    gPreviousHandler = qInstallMessageHandler(dropOffscreenNoise);
    QCoreApplication::setOrganizationName(QStringLiteral("vitscope-tests"));
    QCoreApplication::setApplicationName(QString::fromLatin1(name));
    QSettings().clear();
    mWindow = std::make_unique<MainWindow>(kResources);
    mWindow->setErrorHandler([this](const QString& title, const QString& message) {
        mErrors << title + ": " + message;
    });
    mWindow->resize(1400, 900);
    mWindow->show();
    QVERIFY(QTest::qWaitForWindowExposed(mWindow.get()));
    mWindow->openModel(defaultModel());
    mWindow->openImage(defaultImage());
    QVERIFY2(waitForResult(), qPrintable(mErrors.join('\n')));
    qInfo("model %s, image %s", qPrintable(defaultModel()), qPrintable(defaultImage()));
}

inline void MainWindowFixture::closeWindow() {
    mWindow.reset();
    QSettings().clear();
}

inline bool MainWindowFixture::waitForResult(const QString& imageLabelSuffix) {
    auto done = [&] {
        const auto s = mWindow->snapshot();
        return !mWindow->controller()->isBusy() && s && s->result() &&
               (imageLabelSuffix.isEmpty() || s->imageLabel.endsWith(imageLabelSuffix));
    };
    return QTest::qWaitFor(done, kTimeoutMs);
}

inline void MainWindowFixture::expectDisplayedMapMatchesCore() {
    const auto s = mWindow->snapshot();
    QVERIFY(s && s->result());
    const AttentionQuery q = mWindow->picker()->query();
    const core::Matrix expected = coreMap(*s->result(), q);
    // Rollout maps are computed off the GUI thread: wait for the view to catch up.
    (void)QTest::qWaitFor([&] { return mWindow->attentionView()->figure().map() == expected; },
                          10'000);
    const core::Matrix& shown = mWindow->attentionView()->figure().map();
    QCOMPARE(shown.rows(), static_cast<Eigen::Index>(s->result()->tokens.gridH));
    QCOMPARE(shown.cols(), static_cast<Eigen::Index>(s->result()->tokens.gridW));
    QVERIFY(expected.size() > 0);
    // Same function, same inputs: the numbers are identical, not just close.
    QVERIFY2(shown == expected, "displayed heatmap differs from core::selectedMap");
}

inline MainWindowFixture::WindowState MainWindowFixture::windowState() const {
    const auto& figure = mWindow->attentionView()->figure();
    return {mWindow->snapshot(),
            mWindow->picker()->query(),
            figure.map(),
            figure.caption(),
            mWindow->attentionView()->colormap(),
            figure.opacity(),
            static_cast<int>(mErrors.size())};
}

inline void MainWindowFixture::expectWindowState(const WindowState& before) const {
    const WindowState now = windowState();
    QCOMPARE(now.snapshot.get(), before.snapshot.get());
    QCOMPARE(now.query, before.query);
    QVERIFY(now.map == before.map);
    QCOMPARE(now.caption, before.caption);
    QCOMPARE(now.colormap, before.colormap);
    QCOMPARE(now.opacity, before.opacity);
    QCOMPARE(now.errors, before.errors);
}

inline bool MainWindowFixture::runExportAll(const QString& folder) {
    ui::ExportMenu* exports = mWindow->exports();
    mWindow->setFolderChooser([folder](const QString&) { return folder; });
    QAction* action = exports->exportAllAction();
    if (!action || !action->isEnabled() || !mWindow->exportMenu()->actions().contains(action)) {
        return false;
    }
    action->trigger();
    return QTest::qWaitFor([&] { return !exports->batchExporter()->isRunning(); }, kTimeoutMs);
}

}  // namespace vitscope::test
