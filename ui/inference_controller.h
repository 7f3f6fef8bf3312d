#pragma once
/// InferenceController: opens models and images and runs the forward pass off the GUI thread
/// (QtConcurrent::run + QFutureWatcher, STYLE.md §6). A new request cancels the run in progress
/// and restarts (an image request during a model load waits for the load instead). The result
/// arrives on the GUI thread as an immutable Snapshot; on any error the previous model, image and
/// result stay as they were and failed() names the file and the problem.

#include <QByteArray>
#include <QObject>
#include <QString>
#include <atomic>
#include <memory>
#include <optional>

#include "core/image/image_io.h"
#include "core/model/vit_model.h"

namespace vitscope::ui {

/// Everything the window shows about one run. Immutable once published; views keep shared
/// ownership, so nothing they hold is ever written by a worker.
struct Snapshot {
    core::ModelPtr model;
    std::shared_ptr<const core::Image8> original;         ///< the decoded image (null: none)
    std::shared_ptr<const core::Image8> shown;            ///< the pixels the model saw
    std::shared_ptr<const core::Preprocessed> input;      ///< the model input and `shown`
    std::shared_ptr<const core::InferenceResult> result;  ///< null when there is no image yet
    std::vector<core::Prediction> predictions;            ///< top 5; empty without a head
    QString modelPath;
    QString imageLabel;    ///< path, or e.g. "clipboard"
    QString imagePath;     ///< empty unless the image came from a file
    double loadMs = 0;     ///< model load time (of the model in this snapshot)
    double forwardMs = 0;  ///< forward-pass time of this result
};
using SnapshotPtr = std::shared_ptr<const Snapshot>;

class InferenceController : public QObject {
    Q_OBJECT
public:
    explicit InferenceController(QObject* parent = nullptr);
    /// Cancels and waits for the run in progress.
    ~InferenceController() override;

    SnapshotPtr current() const { return mCurrent; }
    bool isBusy() const { return mRunning; }
    static constexpr int kTopK = 5;

public slots:
    /// A .safetensors file, a sharded index, a Hugging Face/timm folder or a .npz. The current
    /// image is re-run with the new model's preprocessing.
    void openModel(const QString& path);
    /// The same with the user's overrides (head count, mean/std, resize recipe).
    void openModel(const QString& path, const core::LoadOptions& options);
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

public:
    /// One request: a model to load and/or an image to open (path, bytes or pixels).
    struct Request {
        QString modelPath;
        core::LoadOptions loadOptions;  ///< overrides; progress and cancel are set per run
        QString imagePath;
        QByteArray imageBytes;
        std::shared_ptr<const core::Image8> imagePixels;
        QString imageLabel;
        bool hasImage() const {
            return !imagePath.isEmpty() || !imageBytes.isEmpty() || imagePixels;
        }
    };

private:
    void submit(Request request);
    void start(Request request);
    void finish(quint64 generation, const SnapshotPtr& snapshot, const QString& title,
                const QString& message);
    void reportProgress(quint64 generation, const QString& text, int value, int maximum);

    SnapshotPtr mCurrent;
    bool mRunning = false;
    quint64 mGeneration = 0;
    Request mRunningRequest;
    std::optional<Request> mQueued;
    std::shared_ptr<std::atomic<bool>> mCancel;
    QList<QObject*> mWatchers;  // live watchers, waited for in the destructor
};

}  // namespace vitscope::ui

Q_DECLARE_METATYPE(vitscope::ui::SnapshotPtr)
