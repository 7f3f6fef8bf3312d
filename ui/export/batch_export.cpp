#include "ui/export/batch_export.h"

#include <QDir>
#include <QFile>
#include <algorithm>

#include "ui/export/figure_export.h"
#include "ui/job_runner.h"
#include "ui/layer_head_picker.h"

namespace vitscope::ui {

using core::ErrorCode;
using core::makeError;

namespace {

int digits(int n) { return static_cast<int>(QString::number(std::max(n, 1)).size()); }

/// The figure for one (layer, head); head -1 is the mean of the heads.
core::Result<AttentionFigure> overlayFigure(const OverlayBatch& batch, int layer, int head) {
    const core::InferenceResult& result = *batch.result;
    const core::TokenLayout& tokens = result.tokens;
    AttentionQuery q;
    q.layer = layer;
    q.head = head;
    q.fusion = core::HeadFusion::Mean;
    q.sourceToken = batch.sourceToken;
    q.reverse = batch.reverse;
    const core::Matrix map = attentionMap(result, q);
    if (map.size() == 0) {
        return makeError(ErrorCode::Usage, QStringLiteral("layer %1, head %2, source token %3: no "
                                                          "attention map for this selection")
                                               .arg(layer + 1)
                                               .arg(head + 1)
                                               .arg(batch.sourceToken)
                                               .toStdString());
    }
    AttentionFigure figure = batch.style;
    figure.setGrid(tokens.gridH, tokens.gridW);
    figure.setMap(map);
    if (tokens.isPatch(batch.sourceToken)) {
        const int patch = batch.sourceToken - tokens.numPrefix;
        figure.setSelectedPatch(patch / tokens.gridW, patch % tokens.gridW);
    } else {
        figure.setSelectedPatch(-1, -1);
    }
    figure.setCaption(
        describeQuery(q, tokens, result.attention.layers(), result.attention.heads()));
    return figure;
}

}  // namespace

QString overlayFileName(int layer, int head, int numLayers, int numHeads, const QString& format) {
    const int layerDigits = std::max(2, digits(numLayers));
    const int headDigits = std::max(2, digits(numHeads));
    const QString headPart =
        head < 0 ? QStringLiteral("mean")
                 : QStringLiteral("head%1").arg(head + 1, headDigits, 10, QLatin1Char('0'));
    return QStringLiteral("layer%1_%2.%3")
        .arg(layer + 1, layerDigits, 10, QLatin1Char('0'))
        .arg(headPart, format);
}

int overlayCount(const core::InferenceResult& result) {
    return result.attention.layers() * (result.attention.heads() + 1);
}

core::Result<int> exportOverlays(const OverlayBatch& batch, const OverlayProgress& progress,
                                 const std::atomic<bool>* cancel) {
    if (!batch.result || batch.result->attention.empty()) {
        return makeError(ErrorCode::Usage, "no attention to export: run an image through a model");
    }
    const QString format = batch.format.toLower();
    if (figureFormat(QStringLiteral("x.") + format).isEmpty()) {
        return makeError(ErrorCode::Usage, QStringLiteral("%1: unknown figure format; expected "
                                                          "png, svg or pdf")
                                               .arg(batch.format)
                                               .toStdString());
    }
    if (batch.sourceToken < 0 || batch.sourceToken >= batch.result->tokens.numTokens()) {
        return makeError(ErrorCode::Usage, QStringLiteral("source token %1: expected 0..%2")
                                               .arg(batch.sourceToken)
                                               .arg(batch.result->tokens.numTokens() - 1)
                                               .toStdString());
    }
    const QDir folder(batch.folder);
    if (batch.folder.isEmpty() || !QDir().mkpath(batch.folder)) {
        return makeError(
            ErrorCode::Io,
            (batch.folder + QStringLiteral(": cannot create the folder")).toStdString());
    }
    const int layers = batch.result->attention.layers();
    const int heads = batch.result->attention.heads();
    const int total = overlayCount(*batch.result);
    int written = 0;
    // A failed batch leaves no part of itself behind (each file is itself written atomically).
    QStringList done;
    auto failed = [&done](const core::Error& e) {
        for (const QString& p : done) QFile::remove(p);
        return e;
    };
    for (int layer = 0; layer < layers; ++layer) {
        for (int head = 0; head <= heads; ++head) {
            if (cancel && cancel->load()) {
                return written;
            }
            const int h = head < heads ? head : -1;  // the heads, then their mean
            auto figure = overlayFigure(batch, layer, h);
            if (!figure) {
                return failed(figure.error());
            }
            const QString path = folder.filePath(overlayFileName(layer, h, layers, heads, format));
            const core::Status status = exportFigure(figure.value(), path, batch.scale);
            if (!status) {
                return failed(status.error());
            }
            done << path;
            ++written;
            if (progress) {
                progress(written, total, path);
            }
        }
    }
    return written;
}

BatchExporter::BatchExporter(QObject* parent) : QObject(parent), mJobs(new JobRunner(this)) {
    // Progress arrives as (path, files written, total) through the runner, which drops the
    // reports of a cancelled batch.
    connect(mJobs, &JobRunner::progressChanged, this,
            [this](const QString& path, int done, int total) {
                if (done > 0) {
                    mDone = done;
                    emit progressChanged(done, total, path);
                }
            });
}

BatchExporter::~BatchExporter() = default;  // the runner cancels and waits

bool BatchExporter::isRunning() const { return mJobs->isBusy(); }

bool BatchExporter::start(OverlayBatch batch) {
    if (isRunning()) {
        return false;
    }
    mDone = 0;
    mTotal = batch.result ? overlayCount(*batch.result) : 0;
    mJobs->start<Outcome>(
        tr("Exporting overlays"),
        [batch = std::move(batch), total = mTotal](const JobContext& job) {
            int done = 0;  // counted here too, so that a failed batch still says what it wrote
            const auto report = [&job, &done](int n, int of, const QString& path) {
                done = n;
                job.progress(path, n, of);
            };
            const core::Result<int> written = exportOverlays(batch, report, job.cancel);
            Outcome outcome;
            outcome.total = total;
            outcome.written = written ? written.value() : done;
            if (!written) {
                outcome.error = QString::fromStdString(written.error().message);
            }
            return outcome;
        },
        [this](Outcome outcome) {
            emit finished(outcome.written, outcome.total, false, outcome.error);
        });
    return true;
}

void BatchExporter::cancel() {
    if (!isRunning()) {
        return;
    }
    mJobs->cancel();  // the worker stops before its next file; its outcome is dropped
    emit finished(mDone, mTotal, true, {});
}

}  // namespace vitscope::ui
