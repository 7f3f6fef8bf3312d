// Drives the real MainWindow offscreen: open the bundled model and a sample, wait for the result,
// switch layer and head, click patches and heads, change fusion, reverse and rollout, and check
// that what the window displays equals the core's numbers for that selection; open every broken
// fixture and check that an error is reported and the model and image stay as they were.
#include <limits>

#include "core/model/synthetic_model.h"
#include "main_window_fixture.h"
#include "ui/heads_panel.h"

using namespace vitscope;
using namespace vitscope::test;

class TestMainWindow : public QObject, vitscope::test::MainWindowFixture {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void opensOnModelAndSample();
    void predictionsFollowTopK();
    void modelPanelCountsTokens();
    void layerAndHeadSwitching();
    void keyboardShortcuts();
    void clickPatchMakesItTheSource();
    void hoverShowsPatchTokenAndValue();
    void fusionReverseAndRollout();
    void headsPanelClickSelectsHead();
    void headsPanelFillsAShortDock();
    void overviewClickSelectsLayerAndHead();
    void overviewMapsOffGuiThread();
    void badFileKeepsState_data();
    void badFileKeepsState();
    void newRequestCancelsRunning();
    void runOptionsRerunCurrentImage();
    void pasteImageFromClipboard();
    void prefixTokensAndNoHead_data();
    void prefixTokensAndNoHead();
    void settingsPersist();
};

void TestMainWindow::initTestCase() { openWindow("tst_main_window"); }

void TestMainWindow::cleanupTestCase() { closeWindow(); }

void TestMainWindow::opensOnModelAndSample() {
    const auto s = mWindow->snapshot();
    QVERIFY(s->model);
    QVERIFY(s->shown() && !s->shown()->empty());
    QVERIFY(s->run && s->run->source && s->run->recipe);
    QCOMPARE(s->run->model.get(), s->model.get());
    QVERIFY(s->forwardMs() > 0);
    QVERIFY(mErrors.isEmpty());
    const AttentionQuery q = mWindow->picker()->query();
    // The class-token attention of the last layer, all heads fused by mean.
    QCOMPARE(q.layer, s->result()->attention.layers() - 1);
    QCOMPARE(q.head, -1);
    QCOMPARE(q.sourceToken, s->result()->tokens.clsIndex);
    QVERIFY(!q.rollout);
    QVERIFY(!q.reverse);
    expectDisplayedMapMatchesCore();
    QVERIFY(!mWindow->attentionView()->figure().image().isNull());
    QCOMPARE(mWindow->attentionView()->figure().image().width(), s->result()->inputW);
    QVERIFY(!mWindow->grab().isNull());
    QVERIFY(mWindow->statusBar()
                ->findChild<QLabel*>(QStringLiteral("timingLabel"))
                ->text()
                .contains(QStringLiteral("forward")));
}

void TestMainWindow::predictionsFollowTopK() {
    const auto s = mWindow->snapshot();
    QVERIFY(s->model->config().hasHead());
    const auto top = core::topK(*s->model, *s->result(), 5);
    const QStringList shown = mWindow->predictionsPanel()->labels();
    QCOMPARE(shown.size(), static_cast<int>(top.size()));
    for (size_t i = 0; i < top.size(); ++i) {
        QCOMPARE(shown[static_cast<int>(i)], QString::fromStdString(top[i].label));
        QCOMPARE(mWindow->predictionsPanel()->probabilities()[i], top[i].probability);
    }
}

void TestMainWindow::modelPanelCountsTokens() {
    const auto s = mWindow->snapshot();
    const auto& t = s->result()->tokens;
    const QString tokens = mWindow->modelPanel()->field(QStringLiteral("Tokens"));
    QCOMPARE(tokens, ui::ModelPanel::tokensText(t, s->model->config().embedDim));
    QVERIFY(tokens.startsWith(QString::number(t.numPatches()) + QStringLiteral(" patches")));
    QVERIFY(tokens.contains(
        QStringLiteral("= %1 x %2").arg(t.numTokens()).arg(s->model->config().embedDim)));
    QVERIFY(!mWindow->modelPanel()->field(QStringLiteral("Preprocessing")).isEmpty());
}

