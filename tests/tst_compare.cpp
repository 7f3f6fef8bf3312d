// Two models side by side (issue 12), through the real MainWindow offscreen and vitscope-cli:
// File > Compare opens a second model off the GUI thread; the Compare dock's pairs equal what
// core computes for each model (position-embedding similarity, attention distance on one
// y axis, each model's own top-5); a broken second model leaves the first model, the image and
// the previous comparison in place and reports the file; Stop Comparing removes it; and
// `vitscope-cli export --compare-model` writes the pair, or exits 3 naming a bad second model.
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <random>

#include "core/analysis/attention_distance.h"
#include "core/analysis/posembed_similarity.h"
#include "main_window_fixture.h"
#include "ui/compare_panel.h"
#include "ui/export/pair_builders.h"
#include "ui/figure_widget.h"
#include "ui/figures/attention_distance_figure.h"
#include "ui/figures/pair_figure.h"
#include "ui/figures/posembed_similarity_figure.h"

using namespace vitscope;
using namespace vitscope::test;
using ui::ComparePanel;

namespace {

constexpr double kOtherAccuracy = 61.5;

/// "90.7 % test accuracy" for the accuracy the bundled model's config.json records at training
/// time (read here from the file, so that the titles are checked against the shipped model).
QString bundledAccuracyText() {
    QFile file(bundledModel() + QStringLiteral("/config.json"));
    if (!file.open(QIODevice::ReadOnly)) {
        return QStringLiteral("(no config.json)");
    }
    const double top1 = QJsonDocument::fromJson(file.readAll())
                            .object()
                            .value(QStringLiteral("vitscope_training"))
                            .toObject()
                            .value(QStringLiteral("test_top1_percent"))
                            .toDouble(-1.0);
    return QStringLiteral("%1 % test accuracy").arg(top1, 0, 'f', 1);
}

/// The bundled model with its patch position embeddings replaced by noise of the same scale
/// (no learned 2-D layout left) and another recorded accuracy, in `folder`.
bool writePerturbedModel(const QString& folder) {
    const QString from = bundledModel();
    QFile weights(from + QStringLiteral("/model.safetensors"));
    QFile config(from + QStringLiteral("/config.json"));
    if (!weights.open(QIODevice::ReadOnly) || !config.open(QIODevice::ReadOnly) ||
        !QDir().mkpath(folder) ||
        !QFile::copy(from + QStringLiteral("/preprocessor_config.json"),
                     folder + QStringLiteral("/preprocessor_config.json"))) {
        return false;
    }
    QByteArray bytes = weights.readAll();
    quint64 headerSize = 0;
    std::memcpy(&headerSize, bytes.constData(), sizeof headerSize);
    const QJsonObject header =
        QJsonDocument::fromJson(bytes.mid(8, static_cast<int>(headerSize))).object();
    const auto offsets = header.value(QStringLiteral("vit.embeddings.position_embeddings"))
                             .toObject()
                             .value(QStringLiteral("data_offsets"))
                             .toArray();
    if (offsets.size() != 2) {
        return false;
    }
    auto* values = reinterpret_cast<float*>(bytes.data() + 8 + headerSize + offsets[0].toInt());
    const int count = (offsets[1].toInt() - offsets[0].toInt()) / 4;
    std::mt19937 rng(7);
    std::normal_distribution<float> noise(0.0f, 0.02f);
    for (int i = 64; i < count; ++i) {  // the class token's row (64 values) stays
        values[i] = noise(rng);
    }
    QJsonObject json = QJsonDocument::fromJson(config.readAll()).object();
    QJsonObject training = json.value(QStringLiteral("vitscope_training")).toObject();
    training.insert(QStringLiteral("test_top1_percent"), kOtherAccuracy);
    json.insert(QStringLiteral("vitscope_training"), training);
    QFile outWeights(folder + QStringLiteral("/model.safetensors"));
    QFile outConfig(folder + QStringLiteral("/config.json"));
    return outWeights.open(QIODevice::WriteOnly) && outWeights.write(bytes) == bytes.size() &&
           outConfig.open(QIODevice::WriteOnly) &&
           outConfig.write(QJsonDocument(json).toJson()) > 0;
}

/// A copy of the bundled model whose model.safetensors is cut in half.
bool writeTruncatedModel(const QString& folder) {
    const QString from = bundledModel();
    QFile weights(from + QStringLiteral("/model.safetensors"));
    if (!QDir().mkpath(folder) || !weights.open(QIODevice::ReadOnly)) {
        return false;
    }
    for (const char* name : {"/config.json", "/preprocessor_config.json"}) {
        if (!QFile::copy(from + QLatin1String(name), folder + QLatin1String(name))) {
            return false;
        }
    }
    const QByteArray bytes = weights.readAll();
    QFile out(folder + QStringLiteral("/model.safetensors"));
    return out.open(QIODevice::WriteOnly) && out.write(bytes.left(bytes.size() / 2)) > 0;
}

struct CliResult {
    int code;
    QString err;
};

CliResult runCli(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(VITSCOPE_CLI), args);
    p.waitForFinished(kTimeoutMs);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2,
            QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace

class TestCompare : public QObject, vitscope::test::MainWindowFixture {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void menuListsOtherBundledModels();
    void sidesAreNamedByFolder();
    void comparesWithSecondModel();
    void attentionDistanceSharesAxis();
    void predictionsOfBothModels();
    void followsNewImage();
    void brokenSecondModelKeepsState();
    void stopComparingRemovesIt();
    void cliExportsPair();
    void cliBadCompareModelExits3();

private:
    bool waitForComparison();
    ComparePanel* panel() const { return mWindow->comparePanel(); }
    QTemporaryDir mDir;
    QString mOther;
    QString mBroken;
};

void TestCompare::initTestCase() {
    QVERIFY(mDir.isValid());
    mOther = mDir.filePath(QStringLiteral("fashion-mnist-vit-noise"));
    mBroken = mDir.filePath(QStringLiteral("truncated-vit"));
    QVERIFY(writePerturbedModel(mOther));
    QVERIFY(writeTruncatedModel(mBroken));
    openWindow("tst_compare");
}

void TestCompare::cleanupTestCase() { closeWindow(); }

bool TestCompare::waitForComparison() {
    return QTest::qWaitFor(
        [&] {
            return !panel()->isBusy() && !mWindow->controller()->isBusy() && panel()->isComparing();
        },
        kTimeoutMs);
}

void TestCompare::menuListsOtherBundledModels() {
    QMenu* menu = mWindow->compareMenu();
    emit menu->aboutToShow();
    QStringList entries;
    for (QAction* a : menu->actions()) {
        entries << a->text();
    }
    QVERIFY(menu->findChild<QAction*>(QStringLiteral("compareWithModel")));
    QCOMPARE(menu->findChild<QAction*>(QStringLiteral("compareWithModel"))->shortcut(),
             QKeySequence(QStringLiteral("Ctrl+Shift+M")));
    // Every bundled folder but the one shown.
    const QDir models(kResources + QStringLiteral("/models"));
    for (const QString& folder : models.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QString entry = QStringLiteral("Compare With ") + folder;
        QCOMPARE(entries.contains(entry), folder != QStringLiteral("fashion-mnist-vit"));
    }
    QVERIFY(!menu->findChild<QAction*>(QStringLiteral("stopComparing"))->isEnabled());
}

void TestCompare::sidesAreNamedByFolder() {
    // Opened through the folder or through its model.safetensors: the folder names the side.
    for (const QString& path : {mOther, mOther + QStringLiteral("/model.safetensors")}) {
        auto model = core::loadModel(path.toStdString());
        QVERIFY2(model, model ? "" : model.error().message.c_str());
        QCOMPARE(ui::sideName(*model.value()), QStringLiteral("fashion-mnist-vit-noise"));
        QCOMPARE(ui::recordedAccuracy(*model.value()).value_or(-1.0), kOtherAccuracy);
    }
    auto bundled = core::loadModel(bundledModel().toStdString());
    QVERIFY(bundled);
    QCOMPARE(ui::modelTitle(*bundled.value()),
             QStringLiteral("fashion-mnist-vit, ") + bundledAccuracyText());
}

void TestCompare::comparesWithSecondModel() {
    const ui::SnapshotPtr before = mWindow->snapshot();
    mWindow->compareWithModel(mOther);
    QVERIFY2(waitForComparison(), qPrintable(mErrors.join('\n')));
    QVERIFY(mErrors.isEmpty());
    QCOMPARE(mWindow->snapshot().get(), before.get());  // the window's model is untouched
    QVERIFY(mWindow->findChild<QDockWidget*>(QStringLiteral("compareDock"))->isVisible());
    QCOMPARE(panel()->otherPath(), mOther);
    QVERIFY(panel()->otherModel() && panel()->otherModel() != before->model);

    panel()->setView(ComparePanel::View::PositionEmbeddings);
    const auto pair = panel()->pair(ComparePanel::View::PositionEmbeddings);
    QVERIFY(pair);
    QCOMPARE(panel()->figureWidget()->figure().get(), static_cast<const ui::Figure*>(pair.get()));
    QVERIFY(pair->leftTitle().startsWith(QStringLiteral("fashion-mnist-vit")));
    QVERIFY(pair->leftTitle().contains(bundledAccuracyText()));
    QCOMPARE(pair->rightTitle(), QStringLiteral("fashion-mnist-vit-noise, 61.5 % test accuracy"));
    const auto& left = dynamic_cast<const ui::PosEmbedSimilarityFigure&>(pair->left()).data();
    const auto& right = dynamic_cast<const ui::PosEmbedSimilarityFigure&>(pair->right()).data();
    const auto& config = before->model->config();
    const auto interp = config.defaultPosInterp;
    QVERIFY(left.similarity == core::positionEmbeddingSimilarity(*before->model, config.gridH(),
                                                                 config.gridW(), interp));
    QVERIFY(right.similarity == core::positionEmbeddingSimilarity(*panel()->otherModel(),
                                                                  config.gridH(), config.gridW(),
                                                                  interp));
    QVERIFY(left.similarity.rows() == 49);
    // The learned table has neighbours alike; noise has not.
    QVERIFY((left.similarity - right.similarity).cwiseAbs().maxCoeff() > 0.3f);
}

void TestCompare::attentionDistanceSharesAxis() {
    panel()->setView(ComparePanel::View::AttentionDistance);
    const auto pair = panel()->pair(ComparePanel::View::AttentionDistance);
    QVERIFY(pair);
    QCOMPARE(panel()->figureWidget()->figure().get(), static_cast<const ui::Figure*>(pair.get()));
    const auto& a = dynamic_cast<const ui::AttentionDistanceFigure&>(pair->left());
    const auto& b = dynamic_cast<const ui::AttentionDistanceFigure&>(pair->right());
    QCOMPARE(a.yMax(), b.yMax());
    const auto& mine = *mWindow->snapshot()->result();
    const auto& other = *panel()->otherRun()->result;
    const int patch = panel()->otherModel()->config().patchSize;
    QVERIFY(a.data().distances == core::meanAttentionDistance(mine.attention, mine.tokens, patch));
    QVERIFY(b.data().distances ==
            core::meanAttentionDistance(other.attention, other.tokens, patch));
    QVERIFY(a.data().distances != b.data().distances);
}

void TestCompare::predictionsOfBothModels() {
    panel()->setView(ComparePanel::View::Predictions);
    const core::RunPtr other = panel()->otherRun();
    QVERIFY(other);
    QCOMPARE(other->model.get(), panel()->otherModel().get());     // run with its own model
    QCOMPARE(other->source.get(), mWindow->snapshot()->source());  // on the window's image
    for (bool right : {false, true}) {
        const core::RunPtr run = right ? other : mWindow->snapshot()->run;
        const auto top = core::topK(*run->model, *run->result, 5);
        const QStringList shown = panel()->predictions(right)->labels();
        QCOMPARE(shown.size(), 5);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(shown[i], QString::fromStdString(top[static_cast<size_t>(i)].label));
            QCOMPARE(panel()->predictions(right)->probabilities()[static_cast<size_t>(i)],
                     top[static_cast<size_t>(i)].probability);
        }
    }
    QVERIFY(panel()->sideTitle(true).contains(QStringLiteral("61.5 % test accuracy")));
    QVERIFY(panel()->sideTitle(false).contains(bundledAccuracyText()));
}

