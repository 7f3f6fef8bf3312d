// A window that guides, through the real MainWindow offscreen: the first-launch hint names the
// keys the actions really have, Help > Keyboard Shortcuts lists every action's shortcut, no
// control's mnemonic takes a menu's Alt key, a focused spin box or slider keeps Page Up / Page
// Down, any class can be looked up in the Predictions panel, every export starts in one folder
// and confirms the same way, a rollout shows that it is being computed, the progress bar is gone
// before an error is shown, and a config.json opens its folder as the model.
#include <QAbstractButton>
#include <QApplication>
#include <QCompleter>
#include <QGroupBox>
#include <QMenuBar>
#include <QProgressBar>
#include <QTabBar>
#include <QTableWidget>

#include "main_window_fixture.h"
#include "ui/export/export_location.h"
#include "ui/figure_widget.h"
#include "ui/guide_hint.h"
#include "ui/shortcuts_dialog.h"

using namespace vitscope;
using namespace vitscope::test;

namespace {

QAction* actionNamed(const QList<QAction*>& actions, const QString& name) {
    for (QAction* a : actions) {
        if (a->objectName() == name) {
            return a;
        }
    }
    return nullptr;
}

QString keyText(const QAction* a, int which = 0) {
    return a->shortcuts().value(which).toString(QKeySequence::NativeText);
}

/// Alt+letter mnemonics of the widgets of `root` that grab one: buttons, labels with a buddy,
/// group boxes and tab bars. Each as "Alt+X" with the text that defines it.
QList<QPair<QKeySequence, QString>> widgetMnemonics(const QWidget& root) {
    QList<QPair<QKeySequence, QString>> out;
    auto add = [&out](const QString& text) {
        const QKeySequence k = QKeySequence::mnemonic(text);
        if (!k.isEmpty()) {
            out.append({k, text});
        }
    };
    for (const QAbstractButton* b : root.findChildren<QAbstractButton*>()) {
        add(b->text());
    }
    for (const QLabel* l : root.findChildren<QLabel*>()) {
        if (l->buddy()) {
            add(l->text());
        }
    }
    for (const QGroupBox* g : root.findChildren<QGroupBox*>()) {
        add(g->title());
    }
    for (const QTabBar* t : root.findChildren<QTabBar*>()) {
        for (int i = 0; i < t->count(); ++i) {
            add(t->tabText(i));
        }
    }
    return out;
}

}  // namespace

class TestGuidance : public QObject, vitscope::test::MainWindowFixture {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void hintNamesTheRealKeys();
    void shortcutsDialogListsEveryAction();
    void mnemonicsDoNotCollideWithMenus();
    void focusedControlsKeepPageKeys();
    void anyClassCanBeLookedUp();
    void exportsShareFolderAndConfirmation();
    void rolloutShowsItsPendingState();
    void progressHiddenBeforeError();
    void configJsonOpensItsFolder();
};

void TestGuidance::initTestCase() { openWindow("tst_guidance"); }

void TestGuidance::cleanupTestCase() {
    ui::ExportLocation::instance().setSaveChooser({});
    closeWindow();
}

void TestGuidance::hintNamesTheRealKeys() {
    ui::GuideHint* hint = mWindow->guideHint();
    QVERIFY(hint);
    QVERIFY2(hint->isVisible(), "the first launch shows the hint");
    const QList<QAction*> actions = mWindow->picker()->navigationActions();
    const QString text = hint->text();
    QVERIFY(text.startsWith(QStringLiteral("Click a patch to see where it attends")));
    // Every key the hint names is the key of the action it names.
    for (const char* name : {"previousLayerAction", "nextLayerAction", "previousHeadAction",
                             "nextHeadAction", "rolloutAction", "reverseAction"}) {
        QAction* a = actionNamed(actions, QLatin1String(name));
        QVERIFY2(a, name);
        QVERIFY2(text.contains(keyText(a)), qPrintable(text + " lacks " + keyText(a)));
    }
    const QString layers = QStringLiteral("%1 and %2")
                               .arg(keyText(actionNamed(actions, "previousLayerAction")),
                                    keyText(actionNamed(actions, "nextLayerAction")));
    QVERIFY2(text.contains(layers + QStringLiteral(" (or ")), qPrintable(text));
    QVERIFY(text.contains(keyText(mWindow->shortcutsAction())));
    // It sits above the view (a banner, never over the image) and leaves with the first patch
    // click. Where the sentence would wrap to three lines it shows the short form.
    QCOMPARE(hint->parentWidget(), mWindow->attentionView()->parentWidget());
    QVERIFY(hint->geometry().bottom() < mWindow->attentionView()->geometry().top());
    QVERIFY(hint->shownText() == text ||
            hint->shownText() == ui::guideHintShortText(mWindow->shortcutsAction()));
    QVERIFY(ui::guideHintShortText(mWindow->shortcutsAction())
                .contains(keyText(mWindow->shortcutsAction())));
    hint->resize(200, hint->height());
    QCOMPARE(hint->shownText(), ui::guideHintShortText(mWindow->shortcutsAction()));
    hint->resize(4000, hint->height());
    QCOMPARE(hint->shownText(), text);
    const auto& tokens = mWindow->snapshot()->result()->tokens;
    emit mWindow->attentionView()->patchClicked(tokens.gridH / 2, tokens.gridW / 2);
    QVERIFY(!hint->isVisible());
    QVERIFY(ui::GuideHint::wasDismissed());
    ui::GuideHint again(mWindow->attentionView(), QStringLiteral("x"));
    QVERIFY2(again.isHidden(), "a dismissed hint does not come back");
}

