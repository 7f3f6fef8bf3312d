#pragma once
/// GuideHint: the first-launch hint over the attention view ("Click a patch to see where it
/// attends; [ and ] change the layer; …"). The keys it names are read from the window's actions,
/// so the hint cannot name a key that does nothing. It closes with its × button or after the
/// first patch click, and stays closed (QSettings "guide/hintDismissed").

#include <QFrame>
#include <QList>

class QAction;
class QLabel;

namespace vitscope::ui {

/// The hint's sentence for the layer-and-head `actions` (LayerHeadPicker::navigationActions(),
/// found by object name) and `shortcutsAction` (Help > Keyboard Shortcuts, may be null).
QString guideHintText(const QList<QAction*>& actions, const QAction* shortcutsAction);

class GuideHint : public QFrame {
    Q_OBJECT
public:
    /// Floats over the top of `view` (its parent), which it follows when resized. Hidden from
    /// the start when the hint was dismissed before.
    GuideHint(QWidget* view, const QString& text);

    QString text() const;
    static bool wasDismissed();

public slots:
    /// Hides the hint for good.
    void dismiss();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    void place();

    QLabel* mText = nullptr;
};

}  // namespace vitscope::ui