void TestMainWindow::layerAndHeadSwitching() {
    auto* picker = mWindow->picker();
    const int layers = mWindow->snapshot()->result()->attention.layers();
    const int heads = mWindow->snapshot()->result()->attention.heads();
    picker->findChild<QSpinBox*>(QStringLiteral("layerSpin"))->setValue(1);  // 1-based
    QCOMPARE(picker->query().layer, 0);
    expectDisplayedMapMatchesCore();
    auto* headCombo = picker->findChild<QComboBox*>(QStringLiteral("headCombo"));
    headCombo->setCurrentIndex(headCombo->findData(heads - 1));
    QCOMPARE(picker->query().head, heads - 1);
    expectDisplayedMapMatchesCore();
    picker->setLayerAndHead(layers - 1, 0);
    QCOMPARE(picker->query().layer, layers - 1);
    QCOMPARE(picker->query().head, 0);
    expectDisplayedMapMatchesCore();
}

void TestMainWindow::keyboardShortcuts() {
    auto* picker = mWindow->picker();
    picker->setLayerAndHead(1, 0);
    auto trigger = [&](const QString& text) {
        for (QAction* a : picker->navigationActions()) {
            if (a->text() == text) {
                a->trigger();
                return true;
            }
        }
        return false;
    };
    // The actions carry the shortcuts; trigger them as the shortcut map would.
    QVERIFY(trigger(QStringLiteral("Previous Layer")));
    QCOMPARE(picker->query().layer, 0);
    QVERIFY(trigger(QStringLiteral("Next Layer")));
    QCOMPARE(picker->query().layer, 1);
    QVERIFY(trigger(QStringLiteral("Next Head")));
    QCOMPARE(picker->query().head, 1);
    QVERIFY(trigger(QStringLiteral("Previous Head")));
    QCOMPARE(picker->query().head, 0);
    QVERIFY(trigger(QStringLiteral("Previous Head")));
    QCOMPARE(picker->query().head, -1);  // wraps to "all heads fused"
    expectDisplayedMapMatchesCore();
    for (QAction* a : picker->navigationActions()) {
        QVERIFY2(!a->shortcuts().isEmpty(), qPrintable(a->text()));
    }
    // A real key press, when the platform gives the window focus.
    mWindow->activateWindow();
    if (QTest::qWaitForWindowActive(mWindow.get(), 2000)) {
        // From the image: a focused slider or spin box keeps Page Up (tst_guidance).
        mWindow->attentionView()->setFocus();
        const int layers = mWindow->snapshot()->result()->attention.layers();
        QTest::keyClick(mWindow.get(), Qt::Key_BracketRight);
        QTRY_COMPARE(picker->query().layer, std::min(2, layers - 1));
        QTest::keyClick(mWindow.get(), Qt::Key_PageUp);
        QTRY_COMPARE(picker->query().layer, std::min(1, layers - 1));
    }
}

void TestMainWindow::clickPatchMakesItTheSource() {
    mWindow->picker()->setLayerAndHead(mWindow->snapshot()->result()->attention.layers() - 1, -1);
    auto* view = mWindow->attentionView();
    const auto& t = mWindow->snapshot()->result()->tokens;
    const int row = t.gridH - 1;
    const int col = t.gridW / 2;
    const QPointF centre = view->figure().patchRect(view->imageRect(), row, col).center();
    QTest::mouseClick(view, Qt::LeftButton, {}, centre.toPoint());
    QCOMPARE(mWindow->picker()->query().sourceToken, t.patchToken(row, col));
    expectDisplayedMapMatchesCore();
    auto* source = mWindow->picker()->findChild<QComboBox*>(QStringLiteral("sourceCombo"));
    // Named 1-based by core::tokenLabel, as everywhere a person reads a patch.
    QCOMPARE(source->currentText(),
             QStringLiteral("Patch (row %1, column %2)").arg(row + 1).arg(col + 1));
}

