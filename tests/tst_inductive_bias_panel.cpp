// InductiveBiasPanel (ui/inductive_bias_panel.h) over its four views, offscreen: a model and run
// fill the model-only figures and the current-image attention distance; the experiments and a
// folder's attention distance run through the shared progress bar; exportFigures writes what is
// shown; an empty folder fails with a message and leaves the panel usable.
#include <QDir>
#include <QImage>
#include <QProgressBar>
#include <QTemporaryDir>
#include <QtTest>

#include "test_models.h"
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

private:
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
    panel.setModel(nullptr);  // clears every figure
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

QTEST_MAIN(TestInductiveBiasPanel)
#include "tst_inductive_bias_panel.moc"
