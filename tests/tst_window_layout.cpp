// The real MainWindow at the size of a 1366 x 768 screen, offscreen, on the bundled model and a
// sample; CTest runs it a second time with QT_SCALE_FACTOR=2 (683 x 384 logical pixels). Every
// panel is looked at in turn: no label or tab text elided, no tab bar scrolling, every dock and
// view at least its minimum size, the rulers and the colour bar next to the image at every
// window size. Also: the window restores the last model, image and layout, and falls back to the
// bundled model with a status message (no error dialog) when a saved file is gone or broken.
#include <QComboBox>
#include <QFile>
#include <QPalette>
#include <QScrollArea>
#include <QScrollBar>
#include <QSlider>
#include <QTabBar>
#include <QTabWidget>
#include <QTextDocument>
#include <QToolBar>
#include <QToolButton>
#include <cmath>

#include "main_window_fixture.h"
#include "ui/figure_widget.h"
#include "ui/figures/attention_figure.h"
#include "ui/guide_hint.h"
#include "ui/inductive_bias_panel.h"

using namespace vitscope;
using namespace vitscope::test;
using ui::SessionFiles;

namespace {

/// Why `label` does not show its whole text, or empty.
QString labelProblem(const QLabel* label) {
    const QString text = label->text();
    if (text.isEmpty() || !label->isVisible()) {
        return {};
    }
    const QRect room = label->contentsRect();
    QSize needed;
    if (label->wordWrap()) {
        needed = QSize(0, label->heightForWidth(label->width()));
    } else if (Qt::mightBeRichText(text) && label->textFormat() != Qt::PlainText) {
        QTextDocument doc;
        doc.setDefaultFont(label->font());
        doc.setDocumentMargin(0);
        doc.setHtml(text);
        needed = QSize(static_cast<int>(std::ceil(doc.idealWidth())), 0);
    } else {
        needed = label->fontMetrics().boundingRect(QRect(), Qt::TextShowMnemonic, text).size();
    }
    if (needed.width() <= room.width() + 1 && needed.height() <= label->height() + 1) {
        return {};
    }
    return QStringLiteral("label \"%1\" needs %2x%3, has %4x%5")
        .arg(text.left(60))
        .arg(needed.width())
        .arg(needed.height())
        .arg(room.width())
        .arg(label->height());
}

/// Why `bar` cuts or scrolls its tabs, or empty.
QString tabBarProblem(const QTabBar* bar) {
    if (!bar->isVisible()) {
        return {};
    }
    for (const QToolButton* button : bar->findChildren<QToolButton*>()) {
        if (button->isVisible()) {
            return QStringLiteral("tab bar with \"%1\" shows scroll buttons").arg(bar->tabText(0));
        }
    }
    for (int i = 0; i < bar->count(); ++i) {
        QString text = bar->tabText(i);
        text.remove(QLatin1Char('&'));
        const int needed = bar->fontMetrics().horizontalAdvance(text);
        if (bar->tabRect(i).width() < needed) {
            return QStringLiteral("tab \"%1\" needs %2 px, has %3")
                .arg(text)
                .arg(needed)
                .arg(bar->tabRect(i).width());
        }
    }
    return {};
}

/// Why `widget` is smaller than its minimum size hint, or empty.
QString sizeProblem(const QWidget* widget, const QString& what) {
    const QSize hint = widget->minimumSizeHint();
    if (!widget->isVisible() || !hint.isValid() ||
        (widget->width() >= hint.width() && widget->height() >= hint.height())) {
        return {};
    }
    return QStringLiteral("%1 is %2x%3, below its minimum %4x%5")
        .arg(what)
        .arg(widget->width())
        .arg(widget->height())
        .arg(hint.width())
        .arg(hint.height());
}

/// Every problem of the visible part of `root`: labels, tab bars, sizes.
QStringList problemsIn(const QWidget* root, const QString& where) {
    QStringList problems;
    for (const QLabel* label : root->findChildren<QLabel*>()) {
        if (const QString p = labelProblem(label); !p.isEmpty()) {
            problems << where + QStringLiteral(": ") + p;
        }
    }
    for (const QTabBar* bar : root->findChildren<QTabBar*>()) {
        if (const QString p = tabBarProblem(bar); !p.isEmpty()) {
            problems << where + QStringLiteral(": ") + p;
        }
    }
    for (const QScrollArea* scroll : root->findChildren<QScrollArea*>()) {
        if (scroll->widget()) {
            if (const QString p = sizeProblem(scroll->widget(), QStringLiteral("its content"));
                !p.isEmpty()) {
                problems << where + QStringLiteral(": ") + p;
            }
        }
    }
    return problems;
}

bool isDark(const QColor& c) { return qGray(c.rgb()) < 128; }

}  // namespace