void TestCompare::followsNewImage() {
    const QString image = kResources + QStringLiteral("/samples/fashion-mnist/1-trouser.png");
    QVERIFY(QFileInfo::exists(image));
    mWindow->openImage(image);
    QVERIFY(waitForResult(QStringLiteral("1-trouser.png")));
    QVERIFY(QTest::qWaitFor(
        [&] {
            return !panel()->isBusy() && panel()->otherRun() &&
                   panel()->otherRun()->source.get() == mWindow->snapshot()->source();
        },
        kTimeoutMs));
    QCOMPARE(panel()->leftSnapshot().get(), mWindow->snapshot().get());
}

void TestCompare::brokenSecondModelKeepsState() {
    const ui::SnapshotPtr snapshot = mWindow->snapshot();
    const core::ModelPtr other = panel()->otherModel();
    const auto posembed = panel()->pair(ComparePanel::View::PositionEmbeddings);
    const auto distance = panel()->pair(ComparePanel::View::AttentionDistance);
    const int errors = mErrors.size();
    mWindow->compareWithModel(mBroken);
    QVERIFY(
        QTest::qWaitFor([&] { return mErrors.size() > errors && !panel()->isBusy(); }, kTimeoutMs));
    QVERIFY2(mErrors.last().contains(mBroken), qPrintable(mErrors.last()));
    QVERIFY(mErrors.last().contains(QStringLiteral("previous comparison is kept")));
    QCOMPARE(mWindow->snapshot().get(), snapshot.get());
    QCOMPARE(panel()->otherModel().get(), other.get());
    QCOMPARE(panel()->otherPath(), mOther);
    QCOMPARE(panel()->pair(ComparePanel::View::PositionEmbeddings).get(), posembed.get());
    QCOMPARE(panel()->pair(ComparePanel::View::AttentionDistance).get(), distance.get());
    QVERIFY(panel()->isComparing());
}

