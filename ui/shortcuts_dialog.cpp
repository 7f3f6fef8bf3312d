#include "ui/shortcuts_dialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QSet>
#include <QTableWidget>
#include <QVBoxLayout>
#include <algorithm>

namespace vitscope::ui {

namespace {

QString keysText(const QAction& action) {
    QStringList keys;
    for (const QKeySequence& k : action.shortcuts()) {
        keys << k.toString(QKeySequence::NativeText);
    }
    return keys.join(QStringLiteral(", "));
}

void collectMenu(const QMenu& menu, const QString& where, QSet<const QAction*>* seen,
                 QList<ShortcutEntry>* out) {
    for (QAction* a : menu.actions()) {
        if (seen->contains(a) || a->isSeparator()) {
            continue;
        }
        seen->insert(a);
        if (a->menu()) {
            collectMenu(*a->menu(), where + QStringLiteral(" › ") + plainActionText(*a), seen, out);
        } else if (!a->shortcuts().isEmpty()) {
            out->append({keysText(*a), plainActionText(*a), where});
        }
    }
}

}  // namespace

QString plainActionText(const QAction& action) {
    QString text = action.text();
    text.replace(QStringLiteral("&&"), QStringLiteral("\x01"));
    text.remove(QLatin1Char('&'));
    text.replace(QStringLiteral("\x01"), QStringLiteral("&"));
    for (const QString& ellipsis : {QStringLiteral("..."), QStringLiteral("…")}) {
        if (text.endsWith(ellipsis)) {
            text.chop(ellipsis.size());
        }
    }
    return text.trimmed();
}

QList<ShortcutEntry> collectShortcuts(const QMainWindow& window) {
    QList<ShortcutEntry> out;
    QSet<const QAction*> seen;
    for (QAction* top : window.menuBar()->actions()) {
        if (top->menu()) {
            seen.insert(top);
            collectMenu(*top->menu(), plainActionText(*top), &seen, &out);
        }
    }
    for (const QAction* a : window.findChildren<QAction*>()) {
        if (!seen.contains(a) && !a->shortcuts().isEmpty() && !a->text().isEmpty()) {
            seen.insert(a);
            out.append({keysText(*a), plainActionText(*a), QString()});
        }
    }
    return out;
}

ShortcutsDialog::ShortcutsDialog(const QMainWindow& window, QWidget* parent) : QDialog(parent) {
    setObjectName(QStringLiteral("shortcutsDialog"));
    setWindowTitle(tr("Keyboard Shortcuts"));
    auto* layout = new QVBoxLayout(this);
    auto* intro = new QLabel(
        tr("Every key the window answers to. The layer and head keys work wherever the focus "
           "is, except that a focused slider or spin box keeps Page Up and Page Down, and a "
           "text field keeps the characters you type."),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);
    const QList<ShortcutEntry> entries = collectShortcuts(window);
    auto* table = new QTableWidget(static_cast<int>(entries.size()), 3, this);
    table->setObjectName(QStringLiteral("shortcutsTable"));
    table->setHorizontalHeaderLabels({tr("Keys"), tr("Action"), tr("Menu")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    for (int row = 0; row < entries.size(); ++row) {
        const ShortcutEntry& e = entries[row];
        table->setItem(row, 0, new QTableWidgetItem(e.keys));
        table->setItem(row, 1, new QTableWidgetItem(e.action));
        table->setItem(row, 2, new QTableWidgetItem(e.where));
    }
    table->resizeColumnsToContents();
    table->horizontalHeader()->setStretchLastSection(true);
    layout->addWidget(table, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    const int width = table->horizontalHeader()->length() + 60;
    resize(std::max(width, 520), std::min(640, 120 + table->verticalHeader()->length()));
}

}  // namespace vitscope::ui
