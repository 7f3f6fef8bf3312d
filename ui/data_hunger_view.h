#pragma once
/// DataHungerView: the "Data hunger" tab of InductiveBiasPanel: the bundled lab's results
/// (resources/lab/data-hunger.json, tools/data_hunger.py) as two figures, the ViT against a CNN
/// over training-set sizes (DataHungerFigure) and the position-embedding ablation beside the
/// paper's Table 8 (PositionAblationFigure), one at a time through a combo box, each with an
/// Export… button. The file is read off the GUI thread by the view's own JobRunner; a missing
/// or malformed file leaves its message (naming the file and the field) as the placeholder.

#include <QString>
#include <QWidget>
#include <string>
#include <vector>

class QComboBox;
class QStackedWidget;

namespace vitscope::ui {

class FigureWidget;
class JobRunner;

class DataHungerView : public QWidget {
    Q_OBJECT
public:
    /// Starts reading the bundled results (core::defaultLabResultsPath()).
    explicit DataHungerView(QWidget* parent = nullptr);
    /// The JobRunner cancels and waits.
    ~DataHungerView() override;

    /// Reads another results file (bytes, as given; empty: the bundled one), off the GUI thread.
    void loadResults(const std::string& path);
    /// Both figures (data-hunger, position-ablation), for InductiveBiasPanel::exportFigures.
    std::vector<const FigureWidget*> figureWidgets() const;
    /// 0: data hunger, 1: position ablation.
    void showFigure(int index);

private:
    JobRunner* mJobs = nullptr;
    QComboBox* mChoice = nullptr;
    QStackedWidget* mStack = nullptr;
    FigureWidget* mHunger = nullptr;
    FigureWidget* mAblation = nullptr;
};

}  // namespace vitscope::ui
