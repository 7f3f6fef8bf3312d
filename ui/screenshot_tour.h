#pragma once
/// The screenshots of the README (tools/screenshot.sh, `vitscope --screenshots DIR`): the window
/// as it is shown, one picture per view — the image with its side panels, the layers x heads
/// overview in front, and each Inductive Bias tab (the experiments run first) — saved as
/// DIR/window-<view>.png. Only looks: it switches tabs and raises docks as a person would.

#include <QObject>
#include <QString>
#include <functional>
#include <vector>

namespace vitscope::ui {

class MainWindow;

class ScreenshotTour : public QObject {
    Q_OBJECT
public:
    /// `done(ok)` is called once every picture is written (ok) or one could not be (not ok).
    ScreenshotTour(MainWindow* window, const QString& folder, std::function<void(bool)> done);
    /// Starts with the first view; call once the window shows its first result.
    void start();

private:
    struct Step {
        QString name;
        std::function<void()> show;
        /// True while the view is still computing what it shows.
        std::function<bool()> busy;
    };
    void next();
    void waitAndGrab(const Step& step, int waitedMs);

    MainWindow* mWindow;
    QString mFolder;
    std::function<void(bool)> mDone;
    std::vector<Step> mSteps;
    size_t mNext = 0;
};

}  // namespace vitscope::ui