void TestGuidance::shortcutsDialogListsEveryAction() {
    const QList<ui::ShortcutEntry> entries = ui::collectShortcuts(*mWindow);
    // Every action of the window with a shortcut is listed once, with its keys.
    int withKeys = 0;
    for (const QAction* a : mWindow->findChildren<QAction*>()) {
        if (a->shortcuts().isEmpty() || a->text().isEmpty()) {
            continue;
        }
        ++withKeys;
        int found = 0;
        for (const ui::ShortcutEntry& e : entries) {
            found += e.action == ui::plainActionText(*a) && e.keys.startsWith(keyText(a));
        }
        QVERIFY2(found >= 1, qPrintable(a->text()));
    }
    QCOMPARE(static_cast<int>(entries.size()), withKeys);
    bool nextLayerInMenu = false;
    for (const ui::ShortcutEntry& e : entries) {
        nextLayerInMenu |= e.action == QLatin1String("Next Layer") &&
                           e.where == QStringLiteral("View › Layer and Head");
    }
    QVERIFY(nextLayerInMenu);

    mWindow->shortcutsAction()->trigger();
    auto* dialog = mWindow->findChild<ui::ShortcutsDialog*>(QStringLiteral("shortcutsDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    auto* table = dialog->findChild<QTableWidget*>(QStringLiteral("shortcutsTable"));
    QVERIFY(table);
    QCOMPARE(table->rowCount(), static_cast<int>(entries.size()));
    for (int row = 0; row < table->rowCount(); ++row) {
        QCOMPARE(table->item(row, 0)->text(), entries[row].keys);
        QCOMPARE(table->item(row, 1)->text(), entries[row].action);
    }
    dialog->close();
}

void TestGuidance::mnemonicsDoNotCollideWithMenus() {
    QList<QKeySequence> menuKeys;
    for (const QAction* a : mWindow->menuBar()->actions()) {
        const QKeySequence k = QKeySequence::mnemonic(a->text());
        QVERIFY2(!k.isEmpty(), qPrintable(a->text()));
        QVERIFY2(!menuKeys.contains(k), qPrintable(a->text()));
        menuKeys << k;
    }
    for (const auto& [key, text] : widgetMnemonics(*mWindow)) {
        QVERIFY2(!menuKeys.contains(key),
                 qPrintable(text + " takes " + key.toString() + " from a menu"));
    }
    // Alt+F opens the File menu and moves no focus to a control.
    auto* fusion = mWindow->findChild<QComboBox*>(QStringLiteral("fusionCombo"));
    QVERIFY(fusion);
    mWindow->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(mWindow.get(), 5000));
    mWindow->attentionView()->setFocus();
    QTest::keyClick(mWindow.get(), Qt::Key_F, Qt::AltModifier);
    QTRY_VERIFY(QApplication::activePopupWidget() != nullptr);
    auto* menu = qobject_cast<QMenu*>(QApplication::activePopupWidget());
    QVERIFY(menu);
    QCOMPARE(menu->title(), mWindow->menuBar()->actions().first()->text());
    QVERIFY(!fusion->hasFocus());
    menu->close();
}

void TestGuidance::focusedControlsKeepPageKeys() {
    auto* picker = mWindow->picker();
    const int layers = mWindow->snapshot()->result()->attention.layers();
    QVERIFY(layers >= 3);
    picker->setLayerAndHead(1, -1);
    mWindow->activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(mWindow.get(), 5000));

    // A focused spin box steps by a page; the layer stays. (The discard ratio is enabled with
    // rollout only.)
    picker->setRollout(true);
    auto* discard = picker->findChild<QDoubleSpinBox*>(QStringLiteral("discardSpin"));
    QVERIFY(discard);
    QTRY_VERIFY(discard->isEnabled());
    discard->setValue(0.0);
    discard->setFocus();
    QTRY_VERIFY(discard->hasFocus());
    QTest::keyClick(discard, Qt::Key_PageUp);
    QVERIFY2(discard->value() > 0.0, "Page Up stepped the spin box");
    QCOMPARE(picker->query().layer, 1);
    QTest::keyClick(discard, Qt::Key_PageDown);
    QCOMPARE(discard->value(), 0.0);
    QCOMPARE(picker->query().layer, 1);

    // So does a focused slider.
    auto* opacity = mWindow->findChild<QSlider*>(QStringLiteral("opacitySlider"));
    QVERIFY(opacity);
    opacity->setValue(50);
    opacity->setFocus();
    QTRY_VERIFY(opacity->hasFocus());
    QTest::keyClick(opacity, Qt::Key_PageUp);
    QCOMPARE(opacity->value(), 50 + opacity->pageStep());
    QCOMPARE(picker->query().layer, 1);

    // [ and ] still change the layer from the slider; Page Up does elsewhere.
    QTest::keyClick(opacity, Qt::Key_BracketRight);
    QCOMPARE(picker->query().layer, 2);
    QCOMPARE(opacity->value(), 50 + opacity->pageStep());
    mWindow->attentionView()->setFocus();
    QTRY_VERIFY(mWindow->attentionView()->hasFocus());
    QTest::keyClick(mWindow->attentionView(), Qt::Key_PageUp);
    QCOMPARE(picker->query().layer, 1);
    picker->setRollout(false);
    QTRY_VERIFY(!mWindow->attentionView()->mapJobs()->isBusy());
}

