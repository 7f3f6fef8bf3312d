#include "ui/job_runner.h"

#include <QFutureWatcher>
#include <QMessageBox>
#include <QMetaMethod>
#include <QPointer>
#include <QWidget>
#include <QtConcurrent/QtConcurrentRun>
#include <new>

namespace vitscope::ui {

using Watcher = QFutureWatcher<std::shared_ptr<void>>;

namespace {

/// Runs `work`, turning any exception into a message for the user (nothing escapes a worker).
std::shared_ptr<void> runCaught(const std::function<std::shared_ptr<void>(const JobContext&)>& work,
                                const JobContext& job, QString& error) {
    try {
        return work(job);
    } catch (const std::bad_alloc&) {
        error = QObject::tr(
            "The machine ran out of memory. Lower the input size or the memory "
            "budget (Settings).");
    } catch (const std::exception& e) {
        error = QString::fromLocal8Bit(e.what());
    } catch (...) {
        error = QObject::tr("An unexpected error stopped the computation.");
    }
    return nullptr;
}

}  // namespace

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
    auto error = std::make_shared<QString>();
    connect(watcher, &Watcher::finished, this,
            [this, watcher, generation, what, error, done = std::move(done)] {
                mWatchers.removeOne(watcher);
                std::shared_ptr<void> value = watcher->result();
                watcher->deleteLater();
                if (generation != mGeneration) {
                    return;  // cancelled or superseded
                }
                setBusy(false);
                if (value) {
                    done(std::move(value));
                } else if (!error->isEmpty()) {
                    reportFailure(what, *error);
                }
            });
    setBusy(true);
    emit progressChanged(what, 0, 0);
    watcher->setFuture(QtConcurrent::run(
        [work = std::move(work), job, cancelFlag, error]() -> std::shared_ptr<void> {
            // `cancelFlag` keeps job.cancel alive for as long as the worker runs; `error` is
            // read on the GUI thread only after the future finished.
            std::shared_ptr<void> value = runCaught(work, job, *error);
            return cancelFlag->load() ? nullptr : value;
        }));
}

void JobRunner::reportFailure(const QString& what, const QString& message) {
    if (isSignalConnected(QMetaMethod::fromSignal(&JobRunner::failed))) {
        emit failed(what, message);
        return;
    }
    // Nobody handles it: tell the user without blocking (the window keeps its state).
    QWidget* window = nullptr;
    for (QObject* o = parent(); o != nullptr && window == nullptr; o = o->parent())
        window = qobject_cast<QWidget*>(o);
    auto* box = new QMessageBox(QMessageBox::Warning, what, message, QMessageBox::Ok,
                                window != nullptr ? window->window() : nullptr);
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

}  // namespace vitscope::ui
