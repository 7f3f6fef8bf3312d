#include "ui/navigation_keys.h"

#include <QAbstractSlider>
#include <QAbstractSpinBox>
#include <QApplication>
#include <QKeyEvent>
#include <QWidget>

namespace vitscope::ui {

FocusedKeyGuard::FocusedKeyGuard(QWidget* window) : QObject(window), mWindow(window) {
    qApp->installEventFilter(this);
}

bool FocusedKeyGuard::controlKeepsKey(const QWidget* focus, int key,
                                      Qt::KeyboardModifiers modifiers) {
    if (!focus || (modifiers & ~Qt::KeypadModifier) != Qt::NoModifier) {
        return false;
    }
    const bool stepping =
        qobject_cast<const QAbstractSlider*>(focus) || qobject_cast<const QAbstractSpinBox*>(focus);
    if (!stepping) {
        return false;
    }
    // Sliders and spin boxes step by a page with these; [ and ] mean nothing to them.
    return key == Qt::Key_PageUp || key == Qt::Key_PageDown || key == Qt::Key_Home ||
           key == Qt::Key_End;
}

bool FocusedKeyGuard::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() != QEvent::ShortcutOverride || !mWindow) {
        return false;
    }
    auto* focus = qobject_cast<QWidget*>(watched);
    if (!focus || focus != QApplication::focusWidget() || !mWindow->isAncestorOf(focus)) {
        return false;
    }
    auto* key = static_cast<QKeyEvent*>(event);
    if (controlKeepsKey(focus, key->key(), key->modifiers())) {
        event->accept();  // the key goes to the control as a key press, not to the shortcut
        return true;
    }
    return false;
}

}  // namespace vitscope::ui