void TestGuidance::anyClassCanBeLookedUp() {
    const auto s = mWindow->snapshot();
    const core::Vector& p = s->result()->probabilities;
    const auto& labels = s->model->labels();
    auto* panel = mWindow->predictionsPanel();
    QComboBox* box = panel->lookupBox();
    QCOMPARE(box->count(), static_cast<int>(p.size()));
    QVERIFY(box->isEditable());
    // The least probable class, which the top five never show.
    Eigen::Index least = 0;
    p.minCoeff(&least);
    QVERIFY(!panel->labels().contains(QString::fromStdString(labels[least])));
    panel->lookUp(static_cast<int>(least));
    const QString expected = QStringLiteral("%1: %2 %, rank %3 of %3")
                                 .arg(QString::fromStdString(labels[least]))
                                 .arg(100.0 * p[least], 0, 'g', 3)
                                 .arg(p.size());
    QCOMPARE(panel->lookupText(), expected);
    // The most probable is rank 1, as in the top five.
    Eigen::Index best = 0;
    p.maxCoeff(&best);
    box->setCurrentIndex(static_cast<int>(best));
    QVERIFY2(panel->lookupText().endsWith(QStringLiteral("rank 1 of %1").arg(p.size())),
             qPrintable(panel->lookupText()));
    QCOMPARE(panel->labels().first(), QString::fromStdString(labels[best]));
    // Completion over every class name, by any part of it.
    QCompleter* completer = box->completer();
    QVERIFY(completer->filterMode() == Qt::MatchContains);
    const QString name = QString::fromStdString(labels[least]);
    completer->setCompletionPrefix(name.mid(1, 3));
    QVERIFY(completer->completionCount() >= 1);
}

void TestGuidance::exportsShareFolderAndConfirmation() {
    QTemporaryDir first;
    QTemporaryDir second;
    QVERIFY(first.isValid() && second.isValid());
    QStringList starts;
    QString target = first.filePath(QStringLiteral("attention.svg"));
    ui::ExportLocation::instance().setSaveChooser(
        [&](QWidget*, const QString&, const QString& start, const QString&) {
            starts << start;
            return target;
        });
    // File > Export > Attention Figure.
    QAction* attention = nullptr;
    for (QAction* a : mWindow->exportMenu()->actions()) {
        if (a->text().startsWith(QStringLiteral("&Attention"))) {
            attention = a;
        }
    }
    QVERIFY(attention);
    attention->trigger();
    QVERIFY(QFileInfo::exists(target));
    QCOMPARE(mWindow->statusBar()->currentMessage(), ui::ExportLocation::confirmation(target));
    QVERIFY(mWindow->statusBar()->currentMessage().contains(first.path()));

    // An Inductive Bias figure: "Export…" starts where the last export went.
    auto posembedWidget = [this]() -> ui::FigureWidget* {
        for (ui::FigureWidget* w : mWindow->findChildren<ui::FigureWidget*>()) {
            if (w->figure() && w->figure()->name() == QLatin1String("posembed-similarity")) {
                return w;
            }
        }
        return nullptr;
    };
    ui::FigureWidget* widget = nullptr;
    QTRY_VERIFY(widget = posembedWidget());
    target = second.filePath(QStringLiteral("similarity.pdf"));
    widget->exportFigureInteractively();
    QCOMPARE(QFileInfo(starts.last()).absolutePath(), first.path());
    QVERIFY(QFileInfo::exists(target));
    QCOMPARE(mWindow->statusBar()->currentMessage(), ui::ExportLocation::confirmation(target));

    // "Export numbers…" then starts in the second folder, and confirms the same way.
    target = second.filePath(QStringLiteral("similarity.csv"));
    widget->exportNumbersInteractively();
    QCOMPARE(QFileInfo(starts.last()).absolutePath(), second.path());
    QVERIFY(QFileInfo::exists(target));
    QCOMPARE(mWindow->statusBar()->currentMessage(), ui::ExportLocation::confirmation(target));

    // Export All's folder dialog starts there too.
    QString batchStart;
    mWindow->setFolderChooser([&](const QString& start) {
        batchStart = start;
        return QString();  // cancelled
    });
    mWindow->exports()->exportAllOverlays();
    QCOMPARE(batchStart, second.path());
    ui::ExportLocation::instance().setSaveChooser({});
}

