#pragma once
/// InductiveBiasPanel: the ViT paper's inductive-bias views in five tabs — "Position embeddings"
/// (Figure 7 centre, click a tile to enlarge it over the image; PositionEmbeddingView),
/// "Attention distance" (Figure 7 right, for the current image or a folder of images;
/// AttentionDistanceView), "Embedding filters" (Figure 7 left; EmbeddingFiltersView) and
/// "Experiments" (shuffled patches, position embeddings removed/permuted, a sub-patch shift,
/// another resolution; ExperimentsView) and "Data hunger" (the bundled lab's results: the ViT
/// against a CNN over training-set sizes, and the position-embedding ablation beside the
/// paper's Table 8; DataHungerView, needs no model). Each view runs its computations off the GUI
/// thread on its own JobRunners, so that they restart independently; this container forwards the
/// model and run to them and owns the one progress bar and Cancel button that the folder and
/// experiment jobs share. Every figure exports through FigureWidget (PNG/SVG/PDF and its numbers).
/// It never preprocesses or runs the model on the window's image itself: it works from the
/// snapshot's core::Run.

#include <QWidget>

#include "core/model/vit_model.h"
#include "core/pipeline/run.h"
#include "core/result.h"
#include "ui/inference_controller.h"

class QProgressBar;
class QPushButton;
class QTabWidget;

namespace vitscope::ui {

class AttentionDistanceView;
class DataHungerView;
class EmbeddingFiltersView;
class ExperimentsView;
class PositionEmbeddingView;

class InductiveBiasPanel : public QWidget {
    Q_OBJECT
public:
    explicit InductiveBiasPanel(QWidget* parent = nullptr);
    /// Cancels running work and waits for it.
    ~InductiveBiasPanel() override;

    enum Tab {
        PositionEmbeddings = 0,
        AttentionDistance,
        EmbeddingFilters,
        Experiments,
        DataHunger
    };
    void showTab(Tab tab);

    /// Writes every figure currently shown (similarity, enlarged tile, attention distance,
    /// filters, experiments, data hunger, position ablation) into `folder` as <name>.png (at
    /// `scale`), .svg and .pdf. Returns the first error (the message names the file).
    core::Status exportFigures(const QString& folder, double scale = 2.0) const;
    /// The "Data hunger" tab (to read another results file).
    DataHungerView* dataHungerView() const { return mLab; }

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
    /// Shows or hides the shared progress bar and disables the views' start buttons meanwhile.
    void setBusy(bool busy, const QString& what);
    /// Connects a view's work signals (workStarted, workProgress, workFinished) to the bar; a
    /// start cancels `other`'s work, as when both shared one runner.
    template <typename View, typename Other>
    void connectWork(View* view, Other* other);

    core::ModelPtr mModel;
    QTabWidget* mTabs = nullptr;
    PositionEmbeddingView* mPosition = nullptr;
    AttentionDistanceView* mDistance = nullptr;
    EmbeddingFiltersView* mFilters = nullptr;
    ExperimentsView* mExperiments = nullptr;
    DataHungerView* mLab = nullptr;
    QProgressBar* mProgress = nullptr;
    QPushButton* mCancelButton = nullptr;
};

}  // namespace vitscope::ui
