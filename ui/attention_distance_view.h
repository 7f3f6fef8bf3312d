#pragma once
/// AttentionDistanceView: the "Attention distance" tab of InductiveBiasPanel (ViT paper Figure 7
/// right): how far each head of each layer attends, for the current run's image or averaged over
/// a folder of images (core::listImages, core::folderAttentionDistance), with a choice of how the
/// prefix tokens are handled. The figure and the folder average run off the GUI thread on two
/// JobRunners of the view; the folder job reports through the panel's shared progress bar
/// (workStarted, workProgress, workFinished).

#include <QWidget>
#include <vector>

#include "core/model/vit_model.h"
#include "core/pipeline/run.h"
#include "core/tensor.h"
#include "ui/export/figure_context.h"

class QComboBox;
class QLabel;
class QPushButton;
class QSpinBox;

namespace vitscope::ui {

class FigureWidget;
class JobRunner;

class AttentionDistanceView : public QWidget {
    Q_OBJECT
public:
    explicit AttentionDistanceView(QWidget* parent = nullptr);
    /// Each JobRunner cancels and waits.
    ~AttentionDistanceView() override;

    /// A new model (may be null): cancels the jobs and drops the folder average.
    void setModel(core::ModelPtr model);
    /// A new run of the current model (may be null); redraws unless a folder average is shown.
    void setRun(core::RunPtr run);
    /// Attention distance over the images of `folder` (at most the "images" spin box, 128 by
    /// default as in the paper), off the GUI thread.
    void runFolderDistance(const QString& folder);
    /// Cancels the folder job (its result is dropped).
    void cancelWork();
    /// Disables the folder button while this or another view's job holds the progress bar.
    void setWorkBusy(bool busy);
    /// The figure, for InductiveBiasPanel::exportFigures.
    std::vector<const FigureWidget*> figureWidgets() const;

signals:
    /// The folder job started: `what` titles the progress bar, which counts to `maximum`.
    void workStarted(const QString& what, int maximum);
    void workProgress(int value, int maximum);
    /// The folder job finished, failed or was cancelled.
    void workFinished();
    void statusMessage(const QString& text);
    void failed(const QString& title, const QString& message);

private:
    void updateDistanceFigure();
    FigureOptions options() const;
    const core::InferenceResult* result() const { return mRun ? mRun->result.get() : nullptr; }

    core::ModelPtr mModel;
    core::RunPtr mRun;
    JobRunner* mFigureJobs = nullptr;  // the figure
    JobRunner* mFolderJobs = nullptr;  // the folder average, behind the progress bar
    core::Matrix mFolderDistances;     // (layers, heads), empty: use the current image
    int mFolderImages = 0;

    FigureWidget* mDistanceWidget = nullptr;
    QComboBox* mPrefixCombo = nullptr;
    QSpinBox* mMaxImages = nullptr;
    QLabel* mDistanceSource = nullptr;
    QPushButton* mFolderButton = nullptr;
};

}  // namespace vitscope::ui