void TestCompare::stopComparingRemovesIt() {
    QMenu* menu = mWindow->compareMenu();
    emit menu->aboutToShow();
    QAction* stop = menu->findChild<QAction*>(QStringLiteral("stopComparing"));
    QVERIFY(stop && stop->isEnabled());
    stop->trigger();
    QVERIFY(!panel()->isComparing());
    QVERIFY(!panel()->otherModel() && !panel()->otherRun());
    QVERIFY(!panel()->pair(ComparePanel::View::PositionEmbeddings));
    QVERIFY(!panel()->figureWidget()->figure());
    QVERIFY(!mWindow->findChild<QDockWidget*>(QStringLiteral("compareDock"))->isVisible());
    QVERIFY(mWindow->snapshot() && mWindow->snapshot()->result());
}

void TestCompare::cliExportsPair() {
    for (const QString& figure :
         {QStringLiteral("posembed-similarity"), QStringLiteral("attention-distance")}) {
        const QString out = mDir.filePath(figure + QStringLiteral("-pair.svg"));
        const CliResult r = runCli(
            {QStringLiteral("export"), QStringLiteral("--figure"), figure,
             QStringLiteral("--model"), bundledModel(), QStringLiteral("--compare-model"), mOther,
             QStringLiteral("--image"), defaultImage(), QStringLiteral("--out"), out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray svg = file.readAll();
        QVERIFY(svg.contains("fashion-mnist-vit-noise"));
        QVERIFY(svg.contains("61.5"));
    }
    // Numbers and other figures have no pair: a usage error before anything is loaded.
    const CliResult numbers =
        runCli({QStringLiteral("export"), QStringLiteral("--figure"), QStringLiteral("attention"),
                QStringLiteral("--compare-model"), mOther, QStringLiteral("--image"),
                defaultImage(), QStringLiteral("--out"), mDir.filePath(QStringLiteral("a.png"))});
    QCOMPARE(numbers.code, 1);
    QVERIFY(numbers.err.contains(QStringLiteral("--compare-model")));
}

void TestCompare::cliBadCompareModelExits3() {
    const QString out = mDir.filePath(QStringLiteral("bad-pair.png"));
    const CliResult r =
        runCli({QStringLiteral("export"), QStringLiteral("--figure"),
                QStringLiteral("posembed-similarity"), QStringLiteral("--compare-model"), mBroken,
                QStringLiteral("--out"), out});
    QCOMPARE(r.code, 3);
    QVERIFY2(r.err.contains(mBroken), qPrintable(r.err));
    QVERIFY(!QFileInfo::exists(out));
}

QTEST_MAIN(TestCompare)
#include "tst_compare.moc"