void TestMainWindow::hoverShowsPatchTokenAndValue() {
    auto* view = mWindow->attentionView();
    const auto& t = mWindow->snapshot()->result()->tokens;
    QSignalSpy spy(view, &ui::AttentionView::hovered);
    const QPointF centre = view->figure().patchRect(view->imageRect(), 1, 2).center();
    QTest::mouseMove(view, centre.toPoint());
    QTRY_VERIFY(!spy.isEmpty());
    const QList<QVariant> args = spy.takeLast();
    QCOMPARE(args[0].toInt(), 1);
    QCOMPARE(args[1].toInt(), 2);
    QCOMPARE(args[2].toInt(), t.patchToken(1, 2));
    QCOMPARE(args[3].toFloat(), view->figure().map()(1, 2));
    // 1-based names from core::tokenLabel / core::tokenId: patch (1, 2) is row 2, column 3.
    const QString message = mWindow->statusBar()->currentMessage();
    QVERIFY2(message.contains(QStringLiteral("patch (row 2, column 3)")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("r2c3")), qPrintable(message));
    // The first patch is row 1, column 1, never row 0.
    const QPointF first = view->figure().patchRect(view->imageRect(), 0, 0).center();
    QTest::mouseMove(view, first.toPoint());
    QTRY_VERIFY(mWindow->statusBar()->currentMessage().contains(QStringLiteral("r1c1")));
    QVERIFY2(
        mWindow->statusBar()->currentMessage().contains(QStringLiteral("patch (row 1, column 1)")),
        qPrintable(mWindow->statusBar()->currentMessage()));
}

void TestMainWindow::fusionReverseAndRollout() {
    auto* picker = mWindow->picker();
    picker->setLayerAndHead(mWindow->snapshot()->result()->attention.layers() - 1, -1);
    auto* fusion = picker->findChild<QComboBox*>(QStringLiteral("fusionCombo"));
    for (core::HeadFusion f :
         {core::HeadFusion::Max, core::HeadFusion::Min, core::HeadFusion::Mean}) {
        fusion->setCurrentIndex(fusion->findData(static_cast<int>(f)));
        QCOMPARE(picker->query().fusion, f);
        expectDisplayedMapMatchesCore();
    }
    picker->findChild<QCheckBox*>(QStringLiteral("reverseCheck"))->setChecked(true);
    QVERIFY(picker->query().reverse);
    expectDisplayedMapMatchesCore();
    picker->findChild<QCheckBox*>(QStringLiteral("reverseCheck"))->setChecked(false);

    picker->findChild<QCheckBox*>(QStringLiteral("rolloutCheck"))->setChecked(true);
    QVERIFY(picker->query().rollout);
    expectDisplayedMapMatchesCore();
    picker->findChild<QDoubleSpinBox*>(QStringLiteral("discardSpin"))->setValue(0.5);
    QCOMPARE(picker->query().discardRatio, 0.5f);
    expectDisplayedMapMatchesCore();
    fusion->setCurrentIndex(fusion->findData(static_cast<int>(core::HeadFusion::Max)));
    expectDisplayedMapMatchesCore();
    QVERIFY(mWindow->attentionView()->figure().caption().contains(QStringLiteral("rollout")));
    picker->findChild<QCheckBox*>(QStringLiteral("rolloutCheck"))->setChecked(false);
    fusion->setCurrentIndex(fusion->findData(static_cast<int>(core::HeadFusion::Mean)));
}

void TestMainWindow::headsPanelClickSelectsHead() {
    auto* heads = mWindow->headsPanel();
    const int numHeads = mWindow->snapshot()->result()->attention.heads();
    mWindow->picker()->setLayerAndHead(0, -1);
    QCoreApplication::processEvents();
    QCOMPARE(static_cast<int>(heads->figure().maps().size()) >= numHeads, true);
    const int target = numHeads - 1;
    // Each small multiple is the core's map of that head.
    AttentionQuery q = mWindow->picker()->query();
    q.head = target;
    QVERIFY(heads->figure().maps()[static_cast<size_t>(target)] ==
            coreMap(*mWindow->snapshot()->result(), q));
    QTest::mouseClick(heads, Qt::LeftButton, {}, heads->headRect(target).center().toPoint());
    QCOMPARE(mWindow->picker()->query().head, target);
    QCOMPARE(mWindow->picker()->query().layer, 0);
    expectDisplayedMapMatchesCore();
}

