// The window's controller opens models through core, so a FIFO given as the model fails fast
// with the reason and the model that was open stays open.
#include <sys/stat.h>

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include "ui/inference_controller.h"

using namespace vitscope;

namespace {
const QString kModel = QStringLiteral(VITSCOPE_TEST_DATA "/models/hf_vit_cls");
}  // namespace

class TestHostileWindow : public QObject {
    Q_OBJECT
private slots:
    void fifoModelFailsAndKeepsThePreviousOne() {
        ui::InferenceController controller;
        QSignalSpy changed(&controller, &ui::InferenceController::snapshotChanged);
        QSignalSpy failed(&controller, &ui::InferenceController::failed);
        controller.openModel(kModel);
        QTRY_VERIFY_WITH_TIMEOUT(changed.count() == 1, 60000);
        QVERIFY(failed.isEmpty());
        const auto before = controller.current();
        QVERIFY(before && before->model);

        QTemporaryDir dir;
        const QString fifo = dir.path() + "/model.safetensors";
        QVERIFY(::mkfifo(fifo.toLocal8Bit().constData(), 0600) == 0);
        QElapsedTimer timer;
        timer.start();
        controller.openModel(fifo);
        QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 1, 10000);
        QVERIFY(timer.elapsed() < 10000);
        const QString message = failed.at(0).at(1).toString();
        QVERIFY2(message.contains("model.safetensors") &&
                     message.contains("is a FIFO (named pipe), not a regular file"),
                 qPrintable(message));
        QTRY_VERIFY(!controller.isBusy());
        QCOMPARE(changed.count(), 1);
        QCOMPARE(controller.current()->model.get(), before->model.get());
        QCOMPARE(controller.current()->modelPath, kModel);
    }
};

QTEST_MAIN(TestHostileWindow)
#include "tst_hostile_window.moc"
