// The model panel's guessed-settings box, driven through the real MainWindow: the bundled weights
// without their config show the warning, and stating the heads and the normalisation there and
// reloading gives the bundled model's prediction.
#include <QComboBox>
#include <QCoreApplication>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>
#include <memory>

#include "ui/main_window.h"
#include "ui/model_panel.h"
#include "ui/predictions_panel.h"

using namespace vitscope;

namespace {

constexpr int kTimeoutMs = 120'000;
const QString kResources = QStringLiteral(VITSCOPE_RESOURCES);
const QString kBundled = kResources + QStringLiteral("/models/fashion-mnist-vit");
const QString kTShirt = kResources + QStringLiteral("/samples/fashion-mnist/0-t-shirt-top.png");

}  // namespace

class TestModelPanel : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        QCoreApplication::setOrganizationName(QStringLiteral("vitscope-tests"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_model_panel"));
        QSettings().clear();
    }
    void cleanupTestCase() { QSettings().clear(); }

    void parseTriple_data() {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<float>("last");
        QTest::newRow("one") << "0.5" << true << 0.5f;
        QTest::newRow("three") << "0.485, 0.456, 0.406" << true << 0.406f;
        QTest::newRow("spaces") << " 1 2 3 " << true << 3.0f;
        QTest::newRow("two") << "0.1, 0.2" << false << 0.0f;
        QTest::newRow("word") << "half" << false << 0.0f;
        QTest::newRow("empty") << "" << false << 0.0f;
    }
    void parseTriple() {
        QFETCH(QString, text);
        QFETCH(bool, ok);
        QFETCH(float, last);
        const auto v = ui::ModelPanel::parseTriple(text);
        QCOMPARE(v.has_value(), ok);
        if (ok) {
            QCOMPARE((*v)[2], last);
        }
    }

    void guessedSettingsWarnAndCanBeStated() {
        QVERIFY(QFile::exists(kBundled + QStringLiteral("/model.safetensors")));
        QVERIFY(QFile::exists(kTShirt));
        QTemporaryDir dir;
        QVERIFY(QFile::copy(kBundled + QStringLiteral("/model.safetensors"),
                            dir.filePath(QStringLiteral("model.safetensors"))));
        QStringList errors;
        ui::MainWindow window(kResources);
        window.setErrorHandler([&](const QString& title, const QString& message) {
            errors << title + QStringLiteral(": ") + message;
        });
        window.show();
        auto ranModel = [&](int heads) {
            return QTest::qWaitFor(
                [&] {
                    const auto s = window.snapshot();
                    return !window.controller()->isBusy() && s && s->result() && s->model &&
                           s->model->config().numHeads == heads;
                },
                kTimeoutMs);
        };
        window.openModel(dir.path());
        window.openImage(kTShirt);
        QVERIFY2(ranModel(1), qPrintable(errors.join('\n')));

        ui::ModelPanel* panel = window.modelPanel();
        const QString warning = panel->warningText();
        QVERIFY2(warning.contains(QStringLiteral("vitscope guessed these settings")),
                 qPrintable(warning));
        QVERIFY2(warning.contains(
                     QStringLiteral("head count 1 (no config.json; head width 64 assumed)")),
                 qPrintable(warning));
        QVERIFY(warning.contains(QStringLiteral("mean/std 0.5")));
        QVERIFY(warning.contains(QStringLiteral("class N")));
        QVERIFY(window.predictionsPanel()->labels().value(0).startsWith(QStringLiteral("class ")));
        // The box fits the narrowest Model dock the first layout gives (300 px, window_state):
        // its text wraps and nothing needs sideways scrolling (the timm item used to need 330).
        QVERIFY2(panel->minimumSizeHint().width() <= 300,
                 qPrintable(QString::number(panel->minimumSizeHint().width())));

        applyBundledSettings(panel);
        if (QTest::currentTestFailed()) {
            return;
        }
        QVERIFY2(ranModel(4), qPrintable(errors.join('\n')));
        const auto s = window.snapshot();
        // Without config.json the names are unknown; the class is the bundled config's T-shirt/top.
        QFile config(kBundled + QStringLiteral("/config.json"));
        QVERIFY(config.open(QIODevice::ReadOnly));
        const QJsonObject id2label =
            QJsonDocument::fromJson(config.readAll()).object()["id2label"].toObject();
        QCOMPARE(id2label[QString::number(s->run->predictions.at(0).classIndex)].toString(),
                 QStringLiteral("T-shirt/top"));
        QVERIFY(s->run->predictions.at(0).probability > 0.5f);
        // Only the labels are still a guess.
        const QString after = panel->warningText();
        QVERIFY2(!after.contains(QStringLiteral("head count")), qPrintable(after));
        QVERIFY(!after.contains(QStringLiteral("mean/std")));
        QVERIFY(after.contains(QStringLiteral("class N")));
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
    }

    void ignoredTensorsAreListed() {
        QStringList errors;
        ui::MainWindow window(kResources);
        window.setErrorHandler([&](const QString&, const QString& message) { errors << message; });
        window.openModel(QStringLiteral(VITSCOPE_TEST_DATA "/models/hf_vit_nohead"));
        QVERIFY(QTest::qWaitFor(
            [&] {
                return !window.controller()->isBusy() && window.snapshot() &&
                       window.snapshot()->model;
            },
            kTimeoutMs));
        QVERIFY2(errors.isEmpty(), qPrintable(errors.join('\n')));
        QCOMPARE(window.modelPanel()->field(QStringLiteral("Ignored tensors")),
                 QStringLiteral("pooler.dense.bias, pooler.dense.weight"));
    }

private:
    /// States 4 heads and the bundled normalisation (0.286 / 0.353) right in the warning box,
    /// after checking that a bad std is refused in place.
    void applyBundledSettings(ui::ModelPanel* panel) {
        auto* heads = panel->findChild<QSpinBox*>(QStringLiteral("headsSpin"));
        auto* mean = panel->findChild<QLineEdit*>(QStringLiteral("meanEdit"));
        auto* stdv = panel->findChild<QLineEdit*>(QStringLiteral("stdEdit"));
        auto* recipe = panel->findChild<QComboBox*>(QStringLiteral("recipeCombo"));
        auto* apply = panel->findChild<QPushButton*>(QStringLiteral("applyReloadButton"));
        QVERIFY(heads && mean && stdv && recipe && apply);
        QVERIFY(heads->isVisibleTo(panel));
        QCOMPARE(recipe->currentData().toString(), QStringLiteral("hf"));
        heads->stepBy(1);  // divisors of 64 only: 1 -> 2 -> 4
        QCOMPARE(heads->value(), 2);
        heads->stepBy(1);
        QCOMPARE(heads->value(), 4);

        // A bad std is refused in place, nothing is reloaded.
        stdv->setText(QStringLiteral("0"));
        QSignalSpy spy(panel, &ui::ModelPanel::reloadRequested);
        apply->click();
        QCOMPARE(spy.count(), 0);
        QVERIFY(panel->findChild<QLabel*>(QStringLiteral("inferredWarningError"))
                    ->text()
                    .contains("std"));

        mean->setText(QStringLiteral("0.286"));
        stdv->setText(QStringLiteral("0.353"));
        apply->click();
        QCOMPARE(spy.count(), 1);
    }
};

QTEST_MAIN(TestModelPanel)
#include "tst_model_panel.moc"