void TestMainWindow::headsPanelFillsAShortDock() {
    // Twelve heads (ViT-B's count) in the Heads dock of a 1366 x 768 window (~300 x 130 px):
    // 6 x 2 tiles, not the 4 x 3 the width alone suggests, whose tiles are a third smaller.
    core::VitConfig c;
    c.patchSize = 4;
    c.imageH = c.imageW = 16;
    c.embedDim = 48;
    c.numHeads = 12;
    c.depth = 1;
    c.mlpDim = 96;
    auto model = core::makeSyntheticModel(c, 3);
    QVERIFY(model.ok());
    core::ImageTensor x{3, 16, 16, std::vector<float>(3 * 16 * 16, 0.5f)};
    auto r = core::runForward(**model, x);
    QVERIFY(r.ok());
    ui::HeadsPanel heads;
    heads.setSynchronousLimit(std::numeric_limits<qint64>::max());
    heads.resize(300, 130);
    QImage image(16, 16, QImage::Format_RGB888);
    image.fill(Qt::gray);
    heads.setResult(image, std::make_shared<const core::InferenceResult>(std::move(r.value())));
    heads.setQuery({});
    QCOMPARE(heads.figure().cols(), 6);
    const QRectF tile = heads.headRect(0);
    QVERIFY2(tile.width() >= 30, qPrintable(QString::number(tile.width())));
    heads.resize(300, 600);  // a tall dock: 3 x 4 tiles of ~100 px rather than 4 x 3 of 75
    QCOMPARE(heads.figure().cols(), 3);
    QVERIFY2(heads.headRect(0).width() >= 90,
             qPrintable(QString::number(heads.headRect(0).width())));
}

void TestMainWindow::overviewClickSelectsLayerAndHead() {
    auto* dock = mWindow->findChild<QDockWidget*>(QStringLiteral("overviewDock"));
    QVERIFY(dock);
    dock->show();
    dock->raise();
    auto* overview = mWindow->overview();
    QTRY_VERIFY(overview->isVisible());
    const auto& att = mWindow->snapshot()->result()->attention;
    QCOMPARE(overview->figure().rows(), att.layers());
    QCOMPARE(overview->figure().cols(), att.heads());
    const int layer = att.layers() - 1;
    const int head = att.heads() / 2;
    const QRectF tile = overview->tileRect(layer, head);
    QVERIFY(!tile.isEmpty());
    QTest::mouseClick(overview, Qt::LeftButton, {}, tile.center().toPoint());
    QCOMPARE(mWindow->picker()->query().layer, layer);
    QCOMPARE(mWindow->picker()->query().head, head);
    expectDisplayedMapMatchesCore();
}

void TestMainWindow::overviewMapsOffGuiThread() {
    // Past the synchronous limit (large models) the grid's maps are a JobRunner job.
    auto* overview = mWindow->overview();
    overview->setSynchronousLimit(0);
    const auto s = mWindow->snapshot();
    const auto& t = s->result()->tokens;
    mWindow->picker()->setSourcePatch(t.gridH - 1, t.gridW - 1);  // new tiles: a new job
    const AttentionQuery q = mWindow->picker()->query();
    QVERIFY(!mWindow->overview()->mapJobs()->isBusy() ||
            overview->figure().maps().empty());  // nothing stale shown while it runs
    QTRY_VERIFY_WITH_TIMEOUT(!overview->mapJobs()->isBusy() && !overview->figure().maps().empty(),
                             kTimeoutMs);
    const int last = s->result()->attention.layers() * s->result()->attention.heads() - 1;
    AttentionQuery lastTile = q;
    lastTile.layer = s->result()->attention.layers() - 1;
    lastTile.head = s->result()->attention.heads() - 1;
    QVERIFY(overview->figure().maps()[static_cast<size_t>(last)] ==
            coreMap(*s->result(), lastTile));
    overview->setSynchronousLimit(ui::HeadGridView::kDefaultSynchronousLimit);
}

