// "Export all overlays" from the real window: file names, every layer x head written off the GUI
// thread, cancel between files, errors, and the window left exactly as it was.
#include "main_window_fixture.h"

using namespace vitscope;
using namespace vitscope::test;

class TestOverlayExport : public QObject, vitscope::test::MainWindowFixture {
    Q_OBJECT

private slots:
    void initTestCase() { openWindow("tst_overlay_export"); }
    void cleanupTestCase() { closeWindow(); }
    void overlayFileNames();
    void exportAllOverlays();
    void exportAllOverlaysCancel();
    void exportOverlaysStopsBetweenFiles();
    void exportOverlaysErrors();
};

void TestOverlayExport::overlayFileNames() {
    QCOMPARE(ui::overlayFileName(2, 6, 12, 12, QStringLiteral("png")),
             QStringLiteral("layer03_head07.png"));
    QCOMPARE(ui::overlayFileName(2, -1, 4, 4, QStringLiteral("svg")),
             QStringLiteral("layer03_mean.svg"));
    QCOMPARE(ui::overlayFileName(0, 0, 120, 4, QStringLiteral("pdf")),
             QStringLiteral("layer001_head01.pdf"));
}

void TestOverlayExport::exportAllOverlays() {
    QVERIFY(waitForResult());
    mWindow->setColormap(core::Colormap::Magma);
    const auto& att = mWindow->snapshot()->result()->attention;
    const int layers = att.layers();
    const int heads = att.heads();
    QVERIFY(layers >= 2 && heads >= 2);
    mWindow->picker()->setLayerAndHead(1, 1);
    const WindowState before = windowState();
    mWindow->exports()->setOverlayFormat(QStringLiteral("png"));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(runExportAll(dir.path()));
    QVERIFY2(mErrors.size() == before.errors, qPrintable(mErrors.join('\n')));
    QVERIFY2(mWindow->statusBar()->currentMessage().contains(
                 QStringLiteral("Exported %1 files").arg(layers * (heads + 1))),
             qPrintable(mWindow->statusBar()->currentMessage()));

    // Exactly one PNG per layer x head plus one mean per layer, each decoding at the size of a
    // single export of the attention figure.
    const QStringList files = QDir(dir.path()).entryList(QDir::Files, QDir::Name);
    QCOMPARE(files.size(), layers * (heads + 1));
    ui::AttentionFigure shown = mWindow->attentionView()->figure();
    shown.setPalette({});
    const QSize expected = ui::exportPixelSize(shown, 2.0);
    for (int l = 0; l < layers; ++l) {
        for (int h = -1; h < heads; ++h) {
            const QString name = ui::overlayFileName(l, h, layers, heads, QStringLiteral("png"));
            QVERIFY2(files.contains(name), qPrintable(name));
            const QImage image(QDir(dir.path()).filePath(name));
            QVERIFY2(!image.isNull(), qPrintable(name));
            QCOMPARE(image.size(), expected);
        }
    }
    // The file for the selection on screen is the single export of what the view shows: same
    // painter, same image, map, colormap, source and caption.
    const QString single = QDir(dir.path()).filePath(QStringLiteral("single.png"));
    QVERIFY(ui::exportFigure(shown, single));
    QCOMPARE(QImage(QDir(dir.path()).filePath(QStringLiteral("layer02_head02.png"))),
             QImage(single));
    expectWindowState(before);
    QVERIFY(mWindow->exports()->exportAllAction()->isEnabled());
    QVERIFY(!mWindow->exports()->progressDialog());
    mWindow->setColormap(core::Colormap::Viridis);
}

