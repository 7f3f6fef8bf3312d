// The real MainWindow driven through every broken fixture (issue 11): each hostile model or image
// is reported with a message naming the file, and the model, image, layer, head and query token
// that were open stay open. A slow job can be cancelled from the status bar, and closing the
// window while a job runs returns within seconds.
#include <sys/stat.h>
#include <unistd.h>

#include <QElapsedTimer>
#include <QToolButton>

#include "main_window_fixture.h"

using namespace vitscope::test;

namespace {
const QString kHfModel = kData + QStringLiteral("/models/hf_vit_cls");
const QString kBad = kData + QStringLiteral("/bad");
constexpr int kErrorTimeoutMs = 10'000;

/// A forward that takes seconds: hf_vit_cls at 640 (6400 tokens, 2 blocks) about 2.6 s and the
/// bundled model at 280 (4900 tokens, 6 blocks) about 4.7 s on an idle core, more when loaded.
core::RunOptions slowRunOptions(int size) {
    core::RunOptions o;
    o.sizeH = size;
    o.sizeW = size;
    return o;
}
}  // namespace

class TestHostileWindow : public QObject, public MainWindowFixture {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase() { closeWindow(); }
    void hostileModelKeepsState_data();
    void hostileModelKeepsState();
    void hostileImageKeepsState_data();
    void hostileImageKeepsState();
    void cancelSlowRunKeepsState();
    void closingDuringSlowRunExits();

private:
    struct Kept {
        const core::VitModel* model;
        QString modelPath;
        QString imagePath;
        AttentionQuery query;
    };
    Kept kept() const;
    void expectKept() const;
    void expectReported(const QString& path, const QString& name, int errorsBefore);

    QTemporaryDir mTemp;
    Kept mBefore{};
};

TestHostileWindow::Kept TestHostileWindow::kept() const {
    const auto s = mWindow->snapshot();
    return {s ? s->model.get() : nullptr, s ? s->modelPath : QString(),
            s ? s->imagePath : QString(), mWindow->picker()->query()};
}

void TestHostileWindow::expectKept() const {
    QVERIFY(QTest::qWaitFor([&] { return !mWindow->controller()->isBusy(); }, kErrorTimeoutMs));
    const Kept now = kept();
    QCOMPARE(now.model, mBefore.model);
    QCOMPARE(now.modelPath, mBefore.modelPath);
    QCOMPARE(now.imagePath, mBefore.imagePath);
    QCOMPARE(now.query.layer, mBefore.query.layer);
    QCOMPARE(now.query.head, mBefore.query.head);
    QCOMPARE(now.query.sourceToken, mBefore.query.sourceToken);
    QCOMPARE(now.query, mBefore.query);
    QVERIFY(!mWindow->controller()->isBusy());
}

void TestHostileWindow::expectReported(const QString& path, const QString& name, int errorsBefore) {
    QElapsedTimer timer;
    timer.start();
    QVERIFY2(QTest::qWaitFor([&] { return mErrors.size() > errorsBefore; }, kErrorTimeoutMs),
             qPrintable(QStringLiteral("no error reported within 10 s for ") + path));
    QVERIFY(timer.elapsed() < kErrorTimeoutMs);
    const QString error = mErrors.last();
    qInfo("%s", qPrintable(error.simplified()));
    // "Could not open the model “path”.\n\n<detail>\n\n<what is kept>": the detail, not just
    // the heading that repeats the path, must name the file.
    const QString detail = error.section(QStringLiteral("\n\n"), 1, 1);
    QVERIFY2(!detail.trimmed().isEmpty(), qPrintable(error));
    QVERIFY2(detail.contains(name),
             qPrintable(QStringLiteral("'%1' not named in: %2").arg(name, error)));
}

