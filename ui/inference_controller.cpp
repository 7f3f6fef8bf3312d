#include "ui/inference_controller.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <span>

#include "core/model/memory_plan.h"
#include "ui/job_runner.h"

namespace vitscope::ui {

namespace {

using Outcome = InferenceController::Outcome;
using Request = InferenceController::Request;

QString fileName(const QString& path) {
    const QFileInfo info(path);
    return info.fileName().isEmpty() ? path : info.fileName();
}

Outcome failure(const QString& title, const QString& what, const core::Error& error) {
    return {nullptr, title,
            QStringLiteral("%1\n\n%2\n\nThe previous model and image are kept.")
                .arg(what, QString::fromStdString(error.message))};
}

/// Loads the model the request names into `next`; an error outcome when it fails.
std::optional<Outcome> loadModel(const Request& req, const JobContext& job, Snapshot& next) {
    const QString what = QObject::tr("Loading model %1").arg(fileName(req.modelPath));
    job.progress(what, 0, 1000);
    core::LoadOptions options = req.loadOptions;
    options.cancel = job.cancel;
    options.progress = [&job, &what](float f) {
        job.progress(what, static_cast<int>(f * 1000), 1000);
    };
    QElapsedTimer timer;
    timer.start();
    auto model = core::loadModel(req.modelPath.toStdString(), options);
    if (!model) {
        return failure(QObject::tr("Cannot open model"),
                       QObject::tr("Could not open the model “%1”.").arg(req.modelPath),
                       model.error());
    }
    next.model = std::move(model.value());
    next.modelPath = req.modelPath;
    next.loadMs = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    return std::nullopt;
}

/// Decodes the request's image (path, bytes or pixels).
core::Result<std::shared_ptr<const core::Image8>> decodeImage(const Request& req) {
    core::Result<core::Image8> image = core::Image8{};
    if (req.imagePixels) {
        return req.imagePixels;
    }
    if (!req.imageBytes.isEmpty()) {
        const auto* data = reinterpret_cast<const std::byte*>(req.imageBytes.constData());
        image = core::decodeImage(std::span(data, static_cast<size_t>(req.imageBytes.size())),
                                  req.imageLabel.toStdString());
    } else {
        image = core::loadImage(req.imagePath.toStdString());
    }
    if (!image) {
        return image.error();
    }
    return std::make_shared<const core::Image8>(std::move(image.value()));
}

/// The whole job, on a worker thread: load the model (if asked), decode the image (if asked) and
/// run it through core::runImage. Touches no QObject.
Outcome runJob(const Request& req, const SnapshotPtr& current, core::RunOptions options,
               core::WorkspacePool& workspaces, const JobContext& job) {
    auto next = std::make_shared<Snapshot>();
    if (current) {
        *next = *current;
    }
    if (!req.modelPath.isEmpty()) {
        if (auto error = loadModel(req, job, *next)) {
            return *error;
        }
    }
    std::shared_ptr<const core::Image8> source =
        current && current->run ? current->run->source : nullptr;
    if (req.hasImage()) {
        auto image = decodeImage(req);
        if (!image || !*image || (*image)->empty()) {
            const core::Error error =
                image ? core::makeError(core::ErrorCode::BadImage, "the image is empty")
                      : image.error();
            return failure(QObject::tr("Cannot open image"),
                           QObject::tr("Could not open the image “%1”.").arg(req.imageLabel),
                           error);
        }
        source = std::move(image.value());
        next->imageLabel = req.imageLabel;
        next->imagePath = req.imagePath;
    }
    if (!next->model || !source) {
        // A model without an image yet, an image without a model to run it, or nothing at all.
        auto run = std::make_shared<core::Run>();
        run->source = source;
        next->run = source ? std::move(run) : nullptr;
        return {next, {}, {}};
    }
    options.topK = InferenceController::kTopK;
    options.cancel = job.cancel;
    options.progress = [&job](int done, int total) {
        job.progress(QObject::tr("Running block %1/%2").arg(done).arg(total), done, total);
    };
    const core::WorkspacePool::Lease workspace = workspaces.acquire();
    auto run = core::runImage(next->model, source, options, workspace.get());
    if (!run) {
        const auto code = run.error().code;
        if (code == core::ErrorCode::Cancelled) {
            return {};
        }
        const bool imageProblem =
            code == core::ErrorCode::BadImage || code == core::ErrorCode::Usage;
        return failure(
            imageProblem ? QObject::tr("Cannot use image") : QObject::tr("Inference failed"),
            QObject::tr("Running “%1” through the model failed.").arg(next->imageLabel),
            run.error());
    }
    next->run = std::make_shared<const core::Run>(std::move(run.value()));
    return {next, {}, {}};
}

}  // namespace

InferenceController::InferenceController(QObject* parent)
    : QObject(parent),
      mJobs(new JobRunner(this)),
      mWorkspaces(std::make_shared<core::WorkspacePool>()) {
    qRegisterMetaType<SnapshotPtr>();
    connect(mJobs, &JobRunner::progressChanged, this, &InferenceController::progressChanged);
    connect(mJobs, &JobRunner::failed, this, &InferenceController::failed);
    connect(mJobs, &JobRunner::busyChanged, this, [this](bool busy) {
        if (!busy) {
            mRunningRequest = {};
        }
        emit busyChanged(busy);
    });
}

InferenceController::~InferenceController() {
    mQueued.reset();
    delete mJobs;  // cancels and waits, before the members its callbacks use go away
    mJobs = nullptr;
}

bool InferenceController::isBusy() const { return mJobs && mJobs->isBusy(); }

void InferenceController::openModel(const QString& path, const core::LoadOptions& options) {
    Request r;
    r.modelPath = path;
    r.loadOptions = options;
    r.loadOptions.progress = {};
    r.loadOptions.cancel = nullptr;
    submit(std::move(r));
}

void InferenceController::setMemoryBudget(uint64_t bytes) { mRunOptions.memoryBudget = bytes; }

void InferenceController::setRunOptions(const core::RunOptions& options) {
    const uint64_t budget = mRunOptions.memoryBudget;
    mRunOptions = options;
    if (mRunOptions.memoryBudget == 0)
        mRunOptions.memoryBudget = budget;  // the Settings value stays unless replaced
    mRunOptions.progress = {};
    mRunOptions.cancel = nullptr;
    if (!mJobs->isBusy() && (!mCurrent || !mCurrent->model || !mCurrent->source())) {
        return;  // nothing to re-run; the next image uses the options
    }
    Request r;
    r.rerun = true;
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
    mJobs->cancel();
}

void InferenceController::submit(Request request) {
    if (!mJobs->isBusy()) {
        start(std::move(request));
        return;
    }
    if (!mRunningRequest.modelPath.isEmpty() && request.modelPath.isEmpty()) {
        // Do not throw away a model load (possibly a large file) for an image or new run
        // options: queue the request and run it with the new model when the load finishes.
        if (!request.hasImage() && mQueued && mQueued->hasImage()) {
            return;  // a queued image runs with the new options anyway
        }
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
    start(std::move(request));  // JobRunner cancels the running job
}

void InferenceController::announcePlan(const core::ModelPtr& model) {
    if (!model)
        return;
    auto recipe = core::effectiveRecipe(*model, mRunOptions);
    if (!recipe || !(recipe->centerCrop || recipe->resizeRule == core::ResizeRule::Exact))
        return;  // the size follows the image: the run itself reports
    const int p = model->config().patchSize;
    const uint64_t budget =
        mRunOptions.memoryBudget != 0 ? mRunOptions.memoryBudget : core::defaultMemoryBudget();
    auto plan =
        core::planForward(model->config(), recipe->outputH() / p, recipe->outputW() / p, budget);
    if (plan && (plan->storage == core::AttentionStorage::Rebuilt ||
                 plan->totalBytes() > (uint64_t(1) << 30))) {
        emit runPlanned(QString::fromStdString(plan->summary()));
    }
}

void InferenceController::start(Request request) {
    mRunningRequest = request;
    SnapshotPtr current = mCurrent;
    core::RunOptions options = mRunOptions;
    if (request.modelPath.isEmpty() && current)
        announcePlan(current->model);
    mJobs->start<Outcome>(
        tr("Working"),
        [request = std::move(request), current, options, workspaces = mWorkspaces](
            const JobContext& job) { return runJob(request, current, options, *workspaces, job); },
        [this](Outcome outcome) { finish(outcome); });
}

void InferenceController::finish(const Outcome& outcome) {
    mRunningRequest = {};
    if (outcome.snapshot) {
        mCurrent = outcome.snapshot;
        emit snapshotChanged(mCurrent);
    } else if (!outcome.title.isEmpty()) {
        emit failed(outcome.title, outcome.message);
    }
    if (mQueued) {
        Request next = std::move(*mQueued);
        mQueued.reset();
        start(std::move(next));
    }
}

}  // namespace vitscope::ui
