#pragma once
/// The window's arrangement on first launch and what it brings back on the next one: where the
/// docks go for the size the window opens at, and the last session's model and image (QSettings
/// "session/model", "session/image"). MainWindow owns the docks; these functions only place them.

#include <QString>
#include <QStringList>

class QDockWidget;
class QMainWindow;
class QSize;

namespace vitscope::ui {

/// How the side panels share a window.
/// - Wide: the model panel and the layers x heads overview as tabs of one column on the left,
///   the attention controls, the predictions and the heads of this layer stacked on the right.
/// - Compact: one column on the right with two tab groups (attention controls, predictions and
///   heads above; model and overview below), each panel scrolling inside its dock, so that the
///   image keeps its room and no tab title or value is cut. Used below kCompactBelowWidth
///   logical pixels (e.g. 1066 x 656, or 1366 x 768 at QT_SCALE_FACTOR=2, 683 x 384 logical).
enum class DockLayout { Wide, Compact };
/// QMainWindow::saveState's version: a layout saved by an older vitscope (with the Inductive Bias
/// dock and its starved columns, or with one tool bar) is not restored; the first launch's
/// arrangement replaces it.
inline constexpr int kLayoutVersion = 3;
inline constexpr int kCompactBelowWidth = 1200;
DockLayout dockLayoutFor(const QSize& logicalWindowSize);

struct WindowDocks {
    QDockWidget* picker = nullptr;
    QDockWidget* predictions = nullptr;
    QDockWidget* heads = nullptr;
    QDockWidget* model = nullptr;
    QDockWidget* overview = nullptr;
    QDockWidget* compare = nullptr;  ///< hidden until a comparison opens; tabbed with the model
};

/// Places and sizes the docks for `layout` in a window that is already laid out (call it once
/// the window is shown); the model dock (or the attention dock in Compact) ends up in front.
void arrangeDocks(QMainWindow* window, const WindowDocks& docks, DockLayout layout);

/// The model and image of the last session, as absolute paths (empty when none was saved).
struct SessionFiles {
    QString model;
    QString image;
};
SessionFiles loadSessionFiles();
void saveSessionFiles(const SessionFiles& files);

/// What to open for a restored session: each saved file that no longer exists is replaced by
/// its fallback, and `problems` gets one sentence naming it.
SessionFiles resolveSessionFiles(const SessionFiles& saved, const SessionFiles& fallback,
                                 QStringList* problems);

}  // namespace vitscope::ui