class TestWindowLayout : public QObject, vitscope::test::MainWindowFixture {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void docksReadableOnFirstLaunch();
    void inductiveBiasHasTheCentralArea();
    void imageGetsTheRoom();
    void rulersAndColourBarTouchTheImage_data();
    void rulersAndColourBarTouchTheImage();
    void toolBarsWrapRatherThanHide();
    void darkPaletteKeepsPlaceholdersVisible();
    void restoresLastModelImageAndLayout();
    void missingSavedFilesFallBack();
    void brokenSavedModelFallsBack();

private:
    /// A 1366 x 768 screen's size in logical pixels at this run's scale factor.
    QSize screenSize() const;
    /// A window restored from the settings (not cleared) with `fallback` as restoreSession's.
    std::unique_ptr<MainWindow> reopen(const SessionFiles& fallback);
    QString otherSample() const {
        return kResources + QStringLiteral("/samples/fashion-mnist/1-trouser.png");
    }
    QTemporaryDir mTemp;
};

QSize TestWindowLayout::screenSize() const {
    const double scale = qApp->devicePixelRatio();
    return QSize(static_cast<int>(1366 / scale), static_cast<int>(768 / scale));
}

void TestWindowLayout::initTestCase() {
    gPreviousHandler = qInstallMessageHandler(dropOffscreenNoise);
    QCoreApplication::setOrganizationName(QStringLiteral("vitscope-tests"));
    // One settings file per scale: CTest may run both at once.
    QCoreApplication::setApplicationName(
        QStringLiteral("tst_window_layout_x%1").arg(qApp->devicePixelRatio()));
    QSettings().clear();
    qInfo("scale %.1f, window %dx%d", qApp->devicePixelRatio(), screenSize().width(),
          screenSize().height());
    mWindow = std::make_unique<MainWindow>(kResources);
    mWindow->setErrorHandler([this](const QString& t, const QString& m) { mErrors << t + m; });
    mWindow->resize(screenSize());
    mWindow->show();
    QVERIFY(QTest::qWaitForWindowExposed(mWindow.get()));
    mWindow->restoreSession({defaultModel(), defaultImage()});  // nothing saved: the bundled ones
    QVERIFY2(waitForResult(), qPrintable(mErrors.join('\n')));
    QCOMPARE(mWindow->snapshot()->imagePath, defaultImage());
    QVERIFY(mErrors.isEmpty());
}

void TestWindowLayout::cleanupTestCase() { closeWindow(); }

void TestWindowLayout::docksReadableOnFirstLaunch() {
    QStringList problems;
    const auto docks = mWindow->findChildren<QDockWidget*>();
    QVERIFY(docks.size() >= 5);
    for (QDockWidget* dock : docks) {
        if (dock->isHidden()) {
            continue;  // the Compare dock until a comparison opens
        }
        dock->raise();  // tabbed docks: look at each one in front
        QTest::qWait(20);
        QVERIFY2(dock->isVisible(), qPrintable(dock->objectName()));
        QVERIFY2(!dock->isFloating(), qPrintable(dock->objectName()));
        problems << sizeProblem(dock, dock->objectName());
        problems << sizeProblem(dock->widget(), dock->objectName() + QStringLiteral(" content"));
        problems << problemsIn(dock, dock->windowTitle());
        // The window's own tab bars (those of the tabbed docks) must not scroll or cut either.
        for (const QTabBar* bar : mWindow->findChildren<QTabBar*>(Qt::FindDirectChildrenOnly)) {
            problems << tabBarProblem(bar);
        }
    }
    problems << sizeProblem(mWindow->attentionView(), QStringLiteral("the image view"));
    problems << sizeProblem(mWindow->headsPanel(), QStringLiteral("the heads panel"));
    problems.removeAll(QString());
    problems.removeDuplicates();
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
    // The window itself still fits the screen: no dock's minimum widened it.
    QVERIFY2(mWindow->width() <= screenSize().width() && mWindow->height() <= screenSize().height(),
             qPrintable(QStringLiteral("%1x%2").arg(mWindow->width()).arg(mWindow->height())));
}

