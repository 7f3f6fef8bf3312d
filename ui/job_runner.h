#pragma once
/// JobRunner: the one way the window runs long work off the GUI thread (STYLE.md §6). A job is a
/// function run on Qt's thread pool with a cancel flag and a progress callback; its result is
/// handed to a callback on the GUI thread. Starting a job cancels the one in progress (restart on
/// a new request); a cancelled or superseded job's result is dropped, never delivered. The
/// destructor cancels and waits, so quitting never leaves a worker behind. An exception thrown by
/// a job (std::bad_alloc included) never escapes its worker: it becomes failed().
///
///   runner->start<Matrix>(tr("Rollout"),
///       [result](const JobContext& job) { return computeRollout(*result, job.cancel); },
///       [this](Matrix map) { mView->setMap(map); });

#include <QObject>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>

namespace vitscope::ui {

/// What a job sees on its worker thread.
struct JobContext {
    const std::atomic<bool>* cancel = nullptr;
    /// Thread-safe; reaches progressChanged on the GUI thread (stale jobs' reports are dropped).
    std::function<void(const QString& text, int value, int maximum)> progress;
    bool cancelled() const { return cancel != nullptr && cancel->load(); }
};

class JobRunner : public QObject {
    Q_OBJECT
public:
    explicit JobRunner(QObject* parent = nullptr);
    /// Cancels the job in progress and waits for every worker still running.
    ~JobRunner() override;

    /// Runs `work` on the thread pool and `done` with its value on the GUI thread, unless the
    /// job was cancelled or another start() came first. `what` names the job in progress text.
    template <typename T>
    void start(const QString& what, std::function<T(const JobContext&)> work,
               std::function<void(T)> done) {
        startErased(
            what,
            [work = std::move(work)](const JobContext& job) -> std::shared_ptr<void> {
                return std::make_shared<T>(work(job));
            },
            [done = std::move(done)](std::shared_ptr<void> value) {
                done(std::move(*std::static_pointer_cast<T>(value)));
            });
    }

    bool isBusy() const { return mBusy; }

public slots:
    /// Cancels the job in progress (its result is dropped).
    void cancel();

signals:
    void progressChanged(const QString& text, int value, int maximum);
    void busyChanged(bool busy);
    /// The job threw (std::bad_alloc or another exception): `message` says what happened.
    /// When nothing is connected, the runner shows a non-modal warning on its window instead.
    void failed(const QString& what, const QString& message);

private:
    void reportFailure(const QString& what, const QString& message);
    using ErasedWork = std::function<std::shared_ptr<void>(const JobContext&)>;
    using ErasedDone = std::function<void(std::shared_ptr<void>)>;
    void startErased(const QString& what, ErasedWork work, ErasedDone done);
    void setBusy(bool busy);

    quint64 mGeneration = 0;
    bool mBusy = false;
    std::shared_ptr<std::atomic<bool>> mCancel;
    QList<QObject*> mWatchers;  // live watchers, waited for in the destructor
};

}  // namespace vitscope::ui