void TestOverlayExport::exportAllOverlaysCancel() {
    QVERIFY(waitForResult());
    const WindowState before = windowState();
    const auto& att = mWindow->snapshot()->result()->attention;
    const int total = att.layers() * (att.heads() + 1);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // Press Cancel on the progress dialog as soon as the first file is reported.
    ui::ExportMenu* exports = mWindow->exports();
    const auto connection =
        connect(exports->batchExporter(), &ui::BatchExporter::progressChanged, this, [exports] {
            if (QProgressDialog* dialog = exports->progressDialog()) {
                emit dialog->canceled();
            }
        });
    QVERIFY(runExportAll(dir.path()));
    disconnect(connection);
    const int written = static_cast<int>(QDir(dir.path()).entryList(QDir::Files).size());
    QVERIFY2(written >= 1 && written < total, qPrintable(QString::number(written)));
    QVERIFY2(mWindow->statusBar()->currentMessage().contains(QStringLiteral("cancelled")),
             qPrintable(mWindow->statusBar()->currentMessage()));
    expectWindowState(before);
    QVERIFY(mWindow->exports()->exportAllAction()->isEnabled());
}

void TestOverlayExport::exportOverlaysStopsBetweenFiles() {
    ui::OverlayBatch batch;
    batch.result = mWindow->snapshot()->run->result;
    batch.style = mWindow->attentionView()->figure();
    batch.sourceToken = mWindow->picker()->query().sourceToken;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    batch.folder = dir.filePath(QStringLiteral("svg"));  // created by the batch
    batch.format = QStringLiteral("svg");
    std::atomic<bool> cancel{false};
    QStringList reported;
    const auto written = ui::exportOverlays(
        batch,
        [&](int done, int total, const QString& path) {
            QCOMPARE(total, ui::overlayCount(*batch.result));
            QCOMPARE(done, static_cast<int>(reported.size()) + 1);
            reported << path;
            cancel = true;  // cancel after the first file
        },
        &cancel);
    QVERIFY(written);
    QCOMPARE(written.value(), 1);
    const QStringList files = QDir(batch.folder).entryList(QDir::Files);
    QCOMPARE(files, QStringList{QStringLiteral("layer01_head01.svg")});
    QCOMPARE(reported, QStringList{QDir(batch.folder).filePath(files.first())});
}

void TestOverlayExport::exportOverlaysErrors() {
    ui::OverlayBatch batch;
    batch.result = mWindow->snapshot()->run->result;
    batch.sourceToken = mWindow->picker()->query().sourceToken;
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    batch.folder = dir.path();
    batch.format = QStringLiteral("bmp");
    auto r = ui::exportOverlays(batch);
    QVERIFY(!r);
    QVERIFY(QString::fromStdString(r.error().message).contains(QStringLiteral("bmp")));
    batch.format = QStringLiteral("png");
    batch.sourceToken = batch.result->tokens.numTokens();
    QVERIFY(!ui::exportOverlays(batch));
    batch.sourceToken = 0;
    // A folder that cannot be created: its parent is a file.
    QFile blocker(dir.filePath(QStringLiteral("file")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    batch.folder = dir.filePath(QStringLiteral("file/sub"));
    r = ui::exportOverlays(batch);
    QVERIFY(!r);
    QCOMPARE(r.error().code, core::ErrorCode::Io);
    QVERIFY(QString::fromStdString(r.error().message).contains(batch.folder));
    batch.result.reset();
    QVERIFY(!ui::exportOverlays(batch));
    // No attention yet in a fresh window: the action reports instead of asking for a folder.
    MainWindow empty(kResources);
    QStringList errors;
    empty.setErrorHandler([&](const QString& t, const QString& m) { errors << t + ": " + m; });
    bool asked = false;
    empty.setFolderChooser([&](const QString&) {
        asked = true;
        return dir.path();
    });
    empty.exports()->exportAllAction()->trigger();
    QVERIFY(!asked);
    QCOMPARE(errors.size(), 1);
    QVERIFY(errors.first().startsWith(QStringLiteral("Cannot export overlays")));
}

QTEST_MAIN(TestOverlayExport)
#include "tst_overlay_export.moc"
