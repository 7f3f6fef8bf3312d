#pragma once
/// "Export all": every layer x head attention overlay of one result, plus the mean of
/// the heads of each layer, one file each in a folder. Each file is an AttentionFigure written by
/// exportFigure(), the painter and writer of a single export, so a batch file looks like the
/// figure exported on its own.
///
/// exportOverlays() touches no widget (QImage, QSvgGenerator and QPdfWriter paint on any thread),
/// so it may run off the GUI thread; BatchExporter runs it as a JobRunner job and reports
/// progress and the outcome on the GUI thread (STYLE.md §6).

#include <QObject>
#include <QString>
#include <atomic>
#include <functional>
#include <memory>

#include "core/model/inference_result.h"
#include "core/result.h"
#include "ui/figures/attention_figure.h"

namespace vitscope::ui {

class JobRunner;

/// What a batch writes. Plain value: it shares the (immutable) result and copies the figure.
struct OverlayBatch {
    std::shared_ptr<const core::InferenceResult> result;  ///< needs attention
    /// Image, colormap, opacity, overlay toggles and palette of every file; its map, grid,
    /// selected patch and caption are replaced per file.
    AttentionFigure style;
    int sourceToken = 0;                     ///< token index (see core::TokenLayout)
    bool reverse = false;                    ///< "attention to the source" instead of "from"
    QString folder;                          ///< created when missing
    QString format = QStringLiteral("png");  ///< png, svg or pdf
    double scale = 2.0;                      ///< PNG device pixels per figure unit
};

/// "layer03_head07.png", or "layer03_mean.png" for head -1 (the mean of the heads). 1-based, as
/// the window labels layers and heads; padded to two digits (more for 100+ layers or heads).
QString overlayFileName(int layer, int head, int numLayers, int numHeads, const QString& format);

/// Files in a full batch: layers * (heads + 1).
int overlayCount(const core::InferenceResult& result);

/// Called after each file with (files written, total, path just written); on the worker thread.
using OverlayProgress = std::function<void(int done, int total, const QString& path)>;

/// Writes every overlay of `batch`, layer by layer: its heads, then their mean. `cancel` is
/// checked before each file, so a cancelled batch stops between files. Returns the number of
/// files written (fewer than overlayCount() when cancelled). Errors: Usage when the result has no
/// attention, the format is not png/svg/pdf or the source token is out of range; Io when the
/// folder cannot be created or a file cannot be written (the message names it). Files written
/// before an error or a cancel stay.
core::Result<int> exportOverlays(const OverlayBatch& batch, const OverlayProgress& progress = {},
                                 const std::atomic<bool>* cancel = nullptr);

/// Runs exportOverlays() off the GUI thread, one batch at a time.
class BatchExporter : public QObject {
    Q_OBJECT
public:
    explicit BatchExporter(QObject* parent = nullptr);
    /// Cancels the batch in progress and waits for it (it stops after the file being written).
    ~BatchExporter() override;

    bool isRunning() const;
    /// Starts writing `batch`; returns false (and starts nothing) while another batch runs.
    bool start(OverlayBatch batch);

public slots:
    /// Stops the running batch before its next file; finished() follows at once with
    /// cancelled = true and the files reported so far (the file being written completes).
    void cancel();

signals:
    /// On the GUI thread after each file.
    void progressChanged(int done, int total, const QString& path);
    /// `written` of `total` files; `error` is empty unless the batch failed.
    void finished(int written, int total, bool cancelled, const QString& error);

public:
    struct Outcome {
        int written = 0;
        int total = 0;
        bool cancelled = false;
        QString error;
    };

private:
    JobRunner* mJobs = nullptr;
    int mDone = 0;   // files reported by the running batch
    int mTotal = 0;  // files in the running batch
};

}  // namespace vitscope::ui