void TestMainWindow::badFileKeepsState_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("isModel");
    QTest::newRow("missing image")
        << kData + QStringLiteral("/bad/images/does_not_exist.png") << false;
    QTest::newRow("missing model") << kData + QStringLiteral("/bad/models/does_not_exist") << true;
    const QDir images(kData + QStringLiteral("/bad/images"));
    for (const QFileInfo& f : images.entryInfoList(QDir::Files, QDir::Name)) {
        if (f.suffix() != QStringLiteral("md")) {
            QTest::newRow(qPrintable(QStringLiteral("image ") + f.fileName()))
                << f.absoluteFilePath() << false;
        }
    }
    // Checkpoints: the core's broken files at the top of bad/ and the model cases in bad/models/.
    const QDir bad(kData + QStringLiteral("/bad"));
    for (const QFileInfo& f : bad.entryInfoList(QDir::Files, QDir::Name)) {
        const QString suffix = f.suffix().toLower();
        if (suffix == QStringLiteral("safetensors") || suffix == QStringLiteral("npz") ||
            f.fileName().endsWith(QStringLiteral(".index.json"))) {
            QTest::newRow(qPrintable(QStringLiteral("model ") + f.fileName()))
                << f.absoluteFilePath() << true;
        }
    }
    const QDir models(kData + QStringLiteral("/bad/models"));
    for (const QFileInfo& f :
         models.entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        if (f.suffix() != QStringLiteral("md")) {
            QTest::newRow(qPrintable(QStringLiteral("model ") + f.fileName()))
                << f.absoluteFilePath() << true;
        }
    }
}

void TestMainWindow::badFileKeepsState() {
    QFETCH(QString, path);
    QFETCH(bool, isModel);
    QVERIFY(waitForResult());
    const ui::SnapshotPtr before = mWindow->snapshot();
    const AttentionQuery queryBefore = mWindow->picker()->query();
    const QStringList labelsBefore = mWindow->predictionsPanel()->labels();
    const core::Matrix mapBefore = mWindow->attentionView()->figure().map();
    const int errorsBefore = static_cast<int>(mErrors.size());
    isModel ? mWindow->openModel(path) : mWindow->openImage(path);
    QTRY_COMPARE_WITH_TIMEOUT(static_cast<int>(mErrors.size()), errorsBefore + 1, kTimeoutMs);
    QTRY_VERIFY(!mWindow->controller()->isBusy());
    const QString error = mErrors.last();
    // The message names the file and the problem.
    QVERIFY2(error.contains(QFileInfo(path).fileName()), qPrintable(error));
    QVERIFY2(error.startsWith(isModel ? QStringLiteral("Cannot open model")
                                      : QStringLiteral("Cannot open image")),
             qPrintable(error));
    // Nothing changed: same snapshot (model, image, result), same display.
    QCOMPARE(mWindow->snapshot().get(), before.get());
    QCOMPARE(mWindow->snapshot()->model.get(), before->model.get());
    QCOMPARE(mWindow->picker()->query(), queryBefore);
    QCOMPARE(mWindow->predictionsPanel()->labels(), labelsBefore);
    QVERIFY(mWindow->attentionView()->figure().map() == mapBefore);
}

void TestMainWindow::newRequestCancelsRunning() {
    const QString first = kData + QStringLiteral("/images/rgb16.png");
    const QString second = defaultImage();
    QSignalSpy snapshots(mWindow->controller(), &ui::InferenceController::snapshotChanged);
    mWindow->openImage(first);
    mWindow->openImage(second);
    QVERIFY(waitForResult(QFileInfo(second).fileName()));
    // Whatever finished first, the window ends on the image asked for last.
    QCOMPARE(mWindow->snapshot()->imagePath, second);
    QVERIFY(snapshots.size() >= 1);
    QVERIFY(mWindow->recentImages().contains(QFileInfo(second).absoluteFilePath()));
}

void TestMainWindow::runOptionsRerunCurrentImage() {
    QVERIFY(waitForResult());
    const ui::SnapshotPtr before = mWindow->snapshot();
    const auto errorsBefore = mErrors.size();
    const core::VitConfig& config = before->model->config();
    core::RunOptions options;
    options.sizeH = 2 * config.imageH;  // twice the trained grid: position embeddings resampled
    options.sizeW = 2 * config.imageW;
    mWindow->controller()->setRunOptions(options);
    QTRY_VERIFY_WITH_TIMEOUT(mWindow->snapshot() != before && !mWindow->controller()->isBusy(),
                             kTimeoutMs);
    const auto s = mWindow->snapshot();
    // Same model and image, a new Run at the asked size, from the same decoded source.
    QCOMPARE(s->model.get(), before->model.get());
    QCOMPARE(s->imagePath, before->imagePath);
    QCOMPARE(s->run->source.get(), before->run->source.get());
    QCOMPARE(s->result()->inputH, 2 * config.imageH);
    QCOMPARE(s->run->recipe->outputH(), 2 * config.imageH);
    QCOMPARE(s->result()->tokens.gridH, 2 * config.gridH());
    expectDisplayedMapMatchesCore();
    mWindow->controller()->setRunOptions({});  // back to the model's own size
    QTRY_VERIFY_WITH_TIMEOUT(
        mWindow->snapshot()->result()->inputH == config.imageH && !mWindow->controller()->isBusy(),
        kTimeoutMs);
    QCOMPARE(mErrors.size(), errorsBefore);
}

