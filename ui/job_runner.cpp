#include "ui/job_runner.h"

#include <QFutureWatcher>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>

namespace vitscope::ui {

using Watcher = QFutureWatcher<std::shared_ptr<void>>;

JobRunner::JobRunner(QObject* parent) : QObject(parent) {}

JobRunner::~JobRunner() {
    if (mCancel) {
        mCancel->store(true);
    }
    for (QObject* object : std::as_const(mWatchers)) {
        auto* watcher = static_cast<Watcher*>(object);
        watcher->disconnect(this);
        watcher->waitForFinished();
    }
}

void JobRunner::cancel() {
    if (mCancel) {
        mCancel->store(true);
    }
    ++mGeneration;  // whatever the cancelled job returns is dropped
    setBusy(false);
}

void JobRunner::setBusy(bool busy) {
    if (busy != mBusy) {
        mBusy = busy;
        emit busyChanged(busy);
    }
}

void JobRunner::startErased(const QString& what, ErasedWork work, ErasedDone done) {
    if (mCancel) {
        mCancel->store(true);  // restart: the previous job stops at its next check
    }
    const quint64 generation = ++mGeneration;
    auto cancelFlag = std::make_shared<std::atomic<bool>>(false);
    mCancel = cancelFlag;
    QPointer<JobRunner> self(this);
    JobContext job;
    job.cancel = cancelFlag.get();
    job.progress = [self, generation, what](const QString& text, int value, int maximum) {
        // Worker thread: hop to the GUI thread; drop reports of superseded jobs there.
        if (JobRunner* target = self.data()) {
            QMetaObject::invokeMethod(
                target,
                [self, generation, what, text, value, maximum] {
                    if (self && self->mGeneration == generation) {
                        emit self->progressChanged(text.isEmpty() ? what : text, value, maximum);
                    }
                },
                Qt::QueuedConnection);
        }
    };
    auto* watcher = new Watcher(this);
    mWatchers.append(watcher);
    connect(watcher, &Watcher::finished, this, [this, watcher, generation, done = std::move(done)] {
        mWatchers.removeOne(watcher);
        std::shared_ptr<void> value = watcher->result();
        watcher->deleteLater();
        if (generation != mGeneration) {
            return;  // cancelled or superseded
        }
        setBusy(false);
        if (value) {
            done(std::move(value));
        }
    });
    setBusy(true);
    emit progressChanged(what, 0, 0);
    watcher->setFuture(
        QtConcurrent::run([work = std::move(work), job, cancelFlag]() -> std::shared_ptr<void> {
            // `cancelFlag` keeps job.cancel alive for as long as the worker runs.
            std::shared_ptr<void> value = work(job);
            return cancelFlag->load() ? nullptr : value;
        }));
}

}  // namespace vitscope::ui
