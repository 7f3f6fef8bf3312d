#pragma once
/// PredictionsPanel: the top-k classes with probability bars, most probable first, and a lookup
/// of any class (an editable combo box completing over every class name) that shows its
/// probability and rank. A model without a classification head gets a sentence saying so (its
/// attention is still shown).

#include <QStringList>
#include <QWidget>
#include <vector>

#include "core/model/vit_model.h"

class QComboBox;
class QLabel;
class QGridLayout;
class QVBoxLayout;

namespace vitscope::ui {

class PredictionsPanel : public QWidget {
    Q_OBJECT
public:
    explicit PredictionsPanel(QWidget* parent = nullptr);

    void setPredictions(const std::vector<core::Prediction>& predictions);
    /// Every class's name and probability, for the lookup (`labels` as many as probabilities).
    void setClassScores(const std::vector<std::string>& labels, const core::Vector& probabilities);
    /// For models without a head: explains that there are no class scores.
    void setNoHead(const QString& modelName);
    void clear();

    /// The labels as shown, top first (for tests and accessibility).
    QStringList labels() const { return mLabels; }
    std::vector<float> probabilities() const { return mProbabilities; }
    /// The lookup box and the line under it ("Sandal: 0.12 %, rank 7 of 10").
    QComboBox* lookupBox() const { return mLookup; }
    QString lookupText() const;
    /// Shows class `index` in the lookup (as choosing it in the box does).
    void lookUp(int index);

    /// Room for kReservedRows predictions and a lookup result even before the first result, so
    /// that the window's first layout (arrangeDocks) gives the panel what it will show.
    QSize sizeHint() const override;
    static constexpr int kReservedRows = 5;  ///< the window shows the top five

private:
    void clearRows();
    void clearLookup();
    void buildLookup(QVBoxLayout* outer);

    QGridLayout* mGrid = nullptr;
    QLabel* mMessage = nullptr;
    QComboBox* mLookup = nullptr;
    QLabel* mLookupResult = nullptr;
    int mRowHeight = 0;  ///< a prediction row's height, for sizeHint
    std::vector<float> mAllProbabilities;
    std::vector<int> mRanks;  ///< 1-based rank of each class
    QList<QWidget*> mRowWidgets;
    QStringList mLabels;
    std::vector<float> mProbabilities;
};

}  // namespace vitscope::ui
