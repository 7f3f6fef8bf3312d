#pragma once
/// MainWindow: composes the views (attention view, layer/head picker, predictions, model panel,
/// heads panel, layers x heads overview) around the InferenceController and wires their signals.
/// It holds no analysis code of its own (STYLE.md §10).

#include <QMainWindow>
#include <QStringList>
#include <functional>

#include "core/analysis/colormap.h"
#include "ui/export/export_menu.h"
#include "ui/inference_controller.h"
#include "ui/layer_head_picker.h"
#include "ui/window_state.h"

class QAction;
class QActionGroup;
class QDockWidget;
class QLabel;
class QMenu;
class QProgressBar;
class QSlider;
class QTabWidget;
class QToolBar;
class QToolButton;

namespace vitscope::ui {

class AnimationExporter;
class AttentionView;
class ComparePanel;
class GuideHint;
class HeadsPanel;
class InductiveBiasPanel;
class LayerPlayer;
class LayersHeadsOverview;
class ModelPanel;
class PredictionsPanel;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    /// `resourcesDir` holds samples/ (for the Samples menu); may be empty.
    explicit MainWindow(const QString& resourcesDir = {}, QWidget* parent = nullptr);
    ~MainWindow() override;

    /// Every error the window reports goes through this hook (title, message naming the file
    /// and the problem). The default shows a warning message box; tests install a recorder.
    using ErrorHandler = std::function<void(const QString& title, const QString& message)>;
    void setErrorHandler(ErrorHandler handler);
    /// Where File > Export > Export All asks for its folder (default: a folder dialog).
    void setFolderChooser(ExportMenu::FolderChooser chooser);

    InferenceController* controller() const { return mController; }
    AttentionView* attentionView() const { return mView; }
    LayerHeadPicker* picker() const { return mPicker; }
    /// Plays the layers or heads (the row under the picker's layer control).
    LayerPlayer* player() const { return mPlayer; }
    /// File > Export > Animation….
    AnimationExporter* animationExport() const { return mAnimationExport; }
    PredictionsPanel* predictionsPanel() const { return mPredictions; }
    ModelPanel* modelPanel() const { return mModelPanel; }
    HeadsPanel* headsPanel() const { return mHeads; }
    LayersHeadsOverview* overview() const { return mOverview; }
    /// The central area's tabs: "Attention" (the image view) and "Inductive Bias".
    QTabWidget* mainTabs() const { return mMainTabs; }
    InductiveBiasPanel* inductiveBiasPanel() const { return mBias; }
    /// The Compare dock's content (a second model next to this one).
    ComparePanel* comparePanel() const { return mCompare; }
    /// File > Compare With Model…, the bundled models' entries and Stop Comparing.
    QMenu* compareMenu() const { return mCompareMenu; }
    /// File > Export, filled by ExportMenu (ui/export/).
    QMenu* exportMenu() const { return mExportMenu; }
    ExportMenu* exports() const { return mExports; }
    SnapshotPtr snapshot() const { return mController->current(); }
    QStringList recentImages() const { return mRecentImages; }
    QStringList recentModels() const { return mRecentModels; }

    /// Opens a dropped/pasted/recent path: folders and checkpoint files as models, the rest as
    /// images.
    void openPath(const QString& path);
    static bool looksLikeModel(const QString& path);
    /// What openModel opens for `path`: the folder of a config.json or preprocessor_config.json,
    /// else `path` itself.
    static QString modelPathFor(const QString& path);
    /// Help > Keyboard Shortcuts.
    QAction* shortcutsAction() const { return mShortcutsAction; }
    /// The first-launch hint over the attention view.
    GuideHint* guideHint() const { return mGuide; }
    /// Opens the last session's model and image (saved when the window closes), or `fallback`
    /// when none was saved. A saved file that is gone or no longer opens is replaced by the
    /// fallback with a status-bar message naming it, never an error dialog.
    void restoreSession(const SessionFiles& fallback);

public slots:
    void openImage(const QString& path);
    void openModel(const QString& path);
    /// Loads `path` as a second model and shows the Compare dock.
    void compareWithModel(const QString& path);
    void stopComparing();
    void pasteImage();
    void setColormap(vitscope::core::Colormap colormap);
    void setOpacity(double opacity);

protected:
    void closeEvent(QCloseEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;

private:
    void buildDocks();
    // The layout's part of the window (main_window_layout.cpp): the central tabs, the first
    // launch's dock arrangement and size, the restored session.
    void buildCentralTabs();
    void setInitialSize();
    /// The display tool bar goes to a second row when both do not fit in one (a narrow window,
    /// a large scale factor), rather than squeezing the opacity slider to a few pixels.
    void fitToolBars();
    /// During restoreSession: replaces a saved file that failed to open by the fallback.
    bool restoreFailed(const QString& title, const QString& message);
    void buildFileMenu();
    void buildViewMenu();  // and Help
    void buildToolBar();
    void buildStatusBar();
    // The Compare dock's part of the window (main_window_compare.cpp).
    void buildCompareMenu(QMenu* file);
    void fillCompareMenu();
    void showCompareDock(bool comparing);
    void fillSamplesMenu(QMenu* menu) const;
    void fillRecentMenu(QMenu* menu, QStringList* list, bool models);
    void loadSettings();
    void saveSettings() const;
    void addRecent(QStringList* list, const QString& path);

    void showSnapshot(const SnapshotPtr& snapshot);
    void showQuery(const AttentionQuery& query);
    void showHover(int row, int col, int token, float value);
    void showError(const QString& title, const QString& message);
    void askMemoryBudget();
    /// Shows the status bar's progress while a load, a run or a rollout map is computed.
    void updateBusy();

    QString mResourcesDir;
    QTabWidget* mMainTabs = nullptr;
    InductiveBiasPanel* mBias = nullptr;
    WindowDocks mDocks;
    bool mStateRestored = false;  // a saved dock layout was applied
    bool mArranged = false;       // the first show placed the docks
    bool mRestoring = false;      // restoreSession's files are still opening
    SessionFiles mFallback;
    ErrorHandler mErrorHandler;
    InferenceController* mController = nullptr;
    AttentionView* mView = nullptr;
    LayerHeadPicker* mPicker = nullptr;
    LayerPlayer* mPlayer = nullptr;
    AnimationExporter* mAnimationExport = nullptr;
    PredictionsPanel* mPredictions = nullptr;
    ModelPanel* mModelPanel = nullptr;
    HeadsPanel* mHeads = nullptr;
    LayersHeadsOverview* mOverview = nullptr;
    ComparePanel* mCompare = nullptr;
    QDockWidget* mCompareDock = nullptr;
    QMenu* mCompareMenu = nullptr;
    QMenu* mViewMenu = nullptr;
    QMenu* mExportMenu = nullptr;
    QAction* mShortcutsAction = nullptr;
    GuideHint* mGuide = nullptr;
    ExportMenu* mExports = nullptr;
    QActionGroup* mColormapGroup = nullptr;
    QSlider* mOpacitySlider = nullptr;
    QToolBar* mViewBar = nullptr;
    QToolBar* mDisplayBar = nullptr;
    QLabel* mTimingLabel = nullptr;
    QProgressBar* mProgress = nullptr;
    QToolButton* mCancelButton = nullptr;
    QStringList mRecentImages;
    QStringList mRecentModels;
    QString mLastDir;
    QString mShownModelPath;
    QString mShownImageLabel;
};

}  // namespace vitscope::ui
