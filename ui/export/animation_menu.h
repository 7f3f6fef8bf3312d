#pragma once
/// AnimationExporter: File > Export > Animation… in the window. Asks for a file name (an
/// animated .gif, or a .png name for numbered frames name-01.png, name-02.png, ...) and writes
/// the layers or heads the LayerPlayer steps through, as the attention view shows them (its
/// image, colormap, opacity and overlays in print colours), with the player's time per frame.
/// The frames are painted off the GUI thread (a JobRunner job) behind a progress dialog whose
/// Cancel stops before the next frame and leaves no file behind. The dialog starts in, and a
/// finished export is confirmed through ExportLocation like every other export; errors go out
/// through failed(). It changes nothing in the views.

#include <QObject>
#include <QPointer>
#include <QString>
#include <functional>

class QAction;
class QMenu;
class QProgressDialog;
class QWidget;

namespace vitscope::ui {

class AttentionView;
class InferenceController;
class JobRunner;
class LayerHeadPicker;
class LayerPlayer;

class AnimationExporter : public QObject {
    Q_OBJECT
public:
    /// The window's parts an export reads (not owned).
    struct Sources {
        InferenceController* controller = nullptr;
        LayerHeadPicker* picker = nullptr;
        AttentionView* view = nullptr;
        LayerPlayer* player = nullptr;
    };
    /// Adds "Animation…" to `menu`; dialogs are children of `dialogParent`.
    AnimationExporter(QMenu* menu, const Sources& sources, QWidget* dialogParent);

    /// Asks for the output path, given a suggested one; empty means cancelled. The default is
    /// a save dialog offering GIF and PNG frames; tests install their own.
    using PathChooser = std::function<QString(const QString& suggested)>;
    void setPathChooser(PathChooser chooser) { mChoosePath = std::move(chooser); }

    QAction* action() const { return mAction; }
    bool isRunning() const;
    /// The progress dialog of the running export (null when none runs).
    QProgressDialog* progressDialog() const;

public slots:
    void exportAnimation();
    void cancel();

signals:
    void failed(const QString& title, const QString& message);
    void statusMessage(const QString& text, int timeoutMs);
    /// After every export that ended (written, failed or cancelled).
    void finished();

private:
    void done(const QString& error, const QString& written);

    Sources mSources;
    QWidget* mDialogParent = nullptr;
    PathChooser mChoosePath;
    QAction* mAction = nullptr;
    JobRunner* mJobs = nullptr;
    QPointer<QProgressDialog> mProgress;
};

}  // namespace vitscope::ui
