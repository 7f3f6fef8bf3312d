#pragma once
/// ExperimentsView: the "Experiments" tab of InductiveBiasPanel: shuffled patches with and without
/// position embeddings, position embeddings removed or permuted, a shift by less than a patch and
/// another resolution (core::runExperiments), all from the current core::Run's input, source image
/// and recipe. Runs off the GUI thread on the view's JobRunner, reporting through the panel's
/// shared progress bar (workStarted, workProgress, workFinished).

#include <QWidget>
#include <vector>

#include "core/analysis/experiments.h"
#include "core/model/vit_model.h"
#include "core/pipeline/run.h"
#include "ui/export/figure_context.h"

class QComboBox;
class QPushButton;
class QSpinBox;

namespace vitscope::ui {

class FigureWidget;
class JobRunner;
class PatchMultipleSpinBox;

class ExperimentsView : public QWidget {
    Q_OBJECT
public:
    explicit ExperimentsView(QWidget* parent = nullptr);
    /// The JobRunner cancels and waits.
    ~ExperimentsView() override;

    /// A new model (may be null): cancels the run, clears the outcomes, adapts the controls to
    /// the patch size.
    void setModel(core::ModelPtr model);
    /// A new run of the current model (may be null): clears the outcomes.
    void setRun(core::RunPtr run);
    /// Runs the experiments with the current controls, off the GUI thread; does nothing without
    /// a model and a run with an input.
    void runExperiments();
    /// Cancels the experiments in progress (their result is dropped).
    void cancelWork();
    /// The resolution experiment's size boxes (for tests).
    QSpinBox* resolutionHeightBox() const;
    QSpinBox* resolutionWidthBox() const;
    /// Disables "Run experiments" while this or another view's job holds the progress bar.
    void setWorkBusy(bool busy);
    /// The figure, for InductiveBiasPanel::exportFigures.
    std::vector<const FigureWidget*> figureWidgets() const;

signals:
    /// The run started: `what` titles the progress bar, which counts to `maximum`.
    void workStarted(const QString& what, int maximum);
    void workProgress(int value, int maximum);
    /// The run finished, failed or was cancelled.
    void workFinished();
    void failed(const QString& title, const QString& message);

private:
    void setToolTips(QWidget* exportButton);
    void updateExperimentControls();
    /// 1.5x the run's input grid (the trained grid without a run), in whole patches.
    std::pair<int, int> defaultResolution() const;
    void resetResolution();
    bool canRunExperiments() const;
    FigureOptions options() const;

    core::ModelPtr mModel;
    core::RunPtr mRun;
    JobRunner* mJobs = nullptr;
    bool mWorkBusy = false;
    std::vector<core::ExperimentOutcome> mOutcomes;

    FigureWidget* mExperimentsWidget = nullptr;
    QSpinBox* mSeed = nullptr;
    QSpinBox* mShiftDy = nullptr;
    QSpinBox* mShiftDx = nullptr;
    PatchMultipleSpinBox* mResH = nullptr;
    PatchMultipleSpinBox* mResW = nullptr;
    /// The size boxes hold the default until the user changes them.
    bool mResolutionFollowsRun = true;
    QComboBox* mResInterp = nullptr;
    QPushButton* mRunExperiments = nullptr;
};

}  // namespace vitscope::ui