void TestHostileWindow::initTestCase() {
    QVERIFY(mTemp.isValid());
    openWindow("tst_hostile_window");
    mWindow->openModel(kHfModel);
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     const auto s = mWindow->snapshot();
                     return !mWindow->controller()->isBusy() && s && s->result() &&
                            s->modelPath == kHfModel;
                 },
                 kTimeoutMs),
             qPrintable(mErrors.join('\n')));
    // A non-default layer, head and query token, as a user would pick them.
    const auto s = mWindow->snapshot();
    QVERIFY(s->result()->attention.layers() >= 2 && s->result()->attention.heads() >= 3);
    mWindow->picker()->setLayerAndHead(1, 2);
    mWindow->picker()->setSourcePatch(1, 2);
    QVERIFY(QTest::qWaitFor([&] { return !mWindow->controller()->isBusy(); }, kTimeoutMs));
    mBefore = kept();
    QCOMPARE(mBefore.query.layer, 1);
    QCOMPARE(mBefore.query.head, 2);
    QCOMPARE(mBefore.query.sourceToken, s->result()->tokens.patchToken(1, 2));
    QVERIFY(mBefore.query.sourceToken != s->result()->tokens.clsIndex);
    QCOMPARE(mBefore.imagePath, defaultImage());
    mErrors.clear();

    // Hostile paths that cannot be committed.
    const QString fifo = mTemp.path() + QStringLiteral("/fifo.safetensors");
    QVERIFY(::mkfifo(fifo.toLocal8Bit().constData(), 0600) == 0);
    QVERIFY(::symlink("/nonexistent/vitscope/model.safetensors",
                      (mTemp.path() + "/dangling.safetensors").toLocal8Bit().constData()) == 0);
    QVERIFY(QDir(mTemp.path()).mkpath(QStringLiteral("config_is_folder/config.json")));
    QVERIFY(QFile::copy(kHfModel + QStringLiteral("/model.safetensors"),
                        mTemp.path() + QStringLiteral("/config_is_folder/model.safetensors")));
    QFile weights(mTemp.path() + QStringLiteral("/not_a_folder"));
    QVERIFY(weights.open(QIODevice::WriteOnly) && weights.write("x") == 1);
    weights.close();
}

void TestHostileWindow::hostileModelKeepsState_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("name");  // what the message must name
    const QDir bad(kBad);
    for (const QString& f :
         bad.entryList({"*.safetensors", "*.npz", "*.index.json"}, QDir::Files)) {
        QTest::newRow(qPrintable(f)) << bad.filePath(f) << f;
    }
    // Model folders: the message names the file inside that is broken. (many_classes and
    // no_pos_embed are valid models kept for other tests.)
    const QList<std::pair<const char*, const char*>> folders{
        {"nonfinite_weight", "model.safetensors"},
        {"unknown_tensor", "model.safetensors"},
        {"models/config_not_json", "config.json"},
        {"models/heads_not_dividing", "config.json"},
        {"models/missing_tensor", "model.safetensors"},
        {"models/pickle_hf", "pytorch_model.bin"},
        {"models/wrong_shape", "model.safetensors"},
    };
    for (const auto& [folder, file] : folders) {
        QTest::newRow(folder) << bad.filePath(QString::fromLatin1(folder))
                              << QString::fromLatin1(file);
    }
    const QDir models(kBad + QStringLiteral("/models"));
    for (const QString& m : models.entryList(QDir::Files)) {
        if (m != QLatin1String("README.md"))
            QTest::newRow(qPrintable("models/" + m)) << models.filePath(m) << m;
    }
    const QString t = mTemp.path();
    QTest::newRow("fifo") << t + "/fifo.safetensors"
                          << "fifo.safetensors";
    QTest::newRow("dangling symlink") << t + "/dangling.safetensors"
                                      << "dangling.safetensors";
    QTest::newRow("config.json is a folder") << t + "/config_is_folder"
                                             << "config.json";
    QTest::newRow("path through a file (ENOTDIR)") << t + "/not_a_folder/model.safetensors"
                                                   << "model.safetensors";
}

void TestHostileWindow::hostileModelKeepsState() {
    QFETCH(QString, path);
    QFETCH(QString, name);
    const int errorsBefore = static_cast<int>(mErrors.size());
    mWindow->openModel(path);
    expectReported(path, name, errorsBefore);
    expectKept();
}

