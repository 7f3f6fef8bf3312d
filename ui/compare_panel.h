#pragma once
/// ComparePanel: the Compare dock (issue 12). A second model next to the window's model, both
/// on the current image: position-embedding similarity and mean attention distance as one
/// PairFigure each (ui/figures/pair_figure.h, exportable like every figure), and the top-5
/// predictions of each model. The second model is loaded and run off the GUI thread (one
/// JobRunner job that also builds the pairs); each model runs the image with its own recipe
/// through core::runImage. A second model that fails to load leaves the previous comparison as
/// it was and failed() names the file.

#include <QString>
#include <QWidget>
#include <memory>

#include "core/model/vit_model.h"
#include "core/pipeline/run.h"
#include "ui/inference_controller.h"

class QComboBox;
class QGroupBox;
class QLabel;
class QPushButton;
class QStackedWidget;

namespace vitscope::ui {

class FigureWidget;
class JobRunner;
class PairFigure;
class PredictionsPanel;

class ComparePanel : public QWidget {
    Q_OBJECT
public:
    /// The views, in the combo box's order.
    enum class View { PositionEmbeddings = 0, AttentionDistance = 1, Predictions = 2 };

    /// Follows `controller`'s snapshots (the left side) and uses its memory budget.
    explicit ComparePanel(InferenceController* controller, QWidget* parent = nullptr);
    ~ComparePanel() override;  // the JobRunner cancels and waits

    bool isComparing() const { return mOther.model != nullptr; }
    bool isBusy() const;
    /// The second model, its path and its run on the current image (null without an image).
    core::ModelPtr otherModel() const { return mOther.model; }
    QString otherPath() const { return mOther.path; }
    core::RunPtr otherRun() const { return mOther.run; }
    /// The snapshot the left side shows.
    SnapshotPtr leftSnapshot() const { return mOther.left; }

    View view() const;
    void setView(View view);
    /// The pair of `view` (null for Predictions, or when there is none).
    std::shared_ptr<const PairFigure> pair(View view) const;
    FigureWidget* figureWidget() const { return mFigureWidget; }
    PredictionsPanel* predictions(bool right) const { return right ? mRightPred : mLeftPred; }
    /// The titles of the prediction sides (model name and accuracy).
    QString sideTitle(bool right) const;

public slots:
    /// Loads `path` as the second model and compares it with the current one.
    void openModel(const QString& path);
    /// Closes the comparison (the second model is released).
    void stop();

signals:
    void comparingChanged(bool comparing);
    /// `title` e.g. "Cannot open model"; `message` names the file and the problem.
    void failed(const QString& title, const QString& message);

public:
    /// The second model and everything shown with it; replaced whole when a job finishes.
    struct State {
        core::ModelPtr model;
        QString path;
        core::RunPtr run;
        SnapshotPtr left;
        std::shared_ptr<const PairFigure> posembed;
        std::shared_ptr<const PairFigure> distance;
        QString posembedProblem;  ///< why there is no pair (shown instead)
        QString distanceProblem;
        QString predictionsProblem;  ///< why the second model has no predictions
    };

private:
    void setSnapshot(const SnapshotPtr& snapshot);
    void start(const QString& loadPath);
    void display(const State& state);
    void setStatus(const QString& text);
    void showView();
    void showPredictions();

    InferenceController* mController = nullptr;
    JobRunner* mJobs = nullptr;
    SnapshotPtr mSnapshot;
    State mOther;
    QString mPendingPath;  ///< a second model being loaded (kept when a new image restarts the job)
    QComboBox* mViewCombo = nullptr;
    QPushButton* mExportButton = nullptr;
    QPushButton* mStopButton = nullptr;
    QLabel* mStatus = nullptr;
    QStackedWidget* mStack = nullptr;
    FigureWidget* mFigureWidget = nullptr;
    QGroupBox* mLeftBox = nullptr;
    QGroupBox* mRightBox = nullptr;
    PredictionsPanel* mLeftPred = nullptr;
    PredictionsPanel* mRightPred = nullptr;
};

}  // namespace vitscope::ui
