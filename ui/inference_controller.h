#pragma once
/// InferenceController: opens models and images and runs them through core::runImage off the GUI
/// thread, as one JobRunner job (STYLE.md §6). A new request cancels the run in progress and
/// restarts (an image request during a model load waits for the load instead). The result
/// arrives on the GUI thread as an immutable Snapshot; on any error the previous model, image and
/// result stay as they were and failed() names the file and the problem.

#include <QByteArray>
#include <QObject>
#include <QString>
#include <memory>
#include <optional>

#include "core/image/image_io.h"
#include "core/model/vit_model.h"
#include "core/model/workspace_pool.h"
#include "core/pipeline/run.h"

namespace vitscope::ui {

class JobRunner;

/// Everything the window shows about one run. Immutable once published; views keep shared
/// ownership, so nothing they hold is ever written by a worker.
struct Snapshot {
    core::ModelPtr model;
    /// The image through the model (source, recipe, input, result, top-k, forwardMs). Null when
    /// there is no image; an image opened before any model has a Run with only `source` set.
    core::RunPtr run;
    QString modelPath;
    QString imageLabel;  ///< path, or e.g. "clipboard"
    QString imagePath;   ///< empty unless the image came from a file
    double loadMs = 0;   ///< model load time (of the model in this snapshot)

    /// Shorthands for the run's parts; null (or 0) when there is none.
    const core::InferenceResult* result() const { return run ? run->result.get() : nullptr; }
    const core::Image8* source() const { return run ? run->source.get() : nullptr; }
    /// The pixels the model saw (the preprocessed input before rescale and normalise).
    const core::Image8* shown() const { return run && run->input ? &run->input->shown : nullptr; }
    double forwardMs() const { return run ? run->forwardMs : 0; }
};
using SnapshotPtr = std::shared_ptr<const Snapshot>;

class InferenceController : public QObject {
    Q_OBJECT
public:
    explicit InferenceController(QObject* parent = nullptr);
    /// Cancels and waits for the run in progress.
    ~InferenceController() override;

    SnapshotPtr current() const { return mCurrent; }
    /// Bytes a run may hold (core/model/memory_plan.h); 0: half the machine's memory.
    void setMemoryBudget(uint64_t bytes);
    uint64_t memoryBudget() const { return mRunOptions.memoryBudget; }
    bool isBusy() const;
    static constexpr int kTopK = 5;
    /// The run options every image goes through (progress, cancel and topK are the controller's).
    const core::RunOptions& runOptions() const { return mRunOptions; }

public slots:
    /// A .safetensors file, a sharded index, a Hugging Face/timm folder or a .npz. The current
    /// image is re-run with the new model's preprocessing. `options` (head count, ...) are kept
    /// with the request; their progress and cancel are the controller's.
    void openModel(const QString& path, const core::LoadOptions& options = {});
    /// Input size and position interpolation for every run from now on; re-runs the current
    /// image (when there is one and a model to run it).
    void setRunOptions(const core::RunOptions& options);
    void openImage(const QString& path);
    /// Encoded image bytes (PNG, JPEG, ... from the clipboard or a drop); `label` names them.
    void openImageData(const QByteArray& bytes, const QString& label);
    /// Already decoded pixels (a clipboard image).
    void openImagePixels(const core::Image8& image, const QString& label);
    /// Cancels the run in progress and anything queued; the current snapshot stays.
    void cancel();

signals:
    void snapshotChanged(vitscope::ui::SnapshotPtr snapshot);
    /// `text` e.g. "Running block 3/12"; value in 0..maximum.
    void progressChanged(const QString& text, int value, int maximum);
    void busyChanged(bool busy);
    /// `title` e.g. "Cannot open image"; `message` names the file and the problem.
    void failed(const QString& title, const QString& message);
    /// Before a run that keeps attention Rebuilt or holds more than 1 GB: what it will hold
    /// against the memory budget (core::MemoryPlan::summary), for the status bar.
    void runPlanned(const QString& summary);

public:
    /// One request: a model to load and/or an image to open (path, bytes or pixels).
    struct Request {
        QString modelPath;
        core::LoadOptions loadOptions;  ///< with modelPath
        bool rerun = false;             ///< run the current image again (new run options)
        QString imagePath;
        QByteArray imageBytes;
        std::shared_ptr<const core::Image8> imagePixels;
        QString imageLabel;
        bool hasImage() const {
            return !imagePath.isEmpty() || !imageBytes.isEmpty() || imagePixels;
        }
    };
    /// A published snapshot, or the (title, message) of an error.
    struct Outcome {
        SnapshotPtr snapshot;
        QString title;
        QString message;
    };

private:
    void submit(Request request);
    void start(Request request);
    void announcePlan(const core::ModelPtr& model);
    void finish(const Outcome& outcome);

    SnapshotPtr mCurrent;
    core::RunOptions mRunOptions;
    JobRunner* mJobs = nullptr;
    /// Every run's scratch buffers (shared with the jobs, which may outlive a restart).
    std::shared_ptr<core::WorkspacePool> mWorkspaces;
    Request mRunningRequest;
    std::optional<Request> mQueued;
};

}  // namespace vitscope::ui

Q_DECLARE_METATYPE(vitscope::ui::SnapshotPtr)
