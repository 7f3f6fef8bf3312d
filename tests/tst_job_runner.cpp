// JobRunner (ui/job_runner.h): a new start() supersedes the running job, cancel() drops the
// result, done() runs on the GUI thread and the destructor waits for a running worker.

#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <atomic>
#include <chrono>
#include <memory>
#include <new>
#include <thread>

#include "ui/job_runner.h"

using vitscope::ui::JobContext;
using vitscope::ui::JobRunner;

namespace {

constexpr int kTimeoutMs = 10'000;

/// Spins until `release` is raised or the job is cancelled; returns `value`.
int blockUntil(const JobContext& job, const std::atomic<bool>& release, int value) {
    while (!release.load() && !job.cancelled()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return value;
}

}  // namespace

class TestJobRunner : public QObject {
    Q_OBJECT
private slots:
    void secondStartSupersedesFirst();
    void cancelDropsResult();
    void doneRunsOnGuiThread();
    void progressReachesGuiThread();
    void destructorWaitsForRunningJob();
    void exceptionBecomesFailure();
};

void TestJobRunner::secondStartSupersedesFirst() {
    JobRunner runner;
    std::atomic<bool> release{false};
    std::atomic<bool> firstSawCancel{false};
    int firstDone = 0;
    int secondValue = 0;
    runner.start<int>(
        QStringLiteral("first"),
        [&](const JobContext& job) {
            const int v = blockUntil(job, release, 1);
            firstSawCancel = job.cancelled();
            return v;
        },
        [&](int) { ++firstDone; });
    runner.start<int>(
        QStringLiteral("second"), [](const JobContext&) { return 2; },
        [&](int v) { secondValue = v; });
    QTRY_COMPARE_WITH_TIMEOUT(secondValue, 2, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(firstSawCancel.load(), kTimeoutMs);  // restart cancels the first
    QTest::qWait(50);  // give a stale delivery every chance to arrive
    QCOMPARE(firstDone, 0);
    QVERIFY(!runner.isBusy());
}

void TestJobRunner::cancelDropsResult() {
    JobRunner runner;
    QSignalSpy busy(&runner, &JobRunner::busyChanged);
    std::atomic<bool> release{false};
    std::atomic<bool> finished{false};
    bool delivered = false;
    runner.start<int>(
        QStringLiteral("cancelled"),
        [&](const JobContext& job) {
            const int v = blockUntil(job, release, 7);
            finished = true;
            return v;
        },
        [&](int) { delivered = true; });
    QVERIFY(runner.isBusy());
    runner.cancel();
    QVERIFY(!runner.isBusy());
    QVERIFY(!busy.isEmpty());
    QCOMPARE(busy.last().first().toBool(), false);
    QTRY_VERIFY_WITH_TIMEOUT(finished.load(), kTimeoutMs);
    QTest::qWait(50);
    QVERIFY(!delivered);
}

void TestJobRunner::doneRunsOnGuiThread() {
    JobRunner runner;
    QThread* workerThread = nullptr;
    QThread* doneThread = nullptr;
    runner.start<int>(
        QStringLiteral("thread"),
        [&](const JobContext&) {
            workerThread = QThread::currentThread();
            return 0;
        },
        [&](int) { doneThread = QThread::currentThread(); });
    QTRY_VERIFY_WITH_TIMEOUT(doneThread != nullptr, kTimeoutMs);
    QCOMPARE(doneThread, QCoreApplication::instance()->thread());
    QVERIFY(workerThread != nullptr);
    QVERIFY(workerThread != doneThread);
}

void TestJobRunner::progressReachesGuiThread() {
    JobRunner runner;
    QList<int> values;
    connect(&runner, &JobRunner::progressChanged, this,
            [&values](const QString&, int value, int maximum) {
                QCOMPARE(QThread::currentThread(), QCoreApplication::instance()->thread());
                if (maximum == 3) {
                    values << value;
                }
            });
    bool done = false;
    runner.start<int>(
        QStringLiteral("progress"),
        [](const JobContext& job) {
            for (int i = 1; i <= 3; ++i) {
                job.progress(QStringLiteral("step"), i, 3);
            }
            return 0;
        },
        [&](int) { done = true; });
    QTRY_VERIFY_WITH_TIMEOUT(done, kTimeoutMs);
    QTRY_COMPARE_WITH_TIMEOUT(values, (QList<int>{1, 2, 3}), kTimeoutMs);
}

void TestJobRunner::destructorWaitsForRunningJob() {
    auto finished = std::make_shared<std::atomic<bool>>(false);
    bool delivered = false;
    {
        JobRunner runner;
        std::atomic<bool> started{false};
        runner.start<int>(
            QStringLiteral("long"),
            [finished, &started](const JobContext& job) {
                started = true;
                // Ignores the cancel flag for a while: the destructor must still wait.
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
                (void)job;
                finished->store(true);
                return 1;
            },
            [&](int) { delivered = true; });
        QTRY_VERIFY_WITH_TIMEOUT(started.load(), kTimeoutMs);
    }  // ~JobRunner: cancel and wait
    QVERIFY(finished->load());
    QCoreApplication::processEvents();
    QVERIFY(!delivered);
}

// A job that throws (here std::bad_alloc, what an oversized allocation raises) does not take the
// process down: the runner reports it through failed() on the GUI thread, delivers nothing, and
// is idle again for the next job.
void TestJobRunner::exceptionBecomesFailure() {
    JobRunner runner;
    QSignalSpy failed(&runner, &JobRunner::failed);
    bool delivered = false;
    runner.start<int>(
        QStringLiteral("Huge"), [](const JobContext&) -> int { throw std::bad_alloc(); },
        [&](int) { delivered = true; });
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kTimeoutMs);
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("Huge"));
    QVERIFY(failed.at(0).at(1).toString().contains(QStringLiteral("out of memory")));
    QVERIFY(!delivered);
    QVERIFY(!runner.isBusy());
    int value = 0;
    runner.start<int>(
        QStringLiteral("next"), [](const JobContext&) { return 7; }, [&](int v) { value = v; });
    QTRY_COMPARE_WITH_TIMEOUT(value, 7, kTimeoutMs);
}

QTEST_GUILESS_MAIN(TestJobRunner)
#include "tst_job_runner.moc"
