#pragma once
/// ModelPanel: what the loaded checkpoint is — format, architecture, patch size, grid, the token
/// count in the paper's terms ("196 patches + 1 class = 197 x 768"), parameters, preprocessing
/// recipe, where the labels came from, and loader notes. When the loader had to guess settings
/// (ModelInfo::inferred), a warning box at the top lists them with controls to state them and
/// reload; tensors the loader ignored are listed too.

#include <QWidget>
#include <array>
#include <optional>

#include "core/model/vit_model.h"

class QComboBox;
class QFormLayout;
class QFrame;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace vitscope::ui {

class ModelPanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelPanel(QWidget* parent = nullptr);

    /// `result` gives the layout and input size the model ran with (the input may differ from
    /// the trained size); null describes the trained size.
    void setModel(const core::VitModel& model, const core::InferenceResult* result);
    void clear();

    /// "196 patches + 1 class = 197 x 768".
    static QString tokensText(const core::TokenLayout& tokens, int embedDim);
    /// The text of a row by its title, for tests ("Tokens", "Grid", ...).
    QString field(const QString& title) const;
    /// The guessed-settings warning ("vitscope guessed these settings: ..."); empty when hidden.
    QString warningText() const;

    /// "0.5" or "0.485, 0.456, 0.406" into three values (one number fills all three); empty
    /// on anything else.
    static std::optional<std::array<float, 3>> parseTriple(const QString& text);

signals:
    /// "Apply and reload": the model at `path` again, with what the warning box states.
    void reloadRequested(const QString& path, const vitscope::core::LoadOptions& options);

private:
    void addRow(const QString& title, const QString& value);
    void buildWarningBox();
    void showWarning(const core::VitModel& model);
    void applyAndReload();

    QFormLayout* mForm = nullptr;
    QFrame* mWarning = nullptr;
    QLabel* mWarningText = nullptr;
    QSpinBox* mHeads = nullptr;
    QLineEdit* mMean = nullptr;
    QLineEdit* mStd = nullptr;
    QComboBox* mRecipe = nullptr;
    QLabel* mWarningError = nullptr;
    QString mPath;
};

}  // namespace vitscope::ui