void TestHostileWindow::hostileImageKeepsState_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("name");
    const QDir images(kBad + QStringLiteral("/images"));
    for (const QString& f : images.entryList(QDir::Files)) {
        if (f != QLatin1String("README.md"))
            QTest::newRow(qPrintable(f)) << images.filePath(f) << f;
    }
    const QString t = mTemp.path();
    QTest::newRow("fifo") << t + "/fifo.safetensors"
                          << "fifo.safetensors";
    QTest::newRow("dangling symlink") << t + "/dangling.safetensors"
                                      << "dangling.safetensors";
    QTest::newRow("folder") << t + "/config_is_folder"
                            << "config_is_folder";
}

void TestHostileWindow::hostileImageKeepsState() {
    QFETCH(QString, path);
    QFETCH(QString, name);
    const int errorsBefore = static_cast<int>(mErrors.size());
    mWindow->openImage(path);
    expectReported(path, name, errorsBefore);
    expectKept();
}

void TestHostileWindow::cancelSlowRunKeepsState() {
    QToolButton* cancel = nullptr;
    for (QToolButton* b : mWindow->statusBar()->findChildren<QToolButton*>()) {
        if (b->text() == QLatin1String("Cancel"))
            cancel = b;
    }
    QVERIFY(cancel);
    mWindow->controller()->setRunOptions(slowRunOptions(640));
    mWindow->openImage(kResources + QStringLiteral("/samples/fashion-mnist/1-trouser.png"));
    QVERIFY(QTest::qWaitFor([&] { return mWindow->controller()->isBusy(); }, 5000));
    QTest::qWait(200);
    QVERIFY(mWindow->controller()->isBusy());  // still running: the run is slow
    QVERIFY(cancel->isVisible());
    QElapsedTimer timer;
    timer.start();
    QTest::mouseClick(cancel, Qt::LeftButton);
    QVERIFY(QTest::qWaitFor([&] { return !mWindow->controller()->isBusy(); }, kErrorTimeoutMs));
    qInfo("cancel took %lld ms", static_cast<long long>(timer.elapsed()));
    expectKept();
    QVERIFY(mWindow->snapshot()->result());  // the previous result is still shown
}

void TestHostileWindow::closingDuringSlowRunExits() {
    auto window = std::make_unique<MainWindow>(kResources);
    window->setErrorHandler([](const QString&, const QString&) {});
    window->show();
    QVERIFY(QTest::qWaitForWindowExposed(window.get()));
    window->controller()->setRunOptions(slowRunOptions(280));
    window->openModel(defaultModel());
    window->openImage(defaultImage());
    // Time two blocks of the forward from its progress reports, so the bound below scales with
    // the machine (an ASan build runs each block many times slower).
    QElapsedTimer clock;
    clock.start();
    QList<qint64> blockDone;
    QObject::connect(window->controller(), &ui::InferenceController::progressChanged, window.get(),
                     [&](const QString& text, int value, int) {
                         if (text.startsWith(QStringLiteral("Running block")) && value > 0)
                             blockDone.append(clock.elapsed());
                     });
    QVERIFY(QTest::qWaitFor([&] { return blockDone.size() >= 2; }, 600000));
    QVERIFY(window->controller()->isBusy());
    const qint64 blockMs = blockDone[1] - blockDone[0];
    QElapsedTimer timer;
    timer.start();
    QVERIFY(window->close());
    window.reset();
    qInfo("close + destroy took %lld ms (one block %lld ms)",
          static_cast<long long>(timer.elapsed()), static_cast<long long>(blockMs));
    // The bundled model has 6 blocks, so 4 were left: closing waits for at most the one in
    // progress, not for the rest of the run.
    QVERIFY2(
        timer.elapsed() < 2 * blockMs + 500,
        "destroying the window while a run is busy waited for more than the block in progress");
}

QTEST_MAIN(TestHostileWindow)
#include "tst_hostile_window.moc"
