#pragma once
/// Window-wide shortcuts that a focused control needs for itself. The layer keys ([ ] and
/// Page Up / Page Down) are window shortcuts so they work wherever the focus is, but a slider or
/// spin box uses Page Up / Page Down to step by a page. FocusedKeyGuard, an application event
/// filter, accepts the ShortcutOverride of those keys while such a control of `window` has the
/// focus, so the control gets the key press and the shortcut does not fire.

#include <QKeySequence>
#include <QObject>
#include <QPointer>

class QWidget;

namespace vitscope::ui {

class FocusedKeyGuard : public QObject {
    Q_OBJECT
public:
    /// Installs itself on the application; removed when destroyed (a child of `window`).
    explicit FocusedKeyGuard(QWidget* window);

    /// Whether `focus` keeps `key` (a key without modifiers) for itself instead of a shortcut.
    static bool controlKeepsKey(const QWidget* focus, int key, Qt::KeyboardModifiers modifiers);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    QPointer<QWidget> mWindow;
};

}  // namespace vitscope::ui
