#include "ui/screenshot_tour.h"

#include <QDir>
#include <QDockWidget>
#include <QPixmap>
#include <QProgressBar>
#include <QTabWidget>
#include <QTimer>
#include <cstdio>
#include <utility>

#include "ui/figure_widget.h"
#include "ui/inductive_bias_panel.h"
#include "ui/main_window.h"

namespace vitscope::ui {

namespace {
constexpr int kPollMs = 250;
constexpr int kSettleMs = 600;       // repaint after a tab switch
constexpr int kMaxWaitMs = 120'000;  // a view still computing after this is shot as it is

/// A figure of the visible Inductive Bias tab still waits for its numbers.
bool biasBusy(const InductiveBiasPanel* bias) {
    for (const QProgressBar* bar : bias->findChildren<QProgressBar*>()) {
        if (bar->isVisible()) {
            return true;
        }
    }
    for (const FigureWidget* figure : bias->findChildren<FigureWidget*>()) {
        if (figure->isVisible() && !figure->figure()) {
            return true;
        }
    }
    return false;
}
}  // namespace

ScreenshotTour::ScreenshotTour(MainWindow* window, const QString& folder,
                               std::function<void(bool)> done)
    : QObject(window), mWindow(window), mFolder(folder), mDone(std::move(done)) {
    QTabWidget* tabs = window->mainTabs();
    InductiveBiasPanel* bias = window->inductiveBiasPanel();
    auto raise = [window](const char* dock) {
        if (auto* d = window->findChild<QDockWidget*>(QLatin1String(dock))) {
            d->raise();
        }
    };
    auto idle = [] { return false; };
    auto biasWorking = [bias] { return biasBusy(bias); };
    mSteps.push_back({QStringLiteral("attention"),
                      [tabs, raise] {
                          tabs->setCurrentIndex(0);
                          raise("modelDock");
                          raise("pickerDock");
                      },
                      idle});
    mSteps.push_back({QStringLiteral("layers-heads"),
                      [tabs, raise] {
                          tabs->setCurrentIndex(0);
                          raise("overviewDock");
                      },
                      idle});
    const std::pair<const char*, InductiveBiasPanel::Tab> biasTabs[] = {
        {"position-embeddings", InductiveBiasPanel::PositionEmbeddings},
        {"attention-distance", InductiveBiasPanel::AttentionDistance},
        {"embedding-filters", InductiveBiasPanel::EmbeddingFilters},
        {"experiments", InductiveBiasPanel::Experiments},
        {"data-hunger", InductiveBiasPanel::DataHunger}};
    for (const auto& [name, tab] : biasTabs) {
        const bool experiments = tab == InductiveBiasPanel::Experiments;
        mSteps.push_back({QLatin1String(name),
                          [tabs, bias, raise, tab = tab, experiments] {
                              raise("modelDock");
                              tabs->setCurrentIndex(1);
                              bias->showTab(tab);
                              if (experiments) {
                                  bias->runExperiments();
                              }
                          },
                          biasWorking});
    }
}

void ScreenshotTour::start() { next(); }

void ScreenshotTour::next() {
    if (mNext >= mSteps.size()) {
        mDone(true);
        return;
    }
    const Step& step = mSteps[mNext++];
    step.show();
    QTimer::singleShot(kSettleMs, this, [this, &step] { waitAndGrab(step, kSettleMs); });
}

void ScreenshotTour::waitAndGrab(const Step& step, int waitedMs) {
    if (step.busy() && waitedMs < kMaxWaitMs) {
        QTimer::singleShot(kPollMs, this,
                           [this, &step, waitedMs] { waitAndGrab(step, waitedMs + kPollMs); });
        return;
    }
    const QString path = QDir(mFolder).filePath(QStringLiteral("window-%1.png").arg(step.name));
    const bool ok = mWindow->grab().save(path);
    std::fprintf(stderr, "vitscope: %s %s\n", ok ? "saved" : "could not save", qPrintable(path));
    if (!ok) {
        mDone(false);
        return;
    }
    QTimer::singleShot(kSettleMs / 2, this, [this] { next(); });
}

}  // namespace vitscope::ui
