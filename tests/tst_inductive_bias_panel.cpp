// InductiveBiasPanel (ui/inductive_bias_panel.h) over its five views, offscreen: a model and run
// fill the model-only figures and the current-image attention distance; the experiments and a
// folder's attention distance run through the shared progress bar; exportFigures writes what is
// shown; an empty folder fails with a message and leaves the panel usable; the "Data hunger" tab
// draws a lab results file (the fixture in tests/data/lab) without a model, and a missing or
// hostile file becomes the placeholder text, naming the file.
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QProgressBar>
#include <QTemporaryDir>
#include <QtTest>

#include "test_models.h"
#include "ui/data_hunger_view.h"
#include "ui/figure_widget.h"
#include "ui/inductive_bias_panel.h"

using namespace vitscope;
using vitscope::testing::loadTestModel;
using vitscope::testing::syntheticImage;

namespace {

bool exported(const ui::InductiveBiasPanel& panel, const QString& folder, const QString& name) {
    return panel.exportFigures(folder, 1.0) &&
           QFileInfo::exists(QDir(folder).filePath(name + QStringLiteral(".png")));
}

}  // namespace

class TestInductiveBiasPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void figuresFollowModelAndRun();
    void experimentsAndFolderDistance();
    void emptyFolderFails();
    void dataHungerTab();

private:
    /// Points the panel's lab tab at `path` and waits until it has read it.
    static bool labRead(ui::InductiveBiasPanel& panel, const QString& path, bool shouldLoad);
    core::ModelPtr mModel;
    core::RunPtr mRun;
    QTemporaryDir mDir;
};

void TestInductiveBiasPanel::initTestCase() {
    QVERIFY(mDir.isValid());
    auto model = loadTestModel(QStringLiteral("hf_vit_cls"));
    QVERIFY2(model, "the hf_vit_cls test model did not load");
    mModel = model.value();
    auto run =
        core::runImage(mModel, std::make_shared<const core::Image8>(syntheticImage(40, 36, 3)));
    QVERIFY(run);
    mRun = std::make_shared<const core::Run>(std::move(run.value()));
}

void TestInductiveBiasPanel::figuresFollowModelAndRun() {
    ui::InductiveBiasPanel panel;
    panel.setModel(mModel);
    panel.setRun(mRun);
    const QString out = mDir.filePath(QStringLiteral("shown"));
    for (const char* name : {"posembed-similarity", "embedding-filters", "attention-distance"}) {
        QTRY_VERIFY2(exported(panel, out, QLatin1String(name)), name);
    }
    panel.showTab(ui::InductiveBiasPanel::Experiments);
    panel.setModel(nullptr);  // clears every figure of the model
    // The lab figures do not depend on the model: without a results file there are none.
    QVERIFY(labRead(panel, mDir.filePath(QStringLiteral("absent.json")), false));
    const QString empty = mDir.filePath(QStringLiteral("empty"));
    QVERIFY(panel.exportFigures(empty));
    QVERIFY(QDir(empty).isEmpty());
}

void TestInductiveBiasPanel::experimentsAndFolderDistance() {
    ui::InductiveBiasPanel panel;
    QSignalSpy status(&panel, &ui::InductiveBiasPanel::statusMessage);
    QSignalSpy failed(&panel, &ui::InductiveBiasPanel::failed);
    panel.setModel(mModel);
    panel.setRun(mRun);
    panel.runExperiments();
    auto* progress = panel.findChild<QProgressBar*>();
    QVERIFY(progress);
    QVERIFY(!progress->isHidden());
    const QString out = mDir.filePath(QStringLiteral("experiments"));
    QTRY_VERIFY_WITH_TIMEOUT(exported(panel, out, QStringLiteral("experiments")), 60000);
    QTRY_VERIFY(progress->isHidden());

    const QString images = mDir.filePath(QStringLiteral("images"));
    QVERIFY(QDir().mkpath(images));
    for (int i = 0; i < 3; ++i) {
        QImage image(40, 36, QImage::Format_RGB888);
        image.fill(QColor(40 * i, 90, 200 - 30 * i));
        QVERIFY(image.save(QDir(images).filePath(QStringLiteral("%1.png").arg(i))));
    }
    panel.runFolderDistance(images);
    QVERIFY(!progress->isHidden());
    QTRY_VERIFY_WITH_TIMEOUT(status.count() == 1, 60000);
    QVERIFY2(status.first().first().toString().contains(QStringLiteral("3 images")),
             qPrintable(status.first().first().toString()));
    QVERIFY(progress->isHidden());
    QCOMPARE(failed.count(), 0);
}

void TestInductiveBiasPanel::emptyFolderFails() {
    ui::InductiveBiasPanel panel;
    QSignalSpy failed(&panel, &ui::InductiveBiasPanel::failed);
    panel.setModel(mModel);
    panel.setRun(mRun);
    const QString empty = mDir.filePath(QStringLiteral("no-images"));
    QVERIFY(QDir().mkpath(empty));
    panel.runFolderDistance(empty);
    QCOMPARE(failed.count(), 1);
    QVERIFY(panel.findChild<QProgressBar*>()->isHidden());
    panel.cancelWork();  // nothing running: harmless
}

bool TestInductiveBiasPanel::labRead(ui::InductiveBiasPanel& panel, const QString& path,
                                     bool shouldLoad) {
    ui::DataHungerView* view = panel.dataHungerView();
    view->loadResults(path.toStdString());
    const QString name = QFileInfo(path).fileName();
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < 20000) {
        QCoreApplication::processEvents(QEventLoop::AllEvents, 50);
        const ui::FigureWidget* widget = view->figureWidgets().front();
        if (shouldLoad ? widget->figure() != nullptr : widget->placeholder().contains(name)) {
            return true;
        }
    }
    return false;
}

void TestInductiveBiasPanel::dataHungerTab() {
    ui::InductiveBiasPanel panel;  // no model at all
    panel.showTab(ui::InductiveBiasPanel::DataHunger);
    QVERIFY(labRead(panel, QStringLiteral(VITSCOPE_TEST_DATA "/lab/data-hunger-full.json"), true));
    const QString out = mDir.filePath(QStringLiteral("lab"));
    QVERIFY(panel.exportFigures(out, 1.0));
    for (const char* name : {"data-hunger", "position-ablation"}) {
        for (const char* ext : {"png", "svg", "pdf"}) {
            QVERIFY2(QFileInfo::exists(QDir(out).filePath(QStringLiteral("%1.%2").arg(name, ext))),
                     name);
        }
    }
    // A hostile file: no figure, its message (file and field) as the placeholder of both.
    const QString evil = mDir.filePath(QStringLiteral("evil.json"));
    QFile file(evil);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(R"({"series": {"vit": [{"train_images": -3, "runs": 1, "mean_top1_percent": 70,
               "std_top1_percent": 0}]}})");
    file.close();
    QVERIFY(labRead(panel, evil, false));
    for (const ui::FigureWidget* widget : panel.dataHungerView()->figureWidgets()) {
        QVERIFY(!widget->figure());
        QVERIFY2(widget->placeholder().startsWith(
                     QStringLiteral("evil.json: series.vit[0].train_images must be")),
                 qPrintable(widget->placeholder()));
    }
}

QTEST_MAIN(TestInductiveBiasPanel)
#include "tst_inductive_bias_panel.moc"