void TestGuidance::rolloutShowsItsPendingState() {
    auto* picker = mWindow->picker();
    auto* progress = mWindow->findChild<QProgressBar*>(QStringLiteral("progressBar"));
    QVERIFY(progress);
    picker->setRollout(false);
    QTRY_VERIFY(!progress->isVisible());
    picker->setLayerAndHead(1, -1);
    picker->setRollout(true);  // the rollout runs off the GUI thread; nothing delivered yet
    const QString caption = mWindow->attentionView()->figure().caption();
    QVERIFY2(caption.startsWith(QStringLiteral("Computing attention rollout, layers 1-2")),
             qPrintable(caption));
    QVERIFY(progress->isVisible());
    QTRY_VERIFY(!mWindow->attentionView()->mapJobs()->isBusy());
    QTRY_VERIFY(!progress->isVisible());
    QVERIFY(mWindow->attentionView()->figure().caption().startsWith(
        QStringLiteral("Attention rollout, layers 1-2")));
    expectDisplayedMapMatchesCore();
    picker->setRollout(false);
}

void TestGuidance::progressHiddenBeforeError() {
    auto* progress = mWindow->findChild<QProgressBar*>(QStringLiteral("progressBar"));
    QList<bool> visibleAtError;
    mWindow->setErrorHandler([&](const QString& title, const QString&) {
        visibleAtError << progress->isVisible();
        mErrors << title;
    });
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("missing.safetensors"));
    mWindow->openModel(bad);
    QTRY_VERIFY(!visibleAtError.isEmpty());
    QCOMPARE(visibleAtError, QList<bool>{false});
    QVERIFY(!mWindow->controller()->isBusy());

    // Export All into a folder that cannot be made: its progress dialog is gone when the
    // error is shown (a deleteLater alone would leave it up behind the message box).
    QFile blocker(dir.filePath(QStringLiteral("a-file")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    QList<bool> dialogAtError;
    mWindow->setErrorHandler([&](const QString& title, const QString&) {
        bool shown = false;
        for (const QProgressDialog* d : mWindow->findChildren<QProgressDialog*>()) {
            shown |= d->isVisible();
        }
        dialogAtError << shown;
        mErrors << title;
    });
    mWindow->setFolderChooser(
        [&](const QString&) { return dir.filePath(QStringLiteral("a-file/sub")); });
    mWindow->exports()->exportAllOverlays();
    QProgressDialog* dialog = mWindow->exports()->progressDialog();
    QVERIFY(dialog);
    dialog->show();  // as it would be after its minimum duration
    QTRY_VERIFY(!dialogAtError.isEmpty());
    QCOMPARE(dialogAtError, QList<bool>{false});
    mWindow->setErrorHandler([this](const QString& title, const QString& message) {
        mErrors << title + ": " + message;
    });
    mErrors.clear();
}

void TestGuidance::configJsonOpensItsFolder() {
    const QString config = QDir(bundledModel()).filePath(QStringLiteral("config.json"));
    QVERIFY(QFileInfo::exists(config));
    QCOMPARE(MainWindow::modelPathFor(config), QFileInfo(bundledModel()).absoluteFilePath());
    QCOMPARE(MainWindow::modelPathFor(bundledModel()), bundledModel());
    const auto before = mWindow->snapshot();
    mWindow->openModel(config);
    QVERIFY(QTest::qWaitFor([&] { return mWindow->snapshot() != before; }, kTimeoutMs));
    QVERIFY(waitForResult());
    QVERIFY2(mErrors.isEmpty(), qPrintable(mErrors.join('\n')));
    QCOMPARE(QFileInfo(mWindow->snapshot()->modelPath).absoluteFilePath(),
             QFileInfo(bundledModel()).absoluteFilePath());
}

QTEST_MAIN(TestGuidance)
#include "tst_guidance.moc"
