#pragma once
/// InductiveBiasPanel: the ViT paper's inductive-bias views in four tabs — "Position embeddings"
/// (Figure 7 centre, click a tile to enlarge it over the image), "Attention distance" (Figure 7
/// right, for the current image or a folder of images), "Embedding filters" (Figure 7 left) and
/// "Experiments" (shuffled patches, position embeddings removed/permuted, a sub-patch shift,
/// another resolution). Every computation runs off the GUI thread as a JobRunner job (one runner per
/// figure, so that they restart independently) with progress and cancel; every figure exports
/// through FigureWidget (PNG/SVG/PDF and its numbers). It never preprocesses or runs the model on
/// the window's image itself: it works from the snapshot's core::Run.

#include <QWidget>
#include <memory>

#include "core/analysis/attention_distance.h"
#include "core/analysis/experiments.h"
#include "core/image/preprocess.h"
#include "core/model/vit_model.h"
#include "ui/export/figure_factory.h"
#include "ui/inference_controller.h"

class QComboBox;
class QLabel;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTabWidget;

namespace vitscope::ui {

class FigureWidget;
class JobRunner;

class InductiveBiasPanel : public QWidget {
    Q_OBJECT
public:
    explicit InductiveBiasPanel(QWidget* parent = nullptr);
    /// Cancels running work and waits for it.
    ~InductiveBiasPanel() override;

    enum Tab { PositionEmbeddings = 0, AttentionDistance, EmbeddingFilters, Experiments };
    void showTab(Tab tab);

    /// Writes every figure currently shown (similarity, enlarged tile, attention distance,
    /// filters, experiments) into `folder` as <name>.png (at `scale`), .svg and .pdf. Returns the
    /// first error (the message names the file).
    core::Status exportFigures(const QString& folder, double scale = 2.0) const;

public slots:
    /// A new model: recomputes the model-only figures (similarity, filters) and clears the rest.
    void setModel(vitscope::core::ModelPtr model);
    /// A new run of the current model (source image, recipe, input, result); may be null.
    void setRun(vitscope::core::RunPtr run);
    /// For the window: the model and run of an InferenceController snapshot (connect
    /// InferenceController::snapshotChanged here).
    void setSnapshot(vitscope::ui::SnapshotPtr snapshot);

    /// Attention distance over the images of `folder` (at most the "images" spin box, 128 by
    /// default as in the paper), off the GUI thread.
    void runFolderDistance(const QString& folder);
    /// Runs the experiments with the current controls, off the GUI thread.
    void runExperiments();
    void cancelWork();

signals:
    /// Short status text for the window's status bar ("Experiments: 3/8 runs").
    void statusMessage(const QString& text);
    /// A computation failed; `message` names the file/setting and the problem.
    void failed(const QString& title, const QString& message);

private:
    QWidget* buildPositionTab();
    QWidget* buildDistanceTab();
    QWidget* buildFiltersTab();
    QWidget* buildExperimentsTab();
    void updatePositionFigure();
    void updateTileFigure();
    void updateDistanceFigure();
    void updateFiltersFigure();
    void updateExperimentControls();
    void setBusy(bool busy, const QString& what);
    void onSimilarityClicked(QPointF pos, QRectF target);
    FigureContext context() const;
    FigureOptions options() const;
    /// The current run's result when it has one.
    const core::InferenceResult* result() const { return mRun ? mRun->result.get() : nullptr; }
    bool canRunExperiments() const;

    core::ModelPtr mModel;
    core::RunPtr mRun;
    // One runner per figure; `mWork` runs the folder and experiment jobs behind the progress bar.
    JobRunner* mSimilarityJobs = nullptr;
    JobRunner* mDistanceJobs = nullptr;
    JobRunner* mFiltersJobs = nullptr;
    JobRunner* mWork = nullptr;

    // Figures' data kept for re-layout and tile clicks.
    std::shared_ptr<const PosEmbedSimilarityData> mSimilarity;
    int mTileRow = -1;
    int mTileCol = -1;
    core::Matrix mFolderDistances;  // (layers, heads), empty: use the current image
    int mFolderImages = 0;
    std::vector<core::ExperimentOutcome> mOutcomes;

    QTabWidget* mTabs = nullptr;
    FigureWidget* mSimilarityWidget = nullptr;
    FigureWidget* mTileWidget = nullptr;
    FigureWidget* mDistanceWidget = nullptr;
    FigureWidget* mFiltersWidget = nullptr;
    FigureWidget* mExperimentsWidget = nullptr;
    QComboBox* mGridCombo = nullptr;
    QComboBox* mInterpCombo = nullptr;
    QComboBox* mPrefixCombo = nullptr;
    QSpinBox* mMaxImages = nullptr;
    QLabel* mDistanceSource = nullptr;
    QComboBox* mFilterMode = nullptr;
    QSpinBox* mSeed = nullptr;
    QSpinBox* mShiftDy = nullptr;
    QSpinBox* mShiftDx = nullptr;
    QSpinBox* mResH = nullptr;
    QSpinBox* mResW = nullptr;
    QComboBox* mResInterp = nullptr;
    QPushButton* mRunExperiments = nullptr;
    QPushButton* mFolderButton = nullptr;
    QProgressBar* mProgress = nullptr;
    QPushButton* mCancelButton = nullptr;
};

}  // namespace vitscope::ui
