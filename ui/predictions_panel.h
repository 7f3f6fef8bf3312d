#pragma once
/// PredictionsPanel: the top-k classes with probability bars, most probable first. A model
/// without a classification head gets a sentence saying so (its attention is still shown).

#include <QStringList>
#include <QWidget>
#include <vector>

#include "core/model/vit_model.h"

class QLabel;
class QGridLayout;

namespace vitscope::ui {

class PredictionsPanel : public QWidget {
    Q_OBJECT
public:
    explicit PredictionsPanel(QWidget* parent = nullptr);

    void setPredictions(const std::vector<core::Prediction>& predictions);
    /// For models without a head: explains that there are no class scores.
    void setNoHead(const QString& modelName);
    void clear();

    /// The labels as shown, top first (for tests and accessibility).
    QStringList labels() const { return mLabels; }
    std::vector<float> probabilities() const { return mProbabilities; }

private:
    void clearRows();

    QGridLayout* mGrid = nullptr;
    QLabel* mMessage = nullptr;
    QList<QWidget*> mRowWidgets;
    QStringList mLabels;
    std::vector<float> mProbabilities;
};

}  // namespace vitscope::ui