void TestWindowLayout::inductiveBiasHasTheCentralArea() {
    QTabWidget* tabs = mWindow->mainTabs();
    QVERIFY(tabs);
    QCOMPARE(mWindow->centralWidget(), tabs);
    QVERIFY(!mWindow->findChild<QDockWidget*>(QStringLiteral("inductiveBiasDock")));
    tabs->setCurrentIndex(1);
    ui::InductiveBiasPanel* bias = mWindow->inductiveBiasPanel();
    QTRY_VERIFY(bias->isVisible());
    // As wide as the central area (less a possible scroll bar), not a dock's width.
    QVERIFY2(bias->width() >= tabs->width() - 30, qPrintable(QString::number(bias->width())));
    QStringList problems;
    auto* views = bias->findChild<QTabWidget*>();
    QVERIFY(views);
    for (int i = 0; i < views->count(); ++i) {
        views->setCurrentIndex(i);
        QTest::qWait(20);
        problems << problemsIn(tabs, QStringLiteral("Inductive Bias, ") + views->tabText(i));
        for (const ui::FigureWidget* figure :
             views->currentWidget()->findChildren<ui::FigureWidget*>()) {
            problems << sizeProblem(figure, views->tabText(i) + QStringLiteral(" figure"));
        }
    }
    problems.removeAll(QString());
    problems.removeDuplicates();
    tabs->setCurrentIndex(0);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
}

void TestWindowLayout::imageGetsTheRoom() {
    ui::AttentionView* view = mWindow->attentionView();
    QTRY_VERIFY(view->isVisible());
    auto imageSide = [view] {
        const QRectF image = view->imageRect();
        return std::min(image.width(), image.height());
    };
    // The first-launch hint is a banner above the image: it takes some height, covers nothing.
    ui::GuideHint* hint = mWindow->guideHint();
    QVERIFY(hint && hint->isVisible());
    const QRect hintArea(hint->mapTo(mWindow.get(), QPoint()), hint->size());
    const QRectF imageArea =
        view->imageRect().translated(QPointF(view->mapTo(mWindow.get(), QPoint())));
    QVERIFY2(!QRectF(hintArea).intersects(imageArea), "the hint covers the image");
    // Before this layout the image was ~160 px in a 1024 x 700 window.
    const int height = mWindow->height();
    QVERIFY2(imageSide() >= 0.40 * height,
             qPrintable(QStringLiteral("image %1 px with the hint, window %2 px high")
                            .arg(imageSide())
                            .arg(height)));
    hint->dismiss();  // the image takes the hint's room back
    QTRY_VERIFY2(imageSide() >= 0.45 * height,
                 qPrintable(QStringLiteral("image %1 px without the hint, window %2 px high")
                                .arg(imageSide())
                                .arg(height)));
    // Both tool bars on one row here: the opacity slider keeps a usable width.
    auto* slider = mWindow->findChild<QSlider*>(QStringLiteral("opacitySlider"));
    QVERIFY(slider && slider->isVisible());
    QVERIFY2(slider->width() >= slider->minimumWidth() && slider->width() >= 40,
             qPrintable(QString::number(slider->width())));
}

void TestWindowLayout::rulersAndColourBarTouchTheImage_data() {
    QTest::addColumn<QSize>("size");
    QTest::newRow("1366x768") << QSize(1366, 768);
    QTest::newRow("2560x1440") << QSize(2560, 1440);
    QTest::newRow("2560x800") << QSize(2560, 800);
}

