#include "ui/window_state.h"

#include <QDockWidget>
#include <QFileInfo>
#include <QMainWindow>
#include <QScrollArea>
#include <QSettings>
#include <QStyle>
#include <QTabBar>
#include <algorithm>

namespace vitscope::ui {

namespace {
const QString kModelKey = QStringLiteral("session/model");
const QString kImageKey = QStringLiteral("session/image");
constexpr int kMinSideWidth = 300;

/// What a dock shows: a scroll area's widget, or the dock's own widget; `scrollBar` (when not
/// null) gets the room a scroll area's bar takes, 0 without one.
const QWidget* shownContent(const QDockWidget* dock, int* scrollBar = nullptr) {
    const QWidget* content = dock->widget();
    int bar = 0;
    if (const auto* scroll = qobject_cast<const QScrollArea*>(content);
        scroll && scroll->widget()) {
        content = scroll->widget();
        bar = scroll->style()->pixelMetric(QStyle::PM_ScrollBarExtent) + 4;
    }
    if (scrollBar) {
        *scrollBar = bar;
    }
    return content;
}

/// Width a dock's content asks for (`least`: the least it can take without being cut).
int contentWidth(const QDockWidget* dock, bool least = false) {
    int bar = 0;
    const QWidget* content = shownContent(dock, &bar);
    if (!content) {
        return 0;
    }
    return (least ? content->minimumSizeHint() : content->sizeHint()).width() + bar;
}

/// Width of the window's tab bar that shows `dock` among its tabs, with every title in full.
int tabsWidth(const QMainWindow* window, const QDockWidget* dock) {
    int width = 0;
    for (const QTabBar* bar : window->findChildren<QTabBar*>(Qt::FindDirectChildrenOnly)) {
        for (int i = 0; i < bar->count(); ++i) {
            if (bar->tabText(i) == dock->windowTitle()) {
                width = std::max(width, bar->sizeHint().width());
            }
        }
    }
    return width;
}

/// Height of the docks' column: the window less its menu bar, tool bars and status bar (the
/// central widget's height, once the window is laid out).
int dockAreaHeight(const QMainWindow* window) {
    const QWidget* central = window->centralWidget();
    return central && central->height() > 0 ? central->height() : window->height() * 3 / 4;
}

/// Height of one of the window's dock tab bars.
int tabBarHeight(const QMainWindow* window) {
    int height = 0;
    for (const QTabBar* bar : window->findChildren<QTabBar*>(Qt::FindDirectChildrenOnly)) {
        height = std::max(height, bar->sizeHint().height());
    }
    return height;
}

/// Height a dock asks for (`least`: the least its content takes), with its title bar.
int heightOf(const QDockWidget* dock, bool least = false) {
    const QWidget* content = shownContent(dock);
    if (!content) {
        return 100;
    }
    return (least ? content->minimumSizeHint() : content->sizeHint()).height() + 30;
}
}  // namespace

DockLayout dockLayoutFor(const QSize& logicalWindowSize) {
    return logicalWindowSize.width() < kCompactBelowWidth ? DockLayout::Compact : DockLayout::Wide;
}

void arrangeDocks(QMainWindow* window, const WindowDocks& d, DockLayout layout) {
    const int windowWidth = window->width();
    if (layout == DockLayout::Wide) {
        window->addDockWidget(Qt::LeftDockWidgetArea, d.model);
        window->addDockWidget(Qt::LeftDockWidgetArea, d.overview);
        window->addDockWidget(Qt::LeftDockWidgetArea, d.compare);
        window->tabifyDockWidget(d.model, d.overview);
        window->tabifyDockWidget(d.overview, d.compare);
        window->addDockWidget(Qt::RightDockWidgetArea, d.picker);
        window->splitDockWidget(d.picker, d.predictions, Qt::Vertical);
        window->splitDockWidget(d.predictions, d.heads, Qt::Vertical);
        d.model->raise();
        const int cap = windowWidth / 4;
        const int left = std::clamp(std::max(contentWidth(d.model), tabsWidth(window, d.model)),
                                    kMinSideWidth, std::max(kMinSideWidth, cap));
        const int right = std::clamp(std::max(contentWidth(d.picker), contentWidth(d.predictions)),
                                     kMinSideWidth, std::max(kMinSideWidth, cap));
        window->resizeDocks({d.model, d.picker}, {left, right}, Qt::Horizontal);
        // The controls and the predictions get what they ask for; the heads grid the rest.
        const int picker = heightOf(d.picker);
        const int predictions = heightOf(d.predictions);
        const int column = dockAreaHeight(window);
        window->resizeDocks(
            {d.picker, d.predictions, d.heads},
            {picker, predictions, std::max(heightOf(d.heads, true), column - picker - predictions)},
            Qt::Vertical);
        return;
    }
    // Two tab groups in one right-hand column, so that each tab bar shows its titles in full:
    // what to look at (controls, predictions, heads) above, the model and the overview below.
    for (QDockWidget* dock : {d.picker, d.predictions, d.heads, d.model, d.overview, d.compare}) {
        window->addDockWidget(Qt::RightDockWidgetArea, dock);
    }
    window->splitDockWidget(d.picker, d.model, Qt::Vertical);
    window->tabifyDockWidget(d.picker, d.predictions);
    window->tabifyDockWidget(d.picker, d.heads);
    window->tabifyDockWidget(d.model, d.overview);
    window->tabifyDockWidget(d.model, d.compare);
    d.picker->raise();
    d.model->raise();
    // As narrow as the tab titles and the controls allow: in a compact window the image needs
    // every pixel, and the panels scroll.
    int width = std::max({tabsWidth(window, d.picker), tabsWidth(window, d.model),
                          contentWidth(d.picker, true), kMinSideWidth});
    // The central area (the image) keeps at least its minimum.
    const QWidget* central = window->centralWidget();
    const int centralMin = central ? central->minimumSizeHint().width() + 12 : 240;
    width = std::min(width, windowWidth - centralMin);
    window->resizeDocks({d.picker}, {width}, Qt::Horizontal);
    // Both groups share the column below their tab bars: asking for more would grow the window.
    const int column = std::max(0, dockAreaHeight(window) - 2 * tabBarHeight(window) - 8);
    window->resizeDocks({d.picker, d.model}, {column * 3 / 5, column - column * 3 / 5},
                        Qt::Vertical);
}

SessionFiles loadSessionFiles() {
    const QSettings settings;
    return {settings.value(kModelKey).toString(), settings.value(kImageKey).toString()};
}

void saveSessionFiles(const SessionFiles& files) {
    QSettings settings;
    auto store = [&settings](const QString& key, const QString& path) {
        if (path.isEmpty()) {
            settings.remove(key);
        } else {
            settings.setValue(key, QFileInfo(path).absoluteFilePath());
        }
    };
    store(kModelKey, files.model);
    store(kImageKey, files.image);
}

SessionFiles resolveSessionFiles(const SessionFiles& saved, const SessionFiles& fallback,
                                 QStringList* problems) {
    auto pick = [problems](const QString& path, const QString& other, const QString& sentence) {
        if (path.isEmpty()) {
            return other;
        }
        if (!QFileInfo::exists(path)) {
            if (problems) {
                problems->append(sentence.arg(path));
            }
            return other;
        }
        return path;
    };
    return {
        pick(saved.model, fallback.model, QObject::tr("The last model, “%1”, no longer exists.")),
        pick(saved.image, fallback.image, QObject::tr("The last image, “%1”, no longer exists."))};
}

}  // namespace vitscope::ui