void TestMainWindow::pasteImageFromClipboard() {
    QImage image(40, 30, QImage::Format_RGB32);
    image.fill(QColor(200, 40, 90));
    QGuiApplication::clipboard()->setImage(image);
    QVERIFY(QGuiApplication::clipboard()->mimeData()->hasImage());
    mWindow->pasteImage();
    QVERIFY(waitForResult(QStringLiteral("clipboard image")));
    QVERIFY(mWindow->snapshot()->result());
    mWindow->openImage(defaultImage());
    QVERIFY(waitForResult(QFileInfo(defaultImage()).fileName()));
}

void TestMainWindow::prefixTokensAndNoHead_data() {
    QTest::addColumn<QString>("testCase");
    QTest::addColumn<QString>("sourceItem");
    QTest::newRow("DeiT distilled: 2 prefix tokens") << "hf_deit_distilled"
                                                     << "Distillation token";
    QTest::newRow("DINOv2 registers") << "hf_dinov2_reg_cls"
                                      << "Register 1";
    QTest::newRow("no head") << "hf_vit_nohead"
                             << "Class token";
}

void TestMainWindow::prefixTokensAndNoHead() {
    QFETCH(QString, testCase);
    QFETCH(QString, sourceItem);
    const QString dir = kData + QStringLiteral("/models/") + testCase;
    QVERIFY2(QFileInfo::exists(dir), qPrintable(dir));
    MainWindow window(kResources);
    QStringList errors;
    window.setErrorHandler([&](const QString& t, const QString& m) { errors << t + ": " + m; });
    window.resize(1200, 800);
    window.show();
    window.openModel(dir);
    window.openImage(kData + QStringLiteral("/images/rgb16.png"));
    QTRY_VERIFY_WITH_TIMEOUT(
        window.snapshot() && window.snapshot()->result() && !window.controller()->isBusy(),
        kTimeoutMs);
    QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
    const auto s = window.snapshot();
    auto* source = window.picker()->findChild<QComboBox*>(QStringLiteral("sourceCombo"));
    QVERIFY(source->findText(sourceItem) >= 0);
    QCOMPARE(source->count(), s->result()->tokens.numPrefix);
    // Pick every prefix token in turn: the map is always over the patch grid only.
    for (int i = 0; i < source->count(); ++i) {
        source->setCurrentIndex(i);
        const core::Matrix& map = window.attentionView()->figure().map();
        QCOMPARE(map.rows(), static_cast<Eigen::Index>(s->result()->tokens.gridH));
        QVERIFY(map == coreMap(*s->result(), window.picker()->query()));
    }
    if (!s->model->config().hasHead()) {
        QVERIFY(window.predictionsPanel()->labels().isEmpty());
        QVERIFY(window.predictionsPanel()
                    ->findChild<QLabel*>(QStringLiteral("predictionsMessage"))
                    ->text()
                    .contains(QStringLiteral("no classification head")));
    }
}

void TestMainWindow::settingsPersist() {
    mWindow->setColormap(core::Colormap::Inferno);
    mWindow->setOpacity(0.35);
    mWindow->close();  // saves the settings
    MainWindow second(kResources);
    QCOMPARE(second.attentionView()->colormap(), core::Colormap::Inferno);
    QCOMPARE(second.attentionView()->opacity(), 0.35);
    QVERIFY(second.recentModels().contains(QFileInfo(defaultModel()).absoluteFilePath()));
    QVERIFY(second.recentImages().contains(QFileInfo(defaultImage()).absoluteFilePath()));
}

QTEST_MAIN(TestMainWindow)
#include "tst_main_window.moc"