void TestWindowLayout::rulersAndColourBarTouchTheImage() {
    QFETCH(QSize, size);
    ui::AttentionView* view = mWindow->attentionView();
    const QSize old = mWindow->size();
    view->resize(size / qApp->devicePixelRatio());  // the view alone: any size it may get
    const QImage shot = view->grab().toImage();
    const double dpr = shot.devicePixelRatio();
    const QRect image = view->imageRect().toAlignedRect();
    const QColor background = view->palette().color(QPalette::Window);
    auto differs = [&](int x, int y) {  // logical coordinates
        const QColor c = shot.pixelColor(static_cast<int>(x * dpr), static_cast<int>(y * dpr));
        return std::abs(c.red() - background.red()) + std::abs(c.green() - background.green()) +
                   std::abs(c.blue() - background.blue()) >
               60;
    };
    // The colour bar: the first drawn column right of the image is within a few pixels.
    int barX = -1;
    for (int x = image.right() + 2; x < view->width() && barX < 0; ++x) {
        if (differs(x, image.center().y())) {
            barX = x;
        }
    }
    QVERIFY2(
        barX >= 0 && barX - image.right() <= 20,
        qPrintable(
            QStringLiteral("colour bar at x %1, image ends at %2").arg(barX).arg(image.right())));
    // The row numbers: drawn in the ruler's width left of the image.
    const int ruler = static_cast<int>(ui::AttentionFigure::kRulerSize);
    bool rowNumbers = false;
    for (int x = std::max(0, image.left() - ruler); x < image.left() && !rowNumbers; ++x) {
        for (int y = image.top(); y < image.top() + image.height() / 4 && !rowNumbers; ++y) {
            rowNumbers = differs(x, y);
        }
    }
    QVERIFY2(rowNumbers, "no row numbers next to the image's left edge");
    bool colNumbers = false;
    for (int y = std::max(0, image.top() - ruler); y < image.top() && !colNumbers; ++y) {
        for (int x = image.left(); x < image.left() + image.width() / 4 && !colNumbers; ++x) {
            colNumbers = differs(x, y);
        }
    }
    QVERIFY2(colNumbers, "no column numbers above the image");
    mWindow->resize(old);  // the layout gives the view its size back
    QTest::qWait(20);
}

void TestWindowLayout::toolBarsWrapRatherThanHide() {
    // Down to three quarters of the screen's width, and with the mask's share shown, the tool
    // bars wrap onto a second row rather than squeeze the opacity slider or hide controls behind
    // an extension arrow. (Narrower than one bar, Qt's extension arrow is the fallback.)
    auto* slider = mWindow->findChild<QSlider*>(QStringLiteral("opacitySlider"));
    auto* display = mWindow->findChild<QComboBox*>(QStringLiteral("attentionDisplayCombo"));
    QVERIFY(slider && display);
    const QSize old = mWindow->size();
    const int previous = display->currentIndex();
    QStringList problems;
    for (const char* mode : {"overlay", "mask"}) {
        display->setCurrentIndex(display->findData(QLatin1String(mode)));
        for (const int width : {old.width(), old.width() * 3 / 4}) {
            mWindow->resize(width, old.height());
            QTest::qWait(30);
            const QString where =
                QStringLiteral("%1 at %2 px: ").arg(QLatin1String(mode)).arg(mWindow->width());
            if (slider->width() < std::max(slider->minimumWidth(), 40)) {
                problems << where + QStringLiteral("opacity slider %1 px").arg(slider->width());
            }
            for (const QToolBar* bar : mWindow->findChildren<QToolBar*>()) {
                for (const QToolButton* b :
                     bar->findChildren<QToolButton*>(QStringLiteral("qt_toolbar_ext_button"))) {
                    if (b->isVisible()) {
                        problems << where + bar->windowTitle() + QStringLiteral(" hides controls");
                    }
                }
            }
        }
    }
    display->setCurrentIndex(previous);
    mWindow->resize(old);
    QTest::qWait(30);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join('\n')));
}

