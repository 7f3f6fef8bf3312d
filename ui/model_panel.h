#pragma once
/// ModelPanel: what the loaded checkpoint is — format, architecture, patch size, grid, the token
/// count in the paper's terms ("196 patches + 1 class = 197 x 768"), parameters, preprocessing
/// recipe, where the labels came from, and loader notes.

#include <QWidget>

#include "core/model/vit_model.h"

class QFormLayout;
class QLabel;

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

private:
    void addRow(const QString& title, const QString& value);

    QFormLayout* mForm = nullptr;
};

}  // namespace vitscope::ui
