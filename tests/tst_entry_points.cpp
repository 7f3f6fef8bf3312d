// One image and one set of options through every entry point — the window's controller,
// `predict`, `dump` and `export --figure attention --out x.npy` — must give identical numbers:
// they all run core::runImage, and this test is what keeps it that way.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "core/analysis/attention_maps.h"
#include "core/analysis/head_fusion.h"
#include "test_util.h"
#include "ui/inference_controller.h"

using namespace vitscope;

namespace {

constexpr int kTimeoutMs = 60000;

const QString kModel = QStringLiteral(VITSCOPE_RESOURCES) + "/models/fashion-mnist-vit";
const QString kImage = QStringLiteral(VITSCOPE_RESOURCES) + "/samples/fashion-mnist/4-coat.png";

struct CliRun {
    int code = -1;
    QByteArray out;
    QString err;
};

CliRun cli(const QStringList& args) {
    QProcess p;
    p.start(QStringLiteral(VITSCOPE_CLI), args);
    p.waitForFinished(kTimeoutMs);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2, p.readAllStandardOutput(),
            QString::fromUtf8(p.readAllStandardError())};
}

}  // namespace

class TestEntryPoints : public QObject {
    Q_OBJECT
private slots:
    void sameNumbersEverywhere_data() {
        QTest::addColumn<QStringList>("options");  // CLI spelling
        QTest::addColumn<int>("size");             // the same, for the controller (0: default)
        QTest::addColumn<int>("interp");           // -1: the model's default
        QTest::newRow("defaults") << QStringList{} << 0 << -1;
        QTest::newRow("56x56 bilinear")
            << QStringList{"--size", "56x56", "--pos-interp", "bilinear"} << 56
            << static_cast<int>(core::PosInterp::Bilinear);
    }

    void sameNumbersEverywhere() {
        QFETCH(QStringList, options);
        QFETCH(int, size);
        QFETCH(int, interp);
        const QStringList common =
            QStringList{"--model", kModel, "--image", kImage, "--threads", "1"} + options;
        core::setNumThreads(1);

        // The window's controller.
        ui::InferenceController controller;
        core::RunOptions runOptions;
        runOptions.sizeH = runOptions.sizeW = size;
        if (interp >= 0) {
            runOptions.posInterp = static_cast<core::PosInterp>(interp);
        }
        controller.setRunOptions(runOptions);
        controller.openModel(kModel);
        controller.openImage(kImage);
        QVERIFY(QTest::qWaitFor(
            [&] {
                return !controller.isBusy() && controller.current() &&
                       controller.current()->result();
            },
            kTimeoutMs));
        const core::Run& run = *controller.current()->run;
        const core::InferenceResult& r = *run.result;
        if (size > 0) {
            QCOMPARE(r.inputH, size);
        }

        // dump: logits, input and attention.
        QTemporaryDir dir;
        const CliRun dump = cli(QStringList{"dump"} + common + QStringList{"--out", dir.path()});
        QVERIFY2(dump.code == 0, qPrintable(dump.err));
        const auto logits = test::readNpyFloat((dir.path() + "/logits.npy").toStdString());
        const auto input = test::readNpyFloat((dir.path() + "/input.npy").toStdString());
        const auto attention = test::readNpyFloat((dir.path() + "/attention.npy").toStdString());
        QVERIFY(logits.ok && input.ok && attention.ok);
        QCOMPARE(input.values, run.input->input.data);
        QCOMPARE(logits.values,
                 std::vector<float>(r.logits.data(), r.logits.data() + r.logits.size()));
        QCOMPARE(attention.values,
                 std::vector<float>(r.attention.raw().begin(), r.attention.raw().end()));

        // predict: the same top class and probability.
        const CliRun predict =
            cli(QStringList{"predict"} + common + QStringList{"--top", "1", "--json"});
        QVERIFY2(predict.code == 0, qPrintable(predict.err));
        const QJsonObject top =
            QJsonDocument::fromJson(predict.out).object()["top"].toArray()[0].toObject();
        QCOMPARE(top["class"].toInt(), run.predictions.front().classIndex);
        QCOMPARE(static_cast<float>(top["probability"].toDouble()),
                 run.predictions.front().probability);

        // export: the class token's mean-over-heads map of the last layer.
        const CliRun exported =
            cli(QStringList{"export"} + common +
                QStringList{"--figure", "attention", "--out", dir.path() + "/map.npy"});
        QVERIFY2(exported.code == 0, qPrintable(exported.err));
        const auto map = test::readNpyFloat((dir.path() + "/map.npy").toStdString());
        QVERIFY(map.ok);
        core::AttentionSelection selection;
        selection.layer = r.attention.layers() - 1;
        selection.head = -1;
        selection.fusion = core::HeadFusion::Mean;
        selection.sourceToken = r.tokens.clsIndex;
        auto expected = core::selectedMap(r, selection, {});
        QVERIFY(expected);
        QCOMPARE(map.values,
                 std::vector<float>(expected->data(), expected->data() + expected->size()));
    }
};

QTEST_MAIN(TestEntryPoints)
#include "tst_entry_points.moc"