void TestWindowLayout::darkPaletteKeepsPlaceholdersVisible() {
    // Figures stay white in every palette, so their placeholder text must be dark on them.
    QPalette dark;
    dark.setColor(QPalette::Window, QColor(40, 40, 40));
    dark.setColor(QPalette::WindowText, QColor(230, 230, 230));
    dark.setColor(QPalette::PlaceholderText, QColor(200, 200, 200));
    ui::FigureWidget widget;
    widget.setPalette(dark);
    widget.setPlaceholder(QStringLiteral("Nothing to show yet: open an image."));
    widget.resize(400, 200);
    const QImage shot = widget.grab().toImage();
    bool darkText = false;
    for (int y = 0; y < shot.height() && !darkText; ++y) {
        for (int x = 0; x < shot.width() && !darkText; ++x) {
            darkText = isDark(shot.pixelColor(x, y));
        }
    }
    QVERIFY2(darkText, "the placeholder is invisible on the white figure");
}

std::unique_ptr<MainWindow> TestWindowLayout::reopen(const SessionFiles& fallback) {
    auto window = std::make_unique<MainWindow>(kResources);
    window->setErrorHandler([this](const QString& t, const QString& m) { mErrors << t + m; });
    window->show();
    window->restoreSession(fallback);
    return window;
}

void TestWindowLayout::restoresLastModelImageAndLayout() {
    mWindow->openImage(otherSample());
    QVERIFY(waitForResult(QStringLiteral("1-trouser.png")));
    mWindow->mainTabs()->setCurrentIndex(1);
    auto* heads = mWindow->findChild<QDockWidget*>(QStringLiteral("headsDock"));
    const Qt::DockWidgetArea area = mWindow->dockWidgetArea(heads);
    mWindow->close();  // saves the session and the layout
    mWindow = reopen({defaultModel(), defaultImage()});
    QVERIFY(waitForResult(QStringLiteral("1-trouser.png")));
    QCOMPARE(QFileInfo(mWindow->snapshot()->imagePath).fileName(), QStringLiteral("1-trouser.png"));
    QCOMPARE(QFileInfo(mWindow->snapshot()->modelPath).canonicalFilePath(),
             QFileInfo(defaultModel()).canonicalFilePath());
    QCOMPARE(mWindow->mainTabs()->currentIndex(), 1);
    QCOMPARE(mWindow->dockWidgetArea(mWindow->findChild<QDockWidget*>(QStringLiteral("headsDock"))),
             area);
    QVERIFY(mErrors.isEmpty());
    mWindow->mainTabs()->setCurrentIndex(0);
}

void TestWindowLayout::missingSavedFilesFallBack() {
    ui::saveSessionFiles(
        {mTemp.filePath(QStringLiteral("gone-model")), mTemp.filePath(QStringLiteral("gone.png"))});
    mWindow = reopen({defaultModel(), defaultImage()});
    const QString message = mWindow->statusBar()->currentMessage();
    QVERIFY(waitForResult());
    QCOMPARE(mWindow->snapshot()->imagePath, defaultImage());
    QCOMPARE(mWindow->snapshot()->modelPath, defaultModel());
    QVERIFY2(message.contains(QStringLiteral("gone-model")) &&
                 message.contains(QStringLiteral("gone.png")),
             qPrintable(message));
    QVERIFY2(mErrors.isEmpty(), qPrintable(mErrors.join('\n')));
}

void TestWindowLayout::brokenSavedModelFallsBack() {
    // Files that exist but no longer open: garbage where the model was, text where the image was.
    const QString model = mTemp.filePath(QStringLiteral("broken.safetensors"));
    const QString image = mTemp.filePath(QStringLiteral("broken.png"));
    for (const QString& path : {model, image}) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("this is not what it claims to be");
    }
    ui::saveSessionFiles({model, image});
    mWindow = reopen({defaultModel(), defaultImage()});
    QVERIFY(QTest::qWaitFor(
        [&] {
            const auto s = mWindow->snapshot();
            return s && s->result() && s->modelPath == defaultModel() &&
                   s->imagePath == defaultImage() && !mWindow->controller()->isBusy();
        },
        kTimeoutMs));
    const QString message = mWindow->statusBar()->currentMessage();
    QVERIFY2(message.contains(QStringLiteral("broken.safetensors")), qPrintable(message));
    QVERIFY2(mErrors.isEmpty(), qPrintable(mErrors.join('\n')));
}

QTEST_MAIN(TestWindowLayout)
#include "tst_window_layout.moc"
