#include "ui/inference_controller.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QPointer>
#include <QtConcurrent/QtConcurrentRun>
#include <span>

namespace vitscope::ui {

namespace {

QString fileName(const QString& path) {
    const QFileInfo info(path);
    return info.fileName().isEmpty() ? path : info.fileName();
}

struct JobContext {
    InferenceController::Request request;
    SnapshotPtr current;
    std::shared_ptr<std::atomic<bool>> cancel;
    std::function<void(QString, int, int)> progress;  // called on the worker thread
};

/// A published snapshot, or the (title, message) of an error; neither when cancelled.
struct JobOutput {
    SnapshotPtr snapshot;
    QString title;
    QString message;
};

JobOutput failure(const QString& title, const QString& what, const core::Error& error) {
    return {nullptr, title,
            QStringLiteral("%1\n\n%2\n\nThe previous model and image are kept.")
                .arg(what, QString::fromStdString(error.message))};
}

/// The whole job, on a worker thread: load the model (if asked), decode the image (if asked),
/// preprocess with the model's recipe and run the forward pass. Touches no QObject.
JobOutput runJob(const JobContext& ctx) {
    auto next = std::make_shared<Snapshot>();
    if (ctx.current) {
        *next = *ctx.current;
    }
    const auto& req = ctx.request;
    if (!req.modelPath.isEmpty()) {
        ctx.progress(QObject::tr("Loading model %1").arg(fileName(req.modelPath)), 0, 1000);
        core::LoadOptions options = req.loadOptions;
        options.cancel = ctx.cancel.get();
        options.progress = [&ctx, &req](float f) {
            ctx.progress(QObject::tr("Loading model %1").arg(fileName(req.modelPath)),
                         static_cast<int>(f * 1000), 1000);
        };
        QElapsedTimer timer;
        timer.start();
        auto model = core::loadModel(req.modelPath.toStdString(), options);
        if (!model) {
            return failure(QObject::tr("Cannot open model"),
                           QObject::tr("Could not open the model “%1”.").arg(req.modelPath),
                           model.error());
        }
        next->model = std::move(model.value());
        next->modelPath = req.modelPath;
        next->loadMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    }
    if (req.hasImage()) {
        core::Result<core::Image8> image = core::Image8{};
        if (req.imagePixels) {
            image = *req.imagePixels;
        } else if (!req.imageBytes.isEmpty()) {
            const auto* data = reinterpret_cast<const std::byte*>(req.imageBytes.constData());
            image = core::decodeImage(std::span(data, static_cast<size_t>(req.imageBytes.size())),
                                      req.imageLabel.toStdString());
        } else {
            image = core::loadImage(req.imagePath.toStdString());
        }
        if (!image || image->empty()) {
            const core::Error error =
                image ? core::makeError(core::ErrorCode::BadImage, "the image is empty")
                      : image.error();
            return failure(QObject::tr("Cannot open image"),
                           QObject::tr("Could not open the image “%1”.").arg(req.imageLabel),
                           error);
        }
        next->original = std::make_shared<const core::Image8>(std::move(image.value()));
        next->imageLabel = req.imageLabel;
        next->imagePath = req.imagePath;
    }
    if (!next->model || !next->original) {
        next->result = nullptr;  // a model without an image yet, or nothing at all
        next->shown = nullptr;
        next->input = nullptr;
        next->predictions.clear();
        return {next, {}, {}};
    }
    const core::VitModel& model = *next->model;
    auto prep = core::preprocess(*next->original, model.recipe());
    if (!prep) {
        return failure(QObject::tr("Cannot use image"),
                       QObject::tr("Could not prepare “%1” for the model.").arg(next->imageLabel),
                       prep.error());
    }
    core::ForwardOptions options;
    options.cancel = ctx.cancel.get();
    options.progress = [&ctx](int done, int total) {
        ctx.progress(QObject::tr("Running block %1/%2").arg(done).arg(total), done, total);
    };
    QElapsedTimer timer;
    timer.start();
    auto result = core::runForward(model, prep->input, options);
    if (!result) {
        return failure(QObject::tr("Inference failed"),
                       QObject::tr("The forward pass on “%1” failed.").arg(next->imageLabel),
                       result.error());
    }
    next->forwardMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    auto input = std::make_shared<const core::Preprocessed>(std::move(prep.value()));
    next->shown = std::shared_ptr<const core::Image8>(input, &input->shown);  // aliases `input`
    next->input = std::move(input);
    auto shared = std::make_shared<const core::InferenceResult>(std::move(result.value()));
    next->predictions = model.config().hasHead()
                            ? core::topK(model, *shared, InferenceController::kTopK)
                            : std::vector<core::Prediction>{};
    next->result = std::move(shared);
    return {next, {}, {}};
}

bool isCancelled(const JobContext& ctx) { return ctx.cancel->load(); }

}  // namespace

InferenceController::InferenceController(QObject* parent) : QObject(parent) {
    qRegisterMetaType<SnapshotPtr>();
}

InferenceController::~InferenceController() {
    if (mCancel) {
        mCancel->store(true);
    }
    for (QObject* object : std::as_const(mWatchers)) {
        auto* watcher = static_cast<QFutureWatcher<JobOutput>*>(object);
        watcher->disconnect(this);
        watcher->waitForFinished();
    }
}

void InferenceController::openModel(const QString& path) {
    openModel(path, core::LoadOptions{});
}

void InferenceController::openModel(const QString& path, const core::LoadOptions& options) {
    Request r;
    r.modelPath = path;
    r.loadOptions = options;
    submit(std::move(r));
}

void InferenceController::openImage(const QString& path) {
    Request r;
    r.imagePath = path;
    r.imageLabel = path;
    submit(std::move(r));
}

void InferenceController::openImageData(const QByteArray& bytes, const QString& label) {
    Request r;
    r.imageBytes = bytes;
    r.imageLabel = label;
    if (bytes.isEmpty()) {
        emit failed(tr("Cannot open image"), tr("“%1” holds no image data.").arg(label));
        return;
    }
    submit(std::move(r));
}

void InferenceController::openImagePixels(const core::Image8& image, const QString& label) {
    Request r;
    r.imagePixels = std::make_shared<const core::Image8>(image);
    r.imageLabel = label;
    submit(std::move(r));
}

void InferenceController::cancel() {
    mQueued.reset();
    if (mCancel) {
        mCancel->store(true);
    }
}

void InferenceController::submit(Request request) {
    if (!mRunning) {
        start(std::move(request));
        return;
    }
    if (!mRunningRequest.modelPath.isEmpty() && request.modelPath.isEmpty()) {
        // Do not throw away a model load (possibly a large file) for an image: queue the image
        // and run it with the new model when the load finishes.
        mQueued = std::move(request);
        return;
    }
    // Cancel and restart. What the running request had and the new one does not ask for
    // (an image not yet committed) carries over.
    if (!request.hasImage()) {
        const Request& carry = mQueued && mQueued->hasImage() ? *mQueued : mRunningRequest;
        request.imagePath = carry.imagePath;
        request.imageBytes = carry.imageBytes;
        request.imagePixels = carry.imagePixels;
        request.imageLabel = carry.imageLabel;
    }
    mQueued.reset();
    mCancel->store(true);
    start(std::move(request));
}

void InferenceController::start(Request request) {
    const quint64 generation = ++mGeneration;
    mCancel = std::make_shared<std::atomic<bool>>(false);
    mRunningRequest = request;
    const bool wasRunning = mRunning;
    mRunning = true;

    JobContext ctx;
    ctx.request = std::move(request);
    ctx.current = mCurrent;
    ctx.cancel = mCancel;
    QPointer<InferenceController> self(this);
    ctx.progress = [self, generation](QString text, int value, int maximum) {
        // Worker thread: hop to the GUI thread; the controller drops stale generations.
        if (auto* target = self.data()) {
            QMetaObject::invokeMethod(
                target,
                [self, generation, text, value, maximum] {
                    if (self) {
                        self->reportProgress(generation, text, value, maximum);
                    }
                },
                Qt::QueuedConnection);
        }
    };

    auto* watcher = new QFutureWatcher<JobOutput>(this);
    mWatchers.append(watcher);
    connect(watcher, &QFutureWatcher<JobOutput>::finished, this, [this, watcher, generation] {
        mWatchers.removeOne(watcher);
        const JobOutput out = watcher->result();
        watcher->deleteLater();
        finish(generation, out.snapshot, out.title, out.message);
    });
    watcher->setFuture(QtConcurrent::run([ctx = std::move(ctx)]() -> JobOutput {
        JobOutput out = runJob(ctx);
        if (isCancelled(ctx)) {
            return {};  // superseded: nothing to publish, nothing to report
        }
        return out;
    }));
    if (!wasRunning) {
        emit busyChanged(true);
    }
}

void InferenceController::finish(quint64 generation, const SnapshotPtr& snapshot,
                                 const QString& title, const QString& message) {
    if (generation != mGeneration) {
        return;  // superseded by a newer request; that one is running
    }
    mRunning = false;
    mRunningRequest = {};
    if (snapshot) {
        mCurrent = snapshot;
        emit snapshotChanged(mCurrent);
    } else if (!title.isEmpty()) {
        emit failed(title, message);
    }
    if (mQueued) {
        Request next = std::move(*mQueued);
        mQueued.reset();
        start(std::move(next));
        return;
    }
    emit busyChanged(false);
}

void InferenceController::reportProgress(quint64 generation, const QString& text, int value,
                                         int maximum) {
    if (generation == mGeneration && mRunning) {
        emit progressChanged(text, value, maximum);
    }
}

}  // namespace vitscope::ui
