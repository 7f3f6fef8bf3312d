#pragma once
/// Help > Keyboard Shortcuts: every shortcut of the window, read from its actions when the
/// dialog opens (menus first, in menu order, then actions that live outside the menus), so the
/// list cannot drift from what the keys do.

#include <QDialog>
#include <QList>
#include <QString>

class QAction;
class QMainWindow;
class QWidget;

namespace vitscope::ui {

struct ShortcutEntry {
    QString keys;    ///< "Ctrl+O", or several as "], PgDown" (native text)
    QString action;  ///< the action's text without mnemonics or an ellipsis: "Open Image"
    QString where;   ///< "File", "View › Layer and Head", or empty outside the menus
};

/// The shortcuts of `window`'s menu bar (recursively) and of the other actions added to it or
/// its children, each action once.
QList<ShortcutEntry> collectShortcuts(const QMainWindow& window);
/// An action's text as a list shows it: "&Open Image..." -> "Open Image".
QString plainActionText(const QAction& action);

class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    ShortcutsDialog(const QMainWindow& window, QWidget* parent);
};

}  // namespace vitscope::ui
